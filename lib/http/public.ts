import type { IncomingMessage, ServerResponse } from 'node:http'
import serveStatic from 'serve-static'
import vary from 'vary'
import type { EnhanceError } from '../../types/index.js'
import { wantsJson } from '../core/negotiate.js'
import { minimalErrorPage, publicMessage } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import type { BrowserBundles, Bundle } from './browser.js'

type Next = (error?: unknown) => void
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void

/** Where Enhance serves the app's `public/` folder, and (under `browser/`) the bundles of `app/browser/`. */
export const PUBLIC_PREFIX = '/_public/'
const BROWSER_PREFIX = `${PUBLIC_PREFIX}browser/`

/** The bundle a `/_public/browser/<name>` URL names (decoded; undefined when its encoding is broken). */
function bundleName(url: string): string | undefined {
  const query = url.indexOf('?')
  const name = url.slice(BROWSER_PREFIX.length, query === -1 ? undefined : query)
  try {
    return decodeURIComponent(name)
  } catch {
    return undefined
  }
}

/**
 * The folder `publicDir`, served at `/_public/` by serve-static (ETag,
 * Last-Modified, `Cache-Control: public, max-age=0`, ranges): a file that is
 * not there (a folder, a dotfile, a path outside) falls through to `next()`,
 * and a folder is never redirected.
 */
function folder(publicDir: string): Middleware {
  const files = serveStatic(publicDir, { fallthrough: true, redirect: false })
  return (req, res, next) => {
    const url = req.url as string
    // serve-static reads the path as the URL below the mount, synchronously; the URL is the app's again at once.
    req.url = url.slice(PUBLIC_PREFIX.length - 1)
    try {
      files(req, res, next)
    } finally {
      req.url = url
    }
  }
}

/** `If-None-Match` by weak comparison (RFC 9110): `*`, or one of the listed tags. */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

function sendBundle(req: IncomingMessage, res: ServerResponse, bundle: Exclude<Bundle, { error: EnhanceError }>): void {
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8')
  res.setHeader('Cache-Control', 'public, max-age=0')
  res.setHeader('ETag', bundle.etag)
  res.statusCode = notModified(req.headers['if-none-match'], bundle.etag) ? 304 : 200
  if (res.statusCode === 304) return void res.end()
  res.setHeader('Content-Length', bundle.code.byteLength)
  res.end(req.method === 'HEAD' ? undefined : bundle.code)
}

/** A bundle that did not build: a negotiated 500 naming it (SPEC section 7), or Express's error chain. */
function sendFailure(
  opts: ResolvedOptions,
  req: IncomingMessage,
  res: ServerResponse,
  next: Next,
  error: EnhanceError,
) {
  try {
    opts.onError(error, undefined)
  } catch (hookError) {
    console.error('express-enhance-routes: onError threw', hookError)
  }
  if (opts.errors === 'next') return next(error)
  const json = wantsJson(req.headers.accept, false)
  const message = publicMessage(error)
  res.statusCode = 500
  vary(res, 'Accept')
  res.setHeader('Content-Type', json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('X-Content-Type-Options', 'nosniff')
  const body = json ? JSON.stringify({ error: { status: 500, message } }) : minimalErrorPage(500, message)
  res.end(req.method === 'HEAD' ? undefined : body)
}

const none: Middleware = (_req, _res, next) => next()

/**
 * What the app serves at `/_public/`: the bundles of `app/browser/` at
 * `/_public/browser/<name>` (they win over a file of the same name, as
 * Enhance's build writes them over it), then the files of `publicDir`.
 * Undefined when there are neither. Any other request goes to `next()`.
 */
export function publicFiles(opts: ResolvedOptions, bundles?: BrowserBundles): Middleware | undefined {
  if (opts.publicDir === false && bundles === undefined) return undefined
  const files = opts.publicDir === false ? none : folder(opts.publicDir)
  return (req, res, next) => {
    const url = req.url ?? '/'
    if (!url.startsWith(PUBLIC_PREFIX)) return next()
    const name = bundles && url.startsWith(BROWSER_PREFIX) ? bundleName(url) : undefined
    if (name === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return files(req, res, next)
    const answer = (bundle: Bundle | undefined) => {
      if (bundle === undefined) files(req, res, next)
      else if ('error' in bundle) sendFailure(opts, req, res, next, bundle.error)
      else sendBundle(req, res, bundle)
    }
    const bundle = bundles?.get(name)
    if (bundle instanceof Promise) bundle.then(answer).catch(next)
    else answer(bundle)
  }
}

/**
 * `front` in front of `handler`: what `front` does not answer goes on to
 * `handler`. A request outside `/_public/` costs one string check.
 */
export function inFront(front: Middleware | undefined, handler: Middleware): Middleware {
  if (front === undefined) return handler
  return (req, res, next) => {
    if (!req.url?.startsWith(PUBLIC_PREFIX)) return handler(req, res, next)
    front(req, res, (error) => (error === undefined ? handler(req, res, next) : next(error)))
  }
}
