import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseCookie } from 'cookie'
import cookieSession from 'cookie-session'
import Keygrip from 'keygrip'
import type { SessionOptions } from '../../types/index.js'
import { httpError } from '../errors.js'
import { saveInCookieSession } from './app-cookie.js'
import { plainCopy, type SessionKeeper, type SessionRequest } from './data.js'

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

/** Our cookie-session, started on the requests that arrive with no session middleware before us. */
export interface OurSession extends SessionKeeper {
  start(req: SessionRequest, res: ServerResponse): void
  /** True when the request carries our session cookie (not merely some cookie: an analytics one, say). */
  carriesCookie(req: SessionRequest): boolean
}

const NO_KEYS_IN_PRODUCTION =
  'express-enhance-routes: sessions need keys in production: set SESSION_SECRET, or pass session: { keys: [...] }, or session: false to turn sessions off'

/** One random key per process, so that every middleware of a development process reads the others' cookies. */
let randomKey: string | undefined

/** The keys the app gave: `session.keys`, `session.secret` or SESSION_SECRET. Malformed ones throw at start-up. */
function givenKeys(options: SessionOptions): string[] | undefined {
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
  return secret ? [secret] : undefined
}

/**
 * Keys for signed cookies when the app gave none. Asked only when a request
 * needs our cookie-session, so that an app with its own session middleware
 * is never asked for keys it would not use.
 */
function keysWhenNoneGiven(): string[] {
  if (process.env.NODE_ENV === 'production') throw httpError(500, NO_KEYS_IN_PRODUCTION)
  console.warn(
    'express-enhance-routes: no session keys (SESSION_SECRET or session.keys): using a random key, so sessions will not survive a restart',
  )
  randomKey ??= randomBytes(32).toString('base64url')
  return [randomKey]
}

/**
 * True when an older key than the newest verified the request's cookie.
 * `cookies` then re-signs only the `.sig` cookie, with none of the session's
 * attributes (no maxAge, no sameSite), so the caller saves the whole session again.
 */
function signedWithOlderKey(req: SessionRequest, name: string, keygrip: Keygrip): boolean {
  const header = req.headers.cookie
  if (typeof header !== 'string') return false
  // Raw values: `cookies` signs the value as it stands in the header.
  const cookies = parseCookie(header, { decode: (value) => value })
  const value = cookies[name]
  const signature = cookies[`${name}.sig`]
  if (value === undefined || signature === undefined) return false
  return keygrip.index(`${name}=${value}`, signature) > 0
}

/** The cookie-session we run ourselves, with our defaults under the app's `session` options. */
export function ourCookieSession(options: SessionOptions | undefined): OurSession {
  const settings: SessionOptions = { name: 'session', httpOnly: true, sameSite: 'lax', signed: true, ...options }
  const name = settings.name ?? 'session'
  const signed = settings.signed !== false
  let middleware: Middleware | undefined
  /** Set when there are older keys, which a cookie may still be signed with. */
  let rotation: Keygrip | undefined

  function cookieSessionWith(keys: string[] | undefined): Middleware {
    if (signed && keys !== undefined && keys.length > 1) rotation = new Keygrip(keys)
    return cookieSession({ ...settings, ...(keys ? { keys } : {}) }) as unknown as Middleware
  }

  const keys = givenKeys(settings)
  // Unsigned cookies need no key: that is the app's explicit choice.
  if (keys !== undefined || !signed) middleware = cookieSessionWith(keys)

  const prefix = `${name}=`
  return {
    carriesCookie(req) {
      const header = req.headers.cookie
      if (typeof header !== 'string' || !header.includes(prefix)) return false
      return header.split(';').some((pair) => pair.trimStart().startsWith(prefix))
    },
    start(req, res) {
      middleware ??= cookieSessionWith(keysWhenNoneGiven())
      middleware(req, res, () => {})
    },
    read(req) {
      const session = req.session
      const data = plainCopy(session)
      if (rotation !== undefined && Object.keys(data).length > 0 && signedWithOlderKey(req, name, rotation)) {
        // A new object is a changed session: cookie-session writes both cookies, signed with the newest key.
        req.session = { ...session }
      }
      return data
    },
    write: (req, _res, next, label) => saveInCookieSession(req, next, label, settings),
  }
}
