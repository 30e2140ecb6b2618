/**
 * The public contract of express-enhance-routes: the types that route files,
 * renderers and apps import. Everything here is type-only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A value that survives JSON.stringify. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** The HTTP methods a route module can answer. */
export type EnhanceMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** The session as a plain object. */
export type SessionData = Record<string, unknown>

/** Query-string params: a repeated key becomes an array. */
export type QueryParams = Record<string, string | string[]>

/** One segment's params, intersected over the pattern's segments. */
type ParamsOfParts<Pattern extends string> = Pattern extends `${infer Head}/${infer Tail}`
  ? ParamsOfParts<Head> & ParamsOfParts<Tail>
  : Pattern extends '$$'
    ? { $$: string }
    : Pattern extends `$${infer Name}`
      ? { [K in Name]: string }
      : Record<never, never>

/**
 * Params typed from a route pattern written in the file conventions (the
 * route file's path under `app/api`, without extension):
 * `ParamsOf<'/shop/$product'>` is `{ product: string }`,
 * `ParamsOf<'/docs/$$'>` is `{ $$: string }`, `ParamsOf<'/about'>` is `{}`.
 */
export type ParamsOf<Pattern extends string> = string extends Pattern
  ? Record<string, string>
  : { [K in keyof ParamsOfParts<Pattern>]: ParamsOfParts<Pattern>[K] }

/** The request object a handler receives (SPEC section 4). */
export interface EnhanceApiReq<
  Params = Record<string, string>,
  Body = Record<string, unknown>,
  Query = QueryParams,
  Session = SessionData,
> {
  body: Body
  method: EnhanceMethod
  params: Params
  path: string
  query: Query
  session: Session
  headers: Record<string, string | string[] | undefined>
  /** The original Express request and response, for migration code. Not enumerable. */
  readonly expressReq: IncomingMessage
  readonly expressRes: ServerResponse
}

/**
 * The request object of the route whose file is at `Pattern`:
 * `EnhanceRouteReq<'/shop/$product'>` has `params.product: string`.
 * Keys that earlier handlers of a chain add are declared with an intersection:
 * `EnhanceRouteReq<'/notes/$id'> & { user: User }`.
 */
export type EnhanceRouteReq<
  Pattern extends string,
  Body = Record<string, unknown>,
  Query = QueryParams,
  Session = SessionData,
> = EnhanceApiReq<ParamsOf<Pattern>, Body, Query, Session>

/** The response object a handler returns (SPEC section 5). */
export interface EnhanceApiRes<Json = unknown, Session = SessionData> {
  json?: Json
  location?: string
  statusCode?: number
  code?: number
  status?: number
  cacheControl?: string
  headers?: Record<string, string | number | readonly string[]>
  /** Replaces the whole session; `{}` ends it. */
  session?: Session
}

/** One handler: returns a response, or `undefined` to pass on to the next one of a chain. */
export type EnhanceApiFn<Req = EnhanceApiReq, Res = EnhanceApiRes> = (request: Req) => HandlerResult<Res>

/** A response, or nothing (pass on), sync or async. */
// biome-ignore lint/suspicious/noConfusingVoidType: void lets handlers that return nothing type-check
export type HandlerResult<Res> = Res | undefined | void | Promise<Res | undefined | void>

/** What a route module exports for a method: a handler or a chain of them. */
export type EnhanceHandler<Req = EnhanceApiReq, Res = EnhanceApiRes> =
  | EnhanceApiFn<Req, Res>
  | ReadonlyArray<EnhanceApiFn<Req, Res>>

/**
 * A method export of a route module: a handler or chain for any request type
 * (each handler declares its own params, body and query).
 */
export type EnhanceModuleHandler = EnhanceHandler<never, EnhanceApiRes>

/** The shape of a route module (`export const x = {...} satisfies EnhanceRouteModule` checks the export names). */
export interface EnhanceRouteModule {
  get?: EnhanceModuleHandler
  post?: EnhanceModuleHandler
  put?: EnhanceModuleHandler
  patch?: EnhanceModuleHandler
  destroy?: EnhanceModuleHandler
  delete?: EnhanceModuleHandler
  /**
   * Watch mode: called before this module is replaced by its new version or
   * its file is deleted, and by `middleware.close()`. Stop the module's own
   * timers, intervals and connections here.
   */
  dispose?: () => void | Promise<void>
}

/** The state a page is rendered with. */
export interface PageState {
  /** The API's `json` (plus whatever a preflight adds). */
  store: Record<string, unknown>
  [key: string]: unknown
}

/** What a renderer gets for one page render. */
export interface RenderContext {
  /** The route pattern in the file conventions, such as `/shop/$product`. */
  pattern: string
  request: EnhanceApiReq
  state: PageState
  status: number
  /** Set when the page is rendered for an error (the 404 and 500 pages). */
  error?: { status: number; message: string }
  req: IncomingMessage
  res: ServerResponse
}

/** A pluggable page renderer (SPEC section 6). */
export interface PageRenderer {
  /** URL patterns of the pages it can render, in the file conventions. */
  pages(): Iterable<string> | Promise<Iterable<string>>
  /** The page's HTML, or undefined when it has no page for this route. */
  render(context: RenderContext): string | undefined | Promise<string | undefined>
  /** Optional: reload pages and elements (watch mode). */
  reload?(): void | Promise<void>
}

/** An error as handed to `onError` and to Express's error chain. */
export interface EnhanceError extends Error {
  status: number
  statusCode: number
  expose: boolean
}

/** Options of cookie-session that `session` passes on. */
export interface SessionOptions {
  name?: string
  keys?: string[]
  secret?: string
  maxAge?: number
  expires?: Date
  path?: string
  domain?: string
  sameSite?: 'strict' | 'lax' | 'none' | boolean
  secure?: boolean
  httpOnly?: boolean
  signed?: boolean
  overwrite?: boolean
  partitioned?: boolean
  priority?: 'low' | 'medium' | 'high'
}

/** The options of `enhanceRoutes()` (SPEC section 1). */
export interface EnhanceRoutesOptions {
  /** The app folder; default `<cwd>/app`. */
  root?: string | URL
  apiDir?: string | URL
  pagesDir?: string | URL
  elementsDir?: string | URL
  /** The page renderer, or `false` for none. */
  renderer?: PageRenderer | false
  /** cookie-session options, or `false` to turn sessions off. */
  session?: SessionOptions | false
  /** Largest accepted request body; default `'1mb'`. */
  bodyLimit?: string | number
  /** Unmatched requests go to `next()`; default `true`. */
  fallthrough?: boolean
  /** `'respond'` (default) or `'next'`. */
  errors?: 'respond' | 'next'
  /** Called for every error; the default logs 5xx errors to stderr. */
  onError?: (error: EnhanceError, request: EnhanceApiReq | undefined) => void
  /**
   * Development: re-scan and re-import route, page and element files when they
   * change; `middleware.close()` stops watching. Default `false`.
   */
  watch?: boolean
}

/** One row of `routes()`. */
export interface RouteInfo {
  pattern: string
  apiFile: string | undefined
  page: boolean
  /** The methods it answers, HEAD after GET and OPTIONS last; empty when its API file failed to load. */
  methods: string[]
  /** Why the route answers 500: its API file failed to load or conflicts with another. */
  error?: string
}
