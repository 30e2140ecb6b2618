/**
 * Bad input, generated: random paths, query strings, JSON and form bodies and
 * Accept headers sent over real HTTP to one Express server on 127.0.0.1.
 * For every input: no crash, no unhandled rejection, no 5xx, an answer that is
 * valid JSON or HTML as negotiated, and Object.prototype untouched.
 */
import net from 'node:net'
import { expect } from 'chai'
import fc from 'fast-check'
import {
  type Answer,
  call,
  hasStack,
  PROTOTYPE_KEYS,
  prototypeKeys,
  retried,
  runs,
  SECRET_MARK,
  serveSuite,
} from './helpers.js'

/** Runs per property; the whole file stays within a few seconds on a shared machine. */
const RUNS = {
  paths: runs(400),
  queries: runs(200),
  json: runs(300),
  invalidJson: runs(200),
  forms: runs(200),
  accept: runs(300),
  mixed: runs(300),
}

const JSON_TYPE = /^application\/json; charset=utf-8$/
const HTML_TYPE = /^text\/html; charset=utf-8$/
const g = globalThis as Record<string, unknown>

/** Answers that Express gave before any middleware ran. */
const expressOwn = { count: 0 }

/** Checks every answer must pass, whatever the input. */
function checkAnswer(answer: Answer, wantJson: boolean | undefined, head = false): void {
  expect(answer.status, answer.body).to.be.within(200, 499)
  expect(answer.headers['x-powered-by']).to.equal(undefined)
  expect(answer.body).to.not.include(SECRET_MARK)
  if (answer.status === 204 || (answer.status >= 300 && answer.status < 400)) return
  // Express's own 404: its router found no path in the URL (`//#…@…` parses as a host), so no middleware ran.
  // Its finalhandler sends `Content-Security-Policy: default-src 'none'` (we never do); a HEAD answer has no body to read.
  const finalhandler = answer.headers['content-security-policy'] === "default-src 'none'"
  if (answer.status === 404 && (/<pre>Cannot [A-Z]+ null<\/pre>/.test(answer.body) || (head && finalhandler))) {
    expressOwn.count++
    return
  }
  const type = String(answer.headers['content-type'])
  expect(answer.headers['x-content-type-options']).to.equal('nosniff')
  expect(String(answer.headers.vary)).to.match(/\baccept\b/i)
  if (wantJson === true) expect(type).to.match(JSON_TYPE)
  if (wantJson === false && answer.status >= 400) expect(type).to.match(HTML_TYPE)
  if (head) {
    expect(answer.body).to.equal('')
    return
  }
  if (JSON_TYPE.test(type)) {
    const parsed = JSON.parse(answer.body)
    // Our own errors have the error shape; the 422 is the fixture handler's own answer.
    if (answer.status >= 400 && answer.status !== 422) {
      expect(parsed.error.status).to.equal(answer.status)
      expect(parsed.error.message).to.be.a('string').and.not.equal('')
    }
  } else {
    expect(type).to.match(HTML_TYPE)
    expect(answer.body).to.match(/^<!doctype html>/i)
  }
  if (answer.status >= 400) expect(hasStack(answer.body), answer.body).to.equal(false)
}

// ---- generators -----------------------------------------------------------

// Not here: /boom-page, /faults and /late (they fail or hang on purpose; faults.test.ts covers them).
const TRICKY_SEGMENTS = [
  'echo',
  'files',
  'page',
  '_private',
  '_private.mjs',
  '_secret',
  'thing',
  'outside',
  'outside.mjs',
  'api',
  'robust',
  'fixtures',
  '..',
  '.',
  '...',
  '%2e%2e',
  '%2E%2e',
  '.%2e',
  '%2e.',
  '%2e',
  '%252e%252e',
  '..%2f',
  '..%5c',
  '%2f',
  '%5c',
  '\\',
  '..\\..',
  '%00',
  '%',
  '%zz',
  '%e2%28%a1',
  '%c0%ae%c0%ae',
  '%ff',
  '',
  '~',
  ';',
  ':',
  '$$',
  '$id',
  '*',
  '__proto__',
  'constructor',
  'prototype',
  'index',
  'index.mjs',
  'echo.mjs',
]

/** Characters Node's client accepts raw in a request path (0x21-0xff, minus `?` and `#` kept for the query tests). */
const rawPathChar = fc
  .integer({ min: 0x21, max: 0x7e })
  .filter((c) => c !== 0x3f && c !== 0x23 && c !== 0x7f)
  .map((c) => String.fromCharCode(c))

const segment = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...TRICKY_SEGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ unit: rawPathChar, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 300, maxLength: 3000 }).map(encodeURI) },
)

/** A path from random segments, sometimes with double slashes, a trailing slash, or a long run of `../`. */
const pathArb = fc
  .tuple(
    fc.array(segment, { minLength: 0, maxLength: 8 }),
    fc.boolean(),
    fc.constantFrom('', '/', '//', '/..', '/%2e%2e', '/../../../..'),
  )
  .map(([segments, doubled, tail]) => `/${segments.join(doubled ? '//' : '/')}${tail}`)
  .filter((path) => path.length < 12_000)

const MEDIA_RANGES = [
  'text/html',
  'application/json',
  'text/json',
  'text/*',
  'application/*',
  '*/*',
  'text/plain',
  'image/png',
  'application/xml',
  'application/ld+json',
  'application/xhtml+xml',
]
const Q_VALUES = [undefined, '1', '0.9', '0.5', '0.1', '0.001', '0']

interface AcceptEntry {
  range: string
  q: string | undefined
}

const acceptEntries = fc.array(
  fc.record({ range: fc.constantFrom(...MEDIA_RANGES), q: fc.constantFrom(...Q_VALUES) }),
  { minLength: 1, maxLength: 5 },
)
const acceptText = (entries: AcceptEntry[]) =>
  entries.map((e) => (e.q === undefined ? e.range : `${e.range};q=${e.q}`)).join(', ')

/**
 * The test's own reading of the negotiation rule (SPEC 6, as Express's
 * req.accepts ranks types): each offered type takes the most specific
 * matching range; the best q wins, then specificity, then the order in the
 * header, then the server's order (HTML first).
 */
function expectJsonFor(entries: AcceptEntry[]): boolean {
  const text = acceptText(entries)
  if (text === '*/*') return false
  const offered = ['text/html', 'application/json', 'text/json']
  const ranked = offered.map((type, i) => {
    const [t, s] = type.split('/')
    let best = { q: 0, s: -1, o: -1 }
    entries.forEach((entry, o) => {
      const [et, es] = entry.range.split('/')
      if ((et !== '*' && et !== t) || (es !== '*' && es !== s)) return
      const spec = { q: entry.q === undefined ? 1 : Number(entry.q), s: (et === t ? 4 : 0) | (es === s ? 2 : 0), o }
      if (spec.s > best.s || (spec.s === best.s && (spec.q > best.q || (spec.q === best.q && spec.o > best.o)))) {
        best = spec
      }
    })
    return { type, i, ...best }
  })
  const winner = ranked.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || b.s - a.s || a.o - b.o || a.i - b.i)[0]
  return winner !== undefined && winner.type !== 'text/html'
}

/** Header values Node's client sends as they are: printable ASCII. */
const garbageAccept = fc.string({ unit: 'grapheme-ascii', maxLength: 60 })

const QUERY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  'a',
  'a[]',
  'a[b]',
  'q',
  'polluted',
  '',
]
const queryPart = fc.oneof(
  fc.constantFrom(...QUERY_KEYS),
  fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent),
  fc.string({ unit: rawPathChar, maxLength: 10 }),
)

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype'])

/** The spec's rule, written out by the test: unsafe keys disappear at every depth. */
function withoutUnsafeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUnsafeKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (!UNSAFE.has(key)) out[key] = withoutUnsafeKeys((value as Record<string, unknown>)[key])
  }
  return out
}

/** JSON text, sometimes with prototype-polluting keys spliced into its objects. */
const pollutedJson = fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(0, 1, 2)).map(([value, mode]) => {
  const text = JSON.stringify(value)
  if (mode === 0 || text === undefined) return text ?? 'null'
  const poison = '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},'
  if (mode === 1) return `{${poison}"v":${text}}`
  // Into every object of the value (when no string in it looks like an object's start).
  const spliced = text.replace(/\{(?=")/g, `{${poison}`).replace(/\{\}/g, '{"__proto__":{"polluted":true}}')
  try {
    JSON.parse(spliced)
    return spliced
  } catch {
    return `{${poison}"v":${text}}`
  }
})

// ---- the suite ------------------------------------------------------------

describe('robustness: generated input over real HTTP (fast-check)', function () {
  this.timeout(90_000)
  const suite = serveSuite()
  const { unhandled } = suite

  after(() => {
    // Keep-alive reuse races are retried once (see call()); many of them would mean the server resets connections.
    if (expressOwn.count > 0)
      console.log(`      (${expressOwn.count} URL(s) Express itself answered 404 without a path)`)
    if (retried.count > 0) console.log(`      (${retried.count} request(s) retried after a reset on a reused socket)`)
    expect(retried.count, 'resets on reused sockets').to.be.below(5)
  })

  afterEach(() => {
    expect(unhandled.seen, 'unhandled rejections').to.deep.equal([])
    expect(prototypeKeys(), 'Object.prototype keys').to.deep.equal(PROTOTYPE_KEYS)
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined)
    expect(g.__robustSecretReached, 'an ignored or outside file ran').to.equal(undefined)
  })

  it(`random paths (${RUNS.paths} runs): no 5xx, negotiated JSON/HTML, no file outside the rules`, async () => {
    await fc.assert(
      fc.asyncProperty(
        pathArb,
        fc.constantFrom('GET', 'HEAD', 'DELETE', 'OPTIONS'),
        fc.boolean(),
        async (path, method, json) => {
          const answer = await call(suite.served, {
            method,
            path,
            headers: { accept: json ? 'application/json' : 'text/html' },
          })
          checkAnswer(answer, json ? true : answer.status >= 400 ? false : undefined, method === 'HEAD')
          // Catch-all params come back as the decoded rest of the path, never a file's content.
          if (answer.status === 200 && method === 'GET' && json && path.startsWith('/files/')) {
            expect(JSON.parse(answer.body)).to.have.property('rest').that.is.a('string')
          }
        },
      ),
      { numRuns: RUNS.paths },
    )
  })

  it('ignored and outside files are never reached, however the path is spelled', async () => {
    const spellings = [
      '/_private',
      '/_private.mjs',
      '/_secret/thing',
      '/%5fprivate',
      '/%5Fsecret/thing',
      '/echo/../_private',
      '/echo/%2e%2e/_private',
      '/files/../_private',
      '/files/%2e%2e/%2e%2e/outside',
      '/files/..%2f..%2foutside.mjs',
      '/../outside',
      '/%2e%2e/outside',
      '/api/../outside',
      '/files/%2e%2e%2f_private',
      '/files/....//_private',
      '/.%2e/.%2e/outside.mjs',
      '/files/%c0%ae%c0%ae/outside',
      '/echo%00/../_private',
      '//_private',
      '/_private/',
      '/_PRIVATE',
    ]
    for (const path of spellings) {
      const answer = await call(suite.served, { path, headers: { accept: 'application/json' } })
      expect(answer.status, path).to.be.within(200, 499)
      expect(answer.body, path).to.not.include(SECRET_MARK)
      // The catch-all hands the handler a string; nothing is read from disk by URL.
      if (answer.status === 200) expect(Object.keys(JSON.parse(answer.body)), path).to.deep.equal(['rest'])
    }
  })

  it(`random query strings (${RUNS.queries} runs): plain values, no prototype keys`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(queryPart, fc.option(queryPart, { nil: undefined })), { maxLength: 8 }),
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[a-z0-9]{0,6}$/)), { maxLength: 3 }),
        async (pairs, plain) => {
          const parts = pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`))
          for (const [k, v] of plain) parts.push(`${k}=${v}`)
          const answer = await call(suite.served, {
            path: `/echo?${parts.join('&')}`,
            headers: { accept: 'application/json' },
          })
          checkAnswer(answer, true)
          expect(answer.status).to.equal(200)
          const { query, polluted } = JSON.parse(answer.body)
          expect(polluted).to.equal(false)
          for (const key of UNSAFE) expect(Object.hasOwn(query, key), key).to.equal(false)
          for (const value of Object.values(query)) {
            if (Array.isArray(value)) for (const item of value) expect(item).to.be.a('string')
            else expect(value).to.be.a('string')
          }
          // A plain key=value pair the test added is there, as a value or in the array.
          for (const [k, v] of plain) {
            if (UNSAFE.has(k)) continue
            expect([query[k]].flat(), k).to.include(v)
          }
        },
      ),
      { numRuns: RUNS.queries },
    )
  })

  it(`random JSON bodies (${RUNS.json} runs): objects and arrays echo back without unsafe keys; other values are a 400`, async () => {
    await fc.assert(
      fc.asyncProperty(pollutedJson, fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), async (text, method) => {
        const answer = await call(suite.served, {
          method,
          path: '/echo',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: text,
        })
        checkAnswer(answer, true)
        const parsed = JSON.parse(text)
        if (parsed !== null && typeof parsed === 'object') {
          expect(answer.status).to.equal(200)
          const echoed = JSON.parse(answer.body)
          expect(echoed.body).to.deep.equal(withoutUnsafeKeys(parsed))
          expect(echoed.polluted).to.equal(false)
        } else {
          // body-parser's strict mode: a JSON body is an object or an array.
          expect(answer.status).to.equal(400)
        }
      }),
      { numRuns: RUNS.json },
    )
  })

  it(`random invalid JSON (${RUNS.invalidJson} runs) is a 400 with a message; the handler is not called`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((text) => {
          try {
            JSON.parse(text)
            return false
          } catch {
            return true
          }
        }),
        fc.boolean(),
        async (text, json) => {
          const calls = g.__robustCount
          const answer = await call(suite.served, {
            method: 'POST',
            path: '/count',
            headers: { 'content-type': 'application/json', accept: json ? 'application/json' : 'text/html' },
            body: text,
          })
          checkAnswer(answer, json)
          expect(answer.status).to.equal(400)
          if (json) expect(JSON.parse(answer.body).error.message).to.be.a('string').and.not.equal('')
          expect(g.__robustCount, 'the handler ran').to.equal(calls)
        },
      ),
      { numRuns: RUNS.invalidJson },
    )
  })

  it(`random form bodies (${RUNS.forms} runs): fields echo back, unsafe keys dropped`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(queryPart, queryPart), { maxLength: 8 }),
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[a-z0-9]{0,6}$/)), { maxLength: 3 }),
        async (pairs, plain) => {
          const parts = pairs.map(([k, v]) => `${k}=${v}`)
          for (const [k, v] of plain) parts.push(`${k}=${v}`)
          const answer = await call(suite.served, {
            method: 'POST',
            path: '/echo',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body: parts.join('&'),
          })
          checkAnswer(answer, true)
          expect(answer.status).to.equal(200)
          const { body, polluted } = JSON.parse(answer.body)
          expect(polluted).to.equal(false)
          for (const key of UNSAFE) expect(Object.hasOwn(body, key), key).to.equal(false)
          for (const [k, v] of plain) {
            if (UNSAFE.has(k)) continue
            expect([body[k]].flat(), k).to.include(v)
          }
        },
      ),
      { numRuns: RUNS.forms },
    )
  })

  it(`random Accept headers (${RUNS.accept} runs): JSON or HTML exactly as negotiated`, async () => {
    await fc.assert(
      fc.asyncProperty(
        acceptEntries,
        fc.constantFrom('/page', '/nowhere', '/echo', '/faults?kind=throw'),
        async (entries, path) => {
          const accept = acceptText(entries)
          const json = expectJsonFor(entries)
          const answer = await call(suite.served, { path, headers: { accept } })
          if (path === '/faults?kind=throw') {
            // The one 5xx here is the handler's own throw, negotiated like any error.
            expect(answer.status).to.equal(500)
            expect(String(answer.headers['content-type'])).to.match(json ? JSON_TYPE : HTML_TYPE)
            expect(hasStack(answer.body)).to.equal(false)
            return
          }
          checkAnswer(answer, json)
          const type = String(answer.headers['content-type'])
          if (path === '/page') expect(type, accept).to.match(json ? JSON_TYPE : HTML_TYPE)
          if (path === '/nowhere') expect(answer.status).to.equal(404)
          // An API route without a page answers JSON to everyone.
          if (path === '/echo') expect(type).to.match(JSON_TYPE)
        },
      ),
      { numRuns: RUNS.accept },
    )
  })

  it(`random methods, content types, bodies and garbage Accept headers (${RUNS.mixed} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE'),
        fc.constantFrom('/echo', '/page', '/files/a/b', '/count', '/session', '/location?to=/x', '/nowhere', '/'),
        fc.constantFrom(
          undefined,
          'application/json',
          'application/json; charset=utf-8',
          'application/json; charset=latin1',
          'application/json; charset=utf-7',
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/vnd.api+json',
          'garbage',
          '',
        ),
        fc.option(garbageAccept, { nil: undefined }),
        fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 300 }), fc.json({ maxDepth: 3 })),
        async (method, path, contentType, accept, body) => {
          const headers: Record<string, string> = {}
          if (contentType !== undefined) headers['content-type'] = contentType
          if (accept !== undefined) headers.accept = accept
          const answer = await call(suite.served, { method, path, headers, body: method === 'GET' ? undefined : body })
          checkAnswer(answer, undefined, method === 'HEAD')
        },
      ),
      { numRuns: RUNS.mixed },
    )
  })

  it('a JSON body nested too deep for a call stack is a 400 with a message, not a 500; 500 levels still pass', async () => {
    const nested = (depth: number, kind: 'array' | 'object') =>
      kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
    for (const kind of ['array', 'object'] as const) {
      const calls = g.__robustCount
      for (const depth of [600, 5000, 100_000]) {
        const answer = await call(suite.served, {
          method: 'POST',
          path: '/count',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: nested(depth, kind),
        })
        expect(answer.status, `${kind} ${depth}`).to.equal(400)
        expect(JSON.parse(answer.body).error.message).to.match(/nested/)
      }
      expect(g.__robustCount, 'the handler ran').to.equal(calls)
      const fine = await call(suite.served, {
        method: 'POST',
        path: '/count',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: nested(500, kind),
      })
      expect(fine.status, `${kind} 500`).to.equal(201)
    }
  })

  it('absolute-form and asterisk request targets: request.path is still root-relative; no 5xx', async () => {
    const raw = (line: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(suite.served.port, '127.0.0.1', () =>
          socket.end(`${line}\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n`),
        )
        let text = ''
        socket.setEncoding('utf8')
        socket.on('data', (chunk: string) => {
          text += chunk
        })
        socket.on('close', () => resolve(text))
        socket.on('error', reject)
        socket.setTimeout(5000, () => socket.destroy(new Error(`no answer: ${line}`)))
      })
    const absolute = await raw('GET http://127.0.0.1/echo?x=1 HTTP/1.1')
    expect(absolute).to.match(/^HTTP\/1\.1 200 /)
    const echoed = JSON.parse(absolute.slice(absolute.indexOf('\r\n\r\n') + 4))
    expect(echoed.path).to.equal('/echo')
    expect(echoed.query).to.deep.equal({ x: '1' })
    for (const line of ['OPTIONS * HTTP/1.1', 'GET * HTTP/1.1', 'GET http://127.0.0.1 HTTP/1.1']) {
      const answer = await raw(line)
      expect(answer, line).to.match(/^HTTP\/1\.1 [1-4]\d\d /)
    }
  })

  it('a request line too long for Node is a 431 from Node, and the server keeps answering', async () => {
    const answer = await call(suite.served, {
      path: `/echo/${'a'.repeat(20_000)}`,
      headers: { accept: 'application/json' },
    })
    expect(answer.status).to.equal(431)
    const after = await call(suite.served, { path: '/echo', headers: { accept: 'application/json' } })
    expect(after.status).to.equal(200)
  })
})
