// The two ways a body is read (issue 5): JSON of a declared length, as UTF-8 and
// uncompressed, is read by lib/request.ts itself; everything else by body-parser.
// The same JSON must give the same `request.body` either way, and the same errors.
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { expect } from 'chai'
import express from 'express'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/hot-path/', import.meta.url)

interface Answer {
  status: number
  body: { body?: unknown; error?: { status: number; message: string } }
}

/** How a test sends a body: each a different route through the reader. */
type Way = 'declared' | 'declared, in pieces' | 'chunked' | 'gzip'

describe('request bodies: the fast JSON path and body-parser (issue 5)', () => {
  let port = 0
  let close: () => void = () => {}
  before(async () => {
    const app = express()
    const mw = enhanceRoutes({ root, session: false, onError: () => {}, bodyLimit: '2kb' })
    app.use(mw)
    await mw.ready
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    port = (server.address() as AddressInfo).port
    close = () => server.close()
  })
  after(() => close())

  /** POSTs `payload` to /echo the given way; `type` is the Content-Type. */
  function post(payload: Buffer, way: Way, type = 'application/json'): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': type, accept: 'application/json' }
      let body = payload
      if (way === 'gzip') {
        body = gzipSync(payload)
        headers['content-encoding'] = 'gzip'
      }
      if (way !== 'chunked') headers['content-length'] = body.length
      const req = httpRequest({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
          } catch (error) {
            reject(error)
          }
        })
      })
      req.on('error', reject)
      if (way === 'declared, in pieces' || way === 'chunked') {
        // Split inside a multi-byte character when there is one, and let the first piece arrive alone.
        const cut = Math.max(1, body.indexOf(0xc3) + 1 || body.length >> 1)
        req.write(body.subarray(0, cut))
        setTimeout(() => req.end(body.subarray(cut)), 20)
      } else {
        req.end(body)
      }
    })
  }

  const ways: Way[] = ['declared', 'declared, in pieces', 'chunked', 'gzip']
  const same: [string, string, unknown][] = [
    ['an object', '{"name":"crème brûlée","qty":2,"tags":["x","y"],"deep":{"a":[1,{"b":null}]}}', null],
    ['an array', '[1,"two",{"three":3}]', null],
    ['leading whitespace', ' \n\t{"a":1}', { a: 1 }],
    ['a byte-order mark', '\uFEFF{"a":1}', { a: 1 }],
    ['an empty body', '', {}],
    [
      '__proto__ and constructor keys',
      '{"a":1,"__proto__":{"polluted":true},"n":{"constructor":{"x":1}}}',
      { a: 1, n: {} },
    ],
  ]
  for (const [name, text, expected] of same) {
    it(`${name}: the same request.body every way`, async () => {
      const want = expected ?? JSON.parse(text)
      for (const way of ways) {
        const answer = await post(Buffer.from(text, 'utf8'), way)
        expect(answer.status, way).to.equal(200)
        expect(answer.body.body, way).to.deep.equal(want)
      }
    })
  }

  it('the Content-Type may carry a UTF-8 charset, in any case, quoted or not', async () => {
    for (const type of [
      'application/json; charset=utf-8',
      'Application/JSON; Charset="UTF-8"',
      'application/json;charset=utf-8',
    ]) {
      const answer = await post(Buffer.from('{"ok":"é"}'), 'declared', type)
      expect(answer.status, type).to.equal(200)
      expect(answer.body.body, type).to.deep.equal({ ok: 'é' })
    }
  })

  const refused: [string, string][] = [
    ['malformed JSON', '{"a":'],
    ['a bare string', '"text"'],
    ['a bare number', '42'],
    ['null', 'null'],
    ['only whitespace', ' \n '],
    ['trailing garbage', '{"a":1} x'],
  ]
  for (const [name, text] of refused) {
    it(`${name}: a 400 with a message every way, and the handler is not called`, async () => {
      for (const way of ways) {
        const answer = await post(Buffer.from(text, 'utf8'), way)
        expect(answer.status, way).to.equal(400)
        expect(answer.body.error?.status, way).to.equal(400)
        expect(answer.body.error?.message, way).to.be.a('string').and.not.equal('')
        expect(answer.body.body, way).to.equal(undefined)
      }
    })
  }

  it('a bare value is refused with a message that says what a JSON body must be', async () => {
    const answer = await post(Buffer.from('"text"'), 'declared')
    expect(answer.body.error?.message).to.include('object or an array')
  })

  it('a body over bodyLimit is a 413 every way, declared or not', async () => {
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(3000) }))
    for (const way of ['declared', 'chunked'] as const) {
      const answer = await post(big, way)
      expect(answer.status, way).to.equal(413)
    }
  })

  it('a nesting deeper than 512 levels is a 400 on the fast path too', async () => {
    const deep = `${'['.repeat(600)}${']'.repeat(600)}`
    const app = express()
    const mw = enhanceRoutes({ root, session: false, onError: () => {} })
    app.use(mw)
    await mw.ready
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: deep,
      })
      expect(response.status).to.equal(400)
      expect(((await response.json()) as Answer['body']).error?.message).to.include('nested')
    } finally {
      server.close()
    }
  })
})
