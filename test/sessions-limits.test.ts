/**
 * What a handler returns that a session cannot keep is refused with a 500
 * that names the handler, and the old session stays: a cookie over the
 * 4096 bytes browsers keep, data JSON cannot hold, keys cookie-session uses
 * itself. A store has no cookie limit.
 */
import { expect } from 'chai'
import cookieSession from 'cookie-session'
import expressSession from 'express-session'
import request from 'supertest'
import { appWith, cookieLine, errorsPerTest, JSON_ACCEPT, pair, setCookies, withEnv } from './sessions-helpers.js'

describe('sessions: what our cookie-session cannot keep', () => {
  const errors = errorsPerTest()
  const app = appWith({ keys: ['test-key'] }, errors.report)

  /** The largest `size` for big.mjs whose cookie (name=value) still fits in 4096 bytes. */
  function largestFitting(): number {
    let size = 0
    const cookieSize = (n: number) =>
      'session='.length + Buffer.from(JSON.stringify({ blob: 'x'.repeat(n) })).toString('base64').length
    while (cookieSize(size + 1) <= 4096) size++
    return size
  }

  it('keeps a session whose cookie is exactly at the 4096-byte limit', async () => {
    const size = largestFitting()
    const agent = request.agent(app)
    const res = await agent.post('/big').set('Accept', JSON_ACCEPT).send({ size })
    expect(res.status).to.equal(200)
    expect(pair(cookieLine(res, 'session')).length).to.equal(4096)
    const read = await agent.get('/me').set('Accept', JSON_ACCEPT)
    expect((read.body.session.blob as string).length).to.equal(size)
  })

  it('refuses an oversized session with a 500 naming the file, the size and the limit; the old session stays', async () => {
    const agent = request.agent(app)
    await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    const res = await agent
      .post('/big')
      .set('Accept', JSON_ACCEPT)
      .send({ size: largestFitting() + 3 })
    expect(res.status).to.equal(500)
    const message = res.body.error.message as string
    expect(message).to.include('test/fixtures/sessions-core/api/big.mjs post')
    expect(message).to.match(/session of 4100 bytes as a cookie/)
    expect(message).to.include('4096-byte limit')
    expect(setCookies(res)).to.deep.equal([])
    expect(errors.take().map((e) => e.message)).to.deep.equal([message])
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: { user: 'ada' } })
  })

  it('answers an HTML client with a 500 page, and hides the message in production', async () => {
    const html = await request(app).post('/big').type('form').send('size=5000')
    expect(html.status).to.equal(500)
    expect(html.type).to.equal('text/html')
    expect(html.text).to.include('4096-byte limit')
    const hidden = await withEnv({ NODE_ENV: 'production' }, () =>
      request(app).post('/big').set('Accept', JSON_ACCEPT).send({ size: 5000 }),
    )
    expect(hidden.body).to.deep.equal({ error: { status: 500, message: 'Internal Server Error' } })
    expect(errors.take()).to.have.length(2)
  })

  const refused: Record<string, RegExp> = {
    bigint: /bad\.mjs post returned a session that cannot be stored as JSON/,
    cycle: /bad\.mjs post returned a session that cannot be stored as JSON/,
    string: /bad\.mjs post returned a session that is a string, not an object/,
    array: /bad\.mjs post returned a session that is an array, not an object/,
    reserved: /bad\.mjs post returned a session with keys that cookie-session cannot keep: isNew/,
  }
  for (const [kind, pattern] of Object.entries(refused)) {
    it(`refuses a session that is ${kind} with a 500 naming the file`, async () => {
      const res = await request(app).post('/bad').set('Accept', JSON_ACCEPT).send({ kind })
      expect(res.status).to.equal(500)
      expect(res.body.error.message).to.match(pattern)
      expect(setCookies(res)).to.deep.equal([])
      expect(errors.take()).to.have.length(1)
    })
  }
})

describe("sessions: what the app's own session middleware cannot keep", () => {
  const errors = errorsPerTest()

  it('refuses an oversized session for the app’s cookie-session too', async () => {
    const app = appWith({ keys: ['unused-key'] }, errors.report, (app) =>
      app.use(cookieSession({ name: 'own', keys: ['own-key'] })),
    )
    const res = await request(app).post('/big').set('Accept', JSON_ACCEPT).send({ size: 4000 })
    expect(res.status).to.equal(500)
    expect(res.body.error.message).to.include('big.mjs post').and.include('4096-byte limit')
    expect(setCookies(res)).to.deep.equal([])
    expect(errors.take()).to.have.length(1)
  })

  describe('express-session', () => {
    const app = appWith({ keys: ['unused-key'] }, errors.report, (app) =>
      app.use(expressSession({ secret: 'express-session-secret', resave: false, saveUninitialized: false })),
    )

    it('keeps a session far over 4 KB: the limit is for cookies, not for a store', async () => {
      const agent = request.agent(app)
      const res = await agent.post('/big').set('Accept', JSON_ACCEPT).send({ size: 20_000 })
      expect(res.status).to.equal(200)
      const read = await agent.get('/me').set('Accept', JSON_ACCEPT)
      expect((read.body.session.blob as string).length).to.equal(20_000)
    })

    it('still refuses a session that JSON cannot hold', async () => {
      const res = await request(app).post('/bad').set('Accept', JSON_ACCEPT).send({ kind: 'bigint' })
      expect(res.status).to.equal(500)
      expect(res.body.error.message).to.include('bad.mjs post returned a session that cannot be stored as JSON')
      expect(errors.take()).to.have.length(1)
    })
  })
})
