import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import cookieSession from 'cookie-session'
import type { SessionData, SessionOptions } from '../types/index.js'

type WithSession = IncomingMessage & { session?: Record<string, unknown> | null }
type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

/** Reads and writes the request's session: the app's own when it has one, else cookie-session's. */
export interface SessionAccess {
  read(req: IncomingMessage, res: ServerResponse): SessionData
  write(req: IncomingMessage, res: ServerResponse, data: SessionData): void
}

/** Keys from the options or SESSION_SECRET; without them, a random key (never in production). */
function keysFor(options: SessionOptions): string[] {
  if (options.keys && options.keys.length > 0) return options.keys
  if (options.secret) return [options.secret]
  const secret = process.env.SESSION_SECRET
  if (secret) return [secret]
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'express-enhance-routes: sessions need keys in production: set SESSION_SECRET or pass session: { keys: [...] }',
    )
  }
  console.warn(
    'express-enhance-routes: no session keys (SESSION_SECRET or session.keys): using a random key, so sessions will not survive a restart',
  )
  return [randomBytes(32).toString('hex')]
}

/** A plain copy of the session's own data. */
function copy(session: Record<string, unknown>): SessionData {
  const data: SessionData = {}
  for (const key of Object.keys(session)) {
    // express-session keeps its cookie settings on the session itself.
    if (key === 'cookie' && typeof (session as { regenerate?: unknown }).regenerate === 'function') continue
    data[key] = session[key]
  }
  return structuredClone(data)
}

export function sessionAccess(options: SessionOptions | false | undefined): SessionAccess {
  if (options === false) {
    return { read: () => ({}), write: () => {} }
  }
  const middleware = cookieSession({
    name: 'session',
    httpOnly: true,
    sameSite: 'lax',
    signed: true,
    ...options,
    keys: keysFor(options ?? {}),
  }) as unknown as Middleware
  /** Runs cookie-session for a request that has no session middleware of its own. */
  const ensure = (req: WithSession, res: ServerResponse) => {
    if (req.session === undefined) middleware(req, res, () => {})
  }
  return {
    read(req, res) {
      const r = req as WithSession
      // No cookie and no session middleware: nothing to read, nothing to set up.
      if (r.session === undefined && req.headers.cookie === undefined) return {}
      ensure(r, res)
      const session = r.session
      return session ? copy(session) : {}
    },
    write(req, res, data) {
      const r = req as WithSession
      ensure(r, res)
      const session = r.session
      const ended = Object.keys(data).length === 0
      if (session && typeof (session as { regenerate?: unknown }).regenerate === 'function') {
        // express-session: replace the data in place; the store saves it.
        for (const key of Object.keys(session)) if (key !== 'cookie') delete session[key]
        Object.assign(session, data)
        return
      }
      r.session = ended ? null : { ...data }
    },
  }
}
