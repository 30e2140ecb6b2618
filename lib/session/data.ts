import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SessionData, SessionOptions } from '../../types/index.js'
import { dropUnsafeKeys } from '../clean.js'
import { httpError } from '../errors.js'

/**
 * Browsers keep a cookie only while its name and value together fit in 4096
 * bytes (RFC 6265 section 6.1 asks for at least that much); a bigger one is
 * dropped without a word, so we refuse it at write time instead.
 */
export const COOKIE_LIMIT = 4096

/** The request as session middleware leaves it. */
export type SessionRequest = IncomingMessage & {
  session?: Record<string, unknown> | null
  /** cookie-session's options for this request. */
  sessionOptions?: SessionOptions
  /** express-session's id and store. */
  sessionID?: string
  sessionStore?: unknown
  /** Express's reading of the request (it honours `trust proxy`). */
  protocol?: string
}

/** A session a handler returned, checked: JSON-safe plain data, and that data as JSON. */
export interface ReturnedSession {
  json: string
  value: SessionData
}

/** One kind of session keeper: how to read the request's session, and how to replace it. */
export interface SessionKeeper {
  read(req: SessionRequest, res: ServerResponse): SessionData
  /** Replaces the whole session with `next`; `null` ends it. Throws a 500 that names `label`. */
  write(req: SessionRequest, res: ServerResponse, next: ReturnedSession | null, label: string): void | Promise<void>
}

/** A deep copy that shares nothing with the session it came from. */
function deepCopy(data: SessionData): SessionData {
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

/**
 * A plain copy of a session's data, so that changing it changes nothing;
 * `without` names a key that belongs to the middleware, not to the app.
 */
export function plainCopy(session: Record<string, unknown> | null | undefined, without?: string): SessionData {
  if (session === null || session === undefined || typeof session !== 'object') return {}
  const data: SessionData = {}
  for (const key of Object.keys(session)) {
    if (key !== without) data[key] = session[key]
  }
  return dropUnsafeKeys(deepCopy(data))
}

/** The session a handler returned, as JSON-safe plain data; `null` for "end the session". */
export function checkReturned(data: unknown, label: string): ReturnedSession | null {
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

/** Replaces the data of a session object in place, keeping the key named `keep`. */
export function replaceInPlace(session: Record<string, unknown>, next: ReturnedSession | null, keep?: string): void {
  for (const key of Object.keys(session)) if (key !== keep) delete session[key]
  if (next !== null) Object.assign(session, next.value)
}
