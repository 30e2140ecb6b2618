import type { IncomingMessage, ServerResponse } from 'node:http'
import serveStatic from 'serve-static'
import type { Outgoing } from '../core/outgoing.js'
import type { ResolvedOptions } from '../options.js'
import type { BrowserBundles, Bundle } from './browser.js'

type Next = (error?: unknown) => void
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void

/** Where Enhance serves the app's `public/` folder, and (under `browser/`) the bundles of `app/browser/`. */
const PUBLIC_PREFIX = '/_public/'
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
  // Enhance's static server (asap) asks caches to revalidate every file; serve-static's own header lacks that.
  const files = serveStatic(publicDir, { fallthrough: true, redirect: false, setHeaders: revalidate })
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

/** A bundle's answer as the core's Outgoing: its code, or its build error (thrown, and answered as a 500). */
function bundleAnswer(bundle: Bundle): Outgoing {
  if ('error' in bundle) throw bundle.error
  const body = Buffer.from(bundle.code.buffer, bundle.code.byteOffset, bundle.code.byteLength)
  const headers = { ETag: bundle.etag, 'Cache-Control': 'public, max-age=0, must-revalidate' }
  const type = 'text/javascript; charset=utf-8'
  return { kind: 'body', status: 200, headers, vary: [], type, body, location: undefined, session: undefined }
}

/** How the front answers with an Outgoing: lib/http/serve.ts's writer, so that one place writes. */
export type Answer = (req: IncomingMessage, res: ServerResponse, next: Next, produce: () => Outgoing) => void

const none: Middleware = (_req, _res, next) => next()

/**
 * What the app serves at `/_public/`: the bundles of `app/browser/` at
 * `/_public/browser/<name>` (they win over a file of the same name, as
 * Enhance's build writes them over it), then the files of `publicDir`.
 * Undefined when there are neither. Any other request goes to `next()`.
 */
export function publicFiles(
  opts: ResolvedOptions,
  answerWith: Answer,
  bundles?: BrowserBundles,
): Middleware | undefined {
  if (opts.publicDir === false && bundles === undefined) return undefined
  const files = opts.publicDir === false ? none : folder(opts.publicDir)
  return (req, res, next) => {
    const url = req.url ?? '/'
    if (!url.startsWith(PUBLIC_PREFIX)) return next()
    const name = bundles && url.startsWith(BROWSER_PREFIX) ? bundleName(url) : undefined
    if (name === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return files(req, res, next)
    const answer = (bundle: Bundle | undefined) => {
      if (bundle === undefined) files(req, res, next)
      else answerWith(req, res, next, () => bundleAnswer(bundle))
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

function revalidate(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'public, max-age=0, must-revalidate')
}
