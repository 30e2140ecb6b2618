import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseQuery } from 'node:querystring'
import bodyParser from 'body-parser'
import type { EnhanceApiReq, EnhanceMethod, SessionData } from '../types/index.js'
import { httpError } from './errors.js'

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * Removes the keys that could reach a prototype, at every depth, in place, and
 * returns how deep the value is nested. A loop, not recursion: no input is too
 * deep for it.
 */
function cleanAndMeasure(value: unknown): number {
  let deepest = 0
  const stack: [unknown, number][] = [[value, 1]]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, depth] = next
    if (item === null || typeof item !== 'object') continue
    if (depth > deepest) deepest = depth
    if (Array.isArray(item)) {
      for (const child of item) stack.push([child, depth + 1])
      continue
    }
    const record = item as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (UNSAFE_KEYS.has(key)) delete record[key]
      else stack.push([record[key], depth + 1])
    }
  }
  return deepest
}

/** Removes the keys that could reach a prototype, at every depth, in place. */
export function dropUnsafeKeys<T>(value: T): T {
  cleanAndMeasure(value)
  return value
}

/**
 * The deepest nesting a request body may have. JSON.parse takes any depth, but
 * the code that handles a body (ours, the handler's, JSON.stringify) recurses:
 * a 10 kB body of 5000 `[` would overflow the call stack and answer 500.
 */
export const MAX_BODY_DEPTH = 512

/** Query-string params as a plain object: a repeated key becomes an array. */
export function parseQueryString(url: string): Record<string, string | string[]> {
  const at = url.indexOf('?')
  const query: Record<string, string | string[]> = {}
  if (at === -1 || at === url.length - 1) return query
  const parsed = parseQuery(url.slice(at + 1))
  for (const key in parsed) {
    if (UNSAFE_KEYS.has(key)) continue
    query[key] = parsed[key] as string | string[]
  }
  return query
}

type Parser = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void
type Parsed = IncomingMessage & { body?: unknown; _body?: boolean }

/** body-parser's JSON and urlencoded parsers, made once, run only for routes that take a body. */
export function bodyReader(limit: string | number): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  const json = bodyParser.json({ limit }) as Parser
  const form = bodyParser.urlencoded({ limit, extended: false }) as Parser
  const run = (parser: Parser, req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve, reject) => parser(req, res, (error) => (error ? reject(error) : resolve())))
  return async (req, res) => {
    const parsed = req as Parsed
    // A body that upstream middleware already read is used as it is.
    if (parsed._body === true || (parsed.body !== undefined && req.readableEnded)) return parsed.body ?? {}
    const before = parsed.body
    await run(json, req, res)
    if (parsed.body === before) await run(form, req, res)
    if (parsed.body === before) return {}
    const body = parsed.body ?? {}
    const depth = cleanAndMeasure(body)
    if (depth > MAX_BODY_DEPTH) {
      throw httpError(
        400,
        `Bad Request: the body is nested ${depth} levels deep; at most ${MAX_BODY_DEPTH} are accepted`,
      )
    }
    return body
  }
}

/** A request target's path, without the query string. */
export function pathOf(target: string): string {
  // An absolute-form request target (`GET http://host/path`, as proxies send) keeps only its path.
  const url = target.charCodeAt(0) === 0x2f ? target : target.replace(ABSOLUTE_FORM, '/')
  const at = url.indexOf('?')
  return at === -1 ? url : url.slice(0, at)
}

/** The pathname the browser asked for, mount prefix included, without the query string. */
export function rootRelativePath(req: IncomingMessage & { originalUrl?: string }): string {
  return pathOf(req.originalUrl ?? req.url ?? '/')
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*\/?/

/** Builds the plain request object a handler receives (SPEC section 4). */
export function buildRequest(
  req: IncomingMessage & { originalUrl?: string },
  res: ServerResponse,
  method: EnhanceMethod,
  params: Record<string, string>,
  body: unknown,
  session: SessionData,
): EnhanceApiReq {
  const request = {
    body,
    method,
    params,
    path: rootRelativePath(req),
    query: parseQueryString(req.url ?? ''),
    session,
    headers: req.headers,
  } as unknown as EnhanceApiReq
  Object.defineProperty(request, 'expressReq', { value: req })
  Object.defineProperty(request, 'expressRes', { value: res })
  return request
}
