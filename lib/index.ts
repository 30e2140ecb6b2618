import type { IncomingMessage, ServerResponse } from 'node:http'
import { relative } from 'node:path'
import type {
  EnhanceApiFn,
  EnhanceApiReq,
  EnhanceApiRes,
  EnhanceError,
  EnhanceMethod,
  EnhanceRoutesOptions,
  PageRenderer,
  RouteInfo,
} from '../types/index.js'
import { traceMatch, tracer } from './debug.js'
import { httpError, minimalErrorPage, publicMessage, toHttpError } from './errors.js'
import { runChain } from './handle.js'
import { type LoadedModule, loadModule } from './load.js'
import { type Answer, decide, wantsJson } from './negotiate.js'
import { resolveOptions } from './options.js'
import { enhancePages } from './renderers/enhance.js'
import { bodyReader, buildRequest, pathOf } from './request.js'
import { applyHeaders, encodeLocation, HTML_TYPE, JSON_TYPE, send, sendRedirect, serialize } from './respond.js'
import { BAD_URL, Matcher } from './routes/match.js'
import { API_EXTENSIONS, scanRoutes } from './routes/scan.js'
import { buildTable, type Route } from './routes/table.js'
import { sessionAccess } from './session.js'
import { disposeModules, reloader, watchRoutes } from './watch.js'

export type * from '../types/index.js'
export { escapeHtml, httpError } from './errors.js'
export { enhancePages } from './renderers/enhance.js'
export { expressViews } from './renderers/views.js'

type Req = IncomingMessage & { originalUrl?: string; app?: { enabled(setting: string): boolean } }
type Next = (error?: unknown) => void

/** The middleware `enhanceRoutes()` returns. */
export interface EnhanceRoutesMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: Next): void
  /** Resolves once every route module is imported and checked; rejects with one error naming every bad file. */
  ready: Promise<void>
  /** The route table in match order. */
  routes(): RouteInfo[]
  /** Stops watch mode's watcher and calls every loaded route module's `dispose` export. */
  close(): Promise<void>
}

const METHODS: Record<string, EnhanceMethod> = {
  GET: 'GET',
  HEAD: 'GET',
  POST: 'POST',
  PUT: 'PUT',
  PATCH: 'PATCH',
  DELETE: 'DELETE',
}

const PAGE_ONLY_ALLOW = 'GET, HEAD, OPTIONS'

/** A label is `<file> <export>`, put together per request: one short-lived string costs less than a table of them kept for every route. */
const EXPORT_NAMES: Record<EnhanceMethod, string> = {
  GET: ' get',
  POST: ' post',
  PUT: ' put',
  PATCH: ' patch',
  DELETE: ' destroy',
}

/** One matched request on its way to an answer: what each step after routing needs. */
interface Exchange {
  req: Req
  res: ServerResponse
  next: Next
  /** The client wants JSON. */
  json: boolean
  /** The path matched (mount-relative), for the trace. */
  pathname: string
  route: Route
  method: EnhanceMethod
  /** `<file> <export>`: names the culprit in errors. */
  label: string
  /** Set once built: error pages and onError get it. */
  request: EnhanceApiReq | undefined
}

/** Mounts Enhance-style API routes (and pages) on an Express app. */
export function enhanceRoutes(options: EnhanceRoutesOptions = {}): EnhanceRoutesMiddleware {
  const opts = resolveOptions(options, enhancePages)
  const sessions = sessionAccess(opts.session)
  const readBody = bodyReader(opts.bodyLimit)
  const renderer = opts.renderer
  const nameOf = (file: string) => relative(process.cwd(), file) || file
  const trace = tracer()
  // Loaded route modules by file; watch mode forgets the changed ones so that load() imports them again.
  const modules = new Map<string, LoadedModule>()

  let matcher = new Matcher([])
  let settled = false

  /** The renderer's page patterns; a renderer that fails costs its pages, not the API routes. */
  async function pagePatterns(messages: string[]): Promise<Iterable<string>> {
    if (!renderer) return []
    try {
      const folders = { root: opts.root, pagesDir: opts.pagesDir, elementsDir: opts.elementsDir }
      const pages = await renderer.pages(folders)
      messages.push(...(renderer.problems?.() ?? []))
      return pages
    } catch (error) {
      messages.push(`page renderer: ${(error as Error).message}`)
      return []
    }
  }

  async function load(version = 0): Promise<void> {
    const messages: string[] = []
    const [scan, pages] = await Promise.all([scanRoutes(opts.apiDir, API_EXTENSIONS), pagePatterns(messages)])
    const { routes, problems } = buildTable(scan.files, pages, nameOf)
    messages.push(...scan.problems.map((p) => `${nameOf(p.file)}: ${p.message}`))
    messages.push(...problems.map((p) => p.message))
    await Promise.all(
      routes.map(async (route) => {
        if (route.apiFile === undefined || route.loadError) return
        try {
          route.module = modules.get(route.apiFile) ?? (await loadModule(route.apiFile, version))
          modules.set(route.apiFile, route.module)
        } catch (error) {
          const message = `${route.apiName} ${(error as Error).message}`
          route.loadError = httpError(500, `route module ${message}`, error)
          messages.push(message)
        }
      }),
    )
    matcher = new Matcher(routes)
    if (messages.length > 0) {
      throw new Error(`express-enhance-routes: ${messages.length} bad route file(s):\n  ${messages.join('\n  ')}`)
    }
  }

  // Watch mode: requests that arrive during a reload wait for it (see watch.ts).
  const watcher = opts.watch
    ? watchRoutes(
        opts,
        reloader({
          modules,
          renderer,
          load,
          started: (): Promise<void> => ready,
          liveFiles: () => matcher.routes.map((route) => route.apiFile),
        }),
        trace,
      )
    : undefined

  // In watch mode, ready also waits for the watcher, so that no change made after it is missed.
  const ready = Promise.allSettled([load(), watcher?.ready])
    .then(([loaded]) => {
      if (loaded.status === 'rejected') throw loaded.reason
    })
    .finally(() => {
      settled = true
    })
  // A bad file is reported here at start-up; `ready` still rejects for whoever awaits it.
  ready.catch((error: Error) => console.error(error.message))

  /** Hands an error to onError; a hook that throws is logged, never allowed to change the answer. */
  function report(error: EnhanceError, request: EnhanceApiReq | undefined) {
    try {
      opts.onError(error, request)
    } catch (hookError) {
      console.error('express-enhance-routes: onError threw', hookError)
    }
  }

  function fail(
    req: Req,
    res: ServerResponse,
    next: Next,
    thrown: unknown,
    request: EnhanceApiReq | undefined,
    json: boolean,
  ) {
    const error = toHttpError(thrown)
    trace?.('%s %s: answers error %d (%s)', req.method, req.url, error.status, error.message)
    report(error, request)
    if (opts.errors === 'next' || res.headersSent) {
      next(error)
      return
    }
    // The client left (or the response was destroyed): nobody can read an answer.
    if (res.destroyed) return
    void respondError(req, res, error, request, json).catch(next)
  }

  async function respondError(
    req: Req,
    res: ServerResponse,
    error: EnhanceError,
    request: EnhanceApiReq | undefined,
    json: boolean,
  ) {
    const status = error.status
    const message = publicMessage(error)
    for (const name of res.getHeaderNames()) if (name !== 'vary') res.removeHeader(name)
    applyHeaders(res, undefined)
    const extra = (error as { headers?: Record<string, string> }).headers
    if (extra) for (const name in extra) res.setHeader(name, extra[name] as string)
    if (json) {
      send(res, status, JSON_TYPE, JSON.stringify({ error: { status, message } }), req.method === 'HEAD')
      return
    }
    let html: string | undefined
    if (renderer) {
      const detail = { status, message }
      // Errors before a handler ran (404, 405, 400) still give error pages a request object.
      const pageRequest = request ?? errorRequest(req, res)
      for (const pattern of status > 500 ? [`/${status}`, '/500'] : [`/${status}`]) {
        try {
          const page = await renderer.render({
            pattern,
            request: pageRequest,
            state: { store: { error: detail } },
            status,
            error: detail,
            req,
            res,
          })
          if (typeof page === 'string') html = page
          else if (page !== undefined)
            throw new TypeError(`the renderer returned ${typeof page} for ${pattern}, not HTML`)
        } catch (renderError) {
          report(toHttpError(renderError), pageRequest)
        }
        if (html !== undefined) break
      }
    }
    send(res, status, HTML_TYPE, html ?? minimalErrorPage(status, message), req.method === 'HEAD')
  }

  function errorRequest(req: Req, res: ServerResponse): EnhanceApiReq {
    let session = {}
    try {
      session = sessions.read(req, res)
    } catch {
      // An unreadable session is an empty one on an error page.
    }
    return buildRequest(req, res, METHODS[req.method ?? ''] ?? 'GET', {}, {}, session)
  }

  /**
   * Answers one request. The common case runs synchronously from the request
   * to the written answer: a settled route table, no body to read, handlers
   * that return plain values, no session to save, and a JSON or redirect
   * answer. Each step that has to wait (start-up, a reload, a body, a
   * handler's promise, a session store, a page render) goes on asynchronously
   * from there, and every failure on either path ends in fail().
   */
  function handle(req: Req, res: ServerResponse, next: Next): void | Promise<void> {
    if (!settled || watcher?.pending) return waitThenHandle(req, res, next)
    const pathname = pathOf(req.url ?? '/')
    const caseSensitive = req.app?.enabled('case sensitive routing') ?? false
    const match = matcher.match(pathname, caseSensitive)
    // Unmatched requests leave untouched, before any work of ours.
    if (match === null && opts.fallthrough) {
      trace?.('%s %s: no route matches: next() (fallthrough)', req.method, pathname)
      next()
      return
    }
    const json = wantsJson(req.headers.accept, (req.headers['content-type'] ?? '').includes('json'))
    if (trace) traceMatch(trace, matcher.routes, req, pathname, caseSensitive, match, json)
    if (match === null) {
      fail(req, res, next, httpError(404, `Not Found: ${pathname}`), undefined, json)
      return
    }
    if (match === BAD_URL) {
      fail(req, res, next, httpError(400, 'Bad Request: malformed percent-encoding in the URL'), undefined, json)
      return
    }
    const route: Route = match.route
    if (route.loadError) {
      fail(req, res, next, route.loadError, undefined, json)
      return
    }
    const allow = route.module?.allow ?? PAGE_ONLY_ALLOW
    if (req.method === 'OPTIONS') {
      res.statusCode = 204
      res.setHeader('Allow', allow)
      res.end()
      return
    }
    const method = METHODS[req.method ?? '']
    const chain = method && route.module?.handlers[method]
    const pageOnly = !chain && route.page && method === 'GET' && renderer !== undefined
    if (method === undefined || (!chain && !pageOnly)) {
      const error = httpError(405, `Method Not Allowed: ${route.pattern} answers ${allow}`, undefined, { Allow: allow })
      fail(req, res, next, error, undefined, json)
      return
    }
    const exchange: Exchange = {
      req,
      res,
      next,
      json,
      pathname,
      route,
      method,
      label: route.apiName === undefined ? route.pattern : route.apiName + EXPORT_NAMES[method],
      request: undefined,
    }
    if (method === 'GET' || !chain) return run(exchange, chain, match.params, {})
    return readBody(req, res).then(
      (body) => run(exchange, chain, match.params, body),
      (thrown: unknown) => failed(exchange, thrown),
    )
  }

  /** Requests that arrive before start-up is done, or during a reload, wait for it. */
  async function waitThenHandle(req: Req, res: ServerResponse, next: Next): Promise<void> {
    if (!settled) await ready.catch(() => {})
    if (watcher?.pending) await watcher.pending
    return handle(req, res, next)
  }

  function failed(exchange: Exchange, thrown: unknown): void {
    fail(exchange.req, exchange.res, exchange.next, thrown, exchange.request, exchange.json)
  }

  /** Builds the request object and runs the chain. */
  function run(
    exchange: Exchange,
    chain: readonly EnhanceApiFn[] | undefined,
    params: Record<string, string>,
    body: unknown,
  ): void | Promise<void> {
    try {
      const { req, res } = exchange
      const request = buildRequest(req, res, exchange.method, params, body, sessions.read(req, res))
      exchange.request = request
      const response = chain ? runChain(chain, request, exchange.label) : { json: {} }
      if (!(response instanceof Promise)) return answer(exchange, response)
      return response.then(
        (late) => answer(exchange, late),
        (thrown: unknown) => failed(exchange, thrown),
      )
    } catch (thrown) {
      failed(exchange, thrown)
    }
  }

  /** Decides the answer to a handler's response, saving its session first. */
  function answer(exchange: Exchange, response: EnhanceApiRes): void | Promise<void> {
    try {
      const { req, res } = exchange
      // The client left while the handler ran: drop the answer (nothing written, no session saved).
      if (res.destroyed) return
      // Every renderer is asked: it answers undefined when it has no page, and the client gets the JSON.
      const decided = decide(exchange.method, exchange.json, response, renderer !== undefined)
      trace?.(
        '%s %s: answers %s %d%s',
        req.method,
        exchange.pathname,
        decided.kind === 'page' ? 'page (or JSON if the renderer has none)' : decided.kind,
        decided.status,
        'location' in decided ? ` to ${decided.location}` : '',
      )
      if (response.session === undefined) return deliver(exchange, response, decided)
      return sessions.write(req, res, response.session, exchange.label).then(
        () => deliver(exchange, response, decided),
        (thrown: unknown) => failed(exchange, thrown),
      )
    } catch (thrown) {
      failed(exchange, thrown)
    }
  }

  /** Writes the answer: a redirect, a page or JSON. */
  function deliver(exchange: Exchange, response: EnhanceApiRes, decided: Answer): void | Promise<void> {
    try {
      const { req, res } = exchange
      applyHeaders(res, response)
      if (decided.kind === 'redirect') {
        sendRedirect(res, decided.status, decided.location)
      } else if (decided.kind === 'page' && renderer) {
        return renderPage(exchange, renderer, response, decided.status)
      } else {
        if (typeof response.location === 'string') res.setHeader('Location', encodeLocation(response.location))
        send(res, decided.status, JSON_TYPE, serialize(response.json, exchange.label), req.method === 'HEAD')
      }
    } catch (thrown) {
      failed(exchange, thrown)
    }
  }

  async function renderPage(
    exchange: Exchange,
    pages: PageRenderer,
    response: EnhanceApiRes,
    status: number,
  ): Promise<void> {
    const { req, res } = exchange
    try {
      const store = (response.json ?? {}) as Record<string, unknown>
      const html = await pages.render({
        pattern: exchange.route.pattern,
        request: exchange.request as EnhanceApiReq,
        state: { store },
        status,
        req,
        res,
      })
      if (res.destroyed) return
      const head = req.method === 'HEAD'
      if (html === undefined) send(res, status, JSON_TYPE, serialize(response.json, exchange.label), head)
      else send(res, status, HTML_TYPE, html, head)
    } catch (thrown) {
      failed(exchange, thrown)
    }
  }

  const middleware = ((req: IncomingMessage, res: ServerResponse, next: Next) => {
    // Every failure is answered inside handle(); only a broken error path itself reaches next().
    try {
      const pending = handle(req as Req, res, next)
      if (pending !== undefined) pending.catch(next)
    } catch (error) {
      next(error)
    }
  }) as EnhanceRoutesMiddleware
  middleware.ready = ready
  middleware.routes = () =>
    matcher.routes.map((route) => ({
      pattern: route.pattern,
      apiFile: route.apiName,
      page: route.page,
      methods: route.module ? route.module.allow.split(', ') : route.page ? PAGE_ONLY_ALLOW.split(', ') : [],
      ...(route.loadError ? { error: route.loadError.message } : {}),
    }))
  middleware.close = async () => {
    await watcher?.close()
    await ready.catch(() => {})
    await disposeModules(modules, [...modules.keys()])
  }
  return middleware
}
