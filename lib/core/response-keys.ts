import type { EnhanceApiRes } from '../../types/index.js'
import { httpError } from '../errors.js'
import type { HeaderValue } from './outgoing.js'

/**
 * Every key a response object may have: SPEC section 5, and the keys Enhance
 * apps return through `@architect/functions` (its terse body keys, `type`,
 * `cors`, `cookies`, `multiValueHeaders`, `isBase64Encoded`, `compression`).
 */
const KNOWN_KEYS = [
  'json',
  'location',
  'statusCode',
  'code',
  'status',
  'cacheControl',
  'headers',
  'session',
  'html',
  'css',
  'js',
  'text',
  'xml',
  'body',
  'type',
  'isBase64Encoded',
  'cors',
  'cookies',
  'multiValueHeaders',
  'compression',
] as const
const KNOWN = new Set<string>(KNOWN_KEYS)

/** Edit distance, for "did you mean": short keys only, so the quadratic table stays tiny. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min((row[j - 1] as number) + 1, (previous[j] as number) + 1, (previous[j - 1] as number) + cost)
    }
    previous = row
  }
  return previous[b.length] as number
}

function closest(key: string): string {
  const lower = key.toLowerCase()
  let best: string = KNOWN_KEYS[0]
  let bestDistance = Number.POSITIVE_INFINITY
  for (const known of KNOWN_KEYS) {
    const d = known.toLowerCase() === lower ? 0 : distance(lower, known.toLowerCase())
    if (d < bestDistance) {
      best = known
      bestDistance = d
    }
  }
  return best
}

/** A key outside the known set (a typo such as `statuscode`) is a 500 naming it and the closest known key. */
export function checkKeys(response: object, label: string): void {
  for (const key in response) {
    if (KNOWN.has(key)) continue
    throw httpError(500, `${label} returned a response with the unknown key "${key}" (did you mean "${closest(key)}"?)`)
  }
}

/** The content types `@architect/functions` gives its terse body keys, in the order it looks for them. */
const BODY_KEYS = [
  ['html', 'text/html; charset=utf-8'],
  ['css', 'text/css; charset=utf-8'],
  ['js', 'text/javascript; charset=utf-8'],
  ['text', 'text/plain; charset=utf-8'],
] as const

/** A body the handler gave as it is: its content type and bytes, or undefined when it gave `json` (or nothing). */
export function rawBodyOf(response: EnhanceApiRes, label: string): { type: string; body: string | Buffer } | undefined {
  // The common answer, `json` and no other body key, is decided without a look at the headers.
  if (response.json !== undefined && !hasTerseBody(response)) return undefined
  // As in Architect, a Content-Type the handler set wins over the key's own.
  const declared = headerOf(response, 'content-type')
  for (const [key, type] of BODY_KEYS) {
    const value = response[key]
    if (value !== undefined && value !== '') return { type: String(declared ?? type), body: textOf(value, key, label) }
  }
  // `json` comes before `xml` (as Architect looks); it is negotiated, not sent as it is.
  if (response.json !== undefined) return undefined
  if (response.xml !== undefined && response.xml !== '') {
    return { type: String(declared ?? 'application/xml; charset=utf-8'), body: textOf(response.xml, 'xml', label) }
  }
  const body = response.body
  if (body === undefined) return undefined
  const type = String(declared ?? response.type ?? 'application/json; charset=utf-8')
  if (Buffer.isBuffer(body)) return { type, body }
  const text = textOf(body, 'body', label)
  // A base64 body (a compressed feed, an image) is sent as its bytes, with the handler's content-encoding.
  return { type, body: response.isBase64Encoded === true ? Buffer.from(text, 'base64') : text }
}

function hasTerseBody(response: EnhanceApiRes): boolean {
  return (
    response.html !== undefined ||
    response.css !== undefined ||
    response.js !== undefined ||
    response.text !== undefined
  )
}

function textOf(value: unknown, key: string, label: string): string {
  if (typeof value === 'string') return value
  throw httpError(
    500,
    `${label} returned ${key} that is ${value === null ? 'null' : `a ${typeof value}`}, not a string`,
  )
}

/** A header the handler set, whatever the case of its name. */
function headerOf(response: EnhanceApiRes, name: string): HeaderValue | undefined {
  const headers = response.headers
  if (headers === undefined) return undefined
  for (const key in headers) if (key.toLowerCase() === name) return headers[key]
  return undefined
}
