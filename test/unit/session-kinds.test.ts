/**
 * Which kind of keeper holds a request's session, and that sessionAccess()
 * reads and writes through that kind: the real cookie-session and
 * express-session middleware run on a real IncomingMessage and
 * ServerResponse, with no server.
 */
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { expect } from 'chai'
import cookieSession from 'cookie-session'
import expressSession from 'express-session'
import { isHttpError } from 'http-errors'
import { sessionAccess, sessionKind } from '../../lib/session/index.js'
import { signedCookie, withEnv } from '../sessions-helpers.js'

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

/** A request for `/` as Node's HTTP server would hand it over, and its response. */
function exchange(cookie?: string): { req: IncomingMessage & { session?: unknown }; res: ServerResponse } {
  const req = new IncomingMessage(new Socket())
  req.method = 'GET'
  req.url = '/'
  if (cookie !== undefined) req.headers.cookie = cookie
  return { req, res: new ServerResponse(req) }
}

/** Runs one middleware on the exchange, as Express would, until it calls next. */
function run(middleware: unknown, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) =>
    (middleware as Middleware)(req, res, (error) => (error ? reject(error) : resolve())),
  )
}

/** The Set-Cookie lines the response would send, once its headers go out. */
function setCookiesOf(res: ServerResponse): string[] {
  res.writeHead(200)
  const value = res.getHeader('Set-Cookie')
  return value === undefined ? [] : ([] as string[]).concat(value as string | string[]).map(String)
}

const ownCookieSession = cookieSession({ name: 'own', keys: ['own-key'] })
const ada = Buffer.from('{"user":"ada"}').toString('base64')

describe('unit: session kinds', () => {
  it('is ours when no session middleware ran', () => {
    expect(sessionKind(exchange().req)).to.equal('ours')
  })

  it('is the app’s cookie-session after cookie-session ran, with or without its cookie, and after it ended', async () => {
    for (const cookie of [undefined, signedCookie('own', ada, 'own-key'), 'own=garbage']) {
      const { req, res } = exchange(cookie)
      await run(ownCookieSession, req, res)
      expect(sessionKind(req), String(cookie)).to.equal('app-cookie')
      req.session = null
      expect(sessionKind(req), `${cookie} ended`).to.equal('app-cookie')
    }
  })

  it('is the store after express-session ran, for a new session and for one loaded from its store', async () => {
    const store = new expressSession.MemoryStore()
    const middleware = expressSession({ secret: 'store-secret', resave: false, saveUninitialized: false, store })
    const first = exchange()
    await run(middleware, first.req, first.res)
    expect(sessionKind(first.req)).to.equal('store')
    // Saved, then sent back: express-session loads it from the store.
    const session = first.req.session as expressSession.Session & { user?: string }
    session.user = 'ada'
    await new Promise<void>((resolve, reject) => session.save((error) => (error ? reject(error) : resolve())))
    const [line] = setCookiesOf(first.res)
    const again = exchange(line?.split(';')[0])
    await run(middleware, again.req, again.res)
    expect((again.req.session as Record<string, unknown>).user).to.equal('ada')
    expect(sessionKind(again.req)).to.equal('store')
  })

  it('is other for any other middleware’s object on req.session', () => {
    const { req } = exchange()
    req.session = { user: 'ada' }
    expect(sessionKind(req)).to.equal('other')
  })
})

describe('unit: sessionAccess() through each kind', () => {
  it('sets nothing up for a request with no cookie and no session middleware', () => {
    const { req, res } = exchange()
    expect(sessionAccess({ keys: ['k'] }).read(req, res)).to.deep.equal({})
    expect(req.session).to.equal(undefined)
  })

  it('runs our cookie-session when the app has none, and writes with our options after reading', async () => {
    const sessions = sessionAccess({ keys: ['k'], name: 'sid' })
    const { req, res } = exchange(signedCookie('sid', ada, 'k'))
    expect(sessions.read(req, res)).to.deep.equal({ user: 'ada' })
    // Our cookie-session now sits on the request like the app's would; the write still goes through ours.
    await sessions.write(req, res, { user: 'bob' }, 'test')
    const lines = setCookiesOf(res)
    expect(lines.find((line) => line.startsWith('sid='))).to.be.a('string')
    expect(lines.find((line) => line.startsWith('own='))).to.equal(undefined)
  })

  it('reads express-session’s data without its cookie, and replaces it in place', async () => {
    const { req, res } = exchange()
    await run(expressSession({ secret: 's', resave: false, saveUninitialized: false }), req, res)
    const session = req.session as Record<string, unknown>
    session.cart = ['tea']
    const sessions = sessionAccess({ keys: ['unused'] })
    expect(sessions.read(req, res)).to.deep.equal({ cart: ['tea'] })
    await sessions.write(req, res, { user: 'ada' }, 'test')
    expect(req.session).to.equal(session)
    expect(Object.keys(session).sort()).to.deep.equal(['cookie', 'user'])
  })

  it('in production without keys, starts; only a request that needs our cookie-session fails, with a 500', async () => {
    await withEnv({ NODE_ENV: 'production', SESSION_SECRET: undefined }, async () => {
      const sessions = sessionAccess(undefined)
      const anonymous = exchange()
      expect(sessions.read(anonymous.req, anonymous.res)).to.deep.equal({})

      const withCookie = exchange(`session=${ada}`)
      let thrown: unknown
      try {
        sessions.read(withCookie.req, withCookie.res)
      } catch (error) {
        thrown = error
      }
      expect(isHttpError(thrown) && thrown.status).to.equal(500)
      expect((thrown as Error).message).to.match(/^express-enhance-routes: sessions need keys in production/)

      const own = exchange(signedCookie('own', ada, 'own-key'))
      await run(ownCookieSession, own.req, own.res)
      expect(sessions.read(own.req, own.res)).to.deep.equal({ user: 'ada' })
    })
  })
})
