import type { EnhanceApiFn, EnhanceError, EnhanceMethod } from '../../types/index.js'
import { httpError } from '../errors.js'
import { EXPORT_OF, methodOf, PAGE_ONLY_ALLOW } from '../methods.js'
import { BAD_URL, type Match } from '../routes/match.js'
import type { ApiRoute, PageRoute, Route } from '../routes/table.js'

/** A request the route can answer: what to run, with what. */
export interface Run {
  kind: 'run'
  route: ApiRoute | PageRoute
  method: EnhanceMethod
  /** The handler or chain; undefined for a page-only route (its page renders with empty state). */
  chain: readonly EnhanceApiFn[] | undefined
  params: Record<string, string>
  /** `<file> <export>` (or the pattern of a page-only route): names the culprit in errors. */
  label: string
}

export type Dispatch = Run | { kind: 'options'; allow: string } | { kind: 'error'; error: EnhanceError }

/** The methods a route answers, as `Allow` says them; empty for a broken route. */
export function allowOf(route: Route): string {
  return route.kind === 'api' ? route.allow : route.kind === 'page' ? PAGE_ONLY_ALLOW : ''
}

/**
 * What to do with a matched (or unmatched) request, before anything is read:
 * 404, 400 for a malformed param, the route's load error, OPTIONS, 405, or the
 * handler to run.
 */
export function dispatch(
  match: Match<Route> | null | typeof BAD_URL,
  httpMethod: string | undefined,
  path: string,
): Dispatch {
  if (match === null) return { kind: 'error', error: httpError(404, `${path} not found`) }
  if (match === BAD_URL) {
    return { kind: 'error', error: httpError(400, 'Bad Request: malformed percent-encoding in the URL') }
  }
  const route = match.route
  if (route.kind === 'broken') return { kind: 'error', error: route.error }
  const allow = allowOf(route)
  const exported = route.kind === 'api' ? route.module.handlers : undefined
  const method = methodOf(httpMethod, exported)
  if (httpMethod === 'OPTIONS' && method === undefined) return { kind: 'options', allow }
  const chain = method && route.kind === 'api' ? route.module.handlers[method] : undefined
  // A route with a page answers GET with it even when its API file has no `get`: the page renders with empty state.
  const pageOnly = !chain && route.page !== undefined && method === 'GET'
  if (method === undefined || (!chain && !pageOnly)) {
    const message = `Method Not Allowed: ${route.pattern} answers ${allow}`
    return { kind: 'error', error: httpError(405, message, undefined, { Allow: allow }) }
  }
  // Put together per request: one short-lived string costs less than a table of them kept for every route.
  const label = route.kind === 'api' ? `${route.name} ${EXPORT_OF[method]}` : route.pattern
  return { kind: 'run', route, method, chain, params: match.params, label }
}
