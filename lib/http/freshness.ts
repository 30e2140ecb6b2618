import type { ServerResponse } from 'node:http'
import fresh from 'fresh'
import type { ExpressReq } from './incoming.js'

type ETagFn = (body: string | Buffer, encoding?: BufferEncoding) => string | undefined

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
  const etagOf = app.get('etag fn') as ETagFn | undefined
  if (typeof etagOf === 'function' && !res.hasHeader('ETag')) {
    const etag = etagOf(body, 'utf8')
    if (etag) res.setHeader('ETag', etag)
  }
  if (req?.method !== 'GET' && req?.method !== 'HEAD') return status
  const validators = { etag: res.getHeader('ETag'), 'last-modified': res.getHeader('Last-Modified') }
  return fresh(req.headers, validators as Record<string, string | undefined>) ? 304 : status
}
