// Behaviours the hot-path optimizations touch (issue 5): sync and async chains,
// failures on either path, and the Vary header next to an app's own.
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/hot-path/', import.meta.url)
const JSON_ACCEPT = 'application/json'

function makeApp(before?: (app: express.Express) => void) {
  const app = express()
  if (before) before(app)
  const mw = enhanceRoutes({ root, session: false, onError: () => {} })
  app.use(mw)
  return { app, mw }
}

describe('hot path (issue 5)', () => {
  const { app, mw } = makeApp()
  before(async () => {
    await mw.ready
  })

  describe('sync and async handlers', () => {
    it('a chain that goes sync, async, sync shares one request object', async () => {
      const res = await request(app).get('/mixed').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ trail: ['sync', 'async', 'sync'] })
    })

    it('a sync chain with no response answers {}', async () => {
      const res = await request(app).post('/mixed').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({})
    })

    it('a handler that returns a thenable is awaited', async () => {
      const res = await request(app).get('/fails?kind=thenable').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ thenable: true })
    })

    for (const [kind, status, text] of [
      ['sync-throw', 500, 'sync kaboom'],
      ['async-throw', 500, 'async kaboom'],
      ['sync-http', 404, 'no such thing'],
      ['async-http', 409, 'taken'],
      ['late-bad', 500, 'not a response object'],
    ] as const) {
      it(`${kind}: answers ${status} with the error`, async () => {
        const res = await request(app).get(`/fails?kind=${kind}`).set('Accept', JSON_ACCEPT)
        expect(res.status).to.equal(status)
        expect(res.body.error.status).to.equal(status)
        expect(res.body.error.message).to.include(text)
        if (status === 500) expect(res.body.error.message).to.include('fails.mjs')
      })
    }

    it('HEAD of a sync handler sends headers and no body', async () => {
      const res = await request(app).head('/plain').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.headers['content-length']).to.equal(String(Buffer.byteLength('{"ok":true}')))
      expect(res.text ?? '').to.equal('')
    })
  })

  describe('the synchronous path', () => {
    /** Whether the answer was written before the app returned from the request event. */
    async function endedInTurn(path: string): Promise<boolean> {
      let ended: boolean | undefined
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        app(req, res)
        ended ??= res.writableEnded
      })
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      try {
        const { port } = server.address() as AddressInfo
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { accept: JSON_ACCEPT } })
        expect(res.status).to.equal(200)
        await res.arrayBuffer()
      } finally {
        server.close()
      }
      return ended as boolean
    }

    it('a chain of sync handlers answers before the request event returns', async () => {
      expect(await endedInTurn('/plain')).to.equal(true)
    })

    it('a chain with an async handler answers later, and still answers', async () => {
      expect(await endedInTurn('/mixed')).to.equal(false)
    })
  })

  describe('Content-Length', () => {
    const bodyBytes = Buffer.byteLength(JSON.stringify({ name: 'café ☕' }))

    it('is the byte length of a non-ASCII JSON body', async () => {
      const res = await request(app).get('/length').set('Accept', JSON_ACCEPT)
      expect(res.headers['content-length']).to.equal(String(bodyBytes))
      expect(res.body).to.deep.equal({ name: 'café ☕' })
    })

    it("replaces a wrong length in the handler's own headers", async () => {
      const res = await request(app).get('/length?wrong').set('Accept', JSON_ACCEPT)
      expect(res.headers['content-length']).to.equal(String(bodyBytes))
      expect(res.body).to.deep.equal({ name: 'café ☕' })
    })

    it('HEAD carries the length the GET body would have', async () => {
      const res = await request(app).head('/length').set('Accept', JSON_ACCEPT)
      expect(res.headers['content-length']).to.equal(String(bodyBytes))
    })
  })

  describe('Vary', () => {
    it('is exactly "Accept" when the app set none', async () => {
      const res = await request(app).get('/plain').set('Accept', JSON_ACCEPT)
      expect(res.headers.vary).to.equal('Accept')
    })

    it("keeps the app's own Vary and adds Accept once", async () => {
      const { app: varied, mw: varyMw } = makeApp((a) =>
        a.use((_req, res, next) => {
          res.setHeader('Vary', 'Origin')
          next()
        }),
      )
      await varyMw.ready
      const res = await request(varied).get('/plain').set('Accept', JSON_ACCEPT)
      expect(res.headers.vary).to.equal('Origin, Accept')
    })

    it('does not repeat an Accept the app already varies on', async () => {
      const { app: varied, mw: varyMw } = makeApp((a) =>
        a.use((_req, res, next) => {
          res.setHeader('Vary', 'accept, Origin')
          next()
        }),
      )
      await varyMw.ready
      const res = await request(varied).get('/plain').set('Accept', JSON_ACCEPT)
      expect(res.headers.vary).to.equal('accept, Origin')
    })

    it('error answers carry Vary: Accept too', async () => {
      const res = await request(app).get('/fails?kind=sync-http').set('Accept', JSON_ACCEPT)
      expect(res.headers.vary).to.equal('Accept')
    })
  })
})
