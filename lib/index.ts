import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EnhanceRoutesOptions, RouteInfo } from '../types/index.js'
import { routeTable } from './app.js'
import { allowOf } from './core/dispatch.js'
import { tracer } from './dev/debug.js'
import { browserBundles, readyTogether } from './http/browser.js'
import { inFront, publicFiles } from './http/public.js'
import { serve } from './http/serve.js'
import { resolveOptions } from './options.js'
import { enhancePages } from './renderers/enhance/index.js'
import { sessionAccess } from './session/index.js'

export type * from '../types/index.js'
export { escapeHtml, httpError } from './errors.js'
export { siteLocation } from './location.js'
export { enhancePages } from './renderers/enhance/index.js'
export { expressViews } from './renderers/views.js'

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

/** Mounts Enhance-style API routes (and pages) on an Express app: options, then the route table, then the edges. */
export function enhanceRoutes(options: EnhanceRoutesOptions = {}): EnhanceRoutesMiddleware {
  const opts = resolveOptions(options, enhancePages)
  const sessions = sessionAccess(opts.session)
  const trace = tracer()
  const bundles = browserBundles(opts)
  const table = routeTable(opts, trace, bundles)
  const { handler, answer } = serve(table, opts, sessions, trace)
  const middleware = inFront(publicFiles(opts, answer, bundles), handler) as EnhanceRoutesMiddleware
  middleware.ready = readyTogether(table.ready, bundles)
  middleware.routes = () =>
    table.routes.map((route) => {
      const allow = allowOf(route)
      return {
        pattern: route.pattern,
        apiFile: route.kind === 'page' ? undefined : route.name,
        page: route.page !== undefined,
        methods: allow === '' ? [] : allow.split(', '),
        ...(route.kind === 'broken' ? { error: route.error.message } : {}),
      }
    })
  middleware.close = () => Promise.all([table.close(), bundles?.close()]).then(() => {})
  return middleware
}
