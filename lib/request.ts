import type { IncomingMessage, ServerResponse } from 'node:http'
import { parse as parseQuery } from 'node:querystring'
import bodyParser from 'body-parser'
import bytes from 'bytes'
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

/** `application/json`, bare or with a UTF-8 charset: the only type the fast path reads. */
const PLAIN_JSON = /^application\/json(?:\s*;\s*charset\s*=\s*"?utf-8"?)?\s*$/i
/** A Content-Length as RFC 9110 writes it: digits only. */
const DIGITS = /^\d{1,15}$/
/** JSON's whitespace (RFC 8259). */
const LEADING_SPACE = /^[ \t\n\r]*/

/**
 * The length of a body the fast path can read: JSON as UTF-8, not compressed,
 * of a declared length within the limit. Anything else (chunked, gzip, other
 * charsets, a form, an oversized body) goes to body-parser.
 */
function plainJsonLength(req: IncomingMessage, limit: number): number | undefined {
  const headers = req.headers
  const type = headers['content-type']
  if (type === undefined || (type !== 'application/json' && !PLAIN_JSON.test(type))) return undefined
  const length = headers['content-length']
  if (length === undefined || headers['transfer-encoding'] !== undefined || !DIGITS.test(length)) return undefined
  const encoding = headers['content-encoding']
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined
  const size = Number(length)
  return size <= limit ? size : undefined
}

const EMPTY = Buffer.alloc(0)

/**
 * True when the whole body is in the request's buffer and nobody else reads
 * it: `read()` returns it at once. Node's parser never buffers more than the
 * declared length, so `length` bytes are the whole body.
 */
function isBuffered(req: IncomingMessage, length: number): boolean {
  return req.readableLength === length && req.readableEncoding === null && req.readableFlowing !== true
}

/** Parses a whole body's bytes; a body that is not strict JSON is a 400 with JSON.parse's message. */
function parseJsonBytes(bytes: Buffer): unknown {
  try {
    return parseStrictJson(bytes.toString('utf8'))
  } catch (error) {
    throw httpError(400, (error as Error).message, error)
  }
}

/** Reads `length` bytes of JSON and parses them as body-parser's strict JSON parser does. */
function readPlainJson(req: IncomingMessage, length: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    const done = (error: unknown, body?: unknown) => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
      req.off('close', onAborted)
      if (error === undefined) resolve(body)
      else reject(error)
    }
    const onData = (chunk: Buffer) => {
      received += chunk.length
      chunks.push(chunk)
    }
    const onEnd = () => {
      if (received !== length) {
        done(httpError(400, 'request size did not match content length'))
        return
      }
      let body: unknown
      try {
        body = parseJsonBytes(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks))
      } catch (error) {
        done(error)
        return
      }
      done(undefined, body)
    }
    const onError = (error: Error) => done(httpError(400, error.message, error))
    const onAborted = () => done(httpError(400, 'request aborted'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
    // A request closed before its end (whichever of these Node emits) never ends: nothing would settle the read.
    req.on('close', onAborted)
  })
}

/** JSON.parse, with body-parser's strict rules: an empty body is `{}`, anything but an object or array a 400. */
function parseStrictJson(decoded: string): unknown {
  // A UTF-8 decoder drops the byte-order mark (body-parser's iconv-lite does).
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded
  if (text === '') return {}
  const first = text[LEADING_SPACE.exec(text)?.[0].length ?? 0]
  if (first !== '{' && first !== '[') {
    const found = first === undefined ? 'only whitespace' : JSON.stringify(text.trim().slice(0, 20))
    throw new SyntaxError(`a JSON body must be an object or an array, not ${found}`)
  }
  return JSON.parse(text)
}

/**
 * Reads a request's body (JSON or a form), made once, run only for routes that
 * take a body. The common case, a JSON body of declared length, is read here;
 * every other case is body-parser's (compressed bodies, other charsets, forms,
 * bodies over the limit and their errors).
 */
export function bodyReader(limit: string | number): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  const json = bodyParser.json({ limit }) as Parser
  const form = bodyParser.urlencoded({ limit, extended: false }) as Parser
  const maxBytes = typeof limit === 'number' ? limit : (bytes.parse(limit) ?? 0)
  const run = (parser: Parser, req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve, reject) => parser(req, res, (error) => (error ? reject(error) : resolve())))
  return async (req, res) => {
    const parsed = req as Parsed
    // A body that upstream middleware already read is used as it is.
    if (parsed._body === true || (parsed.body !== undefined && req.readableEnded)) return parsed.body ?? {}
    const length = req.readableEnded ? undefined : plainJsonLength(req, maxBytes)
    let body: unknown
    if (length !== undefined) {
      // A body sent with its headers is buffered once Node's parser has read the packet, a microtask from now.
      if (req.readableLength < length) await undefined
      body = isBuffered(req, length)
        ? parseJsonBytes(length === 0 ? EMPTY : req.read())
        : await readPlainJson(req, length)
      // As body-parser leaves it, for middleware after ours.
      parsed.body = body
      parsed._body = true
    } else {
      const before = parsed.body
      await run(json, req, res)
      if (parsed.body === before) await run(form, req, res)
      if (parsed.body === before) return {}
      body = parsed.body ?? {}
    }
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
