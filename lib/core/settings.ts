import { httpError } from '../errors.js'

type Replacer = (this: unknown, key: string, value: unknown) => unknown

/** How answers are written beyond the handler's own say: the app's JSON settings and Enhance's defaults. */
export interface AnswerSettings {
  /** The app's `json replacer`, `json spaces` and `json escape` settings, as `res.json` reads them. */
  replacer: Replacer | undefined
  spaces: string | number | undefined
  escape: boolean
  /** Enhance's default `Cache-Control` when the handler sets none (option `defaultCacheControl`). */
  cacheDefaults: boolean
  /** `Server-Timing` on rendered pages, as Enhance sends it (option `serverTiming`). */
  serverTiming: boolean
}

export const DEFAULT_SETTINGS: AnswerSettings = Object.freeze({
  replacer: undefined,
  spaces: undefined,
  escape: false,
  cacheDefaults: true,
  serverTiming: true,
})

const JSON_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' }

/** Serializes `json` as `res.json` would with these settings; a value JSON cannot hold (a cycle, a BigInt) is a 500. */
export function serialize(json: unknown, label: string, settings: AnswerSettings = DEFAULT_SETTINGS): string {
  let text: string
  try {
    text = JSON.stringify(json === undefined ? {} : json, settings.replacer, settings.spaces) ?? '{}'
  } catch (error) {
    throw httpError(500, `${label} returned json that cannot be serialized: ${(error as Error).message}`, error)
  }
  return settings.escape ? text.replace(/[<>&]/g, (char) => JSON_ESCAPES[char] as string) : text
}

const NO_STORE = { 'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0, s-maxage=0' }
const ONE_DAY = { 'Cache-Control': 'max-age=86400' }

/**
 * Enhance's default `Cache-Control` (through @architect/functions): HTML,
 * JSON and redirects are never cached; any other body for a day.
 */
export function cacheDefaultsOf(
  settings: AnswerSettings,
  type: string | undefined,
  redirect: boolean,
): typeof NO_STORE | undefined {
  if (!settings.cacheDefaults) return undefined
  if (redirect || type === undefined || type.includes('text/html') || type.includes('json')) return NO_STORE
  return ONE_DAY
}

/** A `Server-Timing` entry as Enhance's header-timers writes one (three significant digits). */
export function timingEntry(name: string, ms: number): string {
  return `${name};desc="enhance-${name}";dur=${Number(ms.toPrecision(3))}`
}
