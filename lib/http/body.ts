import type { IncomingMessage, ServerResponse } from 'node:http'
import bodyParser from 'body-parser'
import bytes from 'bytes'
import { cleanAndMeasure, MAX_BODY_DEPTH } from '../clean.js'
import { httpError } from '../errors.js'

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
      for (const [event, listener] of listeners) req.off(event, listener as (arg: unknown) => void)
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
    // A request closed before its end (`aborted` or `close`, whichever Node emits) never ends: nothing would settle the read.
    const listeners: [string, (arg: never) => void][] = [
      ['data', onData],
      ['end', onEnd],
      ['error', onError],
      ['aborted', onAborted],
      ['close', onAborted],
    ]
    for (const [event, listener] of listeners) req.on(event, listener as (arg: unknown) => void)
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
    // A body that upstream middleware already read (express.json() in front) is used, with the same guarantees.
    if (parsed._body === true || (parsed.body !== undefined && req.readableEnded)) return checked(parsed.body ?? {})
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
    return checked(body)
  }
}

/** A parsed body without the keys that reach a prototype; one nested deeper than MAX_BODY_DEPTH is a 400. */
function checked(body: unknown): unknown {
  if (cleanAndMeasure(body) > MAX_BODY_DEPTH) {
    throw httpError(400, `Bad Request: the body is nested more than ${MAX_BODY_DEPTH} levels deep`)
  }
  return body
}
