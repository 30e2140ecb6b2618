import { STATUS_CODES } from 'node:http'
import escapeHtmlText from 'escape-html'
import createError, { isHttpError } from 'http-errors'
import type { EnhanceError } from '../types/index.js'

/** An HTTP error with `status` and `expose`, as Express's own middleware makes them. */
export function httpError(
  status: number,
  message: string,
  cause?: unknown,
  headers?: Record<string, string>,
): EnhanceError {
  // `headers` travel with the error, so Express's finalhandler sends them too.
  const error = createError(status, message, headers ? { headers } : {}) as EnhanceError
  if (cause !== undefined) error.cause = cause
  return error
}

/** A status an error answer can carry: 4xx or 5xx. */
export function isErrorStatus(status: unknown): boolean {
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599
}

/**
 * Any thrown value as an HTTP error: errors that carry no status, or a status
 * that is not 4xx/5xx (a 99 would make Node throw while answering), become 500s.
 */
export function toHttpError(thrown: unknown): EnhanceError {
  if (isHttpError(thrown) && isErrorStatus(thrown.status)) return thrown as EnhanceError
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  return httpError(500, message, thrown)
}

/** What a client may read of an error: 5xx messages are hidden in production. */
export function publicMessage(error: EnhanceError): string {
  if (error.status >= 500 && process.env.NODE_ENV === 'production') {
    return STATUS_CODES[error.status] ?? 'Internal Server Error'
  }
  return error.message || STATUS_CODES[error.status] || 'Error'
}

/** The default `onError`: 5xx errors go to stderr with their cause. */
export function logServerError(error: EnhanceError): void {
  if (error.status < 500) return
  const cause = error.cause instanceof Error ? `\n${error.cause.stack ?? error.cause.message}` : ''
  console.error(`express-enhance-routes: ${error.status} ${error.message}${cause}`)
}

/** Escapes text for HTML (the Express family's escape-html): `&`, `<`, `>`, `"` and `'`. */
export function escapeHtml(text: string): string {
  return escapeHtmlText(text)
}

/** The minimal HTML page for an error when no renderer has one. */
export function minimalErrorPage(status: number, message: string): string {
  const title = `${status} ${escapeHtml(STATUS_CODES[status] ?? 'Error')}`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(message)}</p></body></html>`
}
