import { createHash, hash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import fresh from 'fresh'
import type { ExpressReq } from './incoming.js'

type ETagFn = (body: string | Buffer, encoding?: BufferEncoding) => string | undefined

/** SHA-1 in base64: node:crypto's one-shot `hash()` where Node has it (20.12+), which allocates no Hash object. */
const sha1 = (body: string | Buffer): string =>
  typeof hash === 'function' ? hash('sha1', body, 'base64') : createHash('sha1').update(body).digest('base64')

/**
 * The ETag Express's default `etag` settings make (`'weak'`, or `'strong'`),
 * to the byte (the etag package's length and SHA-1), computed with one call;
 * any other setting (a function of the app's) is the app's own.
 */
function etagOf(setting: unknown, fn: ETagFn, body: string | Buffer): string | undefined {
  if (setting !== 'weak' && setting !== true && setting !== 'strong') return fn(body, 'utf8')
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length
  const tag = length === 0 ? '"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"' : `"${length.toString(16)}-${sha1(body).slice(0, 27)}"`
  return setting === 'strong' ? tag : `W/${tag}`
}

/**
 * The ETag and the 304 of an answer, as `res.send` makes them: an ETag from
 * the app's `etag` setting (`app.get('etag fn')`: weak by default, none when
 * the app turned it off) unless one is set, and 304 Not Modified for a GET or
 * HEAD whose `If-None-Match` (or `If-Modified-Since`) the answer satisfies.
 * Returns the status to send.
 */
export function freshStatus(res: ServerResponse, status: number, body: string | Buffer): number {
  const req = res.req as ExpressReq | undefined
  const app = req?.app
  if (app === undefined || status < 200 || status >= 300) return status
  const fn = app.get('etag fn') as ETagFn | undefined
  if (typeof fn === 'function' && !res.hasHeader('ETag')) {
    const etag = etagOf(app.get('etag'), fn, body)
    if (etag) res.setHeader('ETag', etag)
  }
  if (req?.method !== 'GET' && req?.method !== 'HEAD') return status
  // Without a conditional header nothing can be fresh: no validators to gather.
  const headers = req.headers
  if (headers['if-none-match'] === undefined && headers['if-modified-since'] === undefined) return status
  const validators = { etag: res.getHeader('ETag'), 'last-modified': res.getHeader('Last-Modified') }
  return fresh(req.headers, validators as Record<string, string | undefined>) ? 304 : status
}
