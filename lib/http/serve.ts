import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EnhanceApiReq, EnhanceApiRes, EnhanceError } from '../../types/index.js'
import type { RouteTable } from '../app.js'
import { runChain } from '../core/chain.js'
import { crossSiteRefusal } from '../core/cross-site.js'
import { dispatch, type Run } from '../core/dispatch.js'
import { failure } from '../core/failure.js'
import type { Outgoing } from '../core/outgoing.js'
import { respond } from '../core/respond.js'
import { DEFAULT_SETTINGS } from '../core/settings.js'
import type { Trace } from '../dev/debug.js'
import { describeAnswer, traceMatch } from '../dev/debug.js'
import { httpError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import type { SessionAccess } from '../session/index.js'
import { bodyReader } from './body.js'
import { Handling, type Shared } from './handling.js'
import { buildRequest, clientOf, crossSiteFacts, type ExpressReq, pathOf, routingOf } from './incoming.js'
import { deadlineOf, RequestLife } from './lifetime.js'
import { write } from './write.js'

type Next = (error?: unknown) => void

/**
 * Chains a step to a value that may or may not be a promise: the one place
 * where the synchronous path is decided. While every step returns plain values
 * (no body to read, sync handlers, no session store, no page), a request is
 * answered before its request event returns; the first promise moves the rest
 * onto it. A throw or rejection anywhere goes to `recover`.
 */
function then<T>(
  value: T | Promise<T>,
  next: (value: T) => Outgoing | Promise<Outgoing>,
  recover: (thrown: unknown) => Outgoing | Promise<Outgoing>,
): Outgoing | Promise<Outgoing> {
  if (value instanceof Promise) return value.then((settled) => step(settled, next, recover), recover)
  return step(value, next, recover)
}

/** One step of then(): its throw, or its promise's rejection, goes to `recover`. */
function step<T>(
  value: T,
  next: (value: T) => Outgoing | Promise<Outgoing>,
  recover: (thrown: unknown) => Outgoing | Promise<Outgoing>,
): Outgoing | Promise<Outgoing> {
  try {
    const out = next(value)
    return out instanceof Promise ? out.catch(recover) : out
  } catch (thrown) {
    return recover(thrown)
  }
}

const NO_BODY = {}

/** The middleware's request handler: Express in, one Outgoing through the core, Express out. */
export function serve(table: RouteTable, opts: ResolvedOptions, sessions: SessionAccess, trace: Trace | undefined) {
  const readBody = bodyReader(opts.bodyLimit)
  const renderer = opts.renderer

  const report = (error: EnhanceError, request: EnhanceApiReq | undefined) => {
    try {
      opts.onError(error, request)
    } catch (hookError) {
      console.error('express-enhance-routes: onError threw', hookError)
    }
  }
  const settings = { ...DEFAULT_SETTINGS, cacheDefaults: opts.defaultCacheControl, serverTiming: opts.serverTiming }
  const shared: Shared = { renderer, errors: opts.errors, report, sessions, settings }

  /** Runs the route: reads the body, builds the request object, runs the chain, decides the answer. */
  function run(plan: Run, handling: Handling, life: RequestLife): Outgoing | Promise<Outgoing> {
    const { req, res } = handling
    const recover = (thrown: unknown) => failure(thrown, handling)
    const body = plan.method === 'GET' || !plan.chain ? NO_BODY : readBody(req, res)
    return then(
      body,
      (read) => {
        const request = buildRequest(req, res, plan.method, plan.params, read, sessions.read(req, res), life)
        const exchange = handling.exchange(plan, request)
        const started = performance.now()
        const response: EnhanceApiRes | Promise<EnhanceApiRes> = plan.chain
          ? runChain(plan.chain, request, plan.label)
          : { json: {} }
        const answer = (done: EnhanceApiRes) => {
          if (plan.chain) exchange.apiMs = performance.now() - started
          return respond(exchange, done)
        }
        return then(response, answer, recover)
      },
      recover,
    )
  }
  /** The first answer of a request goes on to be sent; any later one is dropped. */
  function deliver(req: IncomingMessage, res: ServerResponse, next: Next, out: Outgoing, handling: Handling): void {
    // The first answer wins: a late handler's after the deadline's 503 (or the 503 after the handler's) is dropped.
    if (handling.answered) return
    handling.answered = true
    if (handling.deadline !== undefined) clearTimeout(handling.deadline)
    send(req, res, next, out, handling)
  }

  /** Saves the answer's session, then writes it; a session that cannot be saved is answered as its error. */
  function send(req: IncomingMessage, res: ServerResponse, next: Next, out: Outgoing, handling: Handling): void {
    trace?.('%s %s: answers %s', req.method, pathOf(req.url ?? '/'), describeAnswer(out))
    if (out.kind === 'handoff' || (res.headersSent && out.kind === 'error')) {
      next(out.error)
      return
    }
    // The client left (or the response was destroyed): nobody reads an answer, and its session is not saved.
    if (res.headersSent || res.destroyed) return
    const change = 'session' in out ? out.session : undefined
    if (change === undefined) {
      write(res, out, req.method === 'HEAD')
      return
    }
    sessions.write(req, res, change.data, change.label).then(
      () => write(res, out, req.method === 'HEAD'),
      (thrown: unknown) =>
        Promise.resolve(failure(thrown, handling))
          .then((error) => send(req, res, next, error, handling))
          .catch(next),
    )
  }

  function handle(req: ExpressReq, res: ServerResponse, next: Next): void {
    const pending = table.pending
    if (pending !== undefined) {
      pending.then(() => handle(req, res, next)).catch(next)
      return
    }
    const path = pathOf(req.url ?? '/')
    const { caseSensitive, strict } = routingOf(req)
    const match = table.match(path, caseSensitive, strict)
    // Unmatched requests leave untouched, before any work of ours.
    if (match === null && opts.fallthrough) {
      trace?.('%s %s: no route matches: next() (fallthrough)', req.method, path)
      next()
      return
    }
    const client = clientOf(req)
    if (trace) {
      const matching = () => table.matchingRoutes(path, caseSensitive, strict)
      traceMatch(trace, matching, req, path, match, client.json)
    }
    const handling = new Handling(req, res, client, shared)
    const plan = dispatch(match, req.method, path)
    let out: Outgoing | Promise<Outgoing>
    if (plan.kind === 'error') out = failure(plan.error, handling)
    else if (plan.kind === 'options') out = { kind: 'options', status: 204, headers: { Allow: plan.allow }, vary: [] }
    else {
      // Browsers send Origin or Sec-Fetch-Site with every unsafe request; without either there is nothing to check.
      const fromBrowser = req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined
      const refused =
        opts.csrf &&
        fromBrowser &&
        plan.method !== 'GET' &&
        crossSiteRefusal(crossSiteFacts(req), opts.csrf.trustedOrigins)
      if (refused) out = failure(refused, handling)
      else {
        const life = new RequestLife(res)
        out = run(plan, handling, life)
        // Only an answer that waits can hang: the deadline is watched from here.
        if (out instanceof Promise) {
          const deadline = deadlineOf(req, opts.timeout)
          if (deadline > 0) {
            handling.deadline = setTimeout(() => {
              life.abort(new DOMException(`The request did not finish within ${deadline} ms`, 'TimeoutError'))
              const message = `Service Unavailable: ${plan.label} did not answer within ${deadline} ms`
              finish(req, res, next, failure(httpError(503, message), handling), handling)
            }, deadline)
          }
        }
      }
    }
    finish(req, res, next, out, handling)
  }

  function finish(
    req: ExpressReq,
    res: ServerResponse,
    next: Next,
    out: Outgoing | Promise<Outgoing>,
    handling: Handling,
  ) {
    if (!(out instanceof Promise)) {
      deliver(req, res, next, out, handling)
      return
    }
    out.then((done) => {
      try {
        deliver(req, res, next, done, handling)
      } catch (error) {
        next(error)
      }
    }, next)
  }

  const handler = (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    // Every failure is answered inside handle(); only a broken error path itself reaches next().
    try {
      handle(req as ExpressReq, res, next)
    } catch (error) {
      next(error)
    }
  }

  /**
   * Answers a request outside the route table (a browser bundle) with an
   * Outgoing of the core, through the same writer: what `produce` throws is
   * answered as its error.
   */
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    next: Next,
    produce: () => Outgoing | Promise<Outgoing>,
  ) => {
    const handling = new Handling(req as ExpressReq, res, clientOf(req), shared)
    let out: Outgoing | Promise<Outgoing>
    try {
      out = produce()
      if (out instanceof Promise) out = out.catch((thrown: unknown) => failure(thrown, handling))
    } catch (thrown) {
      out = failure(thrown, handling)
    }
    finish(req as ExpressReq, res, next, out, handling)
  }

  return { handler, answer }
}
