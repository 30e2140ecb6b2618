import type { IncomingMessage } from 'node:http'
import createDebug from 'debug'
import type { Outgoing } from '../core/outgoing.js'
import { BAD_URL, type Match } from '../routes/match.js'
import type { Route } from '../routes/table.js'

/** The `DEBUG` namespace: `DEBUG=express-enhance-routes node server.js`. */
const NAMESPACE = 'express-enhance-routes'

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

/** Logs a request's match (or why there is none) and the kind of client it is. */
export function traceMatch(
  trace: Trace,
  matchingRoutes: () => readonly Route[],
  req: IncomingMessage,
  path: string,
  match: Match<Route> | null | typeof BAD_URL,
  json: boolean,
): void {
  const client = `${json ? 'JSON' : 'HTML'} client (Accept: ${req.headers.accept ?? 'none'})`
  if (match === null) trace('%s %s: no route matches: 404 (fallthrough: false); %s', req.method, path, client)
  else if (match === BAD_URL) trace('%s %s: malformed percent-encoding: 400; %s', req.method, path, client)
  else {
    const { route, params } = match
    // The matcher's own walk, so that the log can never disagree with the match.
    const beaten = matchingRoutes()
      .filter((other) => other !== route)
      .map((other) => other.pattern)
    trace(
      '%s %s: matched %s (%s) params %o%s; %s',
      req.method,
      path,
      route.pattern,
      route.kind === 'page' ? 'page only' : route.name,
      params,
      beaten.length > 0 ? `, by precedence over ${beaten.join(', ')}` : '',
      client,
    )
  }
}

/** One answer in a few words, for the log. */
export function describeAnswer(out: Outgoing): string {
  if (out.kind === 'handoff') return `error ${out.error.status} to next() (${out.error.message})`
  if (out.kind === 'error') return `error ${out.status} (${out.error.message})`
  if (out.kind === 'redirect') return `redirect ${out.status} to ${out.location}`
  return `${out.kind} ${out.status}`
}
