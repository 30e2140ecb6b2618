import type { ServerResponse } from 'node:http'
import vary from 'vary'
import type { EnhanceApiRes } from '../types/index.js'
import { httpError } from './errors.js'

/** Headers every negotiated answer carries, and the handler's own. */
export function applyHeaders(res: ServerResponse, response: EnhanceApiRes | undefined): void {
  // Most answers have no Vary yet: set it without parsing and merging a header list.
  if (res.hasHeader('Vary')) vary(res, 'Accept')
  else res.setHeader('Vary', 'Accept')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  if (response === undefined) return
  const headers = response.headers
  if (headers) for (const name in headers) res.setHeader(name, headers[name] as string | number | readonly string[])
  if (typeof response.cacheControl === 'string') res.setHeader('Cache-Control', response.cacheControl)
}

/** Serializes `json`; a value JSON cannot hold (a cycle, a BigInt) is a 500. */
export function serialize(json: unknown, label: string): string {
  try {
    return JSON.stringify(json === undefined ? {} : json) ?? '{}'
  } catch (error) {
    throw httpError(500, `${label} returned json that cannot be serialized: ${(error as Error).message}`, error)
  }
}

/** Writes a body (none for HEAD) with its type and length. */
export function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.statusCode = status
  res.setHeader('Content-Type', type)
  if (head || status === 204 || status === 304) {
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end()
  } else {
    // Node writes the Content-Length of a body handed whole to end(); a length the handler set is corrected.
    if (res.hasHeader('Content-Length')) res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end(body)
  }
}

export const JSON_TYPE = 'application/json; charset=utf-8'
export const HTML_TYPE = 'text/html; charset=utf-8'

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
/** A `%` that starts no escape, or a run of characters a URL cannot hold as they are. */
const NOT_URL = /%(?![0-9A-Fa-f]{2})|[^!#$%&-;=?-[\]_a-z~]+/g

/**
 * The handler's location as a header can carry it: characters outside a URL
 * (spaces, non-ASCII, CR/LF, quotes) are percent-encoded as UTF-8; existing
 * `%XX` escapes are kept. So `/café` works and a CR/LF never splits a header.
 */
export function encodeLocation(location: string): string {
  return location
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(NOT_URL, (run) => (run === '%' ? '%25' : encodeURIComponent(run)))
}

export function sendRedirect(res: ServerResponse, status: number, location: string): void {
  res.statusCode = status
  res.setHeader('Location', encodeLocation(location))
  res.setHeader('Content-Length', 0)
  res.end()
}
