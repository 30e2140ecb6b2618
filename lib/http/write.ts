import type { ServerResponse } from 'node:http'
import encodeUrl from 'encodeurl'
import vary from 'vary'
import type { Outgoing } from '../core/outgoing.js'
import { freshStatus } from './freshness.js'

export type Written = Exclude<Outgoing, { kind: 'handoff' }>

const TYPES = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const

/**
 * A location as a header can carry it (encodeurl: characters outside a URL are
 * percent-encoded as UTF-8, existing `%XX` kept, a CR/LF never splits a
 * header). One rule more: `\`, `^` and `|` are encoded too, because they are no
 * URL characters (RFC 3986) and browsers read a `\` as `/`, so that `/\evil.example`
 * would leave the site.
 */
function encodeLocation(location: string): string {
  return encodeUrl(location).replace(/[\\^|]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
}

// Content headers describe the body that failed; finalhandler removes the same before its error page.
const CONTENT_HEADERS = ['Content-Encoding', 'Content-Language', 'Content-Range']

/** A body, none for HEAD, 204, 205 and 304 (which have no content: no type, no length), as `res.send` does. */
function sendBody(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean): void {
  res.statusCode = status
  if (status === 204 || status === 304) {
    res.removeHeader('Content-Type')
    res.removeHeader('Content-Length')
    res.removeHeader('Transfer-Encoding')
    res.end()
    return
  }
  if (status === 205) {
    res.setHeader('Content-Length', 0)
    res.end()
    return
  }
  res.setHeader('Content-Type', type)
  if (head) {
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end()
    return
  }
  // Node writes the Content-Length of a body handed whole to end(); a length set before us is corrected.
  if (res.hasHeader('Content-Length')) res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
}

function setVary(res: ServerResponse, fields: readonly string[]): void {
  if (fields.length === 0) return
  // Most answers have no Vary yet: set it without parsing and merging a header list.
  if (res.hasHeader('Vary')) vary(res, fields as string[])
  else res.setHeader('Vary', fields.length === 1 ? (fields[0] as string) : fields.join(', '))
}

/**
 * Writes an answer: the one place that sets the status, headers and body.
 * Headers the app set before us stay (CORS, security headers, cookies); an
 * error answer removes only the content headers of the answer it replaces.
 */
export function write(res: ServerResponse, out: Written, head: boolean): void {
  if (out.kind === 'options') {
    res.statusCode = 204
    for (const name in out.headers) res.setHeader(name, out.headers[name] as string)
    res.end()
    return
  }
  if (out.kind === 'error') for (const name of CONTENT_HEADERS) res.removeHeader(name)
  setVary(res, out.vary)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  for (const name in out.headers) res.setHeader(name, out.headers[name] as string)
  if (out.defaults !== undefined) {
    for (const name in out.defaults) if (!res.hasHeader(name)) res.setHeader(name, out.defaults[name] as string)
  }
  if (out.kind === 'redirect') {
    res.statusCode = out.status
    res.setHeader('Location', encodeLocation(out.location))
    res.setHeader('Content-Length', 0)
    res.end()
    return
  }
  if ((out.kind === 'json' || out.kind === 'body') && typeof out.location === 'string') {
    res.setHeader('Location', encodeLocation(out.location))
  }
  const type =
    out.kind === 'body'
      ? out.type
      : out.kind === 'error'
        ? TYPES[out.type]
        : out.kind === 'json'
          ? TYPES.json
          : TYPES.html
  const status = out.kind === 'error' ? out.status : freshStatus(res, out.status, out.body)
  sendBody(res, status, type, out.body, head)
}
