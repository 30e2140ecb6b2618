import type { SessionOptions } from '../../types/index.js'
import { httpError } from '../errors.js'
import { COOKIE_LIMIT, plainCopy, type ReturnedSession, type SessionKeeper, type SessionRequest } from './data.js'

/** Names cookie-session's Session object uses itself. */
const COOKIE_SESSION_KEYS = new Set(['_ctx', 'isNew', 'isChanged', 'isPopulated'])

/** True when the request arrived over HTTPS, as cookie-session (and Express's `trust proxy`) sees it. */
function isSecure(req: SessionRequest): boolean {
  return req.protocol === 'https' || (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
}

/**
 * Hands `next` to a cookie-session (ours or the app's, whose `options` say
 * how its cookie is written), refusing what the browser would not keep: the
 * cookie then goes out when the response's headers do.
 */
export function saveInCookieSession(
  req: SessionRequest,
  next: ReturnedSession | null,
  label: string,
  options: SessionOptions,
): void {
  if (options.secure === true && !isSecure(req)) {
    throw httpError(
      500,
      `${label} returned a session, but session.secure is true and this request came over plain HTTP, so the browser would not get the cookie; behind an HTTPS proxy, tell Express to trust it: app.set('trust proxy', ...)`,
    )
  }
  if (next !== null) {
    // cookie-session skips keys its Session object already has (isNew, toString...): refuse them out loud.
    const reserved = Object.keys(next.value).filter((key) => COOKIE_SESSION_KEYS.has(key) || key in {})
    if (reserved.length > 0) {
      throw httpError(
        500,
        `${label} returned a session with keys that cookie-session cannot keep: ${reserved.join(', ')}`,
      )
    }
    const name = options.name ?? 'session'
    const size = Buffer.byteLength(name) + 1 + Buffer.byteLength(Buffer.from(next.json).toString('base64'))
    if (size > COOKIE_LIMIT) {
      throw httpError(
        500,
        `${label} returned a session of ${size} bytes as a cookie (name and value), over the ${COOKIE_LIMIT}-byte limit browsers keep, so nothing was saved; keep less in the session (an id rather than the records), or mount a server-side session (express-session with a store) before enhanceRoutes()`,
      )
    }
  }
  // A new object (or null) is what cookie-session takes as "changed": it writes or clears the cookie.
  req.session = next === null ? null : { ...next.value }
}

/** The app's own cookie-session, mounted before us: its options decide the cookie. */
export const appCookieSession: SessionKeeper = {
  read: (req) => plainCopy(req.session),
  write: (req, _res, next, label) => saveInCookieSession(req, next, label, req.sessionOptions ?? {}),
}
