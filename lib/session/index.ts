import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SessionData, SessionOptions } from '../../types/index.js'
import { httpError } from '../errors.js'
import { appCookieSession } from './app-cookie.js'
import { checkReturned, type SessionKeeper, type SessionRequest } from './data.js'
import { otherSession } from './other.js'
import { ourCookieSession } from './ours.js'
import { isStoreSession, storeSession } from './store.js'

/** Reads and writes the request's session: the app's own when it has one, else cookie-session's. */
export interface SessionAccess {
  /** A plain copy of the session, `{}` when empty. */
  read(req: IncomingMessage, res: ServerResponse): SessionData
  /**
   * Replaces the whole session with `data` (`{}` or `null` ends it). Throws a
   * 500 that names `label` (file and method) when it cannot be kept.
   */
  write(req: IncomingMessage, res: ServerResponse, data: unknown, label: string): Promise<void>
}

/**
 * Who keeps a request's session:
 * - `ours`: nobody yet, so the cookie-session that we run;
 * - `app-cookie`: the app's own cookie-session, mounted before us;
 * - `store`: the app's express-session (data on the server, an id in the cookie);
 * - `other`: any other middleware that puts an object on `req.session`.
 */
export type SessionKind = 'ours' | 'app-cookie' | 'store' | 'other'

/** Which kind of session keeper the session middleware before us (if any) left on the request. */
export function sessionKind(req: IncomingMessage): SessionKind {
  const r = req as SessionRequest
  if (r.session === undefined) return 'ours'
  if (isStoreSession(r.session, r)) return 'store'
  if (r.sessionOptions !== undefined && typeof r.sessionOptions === 'object') return 'app-cookie'
  return 'other'
}

/** The keepers of the sessions that the app's own middleware brings. */
const APP_KEEPERS: Record<Exclude<SessionKind, 'ours'>, SessionKeeper> = {
  'app-cookie': appCookieSession,
  store: storeSession,
  other: otherSession,
}

const sessionsOff: SessionAccess = {
  read: () => ({}),
  async write(_req, _res, _data, label) {
    throw httpError(500, `${label} returned a session, but sessions are off (session: false)`)
  },
}

/** Start-up check of the `session` option's shape. */
function checkOptions(options: unknown): asserts options is SessionOptions | undefined {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError('enhanceRoutes(options): session must be an object of cookie-session options, or false')
  }
}

/**
 * The session access of one enhanceRoutes() middleware: `false` turns sessions
 * off; otherwise the options are those of the cookie-session we run when the
 * app has no session middleware of its own.
 */
export function sessionAccess(options: SessionOptions | false | undefined): SessionAccess {
  if (options === false) return sessionsOff
  checkOptions(options)
  const ours = ourCookieSession(options)
  // Read and write of one request must agree, even after a write replaced req.session.
  const keeperOfRequest = new WeakMap<IncomingMessage, SessionKeeper>()

  function keeperOf(req: SessionRequest, res: ServerResponse): SessionKeeper {
    let keeper = keeperOfRequest.get(req)
    if (keeper !== undefined) return keeper
    const kind = sessionKind(req)
    if (kind === 'ours') {
      ours.start(req, res)
      keeper = ours
    } else keeper = APP_KEEPERS[kind]
    keeperOfRequest.set(req, keeper)
    return keeper
  }

  return {
    read(req, res) {
      const r = req as SessionRequest
      // No session cookie of ours and no session middleware: nothing to read, nothing to set up (and no keys asked for).
      if (r.session === undefined && !keeperOfRequest.has(req) && !ours.carriesCookie(r)) return {}
      return keeperOf(r, res).read(r, res)
    },
    async write(req, res, data, label) {
      const r = req as SessionRequest
      const next = checkReturned(data, label)
      await keeperOf(r, res).write(r, res, next, label)
    },
  }
}
