import { expect } from 'chai'
import cookieSession from 'cookie-session'
import express from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import type { EnhanceError } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'
import { cookieLine, decodeSession, isCleared, JSON_ACCEPT, pair, setCookies } from './sessions-helpers.js'

const root = new URL('./fixtures/sessions-core/', import.meta.url)

/** Legacy Express routes that share the session with our handlers. */
function legacyRoutes(app: express.Express): express.Express {
  app.get('/legacy/session', (req, res) => {
    const { cookie: _cookie, ...data } = (req.session ?? {}) as unknown as Record<string, unknown>
    res.json(data)
  })
  app.post('/legacy/cart', (req, res) => {
    ;(req.session as unknown as Record<string, unknown>).cart = ['tea']
    res.json({ ok: true })
  })
  return app
}

describe("sessions: the app's own cookie-session", () => {
  const errors: EnhanceError[] = []
  const app = express()
    .use(cookieSession({ name: 'own', keys: ['own-key'], sameSite: 'strict' }))
    .use(enhanceRoutes({ root, session: { keys: ['unused-key'] }, onError: (error) => errors.push(error) }))
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

  it('persists nothing when a handler changes request.session', async () => {
    const agent = request.agent(app)
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'grace' })
    const changed = await agent.post('/mutate').set('Accept', JSON_ACCEPT)
    expect(changed.body.changed.user).to.equal('mallory')
    expect(setCookies(changed)).to.deep.equal([])
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ user: 'grace' })
  })

  it('ends the session with session: {} by clearing the app’s cookie', async () => {
    const agent = request.agent(app)
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'grace' })
    const ended = await agent.delete('/me').set('Accept', JSON_ACCEPT)
    expect(isCleared(cookieLine(ended, 'own'))).to.equal(true)
    expect((await agent.get('/legacy/session')).body).to.deep.equal({})
  })

  it('refuses an oversized session for the app’s cookie too', async () => {
    errors.length = 0
    const res = await request(app).post('/big').set('Accept', JSON_ACCEPT).send({ size: 4000 })
    expect(res.status).to.equal(500)
    expect(res.body.error.message).to.include('big.mjs post').and.include('4096-byte limit')
    expect(setCookies(res)).to.deep.equal([])
    expect(errors).to.have.length(1)
  })

  it('reads a tampered cookie of the app as {}', async () => {
    const forged = Buffer.from('{"user":"eve"}').toString('base64')
    const res = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', `own=${forged}; own.sig=forged`)
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ session: {} })
  })
})

describe("sessions: the app's own express-session", () => {
  const store = new expressSession.MemoryStore()
  const errors: EnhanceError[] = []
  const app = express()
    .use(expressSession({ secret: 'express-session-secret', resave: false, saveUninitialized: false, store }))
    .use(enhanceRoutes({ root, session: { keys: ['unused-key'] }, onError: (error) => errors.push(error) }))
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

  it('persists nothing when a handler changes request.session', async () => {
    const agent = request.agent(app)
    await agent
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'hopper', profile: { role: 'reader' } })
    const changed = await agent.post('/mutate').set('Accept', JSON_ACCEPT)
    expect(changed.body.changed).to.deep.equal({ user: 'mallory', profile: { role: 'admin' } })
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ user: 'hopper', profile: { role: 'reader' } })
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

  it('keeps a session far over 4 KB: the limit is for cookies, not for a store', async () => {
    const agent = request.agent(app)
    const res = await agent.post('/big').set('Accept', JSON_ACCEPT).send({ size: 20_000 })
    expect(res.status).to.equal(200)
    const read = await agent.get('/me').set('Accept', JSON_ACCEPT)
    expect((read.body.session.blob as string).length).to.equal(20_000)
  })

  it('still refuses a session that JSON cannot hold', async () => {
    errors.length = 0
    const res = await request(app).post('/bad').set('Accept', JSON_ACCEPT).send({ kind: 'bigint' })
    expect(res.status).to.equal(500)
    expect(res.body.error.message).to.include('bad.mjs post returned a session that cannot be stored as JSON')
    expect(errors).to.have.length(1)
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

  it('reads a forged or unknown session id as {}', async () => {
    for (const cookie of ['connect.sid=s%3Aforged.signature', 'connect.sid=garbage', 'connect.sid=s%3A%E0%A4%A']) {
      const res = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', cookie)
      expect(res.status, cookie).to.equal(200)
      expect(res.body, cookie).to.deep.equal({ session: {} })
    }
  })
})

describe('sessions: session: false with the app’s own session middleware', () => {
  const app = express()
    .use(cookieSession({ name: 'own', keys: ['own-key'] }))
    .use(enhanceRoutes({ root, session: false, onError: () => {} }))
  legacyRoutes(app)

  it('leaves the app’s session out of request.session and refuses writes', async () => {
    const agent = request.agent(app)
    await agent.post('/legacy/cart')
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ cart: ['tea'] })
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: {} })
    const write = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'grace' })
    expect(write.status).to.equal(500)
    expect((await agent.get('/legacy/session')).body).to.deep.equal({ cart: ['tea'] })
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
