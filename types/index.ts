/**
 * The public contract of express-enhance-routes: the types that route files,
 * renderers and apps import. Everything here is type-only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A value that survives JSON.stringify. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/**
 * The HTTP methods a route module can answer: HEAD and OPTIONS only through a
 * module's own `head` and `options` exports (otherwise HEAD runs `get`, and
 * OPTIONS answers 204 with `Allow`).
 */
export type EnhanceMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'

/** The session as a plain object; what is saved is its JSON. */
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
  /** The same object as `params`: Architect's name for it, which Enhance apps use. */
  pathParameters: Params
  path: string
  /**
   * Aborts when the client leaves or the `timeout` passes: hand it to `fetch`,
   * database clients and timers, so that an abandoned request does no more
   * work (and writes nothing). Not enumerable.
   */
  readonly signal: AbortSignal
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
  /** Enhance's other body keys, sent as they are to every client with their content type (SPEC section 5). */
  html?: string
  text?: string
  xml?: string
  js?: string
  css?: string
  /** A body with the content type of `type` or `headers['content-type']`; base64 when `isBase64Encoded`. */
  body?: string | Buffer
  type?: string
  isBase64Encoded?: boolean
  /** `@architect/functions`' shorthand for `Access-Control-Allow-Origin: *`. */
  cors?: boolean
  /** `Set-Cookie` lines (Architect's HTTP API name). */
  cookies?: string[]
  /** Headers with several values (Architect's REST API name). */
  multiValueHeaders?: Record<string, readonly string[]>
  /** Architect's compression choice; compression is the app's middleware here, so it is accepted and ignored. */
  compression?: string | boolean
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
  /** Answers HEAD instead of `get` (its body is not sent). */
  head?: EnhanceModuleHandler
  /** Answers OPTIONS instead of the 204 with `Allow`. */
  options?: EnhanceModuleHandler
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

/** The folders `enhanceRoutes()` resolved, handed to `PageRenderer.pages()`. */
export interface RendererFolders {
  root: string
  pagesDir: string
  elementsDir: string
}

/**
 * A pluggable page renderer (SPEC section 6). `render()` is asked for every
 * HTML answer the decision table gives a page to; it returns `undefined` when
 * it has no page for the route, and the client gets the JSON instead.
 */
export interface PageRenderer {
  /**
   * URL patterns of the pages it can render, in the file conventions (these make
   * page-only routes). Called once at start-up (and again after `reload()`), with
   * the folders of the `enhanceRoutes()` it belongs to.
   */
  pages(folders?: RendererFolders): Iterable<string> | Promise<Iterable<string>>
  /** The page's HTML, or undefined when it has no page for this route. */
  render(context: RenderContext): string | undefined | Promise<string | undefined>
  /** Optional: reload pages and elements (watch mode); `pages()` is called again afterwards. */
  reload?(): void | Promise<void>
  /**
   * Optional: what went wrong at the last `pages()`, one message per bad file,
   * each naming the file. They reject `ready`; the other pages keep working.
   */
  problems?(): readonly string[]
}

/** An error as handed to `onError` and to Express's error chain. */
export interface EnhanceError extends Error {
  status: number
  statusCode: number
  expose: boolean
}

/**
 * Options of cookie-session that `session` passes on, used only when the app
 * mounts no session middleware of its own. Defaults: `name: 'session'`,
 * `httpOnly: true`, `sameSite: 'lax'`, `signed: true`, `secure` on HTTPS requests.
 */
export interface SessionOptions {
  /** The cookie's name; default `'session'`. */
  name?: string
  /** Signing keys, newest first: the first signs, all of them verify (rotation). Default: `[SESSION_SECRET]`. */
  keys?: string[]
  /** One signing key, when `keys` is not given. */
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
  /**
   * Cross-site request refusal (SPEC section 9), on by default: an unsafe
   * request (POST, PUT, PATCH, DELETE) whose `Origin` is another origin, or
   * whose `Sec-Fetch-Site` is `cross-site`, is answered 403 and its handler is
   * not called. `{ trustedOrigins: ['https://admin.example'] }` serves those
   * origins too; `false` turns the check off.
   */
  csrf?: boolean | { trustedOrigins?: string[] }
  /**
   * The static files served at `/_public/`, as Enhance serves its `public/`
   * folder (serve-static: ETag, Last-Modified, `Cache-Control`; a file that
   * is not there falls through). Default `<root>/../public` (`public/` beside
   * `app/`) when that folder exists; a relative path is taken from the root's
   * parent; `false` turns it off. The bundles of `<root>/browser/` are served
   * at `/_public/browser/` either way.
   */
  publicDir?: string | URL | false
  /**
   * The deadline of a handler in milliseconds: past it the client gets a
   * negotiated 503 and `request.signal` aborts. Default: the server's
   * `requestTimeout` (Node's default is 300 000); 0 for none.
   */
  timeout?: number
  /**
   * Enhance's default `Cache-Control` for answers whose handler (and the app
   * before us) set none: `no-cache, no-store, must-revalidate, max-age=0,
   * s-maxage=0` on HTML, JSON and redirects, `max-age=86400` on other bodies.
   * Default `true`; `false` sends none, as `res.json` does.
   */
  defaultCacheControl?: boolean
  /** Enhance's `Server-Timing` header (the API's and the render's time) on rendered pages. Default `true`. */
  serverTiming?: boolean
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

/** The `html` tagged template @enhance/ssr hands to elements. */
export type EnhanceHtml = (strings: TemplateStringsArray, ...values: unknown[]) => string

/** What an element (`app/elements/<tag-name>.mjs`, a page `.mjs`) gets from @enhance/ssr. */
export interface EnhanceElementArgs {
  html: EnhanceHtml
  state: {
    /** The element's attributes. */
    attrs: Record<string, string>
    /** The API's `json`, plus what `app/preflight.mjs` adds. */
    store: Record<string, unknown>
    /** Shared with nested elements. */
    context: Record<string, unknown>
    instanceID: string
  }
}

/** An Enhance element: the default export of an element or page `.mjs` file. */
export type EnhanceElementFn = (args: EnhanceElementArgs) => string

/** What the default export of `app/head.mjs` gets. */
export interface EnhanceHeadArgs {
  /** The request object (SPEC section 4). */
  req: EnhanceApiReq
  status: number
  /** The error message on error pages; `false` otherwise (as in Enhance). */
  error: string | false
  store: Record<string, unknown>
}

/** A script or style transform of @enhance/ssr. */
export type EnhanceTransform = (args: {
  attrs: { name: string; value: string }[]
  raw: string
  tagName: string
  context?: string
}) => string

/** Options of `enhancePages()`. Folders default to those of the `enhanceRoutes()` it is given to. */
export interface EnhancePagesOptions {
  /** The app folder with `head.mjs`, `preflight.mjs`, `elements.mjs`; default `<cwd>/app`. */
  root?: string | URL
  /** Default `<root>/pages`. */
  pagesDir?: string | URL
  /** Default `<root>/elements`. */
  elementsDir?: string | URL
  /** Passed to @enhance/ssr. */
  scriptTransforms?: readonly EnhanceTransform[]
  /** Passed to @enhance/ssr, after the style scoping (below) unless that is off. */
  styleTransforms?: readonly EnhanceTransform[]
  /**
   * Scopes each element's `<style>` to its tag, as Enhance does by default
   * (with `@enhance/enhance-style-transform`): `:host` becomes the tag, other
   * selectors are put below it (`p` in `<my-card>` is `my-card p`), and a
   * `<style scope="global">` is left as it is. Default `true`; `false` leaves
   * styles as the elements write them.
   */
  styleScoping?: boolean
  /**
   * Puts the page's store into the document as
   * `<script type="application/json" id="...">` (escaped so that no value can
   * close the tag), for client-side scripts. `true` uses the id `initial-state`.
   * Default `false` (Enhance puts none).
   */
  inlineState?: boolean | string
}

/** Options of `expressViews()`. */
export interface ExpressViewsOptions {
  /**
   * Route pattern to view name, such as `{ '/': 'home', '/shop/$product': 'product' }`.
   * These patterns are pages even without an API file (page-only routes). Other
   * routes use the default name: the pattern without its leading slash, `index` for `/`.
   */
  views?: Record<string, string>
}
