/**
 * The cookies our cookie-session writes: signed, httpOnly, sameSite=lax on
 * path /, the app's `session` options on top, and `secure` exactly where the
 * request is HTTPS as Express sees it (`trust proxy`).
 */
import { expect } from 'chai'
import type express from 'express'
import request from 'supertest'
import { appWith, cookieLine, errorsPerTest, JSON_ACCEPT, pair, setCookies } from './sessions-helpers.js'

describe('sessions: cookie attributes', () => {
  const app = appWith({ keys: ['test-key'] })

  it('sets signed, httpOnly, sameSite=lax cookies on path /, not secure over plain HTTP', async () => {
    const res = await request(app).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    const line = cookieLine(res, 'session') ?? ''
    const sig = cookieLine(res, 'session.sig') ?? ''
    for (const cookie of [line, sig]) {
      expect(cookie).to.include('; path=/').and.include('; httponly').and.include('; samesite=lax')
      expect(cookie).not.to.include('secure')
    }
    expect(pair(sig)).to.match(/^session\.sig=[\w-]{27}$/)
  })

  it('passes the session option on to cookie-session (name, maxAge, sameSite)', async () => {
    const custom = appWith({ keys: ['test-key'], name: 'sid', maxAge: 60_000, sameSite: 'strict' })
    const agent = request.agent(custom)
    const res = await agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    const line = cookieLine(res, 'sid') ?? ''
    expect(line).to.include('; samesite=strict').and.include('; expires=')
    expect(cookieLine(res, 'session')).to.equal(undefined)
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: { user: 'ada' } })
  })
})

describe('sessions: secure cookies', () => {
  const errors = errorsPerTest()
  const trusting = appWith({ keys: ['test-key'] }, errors.report, (app) => app.set('trust proxy', 'loopback'))
  const untrusting = appWith({ keys: ['test-key'] }, errors.report)

  const proxies: [string, express.Express, string, boolean][] = [
    ['marks the cookies secure on HTTPS behind a proxy the app trusts', trusting, 'https', true],
    ['does not believe X-Forwarded-Proto from a proxy the app does not trust', untrusting, 'https', false],
    ['does not mark cookies secure on plain HTTP through a trusted proxy', trusting, 'http', false],
  ]
  for (const [title, app, proto, secure] of proxies) {
    it(title, async () => {
      const res = await request(app)
        .post('/me')
        .set('Accept', JSON_ACCEPT)
        .set('X-Forwarded-Proto', proto)
        .send({ user: 'ada' })
      for (const name of ['session', 'session.sig']) {
        const line = cookieLine(res, name)
        expect(line, name).to.be.a('string')
        if (secure) expect(line, name).to.include('; secure')
        else expect(line, name).not.to.include('secure')
      }
    })
  }

  it('with secure: true, refuses to write over plain HTTP with a clear 500 instead of dropping the cookie', async () => {
    const strict = appWith({ keys: ['test-key'], secure: true }, errors.report, (app) =>
      app.set('trust proxy', 'loopback'),
    )
    const plain = await request(strict).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    expect(plain.status).to.equal(500)
    expect(plain.body.error.message).to.include('sessions-core/api/me.mjs post').and.include("app.set('trust proxy'")
    expect(setCookies(plain)).to.deep.equal([])
    expect(errors.take().map((e) => e.status)).to.deep.equal([500])
    const https = await request(strict)
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .set('X-Forwarded-Proto', 'https')
      .send({ user: 'ada' })
    expect(https.status).to.equal(200)
    expect(cookieLine(https, 'session')).to.include('; secure')
  })
})
