/**
 * A tampered, forged or garbage cookie reads as an empty session, never as an
 * error, whoever keeps the session; and a handler can write a fresh one over it.
 */
import { expect } from 'chai'
import cookieSession from 'cookie-session'
import expressSession from 'express-session'
import request from 'supertest'
import { appWith, cookieLine, decodeSession, errorsPerTest, JSON_ACCEPT, signedCookie } from './sessions-helpers.js'

describe('sessions: tampered and garbage cookies of our cookie-session', () => {
  const errors = errorsPerTest()
  const app = appWith({ keys: ['test-key'] }, errors.report)
  const ada = Buffer.from(JSON.stringify({ user: 'ada' })).toString('base64')
  const cookies: Record<string, string> = {
    'a forged signature': `session=${ada}; session.sig=forged-signature-xxxxxxxxxxx`,
    'a value without signature': `session=${ada}`,
    'a signature without value': 'session.sig=abc',
    'a value changed after signing': signedCookie('session', ada, 'test-key').replace(ada, `${ada.slice(0, -4)}QUFB`),
    'a signature from another key': signedCookie('session', ada, 'attacker-key'),
    'signed garbage that is not base64 JSON': signedCookie('session', 'not-json!!', 'test-key'),
    'signed base64 of broken JSON': signedCookie('session', Buffer.from('{"user":').toString('base64'), 'test-key'),
    'an empty value': 'session=; session.sig=',
    'quotes and percent-garbage': 'session="%E0%A4%A; session.sig="%%"',
    'non-ASCII bytes': 'session=ünïcødé; session.sig=é',
    'a 10 KB cookie': `session=${'A'.repeat(10_000)}; session.sig=${'B'.repeat(27)}`,
    'many cookies with the same name': `session=${ada}; session=x; session.sig=y; session.sig=z`,
  }

  for (const [what, cookie] of Object.entries(cookies)) {
    it(`reads ${what} as {} (JSON and HTML clients)`, async () => {
      const json = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', cookie)
      expect(json.status).to.equal(200)
      expect(json.body).to.deep.equal({ session: {} })
      const html = await request(app).get('/me').set('Accept', 'text/html').set('Cookie', cookie)
      expect(html.status).to.equal(200)
      expect(html.text).to.equal('{"session":{}}')
    })
  }

  it('drops prototype keys from a validly signed cookie without polluting anything', async () => {
    const evil = Buffer.from('{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},"user":"ada"}')
    const res = await request(app)
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', signedCookie('session', evil.toString('base64'), 'test-key'))
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ session: { user: 'ada' } })
    expect(({} as { admin?: boolean }).admin).to.equal(undefined)
  })

  it('lets a handler write a fresh session over a tampered cookie', async () => {
    const agent = request.agent(app)
    const res = await agent
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', `session=${ada}; session.sig=forged`)
      .send({ user: 'bob' })
    expect(res.body).to.deep.equal({ saw: {} })
    expect(decodeSession(cookieLine(res, 'session'))).to.deep.equal({ user: 'bob' })
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ session: { user: 'bob' } })
  })
})

describe("sessions: tampered cookies of the app's own session middleware", () => {
  const errors = errorsPerTest()

  it('reads a tampered cookie of the app’s cookie-session as {}', async () => {
    const app = appWith({ keys: ['unused-key'] }, errors.report, (app) =>
      app.use(cookieSession({ name: 'own', keys: ['own-key'] })),
    )
    const forged = Buffer.from('{"user":"eve"}').toString('base64')
    const res = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', `own=${forged}; own.sig=forged`)
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ session: {} })
  })

  it('reads a forged or unknown express-session id as {}', async () => {
    const app = appWith({ keys: ['unused-key'] }, errors.report, (app) =>
      app.use(expressSession({ secret: 'express-session-secret', resave: false, saveUninitialized: false })),
    )
    for (const cookie of ['connect.sid=s%3Aforged.signature', 'connect.sid=garbage', 'connect.sid=s%3A%E0%A4%A']) {
      const res = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', cookie)
      expect(res.status, cookie).to.equal(200)
      expect(res.body, cookie).to.deep.equal({ session: {} })
    }
  })
})
