/**
 * The package among the middleware that real apps mount in front of it (cors,
 * helmet, compression, morgan, cookie-parser, express-session with a Redis
 * store, express.static, express-rate-limit) and inside an express.Router(),
 * on Express 5 and on Express 4. Every component is the real one; Redis is a
 * redis-server that the suite starts on a free loopback port.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, request as httpRequest, type IncomingHttpHeaders, type RequestListener } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { expect } from 'chai'
import compression from 'compression'
import { RedisStore } from 'connect-redis'
import cookieParser from 'cookie-parser'
import cors from 'cors'
import express from 'express'
import { rateLimit } from 'express-rate-limit'
import expressSession from 'express-session'
import helmet from 'helmet'
import morgan from 'morgan'
import { createClient } from 'redis'
import request from 'supertest'
import type { EnhanceError, EnhanceRoutesMiddleware, EnhanceRoutesOptions, PageRenderer } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'

// Express 4 is the `express4` alias (npm:express@^4); it has no types of its own, and the same surface here.
const express4 = createRequire(import.meta.url)('express4') as typeof express

const root = new URL('./fixtures/coexistence/', import.meta.url)
const staticDir = fileURLToPath(new URL('./fixtures/coexistence/static/', import.meta.url))

const ORIGIN = 'https://app.example'
const JSON_ACCEPT = 'application/json'
const HTML_ACCEPT = 'text/html'

/** The headers helmet sets by default (besides removing X-Powered-By). */
const HELMET_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
]

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The Set-Cookie lines of an answer, always a list. */
function setCookies(headers: IncomingHttpHeaders | Record<string, unknown>): string[] {
  const value = headers['set-cookie']
  return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]
}

/** `name=value` of each Set-Cookie line, for a Cookie header. */
function cookiePairs(lines: string[]): string[] {
  return lines.map((line) => line.split(';')[0] as string)
}

/**
 * The enhanceRoutes() middlewares of one describe block: made over the
 * fixture, awaited before its tests, closed after.
 */
function routesOfSuite() {
  const made: EnhanceRoutesMiddleware[] = []
  const errors: EnhanceError[] = []
  before(() => Promise.all(made.map((routes) => routes.ready)))
  after(() => Promise.all(made.map((routes) => routes.close())))
  return {
    errors,
    make(options: EnhanceRoutesOptions = {}): EnhanceRoutesMiddleware {
      const routes = enhanceRoutes({
        root,
        onError: (error) => {
          errors.push(error)
        },
        ...options,
      })
      made.push(routes)
      return routes
    },
  }
}

/** One GET over a real listening server, the body as the bytes on the wire (no decompression). */
async function rawGet(
  app: RequestListener,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const server = createServer(app)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    const { port } = server.address() as AddressInfo
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false })
    req.end()
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage]
    const chunks: Buffer[] = []
    for await (const chunk of res) chunks.push(chunk as Buffer)
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

/** Waits until `check` holds (things written on `finish`, after the client has its answer). */
async function eventually(check: () => boolean, ms = 1000): Promise<void> {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
}

/** A free loopback port: one the system hands out, released again. */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server'

/**
 * Starts a redis-server of its own on a free loopback port, without
 * persistence. Resolves with its URL and a stop function, or with the reason
 * it could not start.
 */
async function startRedis(): Promise<{ url: string; stop: () => Promise<void> } | { reason: string }> {
  const port = await freePort()
  let child: ChildProcess
  try {
    child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
  } catch (error) {
    return { reason: `could not run ${REDIS_SERVER}: ${(error as Error).message}` }
  }
  let output = ''
  const started = await new Promise<true | string>((resolve) => {
    const timer = setTimeout(() => resolve(`${REDIS_SERVER} did not say it was ready within 5 s:\n${output}`), 5000)
    const done = (result: true | string) => {
      clearTimeout(timer)
      resolve(result)
    }
    child.on('error', (error) => done(`could not run ${REDIS_SERVER}: ${error.message}`))
    child.on('exit', (code) => done(`${REDIS_SERVER} exited with ${code}:\n${output}`))
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) done(true)
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
  })
  if (started !== true) {
    child.kill('SIGKILL')
    return { reason: started }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    },
  }
}

const versions: [string, typeof express][] = [
  ['Express 5', express],
  ['Express 4', express4],
]

for (const [version, expressOf] of versions) {
  describe(`coexistence with the middleware apps use, on ${version}`, () => {
    it(`runs on ${version}`, () => {
      const major = version === 'Express 5' ? '5' : '4'
      const { version: installed } = createRequire(import.meta.url)(
        version === 'Express 5' ? 'express/package.json' : 'express4/package.json',
      ) as { version: string }
      expect(installed.split('.')[0]).to.equal(major)
    })

    describe('1. cors (and helmet, a request id, a cookie) in front', () => {
      const suite = routesOfSuite()
      const app = expressOf()
      app.use((_req, res, next) => {
        res.setHeader('X-Request-Id', randomUUID())
        next()
      })
      app.use(helmet())
      app.use(cors({ origin: ORIGIN, credentials: true, exposedHeaders: ['X-Request-Id'] }))
      app.use((_req, res, next) => {
        res.cookie('seen', 'yes', { httpOnly: true, sameSite: 'lax' })
        next()
      })
      app.get('/plain', (_req, res) => {
        res.send('plain')
      })
      app.use(suite.make({ fallthrough: false, bodyLimit: '1kb', session: false, csrf: { trustedOrigins: [ORIGIN] } }))

      let helmetBaseline: IncomingHttpHeaders = {}
      before(async () => {
        helmetBaseline = (await request(app).get('/plain')).headers
        for (const name of HELMET_HEADERS) expect(helmetBaseline, name).to.have.property(name)
      })
      beforeEach(() => {
        suite.errors.length = 0
      })

      /** The headers of the app's middleware in front, all kept. */
      function expectAppHeaders(headers: IncomingHttpHeaders) {
        expect(headers['access-control-allow-origin']).to.equal(ORIGIN)
        expect(headers['access-control-allow-credentials']).to.equal('true')
        expect(headers['access-control-expose-headers']).to.equal('X-Request-Id')
        expect(headers['x-request-id']).to.match(UUID)
        for (const name of HELMET_HEADERS) expect(headers[name], name).to.equal(helmetBaseline[name])
        expect(headers).not.to.have.property('x-powered-by')
        expect(setCookies(headers).some((line) => line.startsWith('seen=yes;'))).to.equal(true)
        // cors's Vary: Origin stays next to ours.
        expect(String(headers.vary)).to.match(/\bOrigin\b/)
      }

      it('a preflight OPTIONS is answered by cors, with its headers', async () => {
        const res = await request(app)
          .options('/hello')
          .set('Origin', ORIGIN)
          .set('Access-Control-Request-Method', 'PUT')
          .set('Access-Control-Request-Headers', 'content-type')
        expect(res.status).to.equal(204)
        expect(res.headers['access-control-allow-origin']).to.equal(ORIGIN)
        expect(res.headers['access-control-allow-methods']).to.include('PUT')
        expect(res.headers['access-control-allow-headers']).to.equal('content-type')
        expect(res.headers['access-control-allow-credentials']).to.equal('true')
        expect(res.headers['x-request-id']).to.match(UUID)
      })

      it('a GET gets the CORS headers on our JSON', async () => {
        const res = await request(app).get('/hello').set('Origin', ORIGIN).set('Accept', JSON_ACCEPT)
        expect(res.status).to.equal(200)
        expect(res.body).to.deep.equal({ hello: 'world', path: '/hello', query: {} })
        expectAppHeaders(res.headers)
        expect(String(res.headers.vary)).to.match(/\bAccept\b/)
      })

      const errorCases: { name: string; status: number; send: (accept: string) => request.Test }[] = [
        {
          name: 'a 404 (fallthrough: false)',
          status: 404,
          send: (accept) => request(app).get('/nope').set('Accept', accept),
        },
        { name: 'a 405', status: 405, send: (accept) => request(app).put('/hello').set('Accept', accept).send({}) },
        { name: 'a thrown 500', status: 500, send: (accept) => request(app).get('/boom').set('Accept', accept) },
        {
          name: 'a 400 for malformed JSON',
          status: 400,
          send: (accept) =>
            request(app).post('/hello').set('Accept', accept).set('Content-Type', 'application/json').send('{"bad'),
        },
        {
          name: 'a 413 over bodyLimit',
          status: 413,
          send: (accept) =>
            request(app)
              .post('/hello')
              .set('Accept', accept)
              .send({ filler: 'x'.repeat(2048) }),
        },
      ]

      for (const { name, status, send } of errorCases) {
        it(`${name} keeps the CORS, request id, helmet and cookie headers (JSON client)`, async () => {
          const res = await send(JSON_ACCEPT).set('Origin', ORIGIN)
          expect(res.status).to.equal(status)
          expect(res.headers['content-type']).to.match(/^application\/json/)
          expect(res.body.error.status).to.equal(status)
          expectAppHeaders(res.headers)
          if (status === 405) expect(res.headers.allow).to.include('GET')
          if (status === 500) expect(suite.errors.map((error) => error.message).join()).to.include('boom on purpose')
        })

        it(`${name} keeps the CORS, request id, helmet and cookie headers (HTML client)`, async () => {
          const res = await send(HTML_ACCEPT).set('Origin', ORIGIN)
          expect(res.status).to.equal(status)
          expect(res.headers['content-type']).to.match(/^text\/html/)
          expectAppHeaders(res.headers)
        })
      }
    })

    describe('2. helmet in front', () => {
      const suite = routesOfSuite()
      const renderer: PageRenderer = {
        pages: () => ['/hello'],
        render: ({ state }) => `<main><h1>${(state.store as { hello?: string }).hello}</h1></main>`,
      }
      const app = expressOf()
      app.use(helmet())
      app.get('/plain', (_req, res) => {
        res.send('plain')
      })
      app.use(suite.make({ fallthrough: false, session: false, renderer }))

      let baseline: IncomingHttpHeaders = {}
      before(async () => {
        baseline = (await request(app).get('/plain')).headers
      })

      function expectHelmet(headers: IncomingHttpHeaders) {
        for (const name of HELMET_HEADERS) {
          expect(baseline, name).to.have.property(name)
          expect(headers[name], name).to.equal(baseline[name])
        }
        expect(headers).not.to.have.property('x-powered-by')
      }

      it('on our JSON answer', async () => {
        const res = await request(app).get('/hello').set('Accept', JSON_ACCEPT)
        expect(res.status).to.equal(200)
        expect(res.body.hello).to.equal('world')
        expectHelmet(res.headers)
      })

      it('on our rendered page', async () => {
        const res = await request(app).get('/hello').set('Accept', HTML_ACCEPT)
        expect(res.status).to.equal(200)
        expect(res.text).to.include('<h1>world</h1>')
        expectHelmet(res.headers)
      })

      it('on an html answer', async () => {
        const res = await request(app).get('/page').set('Accept', HTML_ACCEPT)
        expect(res.status).to.equal(200)
        expect(res.text).to.include('<main>a page</main>')
        expectHelmet(res.headers)
      })

      for (const accept of [JSON_ACCEPT, HTML_ACCEPT]) {
        it(`on error answers (${accept})`, async () => {
          for (const [status, res] of [
            [404, await request(app).get('/nope').set('Accept', accept)],
            [405, await request(app).delete('/hello').set('Accept', accept)],
            [500, await request(app).get('/boom').set('Accept', accept)],
          ] as const) {
            expect(res.status).to.equal(status)
            expectHelmet(res.headers)
          }
        })
      }
    })

    describe('3. compression in front', () => {
      const suite = routesOfSuite()
      const app = expressOf()
      app.use(compression())
      app.use(suite.make({ session: false }))

      it('gzips a large JSON answer for a client that accepts it; it decompresses to the same JSON', async () => {
        const plain = await rawGet(app, '/big', { Accept: JSON_ACCEPT, 'Accept-Encoding': 'identity' })
        expect(plain.status).to.equal(200)
        expect(plain.headers['content-encoding']).to.equal(undefined)
        const expected = JSON.parse(plain.body.toString('utf8'))
        expect(expected.items).to.have.length(1500)
        expect(plain.body.length).to.be.greaterThan(50_000)

        const zipped = await rawGet(app, '/big', { Accept: JSON_ACCEPT, 'Accept-Encoding': 'gzip, deflate' })
        expect(zipped.status).to.equal(200)
        expect(zipped.headers['content-encoding']).to.equal('gzip')
        expect(zipped.headers['content-type']).to.match(/^application\/json/)
        expect(zipped.headers['content-length']).to.equal(undefined)
        expect(String(zipped.headers.vary)).to.match(/\bAccept\b/)
        expect(String(zipped.headers.vary)).to.match(/\bAccept-Encoding\b/)
        expect(zipped.body.length).to.be.lessThan(plain.body.length / 5)
        expect(JSON.parse(gunzipSync(zipped.body).toString('utf8'))).to.deep.equal(expected)

        // compression 1.8 prefers brotli when the client offers it.
        const brotli = await rawGet(app, '/big', { Accept: JSON_ACCEPT, 'Accept-Encoding': 'gzip, deflate, br' })
        expect(brotli.headers['content-encoding']).to.equal('br')
        expect(JSON.parse(brotliDecompressSync(brotli.body).toString('utf8'))).to.deep.equal(expected)
      })

      it('a small answer and an error answer still arrive whole', async () => {
        const small = await request(app).get('/hello').set('Accept', JSON_ACCEPT).set('Accept-Encoding', 'gzip')
        expect(small.status).to.equal(200)
        expect(small.body.hello).to.equal('world')
        const error = await request(app).put('/hello').set('Accept', JSON_ACCEPT).set('Accept-Encoding', 'gzip')
        expect(error.status).to.equal(405)
        expect(error.body.error.status).to.equal(405)
      })
    })

    describe('4. morgan in front', () => {
      const suite = routesOfSuite()
      const lines: string[] = []
      const app = expressOf()
      app.use(morgan(':method :url :status', { stream: { write: (line: string) => void lines.push(line.trim()) } }))
      app.use(suite.make({ session: false }))
      app.get('/legacy', (_req, res) => {
        res.json({ legacy: true })
      })

      it('logs one line per request, with our status', async () => {
        await request(app).get('/hello').set('Accept', JSON_ACCEPT).expect(200)
        await request(app).post('/hello').send({ a: 1 }).expect(201)
        await request(app).put('/hello').expect(405)
        await request(app).get('/boom').set('Accept', JSON_ACCEPT).expect(500)
        await request(app).post('/hello').set('Content-Type', 'application/json').send('{').expect(400)
        await request(app).get('/legacy').expect(200)
        await request(app).get('/nothing-here').expect(404)
        const expected = [
          'GET /hello 200',
          'POST /hello 201',
          'PUT /hello 405',
          'GET /boom 500',
          'POST /hello 400',
          'GET /legacy 200',
          'GET /nothing-here 404',
        ]
        await eventually(() => lines.length >= expected.length)
        expect(lines).to.deep.equal(expected)
      })
    })

    describe('5. cookie-parser in front', () => {
      const suite = routesOfSuite()
      const app = expressOf()
      app.use(cookieParser('parser-secret'))
      app.use(suite.make({ session: { keys: ['coexistence-key'] } }))

      it('request.expressReq.cookies is there, and our session still works', async () => {
        const login = await request(app).post('/login').send({ user: 'ada' })
        expect(login.status).to.equal(200)
        const session = cookiePairs(setCookies(login.headers))
        expect(session.map((pair) => pair.split('=')[0])).to.include('session')

        const cookie = ['theme=dark', ...session].join('; ')
        const res = await request(app).get('/cookies').set('Accept', JSON_ACCEPT).set('Cookie', cookie)
        expect(res.status).to.equal(200)
        expect(res.body.session).to.deep.equal({ user: 'ada' })
        expect(res.body.cookies.theme).to.equal('dark')
        for (const pair of session) {
          const name = pair.slice(0, pair.indexOf('='))
          const value = pair.slice(pair.indexOf('=') + 1)
          expect(res.body.cookies[name]).to.equal(decodeURIComponent(value))
        }
        expect(res.body.signedCookies).to.deep.equal({})

        const me = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', cookie)
        expect(me.body.user).to.equal('ada')
        const out = await request(app).post('/logout').set('Cookie', cookie)
        expect(out.status).to.equal(200)
        const after = cookiePairs(setCookies(out.headers))
        const afterMe = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', after.join('; '))
        expect(afterMe.body.user).to.equal(null)
      })
    })

    describe('6. express-session with a Redis store (connect-redis)', function () {
      this.timeout(20000)
      const suite = routesOfSuite()
      const prefix = `coexistence:${version.replace(' ', '')}:`
      let redis: { url: string; stop: () => Promise<void> } | undefined
      let client: ReturnType<typeof createClient> | undefined
      let app: express.Express | undefined
      const routes = suite.make()

      before(async function () {
        const started = await startRedis()
        if ('reason' in started) {
          if (process.env.E2E_REQUIRED === '1') {
            throw new Error(`redis-server is needed (apt-get install -y redis-server): ${started.reason}`)
          }
          console.warn(`    (skipped: ${started.reason.split('\n')[0]}; apt-get install -y redis-server)`)
          this.skip()
        }
        redis = started
        client = createClient({ url: started.url })
        client.on('error', () => {})
        await client.connect()
        const store = new RedisStore({ client, prefix })
        app = expressOf()
        app.use(
          expressSession({
            store,
            secret: 'redis-secret',
            resave: false,
            saveUninitialized: false,
            cookie: { httpOnly: true, sameSite: 'lax' },
          }),
        )
        app.use(routes)
      })

      after(async () => {
        await client?.close()
        await redis?.stop()
      })

      it('logs in, reads the session back, logs out, and the session is gone from Redis', async () => {
        if (app === undefined || client === undefined) throw new Error('no app')
        const agent = request.agent(app)
        const login = await agent.post('/login').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
        expect(login.status).to.equal(200)
        expect(login.body).to.deep.equal({ user: 'ada' })
        const sidLine = setCookies(login.headers).find((line) => line.startsWith('connect.sid='))
        expect(sidLine, 'connect.sid cookie').to.be.a('string')
        const signed = decodeURIComponent((sidLine as string).split(';')[0]?.slice('connect.sid='.length) ?? '')
        const sid = signed.slice(2, signed.lastIndexOf('.'))
        expect(signed.startsWith('s:')).to.equal(true)

        const stored = await client.get(`${prefix}${sid}`)
        expect(stored, 'the session in Redis').to.be.a('string')
        expect(JSON.parse(stored as string).user).to.equal('ada')

        const me = await agent.get('/me').set('Accept', JSON_ACCEPT)
        expect(me.status).to.equal(200)
        expect(me.body.user).to.equal('ada')
        expect(me.body.session).to.deep.equal({ user: 'ada' })

        const out = await agent.post('/logout').set('Accept', JSON_ACCEPT)
        expect(out.status).to.equal(200)
        expect(out.body).to.deep.equal({ out: true })
        const cleared = setCookies(out.headers).find((line) => line.startsWith('connect.sid='))
        expect(cleared, 'connect.sid cleared').to.match(/Expires=Thu, 01 Jan 1970/i)

        expect(await client.get(`${prefix}${sid}`)).to.equal(null)
        expect(await client.keys(`${prefix}*`)).to.deep.equal([])

        const again = await agent.get('/me').set('Accept', JSON_ACCEPT)
        expect(again.body.user).to.equal(null)
        expect(await client.keys(`${prefix}*`)).to.deep.equal([])
      })
    })

    describe('7. express.static in front, at /static and at /', () => {
      const suite = routesOfSuite()
      const app = expressOf()
      app.use('/static', expressOf.static(staticDir))
      app.use(expressOf.static(staticDir))
      app.use(suite.make({ session: false }))

      it('serves the static files', async () => {
        const mounted = await request(app).get('/static/robots.txt')
        expect(mounted.status).to.equal(200)
        expect(mounted.text).to.equal('User-agent: *\nDisallow:\n')
        const css = await request(app).get('/static/css/site.css')
        expect(css.status).to.equal(200)
        expect(css.headers['content-type']).to.match(/^text\/css/)
        const atRoot = await request(app).get('/robots.txt')
        expect(atRoot.status).to.equal(200)
        expect(atRoot.text).to.equal('User-agent: *\nDisallow:\n')
      })

      it('our routes still answer', async () => {
        const get = await request(app).get('/hello').set('Accept', JSON_ACCEPT)
        expect(get.status).to.equal(200)
        expect(get.body).to.deep.equal({ hello: 'world', path: '/hello', query: {} })
        const post = await request(app).post('/hello').send({ a: 1 })
        expect(post.status).to.equal(201)
        expect(post.body).to.deep.equal({ got: { a: 1 } })
        const param = await request(app).get('/items/42').set('Accept', JSON_ACCEPT)
        expect(param.body).to.deep.equal({ id: '42', path: '/items/42' })
        const missing = await request(app).get('/static/hello').set('Accept', JSON_ACCEPT)
        expect(missing.status).to.equal(404)
      })
    })

    describe('8. express-rate-limit in front', () => {
      const suite = routesOfSuite()
      const app = expressOf()
      app.use(
        rateLimit({
          windowMs: 60_000,
          limit: 3,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          message: { error: 'slow down' },
        }),
      )
      app.use(suite.make({ session: false }))

      it('under the limit our answers carry its RateLimit headers; after it, its 429 comes first', async () => {
        const first = await request(app).get('/hello').set('Accept', JSON_ACCEPT)
        expect(first.status).to.equal(200)
        expect(first.body.hello).to.equal('world')
        expect(first.headers['ratelimit-policy']).to.match(/q=3/)
        expect(first.headers.ratelimit).to.match(/r=2/)

        const second = await request(app).put('/hello').set('Accept', JSON_ACCEPT)
        expect(second.status).to.equal(405)
        expect(second.headers['ratelimit-policy']).to.match(/q=3/)
        expect(second.headers.ratelimit).to.match(/r=1/)

        const third = await request(app).get('/boom').set('Accept', JSON_ACCEPT)
        expect(third.status).to.equal(500)
        expect(third.headers['ratelimit-policy']).to.match(/q=3/)
        expect(third.headers.ratelimit).to.match(/r=0/)

        const errorsBefore = suite.errors.length
        const limited = await request(app).get('/boom').set('Accept', JSON_ACCEPT)
        expect(limited.status).to.equal(429)
        expect(limited.body).to.deep.equal({ error: 'slow down' })
        expect(limited.headers['retry-after']).to.match(/^\d+$/)
        // Not our answer: the handler did not run (no error reported), and no Vary: Accept of ours.
        expect(suite.errors.length).to.equal(errorsBefore)
        expect(String(limited.headers.vary ?? '')).not.to.match(/\bAccept\b/)
      })
    })

    describe('9. mounted inside an express.Router()', () => {
      const suite = routesOfSuite()
      const app = expressOf()
      const router = expressOf.Router()
      router.use(suite.make({ session: false }))
      router.get('/legacy', (_req, res) => {
        res.json({ legacy: 'router' })
      })
      router.use((req, res) => {
        res.status(404).json({ router: 'end', url: req.originalUrl })
      })
      app.use('/v2', router)
      app.use((req, res) => {
        res.status(404).json({ app: 'end', url: req.originalUrl })
      })

      it('routes match the mount-relative path; request.path keeps the prefix', async () => {
        const hello = await request(app).get('/v2/hello?x=1').set('Accept', JSON_ACCEPT)
        expect(hello.status).to.equal(200)
        expect(hello.body).to.deep.equal({ hello: 'world', path: '/v2/hello', query: { x: '1' } })
        const item = await request(app).get('/v2/items/7').set('Accept', JSON_ACCEPT)
        expect(item.status).to.equal(200)
        expect(item.body).to.deep.equal({ id: '7', path: '/v2/items/7' })
        const post = await request(app).post('/v2/hello').send({ b: 2 })
        expect(post.status).to.equal(201)
        expect(post.body).to.deep.equal({ got: { b: 2 } })
      })

      it('unmatched requests fall through to the router’s next handler', async () => {
        const legacy = await request(app).get('/v2/legacy').set('Accept', JSON_ACCEPT)
        expect(legacy.status).to.equal(200)
        expect(legacy.body).to.deep.equal({ legacy: 'router' })
        const nothing = await request(app).get('/v2/nothing').set('Accept', JSON_ACCEPT)
        expect(nothing.status).to.equal(404)
        expect(nothing.body).to.deep.equal({ router: 'end', url: '/v2/nothing' })
        // Outside the mount, the router (and we) are not asked at all.
        const outside = await request(app).get('/hello').set('Accept', JSON_ACCEPT)
        expect(outside.status).to.equal(404)
        expect(outside.body).to.deep.equal({ app: 'end', url: '/hello' })
      })
    })
  })
}
