/**
 * request.session is a plain copy of the session; returning response.session
 * replaces the whole session; `{}` or `null` ends it. The same for every
 * keeper: our cookie-session, the app's cookie-session, the app's
 * express-session, and any other middleware's req.session.
 */
import { expect } from 'chai'
import cookieSession from 'cookie-session'
import express from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import type { EnhanceError } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'
import {
  appWith,
  cookieHeader,
  cookieLine,
  decodeSession,
  errorsPerTest,
  isCleared,
  JSON_ACCEPT,
  legacyRoutes,
  pair,
  root,
  setCookies,
} from './sessions-helpers.js'

/** Each keeper's app; `shared` when legacy routes see the same session (the app's own middleware). */
const keepers: Record<string, { shared: boolean; app: (report: (error: EnhanceError) => void) => express.Express }> = {
  'our cookie-session': { shared: false, app: (report) => appWith({ keys: ['test-key'] }, report) },
  'the app’s cookie-session': {
    shared: true,
    app: (report) =>
      legacyRoutes(
        appWith({ keys: ['unused-key'] }, report, (app) => app.use(cookieSession({ name: 'own', keys: ['own-key'] }))),
      ),
  },
  'the app’s express-session': {
    shared: true,
    app: (report) =>
      legacyRoutes(
        appWith({ keys: ['unused-key'] }, report, (app) =>
          app.use(expressSession({ secret: 'express-session-secret', resave: false, saveUninitialized: false })),
        ),
      ),
  },
}

describe('sessions: request.session is a copy', () => {
  const errors = errorsPerTest()
  for (const [name, keeper] of Object.entries(keepers)) {
    it(`persists nothing when a handler changes request.session without returning a session (${name})`, async () => {
      const agent = request.agent(keeper.app(errors.report))
      const original = { user: 'ada', profile: { role: 'reader' } }
      await agent.post('/me').set('Accept', JSON_ACCEPT).send(original)
      const changed = await agent.post('/mutate').set('Accept', JSON_ACCEPT)
      // The handler did change its copy...
      expect(changed.body).to.deep.equal({ changed: { user: 'mallory', profile: { role: 'admin' } } })
      // ...but no cookie went out and the session is as it was, for us and for the app's other routes.
      expect(setCookies(changed)).to.deep.equal([])
      expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: original })
      if (keeper.shared) expect((await agent.get('/legacy/session')).body).to.deep.equal(original)
    })
  }
})

describe('sessions: our cookie-session reads and writes', () => {
  const errors = errorsPerTest()
  const app = appWith({ keys: ['test-key'] }, errors.report)

  it('reads {} with no cookie, and sets no cookie when nothing is written', async () => {
    const res = await request(app).get('/me').set('Accept', JSON_ACCEPT)
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ session: {} })
    expect(setCookies(res)).to.deep.equal([])
  })

  it('keeps what response.session writes, and replaces the whole session each time', async () => {
    const agent = request.agent(app)
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada', theme: 'dark' })
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({
      session: { user: 'ada', theme: 'dark' },
    })
    const replaced = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'bob' })
    expect(replaced.body).to.deep.equal({ saw: { user: 'ada', theme: 'dark' } })
    expect(decodeSession(cookieLine(replaced, 'session'))).to.deep.equal({ user: 'bob' })
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: { user: 'bob' } })
  })

  it('ends the session with session: {} and clears the cookie', async () => {
    const agent = request.agent(app)
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    const ended = await agent.delete('/me').set('Accept', JSON_ACCEPT)
    expect(ended.status).to.equal(200)
    expect(isCleared(cookieLine(ended, 'session')), String(setCookies(ended))).to.equal(true)
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: {} })
  })

  it('ends the session with session: null too (the cookie-session idiom)', async () => {
    const agent = request.agent(app)
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    const ended = await agent.post('/bad').set('Accept', JSON_ACCEPT).send({ kind: 'null' })
    expect(ended.status).to.equal(200)
    expect(isCleared(cookieLine(ended, 'session'))).to.equal(true)
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: {} })
  })
})

describe("sessions: the app's own cookie-session reads and writes", () => {
  const errors = errorsPerTest()
  const app = appWith({ keys: ['unused-key'] }, errors.report, (app) =>
    app.use(cookieSession({ name: 'own', keys: ['own-key'], sameSite: 'strict' })),
  )
  legacyRoutes(app)

  it('reads and writes the app’s cookie, and never sets a cookie of its own', async () => {
    const agent = request.agent(app)
    const login = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'grace' })
    expect(decodeSession(cookieLine(login, 'own'))).to.deep.equal({ user: 'grace' })
    expect(cookieLine(login, 'own')).to.include('samesite=strict')
    expect(cookieLine(login, 'session')).to.equal(undefined)
    // The legacy route sees what our handler wrote, and our handler what the legacy route wrote.
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ user: 'grace' })
    await agent.post('/legacy/cart')
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({
      session: { user: 'grace', cart: ['tea'] },
    })
  })

  it('replaces the whole session, keys from other middleware included', async () => {
    const agent = request.agent(app)
    await agent.post('/legacy/cart')
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'grace' })
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ user: 'grace' })
  })

  it('ends the session with session: {} by clearing the app’s cookie', async () => {
    const agent = request.agent(app)
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'grace' })
    const ended = await agent.delete('/me').set('Accept', JSON_ACCEPT)
    expect(isCleared(cookieLine(ended, 'own'))).to.equal(true)
    expect((await agent.get('/legacy/session')).body).to.deep.equal({})
  })
})

describe("sessions: the app's own express-session reads and writes", () => {
  const store = new expressSession.MemoryStore()
  const errors = errorsPerTest()
  const app = appWith({ keys: ['unused-key'] }, errors.report, (app) =>
    app.use(expressSession({ secret: 'express-session-secret', resave: false, saveUninitialized: false, store })),
  )
  legacyRoutes(app)

  const storedCount = () =>
    new Promise<number>((resolve, reject) =>
      store.length((error, length) => (error ? reject(error) : resolve(length ?? 0))),
    )
  const stored = (id: string) =>
    new Promise<unknown>((resolve, reject) => store.get(id, (error, data) => (error ? reject(error) : resolve(data))))
  const sessionId = (line: string | undefined) => {
    const match = /^connect\.sid=s%3A([^.]+)\./.exec(line ?? '')
    if (!match?.[1]) throw new Error(`no session id in ${line}`)
    return match[1]
  }

  it('reads and writes the store’s session, shared with the legacy routes, without express-session’s cookie key', async () => {
    const agent = request.agent(app)
    const login = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'hopper' })
    expect(cookieLine(login, 'session')).to.equal(undefined)
    const id = sessionId(cookieLine(login, 'connect.sid'))
    expect(await stored(id)).to.deep.include({ user: 'hopper' })
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ user: 'hopper' })
    await agent.post('/legacy/cart')
    const read = await agent.get('/me').set('Accept', JSON_ACCEPT)
    expect(read.body).to.deep.equal({ session: { user: 'hopper', cart: ['tea'] } })
  })

  it('replaces the whole session in the store, keeping the same id', async () => {
    const agent = request.agent(app)
    const first = await agent.post('/legacy/cart')
    const id = sessionId(cookieLine(first, 'connect.sid'))
    const replaced = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'hopper' })
    expect(replaced.body).to.deep.equal({ saw: { cart: ['tea'] } })
    const data = (await stored(id)) as Record<string, unknown>
    expect(data.user).to.equal('hopper')
    expect(data).not.to.have.property('cart')
    expect(data).to.have.property('cookie')
  })

  it('ends the session with session: {}: destroyed in the store and its cookie cleared', async () => {
    const agent = request.agent(app)
    const login = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'hopper' })
    const id = sessionId(cookieLine(login, 'connect.sid'))
    const before = await storedCount()
    const ended = await agent.delete('/me').set('Accept', JSON_ACCEPT)
    expect(ended.status).to.equal(200)
    expect(await stored(id)).to.equal(undefined)
    expect(await storedCount()).to.equal(before - 1)
    const line = cookieLine(ended, 'connect.sid')
    expect(line).to.match(/^connect\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly$/)
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: {} })
    // The old cookie, replayed, no longer opens anything.
    const replay = await request(app)
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', pair(cookieLine(login, 'connect.sid')))
    expect(replay.body).to.deep.equal({ session: {} })
  })

  it('lets migration code regenerate the id at log-in, then writes the new session', async () => {
    const agent = request.agent(app)
    const before = await agent.post('/legacy/cart')
    const oldId = sessionId(cookieLine(before, 'connect.sid'))
    const login = await agent.post('/regenerate').set('Accept', JSON_ACCEPT).send({ user: 'hopper' })
    expect(login.status).to.equal(200)
    const newId = sessionId(cookieLine(login, 'connect.sid'))
    expect(newId).not.to.equal(oldId)
    expect(await stored(oldId)).to.equal(undefined)
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: { user: 'hopper' } })
  })
})

describe('sessions: other session middleware that puts a plain object on req.session', () => {
  // A hand-written in-memory session keyed by a header, as some apps and tests have.
  const sessions = new Map<string, Record<string, unknown>>()
  const app = express()
    .use((req, _res, next) => {
      const id = String(req.headers['x-session-id'] ?? 'anonymous')
      if (!sessions.has(id)) sessions.set(id, {})
      ;(req as unknown as { session: unknown }).session = sessions.get(id)
      next()
    })
    .use(enhanceRoutes({ root, session: { keys: ['unused-key'] } }))

  it('reads a copy, replaces the data of that same object in place, and empties it to end the session', async () => {
    const write = await request(app)
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .set('X-Session-Id', 'one')
      .send({ user: 'lovelace' })
    expect(write.status).to.equal(200)
    expect(setCookies(write)).to.deep.equal([])
    const kept = sessions.get('one')
    expect(kept).to.deep.equal({ user: 'lovelace' })
    await request(app).post('/mutate').set('Accept', JSON_ACCEPT).set('X-Session-Id', 'one')
    expect(sessions.get('one')).to.equal(kept).and.deep.equal({ user: 'lovelace' })
    const read = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('X-Session-Id', 'one')
    expect(read.body).to.deep.equal({ session: { user: 'lovelace' } })
    await request(app).delete('/me').set('Accept', JSON_ACCEPT).set('X-Session-Id', 'one')
    expect(sessions.get('one')).to.equal(kept).and.deep.equal({})
  })
})

describe('sessions: session: false', () => {
  const errors = errorsPerTest()

  it('reads {} even when a valid session cookie is sent, and sets no cookie', async () => {
    const login = await request(appWith({ keys: ['test-key'] }))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    const res = await request(appWith(false, errors.report))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', cookieHeader(login))
    expect(res.body).to.deep.equal({ session: {} })
    expect(setCookies(res)).to.deep.equal([])
  })

  it('answers a handler that writes a session with a 500 that says sessions are off', async () => {
    const res = await request(appWith(false, errors.report))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    expect(res.status).to.equal(500)
    expect(res.body.error.message).to.include('me.mjs post').and.include('session: false')
    expect(setCookies(res)).to.deep.equal([])
    expect(errors.take()).to.have.length(1)
  })

  it('leaves the app’s own session out of request.session, and refuses writes without touching it', async () => {
    const app = appWith(false, errors.report, (app) => app.use(cookieSession({ name: 'own', keys: ['own-key'] })))
    legacyRoutes(app)
    const agent = request.agent(app)
    await agent.post('/legacy/cart')
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ cart: ['tea'] })
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: {} })
    const write = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'grace' })
    expect(write.status).to.equal(500)
    expect(errors.take()).to.have.length(1)
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ cart: ['tea'] })
  })
})
