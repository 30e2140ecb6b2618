/**
 * The keys of our cookie-session: `session.keys`, `session.secret` or
 * SESSION_SECRET; rotation to a newer key; and, without any, a random key
 * with a warning (an error in production), decided only when a request needs
 * our cookie-session: an app with its own session middleware is never asked.
 */
import { expect } from 'chai'
import cookieSession from 'cookie-session'
import type express from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'
import {
  appWith,
  captureWarnings,
  cookieHeader,
  cookieLine,
  errorsPerTest,
  JSON_ACCEPT,
  root,
  setCookies,
  withEnv,
} from './sessions-helpers.js'

const NO_KEYS = { NODE_ENV: 'production', SESSION_SECRET: undefined }

describe('sessions: keys', () => {
  it('signs with session.keys: another key does not read the cookie', async () => {
    const login = await request(appWith({ keys: ['key-one'] }))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    const same = await request(appWith({ keys: ['key-one'] }))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', cookieHeader(login))
    expect(same.body).to.deep.equal({ session: { user: 'ada' } })
    const other = await request(appWith({ keys: ['key-two'] }))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', cookieHeader(login))
    expect(other.body).to.deep.equal({ session: {} })
  })

  it('takes the key from SESSION_SECRET when session.keys is not given', async () => {
    const cookie = await withEnv({ SESSION_SECRET: 'secret-from-env' }, async () =>
      cookieHeader(await request(appWith(undefined)).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })),
    )
    const read = await request(appWith({ keys: ['secret-from-env'] }))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', cookie)
    expect(read.body).to.deep.equal({ session: { user: 'ada' } })
  })

  it('takes the key from session.secret', async () => {
    const login = await request(appWith({ secret: 'one-secret' }))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    const read = await request(appWith({ keys: ['one-secret'] }))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', cookieHeader(login))
    expect(read.body).to.deep.equal({ session: { user: 'ada' } })
  })

  it('with signed: false needs no key even in production, and sends no signature', async () => {
    await withEnv(NO_KEYS, async () => {
      const app = appWith({ signed: false })
      const login = await request(app).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
      expect(login.status).to.equal(200)
      expect(cookieLine(login, 'session.sig')).to.equal(undefined)
      // Unsigned: whoever writes the cookie writes the session.
      const forged = Buffer.from('{"user":"eve"}').toString('base64')
      const read = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', `session=${forged}`)
      expect(read.body).to.deep.equal({ session: { user: 'eve' } })
    })
  })

  it('rotates keys: a cookie signed with an older key is read, and re-signed with the newest', async () => {
    const old = await request(appWith({ keys: ['old-key'] }))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    const oldCookie = cookieHeader(old)

    const rotated = await request(appWith({ keys: ['new-key', 'old-key'], maxAge: 60_000 }))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', oldCookie)
    expect(rotated.body).to.deep.equal({ session: { user: 'ada' } })
    // Both cookies go out again with every attribute, so the new signature lives as long as the session.
    expect(setCookies(rotated)).to.have.length(2)
    for (const name of ['session', 'session.sig']) {
      const line = cookieLine(rotated, name) ?? ''
      expect(line, name).to.include('; samesite=lax').and.include('; httponly').and.include('; expires=')
    }
    const newCookie = cookieHeader(rotated)

    const newOnly = appWith({ keys: ['new-key'] })
    const read = await request(newOnly).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', newCookie)
    expect(read.body).to.deep.equal({ session: { user: 'ada' } })
    const stale = await request(newOnly).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', oldCookie)
    expect(stale.body).to.deep.equal({ session: {} })
  })

  it('does not re-send the cookie when the newest key signed it', async () => {
    const app = appWith({ keys: ['new-key', 'old-key'] })
    const login = await request(app).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    const res = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', cookieHeader(login))
    expect(res.body).to.deep.equal({ session: { user: 'ada' } })
    expect(setCookies(res)).to.deep.equal([])
  })

  it('rejects malformed key options at start-up, whatever session middleware the app has', () => {
    expect(() => enhanceRoutes({ root, session: { keys: [] } })).to.throw(TypeError, /session.keys/)
    expect(() => enhanceRoutes({ root, session: { keys: [''] } })).to.throw(TypeError, /session.keys/)
    expect(() => enhanceRoutes({ root, session: { secret: '' } })).to.throw(TypeError, /session.secret/)
    expect(() => enhanceRoutes({ root, session: 'yes' as unknown as false })).to.throw(TypeError, /session must be/)
  })
})

describe('sessions: no keys given', () => {
  const errors = errorsPerTest()

  it('starts in production, and answers 500 to a request that needs our cookie-session', async () => {
    await withEnv(NO_KEYS, async () => {
      const app = appWith(undefined, errors.report)
      // A client with no cookie, on a route that writes no session, needs no keys.
      const anonymous = await request(app).get('/me').set('Accept', JSON_ACCEPT)
      expect(anonymous.status).to.equal(200)
      expect(anonymous.body).to.deep.equal({ session: {} })
      // Nor does a client whose cookies are someone else's (an analytics cookie, a legacy app's).
      const unrelated = await request(app)
        .get('/me')
        .set('Accept', JSON_ACCEPT)
        .set('Cookie', '_ga=GA1.1.1; theme=dark')
      expect(unrelated.status).to.equal(200)
      expect(unrelated.body).to.deep.equal({ session: {} })

      const write = await request(app).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
      const read = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', 'session=e30=; session.sig=x')
      for (const res of [write, read]) {
        expect(res.status).to.equal(500)
        expect(res.body).to.deep.equal({ error: { status: 500, message: 'Internal Server Error' } })
        expect(setCookies(res)).to.deep.equal([])
      }
      const reported = errors.take()
      expect(reported.map((error) => error.status)).to.deep.equal([500, 500])
      for (const error of reported) {
        expect(error.message).to.match(/^express-enhance-routes: sessions need keys in production: set SESSION_SECRET/)
      }
    })
  })

  it('starts in production with keys, SESSION_SECRET or sessions off', async () => {
    await withEnv(NO_KEYS, () => {
      expect(enhanceRoutes({ root, session: { keys: ['k'] } })).to.be.a('function')
      expect(enhanceRoutes({ root, session: false })).to.be.a('function')
    })
    await withEnv({ NODE_ENV: 'production', SESSION_SECRET: 'from-env' }, async () => {
      const res = await request(appWith(undefined, errors.report)).post('/me').set('Accept', JSON_ACCEPT).send({})
      expect(res.status).to.equal(200)
    })
  })

  const ownSessions: Record<string, (app: express.Express) => void> = {
    'express-session': (app) => app.use(expressSession({ secret: 'own', resave: false, saveUninitialized: false })),
    'cookie-session': (app) => app.use(cookieSession({ name: 'own', keys: ['own-key'] })),
  }
  for (const [name, mount] of Object.entries(ownSessions)) {
    it(`never asks for keys when the app mounts its own ${name} first (production and development)`, async () => {
      for (const NODE_ENV of ['production', 'development']) {
        const { warnings } = await captureWarnings(() =>
          withEnv({ NODE_ENV, SESSION_SECRET: undefined }, async () => {
            const agent = request.agent(appWith(undefined, errors.report, mount))
            const login = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
            expect(login.status, NODE_ENV).to.equal(200)
            expect(cookieLine(login, 'session'), NODE_ENV).to.equal(undefined)
            const read = await agent.get('/me').set('Accept', JSON_ACCEPT)
            expect(read.body, NODE_ENV).to.deep.equal({ session: { user: 'ada' } })
          }),
        )
        expect(warnings, NODE_ENV).to.deep.equal([])
      }
    })
  }

  it('outside production, warns once per middleware at first use, with one random key per process', async () => {
    const { result, warnings } = await captureWarnings((soFar) =>
      withEnv({ NODE_ENV: 'development', SESSION_SECRET: undefined }, async () => {
        const [first, second] = [appWith(undefined), appWith(undefined)]
        expect(soFar, 'at start-up').to.deep.equal([])
        // Nothing to read and nothing written: our cookie-session is not needed yet.
        await request(first).get('/me').set('Accept', JSON_ACCEPT)
        expect(soFar, 'before first use').to.deep.equal([])
        const login = await request(first).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
        await request(first).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
        expect(soFar, 'after two writes').to.have.length(1)
        const read = await request(second).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', cookieHeader(login))
        return { login, read }
      }),
    )
    expect(warnings).to.have.length(2)
    expect(warnings[0])
      .to.match(/random key/)
      .and.match(/will not survive a restart/)
    expect(cookieLine(result.login, 'session.sig')).to.be.a('string')
    expect(result.read.body).to.deep.equal({ session: { user: 'ada' } })
  })
})
