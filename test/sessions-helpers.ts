import { createHmac } from 'node:crypto'
import { expect } from 'chai'
import express from 'express'
import type { Response } from 'supertest'
import type { EnhanceError, EnhanceRoutesOptions } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'

/** The fixture most session tests use: api/me.mjs reads, replaces, merges and ends the session. */
export const root = new URL('./fixtures/sessions-core/', import.meta.url)

export const JSON_ACCEPT = 'application/json'

/**
 * An app with enhanceRoutes() over the fixture, `setup` mounting anything in
 * front of it (trust proxy, the app's own session middleware).
 */
export function appWith(
  session: EnhanceRoutesOptions['session'],
  onError: (error: EnhanceError) => void = () => {},
  setup?: (app: express.Express) => void,
): express.Express {
  const app = express()
  setup?.(app)
  return app.use(enhanceRoutes({ root, session, onError }))
}

/**
 * The errors a suite's app reports, collected per test: each test starts with
 * none, and one that expects some takes them with `take()`; any left after a
 * test fail it.
 */
export function errorsPerTest(): { report: (error: EnhanceError) => void; take: () => EnhanceError[] } {
  let errors: EnhanceError[] = []
  beforeEach(() => {
    errors = []
  })
  afterEach(() => {
    expect(errors.map((error) => error.message)).to.deep.equal([])
  })
  return {
    report: (error) => errors.push(error),
    take: () => errors.splice(0),
  }
}

/** Legacy Express routes after enhanceRoutes() that share the session with our handlers. */
export function legacyRoutes(app: express.Express): express.Express {
  app.get('/legacy/session', (req, res) => {
    const { cookie: _cookie, ...data } = (req.session ?? {}) as unknown as Record<string, unknown>
    res.json(data)
  })
  app.post('/legacy/cart', (req, res) => {
    ;(req.session as unknown as Record<string, unknown>).cart = ['tea']
    res.json({ ok: true })
  })
  return app
}

/** The response's Set-Cookie lines. */
export function setCookies(res: Response): string[] {
  const value = res.headers['set-cookie'] as string | string[] | undefined
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

/** The Set-Cookie line for one cookie name, if the response sets it. */
export function cookieLine(res: Response, name: string): string | undefined {
  return setCookies(res).find((line) => line.startsWith(`${name}=`))
}

/** The Cookie header a browser would send back after this response. */
export function cookieHeader(res: Response): string {
  return setCookies(res).map(pair).join('; ')
}

/** The `name=value` part of a Set-Cookie line, to send back in a Cookie header. */
export function pair(line: string | undefined): string {
  if (line === undefined) throw new Error('no such Set-Cookie line')
  return line.split(';')[0] as string
}

/** The data in a cookie-session cookie line (base64 JSON). */
export function decodeSession(line: string | undefined): unknown {
  const value = pair(line).split('=').slice(1).join('=')
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8'))
}

/** True when the cookie line tells the browser to drop the cookie. */
export function isCleared(line: string | undefined): boolean {
  return line !== undefined && /^[^=]+=;/.test(line) && /expires=Thu, 01 Jan 1970/i.test(line)
}

/** A cookie signature made the way cookie-session's `cookies` signs (HMAC-SHA1, URL-safe base64). */
export function signature(data: string, key: string): string {
  return createHmac('sha1', key)
    .update(data)
    .digest('base64')
    .replace(/\/|\+|=/g, (x) => ({ '/': '_', '+': '-', '=': '' })[x] as string)
}

/** A Cookie header for a cookie-session cookie holding `body` (any string), signed with `key`. */
export function signedCookie(name: string, value: string, key: string): string {
  return `${name}=${value}; ${name}.sig=${signature(`${name}=${value}`, key)}`
}

/** Sets environment variables for the duration of `fn`, then puts the old values back. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T | Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {}
  for (const name of Object.keys(vars)) {
    saved[name] = process.env[name]
    if (vars[name] === undefined) delete process.env[name]
    else process.env[name] = vars[name]
  }
  try {
    return await fn()
  } finally {
    for (const name of Object.keys(saved)) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  }
}

/** Captures console.warn output during `fn`, which sees the warnings so far as they come. */
export async function captureWarnings<T>(
  fn: (warnings: readonly string[]) => T | Promise<T>,
): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = []
  const original = console.warn
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '))
  }
  try {
    return { result: await fn(warnings), warnings }
  } finally {
    console.warn = original
  }
}
