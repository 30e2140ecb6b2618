import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import cookieSession from 'cookie-session'
import type { SessionData, SessionOptions } from '../types/index.js'
import { httpError } from './errors.js'
import { dropUnsafeKeys } from './request.js'

/**
 * Browsers keep a cookie only while its name and value together fit in 4096
 * bytes (RFC 6265 section 6.1 asks for at least that much); a bigger one is
 * dropped without a word, so we refuse it at write time instead.
 */
export const COOKIE_LIMIT = 4096

/** Names cookie-session's Session object uses itself. */
const COOKIE_SESSION_KEYS = new Set(['_ctx', 'isNew', 'isChanged', 'isPopulated'])

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void
type Req = IncomingMessage & {
  session?: Record<string, unknown> | null
  sessionOptions?: SessionOptions
  sessionID?: string
  sessionStore?: unknown
  protocol?: string
}

/** express-session's session: data plus `cookie`, and methods on its prototype. */
interface StoreSession {
  [key: string]: unknown
  cookie?: { path?: string; domain?: string; secure?: boolean | 'auto'; sameSite?: unknown; httpOnly?: boolean }
  destroy(callback: (error?: unknown) => void): void
  regenerate(callback: (error?: unknown) => void): void
}

/**
 * Who keeps this request's session:
 * - `ours`: the cookie-session that we run (the app has no session middleware);
 * - `cookie`: the app's own cookie-session, mounted before us;
 * - `store`: the app's express-session (data on the server, an id in the cookie);
 * - `other`: any other middleware that puts an object on `req.session`.
 */
type Keeper = 'ours' | 'cookie' | 'store' | 'other'

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

/** One random key per process, for development without SESSION_SECRET. */
let randomKey: string | undefined

/** Keys from the options, `secret`, or SESSION_SECRET; without them, a random key (never in production). */
function keysFor(options: SessionOptions): string[] | undefined {
  if (options.keys !== undefined) {
    const keys = options.keys as unknown
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every((key) => typeof key === 'string' && key !== '')) {
      throw new TypeError('enhanceRoutes(options): session.keys must be a non-empty array of non-empty strings')
    }
    return keys as string[]
  }
  if (options.secret !== undefined) {
    if (typeof options.secret !== 'string' || options.secret === '') {
      throw new TypeError('enhanceRoutes(options): session.secret must be a non-empty string')
    }
    return [options.secret]
  }
  const secret = process.env.SESSION_SECRET
  if (secret) return [secret]
  // Unsigned cookies need no key: that is the app's explicit choice.
  if (options.signed === false) return undefined
  if (process.env.NODE_ENV === 'production') {
    throw new Error(
      'express-enhance-routes: sessions need keys in production: set SESSION_SECRET, or pass session: { keys: [...] }, or session: false to turn sessions off',
    )
  }
  console.warn(
    'express-enhance-routes: no session keys (SESSION_SECRET or session.keys): using a random key, so sessions will not survive a restart',
  )
  randomKey ??= randomBytes(32).toString('base64url')
  return [randomKey]
}

/** Start-up checks of the `session` option. */
function checkOptions(options: unknown): asserts options is SessionOptions | undefined {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError('enhanceRoutes(options): session must be an object of cookie-session options, or false')
  }
}

/** A deep copy that shares nothing with the session it came from. */
function clone(data: SessionData): SessionData {
  try {
    return structuredClone(data)
  } catch {
    // Something structuredClone cannot copy (a function): keep what JSON keeps, as the stores do.
    try {
      return JSON.parse(JSON.stringify(data)) as SessionData
    } catch {
      return { ...data }
    }
  }
}

/** A plain copy of the session's own data (without express-session's `cookie`). */
function copy(session: Record<string, unknown> | null | undefined, keeper: Keeper): SessionData {
  if (session === null || session === undefined || typeof session !== 'object') return {}
  const data: SessionData = {}
  for (const key of Object.keys(session)) {
    if (keeper === 'store' && key === 'cookie') continue
    data[key] = session[key]
  }
  return dropUnsafeKeys(clone(data))
}

function isStoreSession(session: unknown, req: Req): session is StoreSession {
  const s = session as Partial<StoreSession> | null
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.destroy === 'function' &&
    typeof s.regenerate === 'function' &&
    req.sessionStore !== undefined
  )
}

/** True when the request arrived over HTTPS, as cookie-session (and Express's `trust proxy`) sees it. */
function isSecure(req: Req): boolean {
  return req.protocol === 'https' || (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
}

function setCookieHeaders(res: ServerResponse): string[] {
  const value = res.getHeader('Set-Cookie')
  if (value === undefined) return []
  return Array.isArray(value) ? value.map(String) : [String(value)]
}

/**
 * The `keys` list verified the request's cookie with an older key: `cookies`
 * then re-signs only the `.sig` cookie, with none of the session's attributes
 * (no maxAge, no sameSite). We see it as a non-empty `<name>.sig=` Set-Cookie.
 */
function signedWithOldKey(res: ServerResponse, name: string): boolean {
  const prefix = `${name}.sig=`
  return setCookieHeaders(res).some(
    (line) => line.startsWith(prefix) && line.length > prefix.length && line[prefix.length] !== ';',
  )
}

/** The name of the request's cookie that carries express-session's id, if we can find it. */
function storeCookieName(req: Req): string | undefined {
  const id = req.sessionID
  const header = req.headers.cookie
  if (typeof id !== 'string' || typeof header !== 'string') return undefined
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=')
    if (at === -1) continue
    let value = pair.slice(at + 1).trim()
    try {
      value = decodeURIComponent(value)
    } catch {
      continue
    }
    if (value.startsWith(`s:${id}.`)) return pair.slice(0, at).trim()
  }
  return undefined
}

/** Tells the browser to drop a cookie, with the attributes it was set with. */
function clearCookie(res: ServerResponse, name: string, cookie: StoreSession['cookie']): void {
  let line = `${name}=; Path=${cookie?.path ?? '/'}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`
  if (cookie?.domain) line += `; Domain=${cookie.domain}`
  if (cookie?.httpOnly !== false) line += '; HttpOnly'
  if (cookie?.secure === true) line += '; Secure'
  const sameSite = cookie?.sameSite
  if (typeof sameSite === 'string') line += `; SameSite=${sameSite[0]?.toUpperCase()}${sameSite.slice(1).toLowerCase()}`
  else if (sameSite === true) line += '; SameSite=Strict'
  res.setHeader('Set-Cookie', [...setCookieHeaders(res), line])
}

/** The session a handler returned, as JSON-safe plain data; `null` for "end the session". */
function checkData(data: unknown, label: string): { json: string; value: SessionData } | null {
  if (data === null) return null
  if (typeof data !== 'object' || Array.isArray(data)) {
    const kind = Array.isArray(data) ? 'an array' : `a ${typeof data}`
    throw httpError(500, `${label} returned a session that is ${kind}, not an object`)
  }
  let json: string
  try {
    json = JSON.stringify(data)
  } catch (error) {
    throw httpError(
      500,
      `${label} returned a session that cannot be stored as JSON: ${(error as Error).message}`,
      error,
    )
  }
  const value = dropUnsafeKeys(JSON.parse(json) as SessionData)
  return Object.keys(value).length === 0 ? null : { json: JSON.stringify(value), value }
}

export function sessionAccess(options: SessionOptions | false | undefined): SessionAccess {
  if (options === false) {
    return {
      read: () => ({}),
      async write(_req, _res, _data, label) {
        throw httpError(500, `${label} returned a session, but sessions are off (session: false)`)
      },
    }
  }
  checkOptions(options)
  const settings: SessionOptions = {
    name: 'session',
    httpOnly: true,
    sameSite: 'lax',
    signed: true,
    ...options,
  }
  const keys = keysFor(settings)
  const middleware = cookieSession({ ...settings, ...(keys ? { keys } : {}) }) as unknown as Middleware
  const keepers = new WeakMap<IncomingMessage, Keeper>()

  /** Finds who keeps the session, running our cookie-session when the app has none. */
  function keeperOf(req: Req, res: ServerResponse): Keeper {
    let keeper = keepers.get(req)
    if (keeper !== undefined) return keeper
    if (req.session === undefined) {
      middleware(req, res, () => {})
      keeper = 'ours'
    } else if (isStoreSession(req.session, req)) keeper = 'store'
    else if (req.sessionOptions !== undefined && typeof req.sessionOptions === 'object') keeper = 'cookie'
    else keeper = 'other'
    keepers.set(req, keeper)
    return keeper
  }

  return {
    read(req, res) {
      const r = req as Req
      // No cookie and no session middleware: nothing to read, nothing to set up.
      if (r.session === undefined && req.headers.cookie === undefined && !keepers.has(req)) return {}
      const keeper = keeperOf(r, res)
      const session = r.session
      const data = copy(session, keeper)
      // An old key verified the cookie: save it again, signed with the newest key and with every attribute.
      if (keeper === 'ours' && Object.keys(data).length > 0 && signedWithOldKey(res, settings.name ?? 'session')) {
        r.session = { ...session }
      }
      return data
    },

    async write(req, res, data, label) {
      const r = req as Req
      const next = checkData(data, label)
      const keeper = keeperOf(r, res)
      const session = r.session
      if (keeper === 'store' && isStoreSession(session, r)) {
        if (next === null) {
          // Ending an express-session: destroy it in the store, and drop its cookie.
          const name = storeCookieName(r)
          const cookie = session.cookie
          await new Promise<void>((resolve, reject) =>
            session.destroy((error) => (error ? reject(error) : resolve())),
          ).catch((error: unknown) => {
            throw httpError(
              500,
              `${label} could not end the session: ${(error as Error)?.message ?? String(error)}`,
              error,
            )
          })
          if (name !== undefined) clearCookie(res, name, cookie)
          return
        }
        for (const key of Object.keys(session)) if (key !== 'cookie') delete session[key]
        Object.assign(session, next.value)
        return
      }
      if (keeper === 'ours' || keeper === 'cookie') {
        const cookieOptions: SessionOptions = keeper === 'ours' ? settings : (r.sessionOptions ?? {})
        if (cookieOptions.secure === true && !isSecure(r)) {
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
          const name = cookieOptions.name ?? 'session'
          const size = Buffer.byteLength(name) + 1 + Buffer.byteLength(Buffer.from(next.json).toString('base64'))
          if (size > COOKIE_LIMIT) {
            throw httpError(
              500,
              `${label} returned a session of ${size} bytes as a cookie (name and value), over the ${COOKIE_LIMIT}-byte limit browsers keep, so nothing was saved; keep less in the session (an id rather than the records), or mount a server-side session (express-session with a store) before enhanceRoutes()`,
            )
          }
        }
        r.session = next === null ? null : { ...next.value }
        return
      }
      // Some other middleware's session object: replace its data in place.
      if (session && typeof session === 'object') {
        for (const key of Object.keys(session)) delete session[key]
        if (next !== null) Object.assign(session, next.value)
      }
    },
  }
}
