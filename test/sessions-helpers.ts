import { createHmac } from 'node:crypto'
import type { Response } from 'supertest'

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

/** Captures console.warn output during `fn`. */
export async function captureWarnings<T>(fn: () => T | Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = []
  const original = console.warn
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '))
  }
  try {
    return { result: await fn(), warnings }
  } finally {
    console.warn = original
  }
}

export const JSON_ACCEPT = 'application/json'
