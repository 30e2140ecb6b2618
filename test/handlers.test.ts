import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/handlers/', import.meta.url)
const JSON_ACCEPT = 'application/json'
const quiet = () => {}
const g = globalThis as unknown as Record<string, unknown>
const empty = (): Record<string, unknown> => ({})
type HttpErr = Error & { status?: number }

function makeApp(extra: Record<string, unknown> = {}, before?: (app: express.Express) => void) {
  const app = express()
  if (before) before(app)
  const mw = enhanceRoutes({ root, session: false, onError: quiet, ...extra })
  app.use(mw)
  return { app, mw }
}

describe('handlers (SPEC 3-7)', () => {
  const { app, mw } = makeApp()
  const mounted = express()
  mounted.use('/v2', enhanceRoutes({ root, session: false, onError: quiet }))

  before(async () => {
    await mw.ready
  })

  describe('methods', () => {
    for (const [verb, handler] of [
      ['get', 'get'],
      ['post', 'post'],
      ['put', 'put'],
      ['patch', 'patch'],
      ['delete', 'destroy'],
    ] as const) {
      it(`${verb.toUpperCase()} runs the ${handler} export`, async () => {
        const res = await request(app)[verb]('/methods').set('Accept', JSON_ACCEPT)
        expect(res.status).to.equal(200)
        expect(res.body).to.deep.equal({ handler, method: verb.toUpperCase() })
      })
    }

    it('accepts `export { x as delete }` for DELETE', async () => {
      const res = await request(app).delete('/alias').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ handler: 'delete-alias', method: 'DELETE' })
    })

    it('rejects ready when a module exports both destroy and delete', async () => {
      const bad = enhanceRoutes({ root: new URL('./fixtures/handlers-conflict/', import.meta.url), session: false })
      const origError = console.error
      console.error = () => {}
      try {
        let caught: unknown
        await bad.ready.catch((error) => {
          caught = error
        })
        expect(caught).to.be.instanceOf(Error)
        expect((caught as Error).message).to.include('both.mjs')
        expect((caught as Error).message).to.match(/destroy/)
        expect((caught as Error).message).to.match(/delete/)
      } finally {
        console.error = origError
      }
    })

    it('runs async handlers', async () => {
      const res = await request(app).get('/async').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ kind: 'async' })
    })

    it('runs sync handlers', async () => {
      const res = await request(app).post('/async').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ kind: 'sync' })
    })

    it('HEAD runs get and sends no body', async () => {
      const res = await request(app).head('/methods').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.headers['content-type']).to.match(/application\/json/)
      expect(res.text ?? '').to.equal('')
    })

    it('OPTIONS answers 204 with Allow', async () => {
      const res = await request(app).options('/methods')
      expect(res.status).to.equal(204)
      const allow = (res.headers.allow as string).split(/,\s*/)
      expect(allow).to.include.members(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
    })

    it('answers 405 with Allow for a method the module does not export', async () => {
      const res = await request(app).post('/only-get').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(405)
      const allow = (res.headers.allow as string).split(/,\s*/)
      expect(allow).to.include.members(['GET', 'HEAD', 'OPTIONS'])
      expect(allow).to.not.include('POST')
      expect(res.body.error.status).to.equal(405)
    })
  })

  describe('chains', () => {
    it('shares the request object; the first response ends the chain', async () => {
      delete g.__handlersNeverCalled
      const res = await request(app).get('/chain').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ user: { name: 'ada' } })
      expect(g.__handlersNeverCalled).to.equal(undefined)
    })

    it('a chain with no response answers {}', async () => {
      const res = await request(app).post('/chain').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({})
    })
  })

  describe('the request object', () => {
    it('has the documented keys, upper-case method, {} params/query/session/body when none', async () => {
      const res = await request(app).get('/echo').set('Accept', JSON_ACCEPT).set('X-Mixed-Case', 'v')
      expect(res.status).to.equal(200)
      // pathParameters is Architect's name for params (SPEC section 4), which Enhance apps use.
      expect(res.body.keys).to.deep.equal([
        'body',
        'headers',
        'method',
        'params',
        'path',
        'pathParameters',
        'query',
        'session',
      ])
      expect(res.body.method).to.equal('GET')
      expect(res.body.params).to.deep.equal({})
      expect(res.body.query).to.deep.equal({})
      expect(res.body.session).to.deep.equal({})
      expect(res.body.body).to.deep.equal({})
      expect(res.body.headers['x-mixed-case']).to.equal('v')
      for (const name of Object.keys(res.body.headers)) expect(name).to.equal(name.toLowerCase())
      expect(res.body.hasExpressReq).to.equal(true)
    })

    it('has URL params', async () => {
      const res = await request(app).get('/items/42').set('Accept', JSON_ACCEPT)
      expect(res.body).to.deep.equal({ params: { id: '42' } })
    })

    it('path has no query string; query turns a repeated key into an array', async () => {
      const res = await request(app).get('/echo?a=1&a=2&b=x').set('Accept', JSON_ACCEPT)
      expect(res.body.path).to.equal('/echo')
      expect(res.body.query).to.deep.equal({ a: ['1', '2'], b: 'x' })
    })

    it('path includes the mount prefix', async () => {
      const res = await request(mounted).get('/v2/echo?z=1').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body.path).to.equal('/v2/echo')
      expect(res.body.query).to.deep.equal({ z: '1' })
    })

    it('method is upper case for DELETE', async () => {
      const res = await request(app).delete('/echo').set('Accept', JSON_ACCEPT)
      expect(res.body.method).to.equal('DELETE')
    })
  })

  describe('bodies', () => {
    it('parses a JSON body', async () => {
      const res = await request(app)
        .post('/echo')
        .set('Accept', JSON_ACCEPT)
        .send({ a: 1, nested: { b: [1, 2] } })
      expect(res.status).to.equal(200)
      expect(res.body.body).to.deep.equal({ a: 1, nested: { b: [1, 2] } })
      expect(res.body.method).to.equal('POST')
    })

    it('parses a urlencoded body; a repeated field becomes an array', async () => {
      const res = await request(app).put('/echo').set('Accept', JSON_ACCEPT).type('form').send('a=1&a=2&b=x')
      expect(res.status).to.equal(200)
      expect(res.body.body).to.deep.equal({ a: ['1', '2'], b: 'x' })
    })

    it('body is {} when there is none', async () => {
      const res = await request(app).patch('/echo').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body.body).to.deep.equal({})
      expect(res.body.method).to.equal('PATCH')
    })

    it('uses a body already parsed upstream as it is', async () => {
      const { app: upstream } = makeApp({}, (a) => {
        a.use(express.json())
        a.use((req, _res, next) => {
          if (req.body && typeof req.body === 'object') req.body.marker = 'upstream'
          next()
        })
      })
      const res = await request(upstream).post('/echo').set('Accept', JSON_ACCEPT).send({ a: 1 })
      expect(res.status).to.equal(200)
      expect(res.body.body).to.deep.equal({ a: 1, marker: 'upstream' })
    })

    it('invalid JSON is a 400 with a JSON error and the handler is not called', async () => {
      g.__handlersCalls = 0
      const res = await request(app)
        .post('/counted')
        .set('Accept', JSON_ACCEPT)
        .set('Content-Type', 'application/json')
        .send('{"a":')
      expect(res.status).to.equal(400)
      expect(res.headers['content-type']).to.match(/application\/json/)
      expect(res.body.error.status).to.equal(400)
      expect(res.body.error.message).to.be.a('string')
      expect(g.__handlersCalls).to.equal(0)
    })

    it('a body over bodyLimit is a 413 and the handler is not called', async () => {
      g.__handlersCalls = 0
      const { app: small } = makeApp({ bodyLimit: '1kb' })
      const ok = await request(small)
        .post('/counted')
        .set('Accept', JSON_ACCEPT)
        .send({ s: 'x'.repeat(100) })
      expect(ok.status).to.equal(200)
      const res = await request(small)
        .post('/counted')
        .set('Accept', JSON_ACCEPT)
        .send({ s: 'x'.repeat(5000) })
      expect(res.status).to.equal(413)
      expect(res.body.error.status).to.equal(413)
      expect(g.__handlersCalls).to.equal(1)
    })

    it('prototype-polluting JSON keys and query keys pollute nothing', async () => {
      const res = await request(app)
        .post('/echo?__proto__[x]=1&__proto__=y&ok=1')
        .set('Accept', JSON_ACCEPT)
        .set('Content-Type', 'application/json')
        .send('{"__proto__":{"polluted":1},"constructor":{"prototype":{"p":1}},"safe":2}')
      expect(res.status).to.equal(200)
      expect(empty().polluted).to.equal(undefined)
      expect(empty().p).to.equal(undefined)
      expect(empty().x).to.equal(undefined)
      expect(res.body.polluted).to.equal(undefined)
      expect(res.body.p).to.equal(undefined)
      expect(res.body.bodyProtoKey).to.equal(false)
      expect(res.body.bodyCtorKey).to.equal(false)
      expect(res.body.body).to.deep.equal({ safe: 2 })
      expect(res.body.queryProtoKey).to.equal(false)
      expect(res.body.query.ok).to.equal('1')
    })
  })

  describe('the response object', () => {
    it('statusCode wins over code over status', async () => {
      const all = await request(app).get('/status?case=all').set('Accept', JSON_ACCEPT)
      expect(all.status).to.equal(201)
      const code = await request(app).get('/status?case=code').set('Accept', JSON_ACCEPT)
      expect(code.status).to.equal(202)
      const status = await request(app).get('/status?case=status').set('Accept', JSON_ACCEPT)
      expect(status.status).to.equal(203)
      expect(status.body).to.deep.equal({ ok: 1 })
    })

    it('cacheControl sets Cache-Control and wins over headers', async () => {
      const res = await request(app).get('/status?case=cache').set('Accept', JSON_ACCEPT)
      expect(res.headers['cache-control']).to.equal('max-age=60')
      expect(res.headers['x-extra']).to.equal('yes')
    })

    it('sets headers', async () => {
      const res = await request(app).get('/status').set('Accept', JSON_ACCEPT)
      expect(res.headers['x-custom']).to.equal('custom-value')
    })

    it('JSON responses carry nosniff and Vary: Accept', async () => {
      const res = await request(app).get('/methods').set('Accept', JSON_ACCEPT)
      expect(res.headers['content-type']).to.match(/^application\/json/)
      expect(res.headers['x-content-type-options']).to.equal('nosniff')
      expect(res.headers.vary).to.match(/\bAccept\b/)
    })

    it('a JSON client with location gets the JSON, a Location header and 200', async () => {
      const res = await request(app).post('/redirect').set('Accept', JSON_ACCEPT).send({ a: 1 })
      expect(res.status).to.equal(200)
      expect(res.headers.location).to.equal('/done')
      expect(res.body).to.deep.equal({ saved: { a: 1 } })
    })

    it('an HTML form POST with location is a 303', async () => {
      const res = await request(app).post('/redirect').set('Accept', 'text/html').type('form').send('a=1')
      expect(res.status).to.equal(303)
      expect(res.headers.location).to.equal('/done')
    })

    it('a GET with location is a 302', async () => {
      const res = await request(app).get('/redirect').set('Accept', 'text/html')
      expect(res.status).to.equal(302)
      expect(res.headers.location).to.equal('/there')
    })

    it('statusCode 307 on a redirect is respected', async () => {
      const res = await request(app).get('/redirect?temp=1').set('Accept', 'text/html')
      expect(res.status).to.equal(307)
      expect(res.headers.location).to.equal('/temporary')
    })
  })

  describe('errors', () => {
    for (const kind of ['string', 'number', 'array']) {
      it(`a handler returning a ${kind} is a 500 naming the file and method`, async () => {
        const res = await request(app).get(`/bad?kind=${kind}`).set('Accept', JSON_ACCEPT)
        expect(res.status).to.equal(500)
        expect(res.body.error.status).to.equal(500)
        expect(res.body.error.message).to.include('bad.mjs')
        expect(res.body.error.message).to.match(/\bget\b/)
      })
    }

    for (const [verb, exported] of [
      ['post', 'post'],
      ['put', 'put'],
      ['patch', 'patch'],
      ['delete', 'destroy'],
    ] as const) {
      it(`a ${exported} handler that throws is a 500 naming the file and "${exported}"`, async () => {
        const res = await request(app)[verb]('/bad').set('Accept', JSON_ACCEPT).send({})
        expect(res.status).to.equal(500)
        expect(res.body.error.message).to.match(
          new RegExp(`handlers/api/bad\\.mjs ${exported} threw: kaboom in ${verb.toUpperCase()}$`),
        )
      })
    }

    it('a location that is not a string is a 500', async () => {
      const res = await request(app).get('/bad?kind=location').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(500)
      expect(res.body.error.message).to.include('bad.mjs')
    })

    it('a handler that throws is a 500 naming the file, with no stack', async () => {
      const res = await request(app).get('/bad?kind=throw').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(500)
      expect(res.body.error.message).to.include('bad.mjs')
      expect(res.body.error.message).to.include('kaboom in handler')
      expect(res.text).to.not.match(/\n\s+at /)
      expect(res.text).to.not.include('.mjs:')
      expect(res.body.error.stack).to.equal(undefined)
    })

    it('in production a 5xx message is the reason phrase', async () => {
      const saved = process.env.NODE_ENV
      process.env.NODE_ENV = 'production'
      try {
        const res = await request(app).get('/bad?kind=throw').set('Accept', JSON_ACCEPT)
        expect(res.status).to.equal(500)
        expect(res.body).to.deep.equal({ error: { status: 500, message: 'Internal Server Error' } })
      } finally {
        if (saved === undefined) delete process.env.NODE_ENV
        else process.env.NODE_ENV = saved
      }
    })

    it("errors: 'next' hands the error to Express with err.status set", async () => {
      const seen: HttpErr[] = []
      const { app: nextApp } = makeApp({ errors: 'next' })
      nextApp.use((err: HttpErr, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen.push(err)
        res.status(599).json({ caught: err.status })
      })
      const res = await request(nextApp).get('/bad?kind=throw').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(599)
      expect(res.body).to.deep.equal({ caught: 500 })
      expect(seen).to.have.length(1)
      expect(seen[0]?.status).to.equal(500)
      const notAllowed = await request(nextApp).post('/only-get').set('Accept', JSON_ACCEPT)
      expect(notAllowed.body).to.deep.equal({ caught: 405 })
    })

    it("errors: 'next' hands over the error the handler threw: its class, message and properties, with status, expose and the handler", async () => {
      const seen: unknown[] = []
      const nextApp = express()
      nextApp.use(
        enhanceRoutes({
          root: new URL('./fixtures/handlers/', import.meta.url),
          session: false,
          errors: 'next',
          onError: () => {},
        }),
      )
      nextApp.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen.push(err)
        res.status(599).end()
      })
      await request(nextApp).get('/bad?kind=custom').set('Accept', JSON_ACCEPT)
      const error = seen[0] as Error & { status?: number; expose?: boolean; route?: unknown; code?: string }
      expect(error.constructor.name).to.equal('StoreDown')
      expect(error.code).to.equal('STORE_DOWN')
      expect(error.message).to.equal('the store is down')
      expect(error.status).to.equal(500)
      expect(error.expose).to.equal(false)
      expect(error.route).to.deep.equal({ file: 'test/fixtures/handlers/api/bad.mjs', method: 'get', pattern: '/bad' })
      // A 405 of ours is an http-errors error as before.
      await request(nextApp).post('/only-get').set('Accept', JSON_ACCEPT)
      expect((seen[1] as { status?: number }).status).to.equal(405)
    })

    it('onError is called with (error, request)', async () => {
      const calls: [HttpErr, { method: string; path: string; query: unknown }][] = []
      const { app: hooked } = makeApp({
        onError: (error: HttpErr, req: { method: string; path: string; query: unknown }) => {
          calls.push([error, req])
        },
      })
      const res = await request(hooked).get('/bad?kind=throw').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(500)
      expect(calls).to.have.length(1)
      const [error, req] = calls[0] ?? []
      if (!error || !req) throw new Error('onError was not called')
      expect(error).to.be.instanceOf(Error)
      expect(error.status).to.equal(500)
      expect(error.message).to.include('kaboom in handler')
      expect(req.method).to.equal('GET')
      expect(req.path).to.equal('/bad')
      expect(req.query).to.deep.equal({ kind: 'throw' })
    })
  })
})
