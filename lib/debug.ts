import type { IncomingMessage } from 'node:http'
import createDebug from 'debug'
import { BAD_URL, type Match } from './routes/match.js'
import type { Route } from './routes/table.js'

/** The `DEBUG` namespace: `DEBUG=express-enhance-routes node server.js`. */
export const NAMESPACE = 'express-enhance-routes'

export type Trace = (formatter: string, ...args: unknown[]) => void

/**
 * The debug logger when `DEBUG` enables our namespace, otherwise `undefined`:
 * callers write `trace?.(...)`, so that a disabled log costs one check and its
 * arguments are never evaluated. Decided once, when the middleware is made.
 */
export function tracer(): Trace | undefined {
  const log = createDebug(NAMESPACE)
  return log.enabled ? log : undefined
}

/** Does `route` match `path`, ignoring precedence? (For the log only; the matcher is lib/routes/match.ts.) */
function matches(route: Route, parts: readonly string[], caseSensitive: boolean): boolean {
  const { segments } = route
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]
    const part = parts[i]
    if (segment === undefined) return false
    if (segment.kind === 'catchall') return part !== undefined && part !== ''
    if (part === undefined || part === '') return false
    if (segment.kind === 'static') {
      const same = caseSensitive ? segment.value === part : segment.value.toLowerCase() === part.toLowerCase()
      if (!same) return false
    }
  }
  return segments.length === parts.length
}

/**
 * Why a route matched: the other patterns that would also have matched the
 * path, which it beat by precedence (static before `$param` before `$$`).
 */
export function outranked(routes: readonly Route[], winner: Route, path: string, caseSensitive: boolean): string[] {
  let trimmed = path
  while (trimmed.length > 1 && trimmed.endsWith('/')) trimmed = trimmed.slice(0, -1)
  const parts = trimmed === '/' ? [] : trimmed.slice(1).split('/')
  return routes.filter((route) => route !== winner && matches(route, parts, caseSensitive)).map((r) => r.pattern)
}

/** Logs a request's match (or why there is none) and the kind of client it is. */
export function traceMatch(
  trace: Trace,
  routes: readonly Route[],
  req: IncomingMessage,
  pathname: string,
  caseSensitive: boolean,
  match: Match | null | typeof BAD_URL,
  json: boolean,
): void {
  const client = `${json ? 'JSON' : 'HTML'} client (Accept: ${req.headers.accept ?? 'none'})`
  if (match === null) trace('%s %s: no route matches: 404 (fallthrough: false); %s', req.method, pathname, client)
  else if (match === BAD_URL) trace('%s %s: malformed percent-encoding: 400; %s', req.method, pathname, client)
  else {
    const { route, params } = match
    const beaten = outranked(routes, route, pathname, caseSensitive)
    trace(
      '%s %s: matched %s (%s) params %o%s; %s',
      req.method,
      pathname,
      route.pattern,
      route.apiName ?? 'page only',
      params,
      beaten.length > 0 ? `, by precedence over ${beaten.join(', ')}` : '',
      client,
    )
  }
}
