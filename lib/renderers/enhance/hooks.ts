import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { EnhanceApiReq, EnhanceHeadArgs } from '../../../types/index.js'
import { failing, htmlFrom, named, nameOf, type Reading } from './problems.js'

type Hook<Args> = (args: Args) => unknown
/** What earlier middleware put in `res.locals`. */
export type Locals = Record<string, unknown>
/** head.mjs gets `locals` beside Enhance's `{ req, status, error, store }`. */
export type HeadArgs = EnhanceHeadArgs & { locals: Locals }
type Head = Hook<HeadArgs>
type PreflightArgs = { req: EnhanceApiReq; locals: Locals }
type Preflight = Hook<PreflightArgs>

/** The app's `head.mjs` and `preflight.mjs`, or what stands in for them. */
export interface Hooks {
  head: Head
  preflight: Preflight | undefined
}

const DEFAULT_HEAD: Head = () =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>'

/** A hook file's default export function; `undefined` when the app has no such file. */
async function readHook<Args>(file: string, reading: Reading, wrongExport: string): Promise<Hook<Args> | undefined> {
  const imported = await reading.importOptional(file)
  if (imported === undefined) return undefined
  if ('error' in imported) return failing(imported.error)
  if (typeof imported.value === 'function') return imported.value as Hook<Args>
  return failing(reading.problem(`${nameOf(file)}: ${wrongExport}`))
}

export async function readHooks(root: string, reading: Reading): Promise<Hooks> {
  const [head, preflight] = await Promise.all([
    readHook<HeadArgs>(join(root, 'head.mjs'), reading, 'its default export must be a function that returns the head'),
    readHook<PreflightArgs>(join(root, 'preflight.mjs'), reading, 'its default export must be a function'),
  ])
  return { head: head ?? DEFAULT_HEAD, preflight }
}

/** `res.locals` (Express's), or an empty object for a response without them. */
export function localsOf(res: ServerResponse | undefined): Locals {
  const locals = (res as { locals?: unknown } | undefined)?.locals
  return locals !== null && typeof locals === 'object' ? (locals as Locals) : {}
}

/**
 * The store a page renders with, one level deep, later keys winning:
 * `{ ...res.locals, ...what preflight.mjs returns, ...the API's json }`. So
 * the API's json wins over preflight, and both over what earlier middleware
 * put in `res.locals` (as an Express view's own locals win over res.locals).
 * preflight.mjs gets `{ req, locals }`, `locals` being res.locals itself.
 */
export async function storeWith(
  preflight: Preflight | undefined,
  req: EnhanceApiReq,
  locals: Locals,
  store: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let extra: unknown
  try {
    extra = preflight ? await preflight({ req, locals }) : undefined
  } catch (error) {
    throw named(error, 'preflight.mjs threw')
  }
  const added = extra !== null && typeof extra === 'object' ? (extra as Record<string, unknown>) : {}
  return { ...locals, ...added, ...store }
}

/** The document head, from `head.mjs` (or the default head). */
export const headOf = (head: Head, args: HeadArgs): string => htmlFrom(head, args, 'head.mjs', 'head.mjs threw')
