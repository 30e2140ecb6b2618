import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseQueryString } from 'node:querystring'
import type { EnhanceApiReq, EnhanceMethod, QueryParams, SessionData } from '../../types/index.js'
import { dropUnsafeKeys } from '../clean.js'
import type { CrossSiteFacts } from '../core/cross-site.js'
import { acceptDecides, wantsJson } from '../core/negotiate.js'
import type { AnswerSettings } from '../core/settings.js'
import type { RequestLife } from './lifetime.js'

/** The parts of Express's request that we read, beside node's own. */
export type ExpressReq = IncomingMessage & {
  originalUrl?: string
  query?: unknown
  app?: { enabled(setting: string): boolean; get(setting: string): unknown }
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*\/?/

/** A request target's path, without the query string. */
export function pathOf(target: string): string {
  // An absolute-form request target (`GET http://host/path`, as proxies send) keeps only its path.
  const url = target.charCodeAt(0) === 0x2f ? target : target.replace(ABSOLUTE_FORM, '/')
  const at = url.indexOf('?')
  return at === -1 ? url : url.slice(0, at)
}

type TrustProxy = (address: string | undefined, hop: number) => boolean

/**
 * This site's origin as the client reached it: the scheme and host Express
 * reads, through `trust proxy` (X-Forwarded-Proto and X-Forwarded-Host only
 * from a trusted proxy).
 */
export function ownOrigin(req: ExpressReq & { protocol?: string }): string | undefined {
  const trust = req.app?.get('trust proxy fn') as TrustProxy | undefined
  let host = req.headers['x-forwarded-host'] as string | undefined
  if (host === undefined || trust === undefined || !trust(req.socket.remoteAddress, 0)) host = req.headers.host
  else host = host.split(',')[0]?.trim()
  if (host === undefined || host === '') return undefined
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true
  return `${req.protocol ?? (secure ? 'https' : 'http')}://${host}`
}

/** What the cross-site check reads of a request; this site's origin only when it is needed. */
export function crossSiteFacts(req: ExpressReq): CrossSiteFacts {
  const origin = req.headers.origin
  const fetchSite = req.headers['sec-fetch-site']
  return {
    method: req.method,
    origin,
    fetchSite: Array.isArray(fetchSite) ? fetchSite[0] : fetchSite,
    ownOrigin: () => ownOrigin(req),
  }
}

/**
 * The answer settings with the app's JSON settings (`json replacer`, `json
 * spaces`, `json escape`, as `res.json` reads them); `base` itself when the
 * app set none, so that nothing is made per request.
 */
export function settingsOf(req: ExpressReq, base: AnswerSettings): AnswerSettings {
  const app = req.app
  if (app === undefined) return base
  const replacer = app.get('json replacer') as AnswerSettings['replacer']
  const spaces = app.get('json spaces') as AnswerSettings['spaces']
  const escapes = app.enabled('json escape')
  if (replacer === undefined && spaces === undefined && !escapes) return base
  return { ...base, replacer, spaces, escape: escapes }
}

/** Routing settings of the Express app, as its own router reads them. */
export function routingOf(req: ExpressReq): { caseSensitive: boolean; strict: boolean } {
  const app = req.app
  if (app === undefined) return { caseSensitive: false, strict: false }
  return { caseSensitive: app.enabled('case sensitive routing'), strict: app.enabled('strict routing') }
}

/** The four kinds of client, shared: nothing is made per request. */
const CLIENTS = {
  jsonByAccept: { json: true, vary: ['Accept'] },
  htmlByAccept: { json: false, vary: ['Accept'] },
  jsonByBody: { json: true, vary: ['Accept', 'Content-Type'] },
  htmlByBody: { json: false, vary: ['Accept', 'Content-Type'] },
} as const

export type Client = (typeof CLIENTS)[keyof typeof CLIENTS]

/** A request has a body when it says so: a length above 0, or a chunked transfer. */
function sendsBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/**
 * What kind of client this is, and what decided it: `Accept`, or (when it has
 * none, or only `*\/*`) whether it sends a JSON body, as Enhance decides.
 */
export function clientOf(req: IncomingMessage): Client {
  const accept = req.headers.accept
  if (acceptDecides(accept)) return wantsJson(accept, false) ? CLIENTS.jsonByAccept : CLIENTS.htmlByAccept
  const type = req.headers['content-type']
  return type?.includes('json') === true && sendsBody(req) ? CLIENTS.jsonByBody : CLIENTS.htmlByBody
}

/**
 * The query as the app's `query parser` setting reads it (Express's
 * `req.query`: flat in Express 5, nested in Express 4), with the keys that
 * could reach a prototype removed; node's parser outside Express.
 */
function queryOf(req: ExpressReq): QueryParams {
  const url = req.url ?? ''
  const at = url.indexOf('?')
  if (at === -1 || at === url.length - 1) return {}
  const query = req.app === undefined ? parseQueryString(url.slice(at + 1)) : req.query
  if (query === null || typeof query !== 'object') return {}
  return dropUnsafeKeys({ ...(query as QueryParams) })
}

/**
 * The plain request object a handler receives (SPEC section 4). A class, so
 * that the keys only migration code needs (`signal`, `expressReq`,
 * `expressRes`) are getters on its prototype: not enumerable, and nothing
 * made for them per request.
 */
class RequestObject {
  body: unknown
  method: EnhanceMethod
  params: Record<string, string>
  pathParameters: Record<string, string>
  path: string
  query: QueryParams
  session: SessionData
  headers: IncomingMessage['headers']
  readonly #req: ExpressReq
  readonly #res: ServerResponse
  readonly #life: RequestLife

  constructor(
    req: ExpressReq,
    res: ServerResponse,
    method: EnhanceMethod,
    params: Record<string, string>,
    body: unknown,
    session: SessionData,
    life: RequestLife,
  ) {
    this.body = body
    this.method = method
    this.params = params
    this.pathParameters = params
    this.path = pathOf(req.originalUrl ?? req.url ?? '/')
    this.query = queryOf(req)
    this.session = session
    this.headers = req.headers
    this.#req = req
    this.#res = res
    this.#life = life
  }

  get signal(): AbortSignal {
    return this.#life.signal
  }

  get expressReq(): ExpressReq {
    return this.#req
  }

  get expressRes(): ServerResponse {
    return this.#res
  }
}

/** Builds the request object a handler receives (SPEC section 4). */
export function buildRequest(...parts: ConstructorParameters<typeof RequestObject>): EnhanceApiReq {
  return new RequestObject(...parts) as unknown as EnhanceApiReq
}
