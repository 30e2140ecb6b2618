import type { ServerResponse } from 'node:http'
import { parseCookie, stringifySetCookie } from 'cookie'
import { httpError } from '../errors.js'
import { plainCopy, replaceInPlace, type SessionKeeper, type SessionRequest } from './data.js'

/** express-session's own key on the session: the cookie's settings, not the app's data. */
const COOKIE_KEY = 'cookie'

/** express-session's session: data plus `cookie`, and methods on its prototype. */
interface StoreSession {
  [key: string]: unknown
  cookie?: {
    path?: string
    domain?: string
    secure?: boolean | 'auto'
    sameSite?: boolean | 'lax' | 'strict' | 'none'
    httpOnly?: boolean
  }
  destroy(callback: (error?: unknown) => void): void
  regenerate(callback: (error?: unknown) => void): void
}

/** True when express-session keeps this session: its methods, and its store on the request. */
export function isStoreSession(session: unknown, req: SessionRequest): session is StoreSession {
  const s = session as Partial<StoreSession> | null
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.destroy === 'function' &&
    typeof s.regenerate === 'function' &&
    req.sessionStore !== undefined
  )
}

/**
 * The name of the request's cookie that carries express-session's id, if we
 * can find it: express-session does not tell, but its value is `s:<id>.<signature>`.
 */
function storeCookieName(req: SessionRequest): string | undefined {
  const id = req.sessionID
  const header = req.headers.cookie
  if (typeof id !== 'string' || typeof header !== 'string') return undefined
  for (const [name, value] of Object.entries(parseCookie(header))) {
    if (value?.startsWith(`s:${id}.`)) return name
  }
  return undefined
}

/** Tells the browser to drop a cookie, with the attributes it was set with (else it keeps it). */
function clearCookie(res: ServerResponse, name: string, cookie: StoreSession['cookie']): void {
  const line = stringifySetCookie(name, '', {
    path: cookie?.path ?? '/',
    expires: new Date(0),
    domain: cookie?.domain,
    httpOnly: cookie?.httpOnly !== false,
    secure: cookie?.secure === true,
    sameSite: cookie?.sameSite,
  })
  const earlier = res.getHeader('Set-Cookie')
  const lines = earlier === undefined ? [] : Array.isArray(earlier) ? earlier.map(String) : [String(earlier)]
  res.setHeader('Set-Cookie', [...lines, line])
}

/** Destroys the session in its store, and drops its cookie. */
async function endStoreSession(
  req: SessionRequest,
  res: ServerResponse,
  session: StoreSession,
  label: string,
): Promise<void> {
  const name = storeCookieName(req)
  const cookie = session.cookie
  await new Promise<void>((resolve, reject) => session.destroy((error) => (error ? reject(error) : resolve()))).catch(
    (error: unknown) => {
      throw httpError(500, `${label} could not end the session: ${(error as Error)?.message ?? String(error)}`, error)
    },
  )
  if (name !== undefined) clearCookie(res, name, cookie)
}

/** The app's express-session: the data lives in its store, the cookie carries only an id. */
export const storeSession: SessionKeeper = {
  read: (req) => plainCopy(req.session, COOKIE_KEY),
  async write(req, res, next, label) {
    const session = req.session
    // The handler's own code may have destroyed it already (expressReq.session.destroy()).
    if (!isStoreSession(session, req)) return
    if (next === null) return endStoreSession(req, res, session, label)
    // In place: express-session saves the object it handed out, keeping its id and cookie.
    replaceInPlace(session, next, COOKIE_KEY)
  },
}
