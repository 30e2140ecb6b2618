import { isHttpError } from 'http-errors'
import type { EnhanceApiReq, EnhanceError, PageRenderer } from '../../types/index.js'
import { isErrorStatus, minimalErrorPage, publicMessage, toHttpError } from '../errors.js'
import { handlerThrew } from './chain.js'
import type { Headers, Outgoing } from './outgoing.js'
import type { ExpressPair } from './respond.js'
import { type AnswerSettings, cacheDefaultsOf, DEFAULT_SETTINGS } from './settings.js'

/** What an error answer needs to know of its request. */
export interface Failing {
  json: boolean
  vary: readonly string[]
  renderer: PageRenderer | undefined
  errors: 'respond' | 'next'
  /** onError, guarded: a hook that throws never changes the answer. */
  report: (error: EnhanceError, request: EnhanceApiReq | undefined) => void
  /** The handler's request object, if one was built. */
  request: EnhanceApiReq | undefined
  /** A request object for an error page when the failure came before the handler's (404, 405, 400). */
  pageRequest: () => EnhanceApiReq
  express: ExpressPair
  settings?: AnswerSettings
  /** The handler that was running, for `errors: 'next'`. */
  where?: { file: string; method: string; pattern: string } | undefined
}

/**
 * What `errors: 'next'` hands to the app's error middleware: the error the
 * handler threw itself (its class, message and properties), with `status`,
 * `statusCode` and `expose` set as http-errors sets them and the handler on
 * `route`; an error of ours (404, 405, 400...) as it is.
 */
function handedOver(error: EnhanceError, where: Failing['where']): EnhanceError {
  const thrown =
    handlerThrew.has(error) && error.cause instanceof Error ? (error.cause as Partial<EnhanceError>) : undefined
  if (thrown === undefined) {
    if (where !== undefined && isHttpError(error)) Object.assign(error, { route: where })
    return error
  }
  const status = isErrorStatus(thrown.status) ? (thrown.status as number) : 500
  return Object.assign(thrown, {
    status,
    statusCode: status,
    expose: thrown.expose ?? status < 500,
    route: where,
  }) as EnhanceError
}

/** The headers an error carries (`Allow` on a 405, http-errors' `headers`). */
function headersOf(error: EnhanceError): Headers {
  return (error as { headers?: Headers }).headers ?? {}
}

/** The renderer's error page for a status (`/404`; a 5xx falls back to `/500`), or undefined. */
async function errorPage(ctx: Failing, renderer: PageRenderer, status: number, message: string) {
  const detail = { status, message }
  const request = ctx.request ?? ctx.pageRequest()
  for (const pattern of status > 500 ? [`/${status}`, '/500'] : [`/${status}`]) {
    try {
      const page = await renderer.render({
        pattern,
        request,
        state: { store: { error: detail } },
        status,
        error: detail,
        ...ctx.express,
      })
      if (typeof page === 'string') return page
      if (page !== undefined) throw new TypeError(`the renderer returned ${typeof page} for ${pattern}, not HTML`)
    } catch (renderError) {
      ctx.report(toHttpError(renderError), request)
    }
  }
  return undefined
}

/**
 * Any thrown value as its answer (SPEC section 7): reported to onError, then
 * JSON for JSON clients, the renderer's error page (or a minimal one) for the
 * others, or handed to Express's error chain with `errors: 'next'`.
 */
export function failure(thrown: unknown, ctx: Failing): Outgoing | Promise<Outgoing> {
  const error = toHttpError(thrown)
  ctx.report(error, ctx.request)
  if (ctx.errors === 'next') return { kind: 'handoff', error: handedOver(error, ctx.where) }
  const { status } = error
  const message = publicMessage(error)
  const headers = headersOf(error)
  const defaults = cacheDefaultsOf(ctx.settings ?? DEFAULT_SETTINGS, 'text/html', false)
  const base = { kind: 'error', status, headers, vary: ctx.vary, defaults, error } as const
  if (ctx.json) return { ...base, type: 'json', body: JSON.stringify({ error: { status, message } }) }
  const fallback = minimalErrorPage(status, message)
  if (!ctx.renderer) return { ...base, type: 'html', body: fallback }
  return errorPage(ctx, ctx.renderer, status, message).then((page) => ({
    ...base,
    type: 'html',
    body: page ?? fallback,
  }))
}
