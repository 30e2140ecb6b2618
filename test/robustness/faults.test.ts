/**
 * Faults: handlers that throw, reject, hang or answer after the client left,
 * values JSON cannot hold, a broken route module, a page that throws while
 * rendering, a body stream cut halfway. Each answers as SPEC section 7 says,
 * and the server keeps answering afterwards.
 */
import type { ServerResponse } from 'node:http'
import net from 'node:net'
import { expect } from 'chai'
import type { EnhanceError } from '../../lib/index.js'
import {
  BROKEN_ROOT,
  call,
  hasStack,
  listen,
  makeApp,
  quiet,
  type Served,
  serveSuite,
  sleep,
  testRenderer,
  waitFor,
} from './helpers.js'

const g = globalThis as Record<string, unknown>
const JSON_ACCEPT = { accept: 'application/json' }
const HTML_ACCEPT = { accept: 'text/html' }

/** Open TCP handles of this process (client and server sides). */
const tcpHandles = () => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length

/** Listener counts on the process and the server, event by event. */
function listenerCounts(served: Served): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const [name, emitter] of [
    ['process', process],
    ['server', served.server],
  ] as const) {
    for (const event of emitter.eventNames()) counts[`${name}:${String(event)}`] = emitter.listenerCount(event)
  }
  return counts
}

/** Responses whose `end()` was called after their client had already gone away. */
function writeWatch() {
  const state = { abandoned: 0, writtenAfterClose: 0 }
  const middleware = (_req: unknown, res: ServerResponse, next: () => void) => {
    let gone = false
    res.once('close', () => {
      if (!res.writableFinished) {
        gone = true
        state.abandoned++
      }
    })
    const end = res.end
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      if (gone) state.writtenAfterClose++
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args)
    } as ServerResponse['end']
    next()
  }
  return { state, middleware }
}

/** Sends raw bytes on a fresh socket and returns the socket (the test decides when to cut it). */
function openRaw(served: Served, text: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(served.port, '127.0.0.1', () => {
      socket.write(text)
      resolve(socket)
    })
    socket.on('error', reject)
  })
}

describe('robustness: faults', function () {
  this.timeout(30_000)
  const errors: EnhanceError[] = []
  const watch = writeWatch()
  const suite = serveSuite({ onError: (error) => errors.push(error) }, (app) => app.use(watch.middleware))
  const { unhandled } = suite

  afterEach(async () => {
    expect(unhandled.seen, 'unhandled rejections').to.deep.equal([])
    // Later requests still work.
    const answer = await call(suite.served, { path: '/echo', headers: JSON_ACCEPT })
    expect(answer.status).to.equal(200)
  })

  describe('handlers that fail', () => {
    for (const kind of ['throw', 'reject', 'throw-string', 'throw-null']) {
      it(`a handler that does "${kind}" is a negotiated 500 naming the file, with no stack`, async () => {
        const json = await call(suite.served, { path: `/faults?kind=${kind}`, headers: JSON_ACCEPT })
        expect(json.status).to.equal(500)
        const { error } = JSON.parse(json.body)
        expect(error.status).to.equal(500)
        expect(error.message).to.include('faults.mjs get')
        expect(hasStack(json.body), json.body).to.equal(false)
        const html = await call(suite.served, { path: `/faults?kind=${kind}`, headers: HTML_ACCEPT })
        expect(html.status).to.equal(500)
        expect(html.headers['content-type']).to.match(/^text\/html/)
        expect(html.body).to.include('data-error="500"')
        expect(hasStack(html.body), html.body).to.equal(false)
      })
    }

    it('an error with a status no response can carry (99) is a 500, not a crash', async () => {
      const answer = await call(suite.served, { path: '/faults?kind=bad-status-error', headers: JSON_ACCEPT })
      expect(answer.status).to.equal(500)
      expect(JSON.parse(answer.body).error.status).to.equal(500)
      expect(hasStack(answer.body)).to.equal(false)
    })

    for (const kind of ['cyclic', 'bigint']) {
      it(`json that cannot be serialized (${kind}) is a 500 naming the file`, async () => {
        const answer = await call(suite.served, { path: `/faults?kind=${kind}`, headers: JSON_ACCEPT })
        expect(answer.status).to.equal(500)
        const { error } = JSON.parse(answer.body)
        expect(error.message).to.include('faults.mjs get').and.to.include('cannot be serialized')
      })
    }

    for (const status of [100, 101, 103, 199]) {
      it(`a 1xx statusCode (${status}) is a 500: it cannot end a response`, async () => {
        const answer = await call(suite.served, {
          path: `/faults?kind=status-1xx&status=${status}`,
          headers: JSON_ACCEPT,
        })
        expect(answer.status).to.equal(500)
        expect(JSON.parse(answer.body).error.message).to.include('invalid status')
      })
    }

    it('a header value with CR/LF is a 500 and no header is injected', async () => {
      const answer = await call(suite.served, { path: '/faults?kind=bad-header', headers: JSON_ACCEPT })
      expect(answer.status).to.equal(500)
      expect(answer.headers).to.not.have.property('x-bad')
      expect(answer.headers).to.not.have.property('b')
    })
  })

  describe('the client goes away', () => {
    const PENDING = 25

    it(`${PENDING} handlers pending when their clients disconnect: nothing written after close, no leak`, async () => {
      g.__robustLate = []
      const handlesBefore = tcpHandles()
      const listenersBefore = listenerCounts(suite.served)
      const errorsBefore = errors.length
      const abandonedBefore = watch.state.abandoned
      const sockets = await Promise.all(
        Array.from({ length: PENDING }, (_, i) =>
          openRaw(suite.served, `GET /late?id=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n`),
        ),
      )
      const pending = () => g.__robustLate as ((answer?: unknown) => void)[]
      await waitFor(() => pending().length === PENDING)
      for (const socket of sockets) socket.destroy()
      await waitFor(() => watch.state.abandoned - abandonedBefore === PENDING)
      // The handlers answer late, with a session to write: none of it may reach the closed responses.
      for (const resolve of pending()) resolve()
      await sleep(50)
      expect(watch.state.writtenAfterClose, 'responses written after their client left').to.equal(0)
      expect(errors.length - errorsBefore, 'errors reported for answers nobody can read').to.equal(0)
      await waitFor(() => tcpHandles() <= handlesBefore, 3000)
      const connections = await new Promise<number>((resolve) =>
        suite.served.server.getConnections((_e, count) => resolve(count)),
      )
      expect(connections).to.be.at.most(16) // at most the keep-alive agent's own sockets
      expect(listenerCounts(suite.served), 'listeners on the process and the server').to.deep.equal(listenersBefore)
    })

    it('a late answer that JSON cannot hold is dropped unread: nothing written, nothing thrown', async () => {
      g.__robustLate = []
      const socket = await openRaw(suite.served, 'GET /late HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
      await waitFor(() => (g.__robustLate as unknown[]).length === 1)
      socket.destroy()
      await sleep(20)
      // The answer is dropped before it is serialized: its cycle never matters.
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      ;(g.__robustLate as ((answer?: unknown) => void)[])[0]?.({ json: cyclic })
      await sleep(50)
      expect(watch.state.writtenAfterClose).to.equal(0)
    })

    it('a body cut halfway: the handler is not called, nothing is written, no leak', async () => {
      g.__robustLateBodies = 0
      const handlesBefore = tcpHandles()
      const abandonedBefore = watch.state.abandoned
      const CUTS = 20
      for (let i = 0; i < CUTS; i++) {
        const socket = await openRaw(
          suite.served,
          `POST /late HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"half":"`,
        )
        await sleep(5)
        socket.destroy()
      }
      await waitFor(() => watch.state.abandoned - abandonedBefore === CUTS)
      await sleep(30)
      expect(g.__robustLateBodies, 'handler calls').to.equal(0)
      expect(watch.state.writtenAfterClose).to.equal(0)
      await waitFor(() => tcpHandles() <= handlesBefore, 3000)
      const whole = await call(suite.served, {
        method: 'POST',
        path: '/late',
        headers: { 'content-type': 'application/json', ...JSON_ACCEPT },
        body: '{"whole":true}',
      })
      expect(whole.status).to.equal(200)
      expect(JSON.parse(whole.body)).to.deep.equal({ body: { whole: true } })
    })
  })

  describe('pages that fail', () => {
    it('a page that throws while rendering is a 500 from the 500 page; JSON clients still get the json', async () => {
      const html = await call(suite.served, { path: '/boom-page', headers: HTML_ACCEPT })
      expect(html.status).to.equal(500)
      expect(html.body).to.include('data-error="500"')
      expect(hasStack(html.body)).to.equal(false)
      const json = await call(suite.served, { path: '/boom-page', headers: JSON_ACCEPT })
      expect(json.status).to.equal(200)
      expect(JSON.parse(json.body)).to.deep.equal({ about: 'to throw' })
    })

    for (const mode of ['throws', 'not-a-string'] as const) {
      it(`when the 500 page itself ${mode === 'throws' ? 'throws' : 'returns a non-string'}: the minimal 500 page`, async () => {
        const { app, middleware } = makeApp({ renderer: testRenderer(mode) })
        await middleware.ready
        const other = await listen(app)
        try {
          const html = await call(other, { path: '/boom-page', headers: HTML_ACCEPT })
          expect(html.status).to.equal(500)
          expect(html.headers['content-type']).to.match(/^text\/html/)
          expect(html.body).to.include('<h1>500 Internal Server Error</h1>')
          expect(hasStack(html.body), html.body).to.equal(false)
          const missing = await call(other, { path: '/nowhere', headers: HTML_ACCEPT })
          expect(missing.status).to.equal(404)
          expect(missing.body).to.include('<h1>404 Not Found</h1>')
          expect(hasStack(missing.body), missing.body).to.equal(false)
        } finally {
          await other.close()
        }
      })
    }

    it('an onError hook that throws does not turn the answer into a stack trace', async () => {
      const { app, middleware } = makeApp({
        renderer: testRenderer('throws'),
        onError: () => {
          throw new Error('robust: onError is broken too')
        },
      })
      await middleware.ready
      const other = await listen(app)
      const log = console.error
      console.error = quiet
      try {
        const html = await call(other, { path: '/boom-page', headers: HTML_ACCEPT })
        expect(html.status).to.equal(500)
        expect(html.body).to.include('<h1>500 Internal Server Error</h1>')
        expect(hasStack(html.body), html.body).to.equal(false)
      } finally {
        console.error = log
        await other.close()
      }
    })
  })
})

describe('robustness: a route module with a syntax error', () => {
  let served: Served

  before(async () => {
    const log = console.error
    console.error = quiet
    const { app, middleware } = makeApp({ root: BROKEN_ROOT, renderer: false })
    const failure = await middleware.ready.then(
      () => undefined,
      (error: Error) => error,
    )
    console.error = log
    expect(failure?.message).to.include('broken.mjs')
    served = await listen(app)
  })

  after(() => served?.close())

  it('the broken route answers a negotiated 500 naming the file, many times over; the others keep working', async () => {
    for (let i = 0; i < 20; i++) {
      const json = await call(served, { path: '/broken', headers: JSON_ACCEPT })
      expect(json.status).to.equal(500)
      expect(JSON.parse(json.body).error.message).to.include('broken.mjs')
      expect(hasStack(json.body)).to.equal(false)
      const html = await call(served, { path: '/broken', headers: HTML_ACCEPT })
      expect(html.status).to.equal(500)
      expect(html.body).to.include('broken.mjs')
      const fine = await call(served, { path: '/fine', headers: JSON_ACCEPT })
      expect(fine.status).to.equal(200)
      expect(JSON.parse(fine.body)).to.deep.equal({ fine: true })
    }
  })
})
