import type { IncomingMessage, ServerResponse } from 'node:http'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import type { EnhanceApiReq, EnhanceApiRes, PageRenderer } from '../../types/index.js'
import { httpError } from '../errors.js'
import type { Run } from './dispatch.js'
import { decide } from './negotiate.js'
import { type Headers, NO_HEADERS, type Outgoing, type SessionChange } from './outgoing.js'
import { rawBodyOf } from './response-keys.js'
import { type AnswerSettings, cacheDefaultsOf, DEFAULT_SETTINGS, serialize, timingEntry } from './settings.js'

/** The Express objects, carried through the core untouched: only renderers get them (SPEC section 6). */
export interface ExpressPair {
  req: IncomingMessage
  res: ServerResponse
}

/** What the core knows of one request whose handler has run. */
export interface Exchange {
  run: Run
  request: EnhanceApiReq
  /** The client wants JSON. */
  json: boolean
  /** The request headers the negotiation read, for `Vary`. */
  vary: readonly string[]
  renderer: PageRenderer | undefined
  express: ExpressPair
  /** The app's JSON settings and Enhance's defaults; DEFAULT_SETTINGS when not given. */
  settings?: AnswerSettings
  /** How long the handler (or chain) took, for `Server-Timing`. */
  apiMs?: number
}

/** The handler's headers and `cacheControl` (which wins), checked now so that writing them cannot fail. */
function headersOf(response: EnhanceApiRes, label: string): Headers {
  const given = response.headers
  const cacheControl = typeof response.cacheControl === 'string' ? response.cacheControl : undefined
  const extra = response.multiValueHeaders ?? response.cors ?? response.cookies
  if (given === undefined && cacheControl === undefined && extra === undefined) return NO_HEADERS
  const headers: Record<string, Headers[string]> = { ...given, ...response.multiValueHeaders }
  if (cacheControl !== undefined) headers['Cache-Control'] = cacheControl
  if (response.cors === true) headers['Access-Control-Allow-Origin'] = '*'
  if (Array.isArray(response.cookies)) headers['Set-Cookie'] = response.cookies
  for (const name in headers) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, headers[name] as string)
    } catch (error) {
      throw httpError(500, `${label} returned a header that cannot be sent: ${(error as Error).message}`, error)
    }
  }
  return headers
}

function jsonAnswer(ex: Exchange, response: EnhanceApiRes, status: number, headers: Headers): Outgoing {
  const settings = ex.settings ?? DEFAULT_SETTINGS
  const body = serialize(response.json, ex.run.label, settings)
  const { location } = response
  const defaults = cacheDefaultsOf(settings, 'json', location !== undefined)
  const session = sessionOf(ex, response)
  return { kind: 'json', status, headers, vary: ex.vary, defaults, body, location, session }
}

function sessionOf(ex: Exchange, response: EnhanceApiRes): SessionChange | undefined {
  return response.session === undefined ? undefined : { data: response.session, label: ex.run.label }
}

async function pageAnswer(
  ex: Exchange,
  renderer: PageRenderer,
  response: EnhanceApiRes,
  status: number,
  headers: Headers,
): Promise<Outgoing> {
  const { route } = ex.run
  const started = performance.now()
  const html = await renderer.render({
    pattern: route.page ?? route.pattern,
    request: ex.request,
    state: { store: (response.json ?? {}) as Record<string, unknown> },
    status,
    ...ex.express,
  })
  // No page for this route: the client gets the JSON.
  if (html === undefined) return jsonAnswer(ex, response, status, headers)
  if (typeof html !== 'string')
    throw httpError(500, `the page renderer returned ${typeof html} for ${route.pattern}, not HTML`)
  const settings = ex.settings ?? DEFAULT_SETTINGS
  const defaults = cacheDefaultsOf(settings, 'text/html', false)
  const timed = settings.serverTiming ? withTiming(headers, ex.apiMs, performance.now() - started) : headers
  return { kind: 'page', status, headers: timed, vary: ex.vary, defaults, body: html, session: sessionOf(ex, response) }
}

/** The handler's headers with Enhance's `Server-Timing` of the API and the render (the app's own first). */
function withTiming(headers: Headers, apiMs: number | undefined, htmlMs: number): Headers {
  const entries = apiMs === undefined ? [] : [timingEntry('api', apiMs)]
  entries.push(timingEntry('html', htmlMs))
  const own = Object.keys(headers).find((name) => name.toLowerCase() === 'server-timing')
  const value = own === undefined ? entries.join(',') : `${String(headers[own])}, ${entries.join(',')}`
  return { ...headers, [own ?? 'Server-Timing']: value }
}

/** A handler's response as the answer SPEC section 6 gives it: JSON, a redirect or a page. */
export function respond(ex: Exchange, response: EnhanceApiRes): Outgoing | Promise<Outgoing> {
  const decided = decide(ex.run.method, ex.json, response, ex.renderer !== undefined)
  const headers = headersOf(response, ex.run.label)
  // A body given as it is goes to every client as it is; only a browser's redirect comes first.
  const raw = decided.kind === 'redirect' ? undefined : rawBodyOf(response, ex.run.label)
  const settings = ex.settings ?? DEFAULT_SETTINGS
  if (raw !== undefined) {
    const { location } = response
    const session = sessionOf(ex, response)
    const defaults = cacheDefaultsOf(settings, raw.type, location !== undefined)
    return { kind: 'body', status: decided.status, headers, vary: ex.vary, defaults, ...raw, location, session }
  }
  if (decided.kind === 'redirect') {
    const { status, location } = decided
    const defaults = cacheDefaultsOf(settings, undefined, true)
    return { kind: 'redirect', status, headers, vary: ex.vary, defaults, location, session: sessionOf(ex, response) }
  }
  if (decided.kind === 'page' && ex.renderer) {
    // An API that answers a browser's GET with 404 gets the 404 page, not its route's page (as Enhance does).
    if (decided.status === 404 && ex.run.method === 'GET') throw httpError(404, `${ex.request.path} not found`)
    return pageAnswer(ex, ex.renderer, response, decided.status, headers)
  }
  return jsonAnswer(ex, response, decided.status, headers)
}
