import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import type { EnhanceError, EnhanceRoutesOptions } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'
import {
  captureWarnings,
  cookieLine,
  decodeSession,
  isCleared,
  JSON_ACCEPT,
  pair,
  setCookies,
  signedCookie,
  withEnv,
} from './sessions-helpers.js'

const root = new URL('./fixtures/sessions-core/', import.meta.url)

/** An app with our cookie-session; 5xx errors are collected instead of logged. */
function appWith(
  session: EnhanceRoutesOptions['session'],
  errors: EnhanceError[] = [],
  setup?: (app: express.Express) => void,
) {
  const app = express()
  setup?.(app)
  return app.use(enhanceRoutes({ root, session, onError: (error) => errors.push(error) }))
}

describe('sessions: request.session and response.session (our cookie-session)', () => {
  const app = appWith({ keys: ['test-key'] })

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

  it('persists nothing when a handler changes request.session without returning a session', async () => {
    const agent = request.agent(app)
    await agent
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada', profile: { role: 'reader' } })
    const changed = await agent.post('/mutate').set('Accept', JSON_ACCEPT)
    // The handler did change its copy...
    expect(changed.body).to.deep.equal({ changed: { user: 'mallory', profile: { role: 'admin' } } })
    // ...but no cookie went out and the session is as it was.
    expect(setCookies(changed)).to.deep.equal([])
    expect((await agent.get('/me').set('Accept', JSON_ACCEPT)).body).to.deep.equal({
      session: { user: 'ada', profile: { role: 'reader' } },
    })
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

describe('sessions: keys', () => {
  it('signs with session.keys: another key does not read the cookie', async () => {
    const login = await request(appWith({ keys: ['key-one'] }))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    const cookie = setCookies(login).map(pair).join('; ')
    const same = await request(appWith({ keys: ['key-one'] }))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', cookie)
    expect(same.body).to.deep.equal({ session: { user: 'ada' } })
    const other = await request(appWith({ keys: ['key-two'] }))
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', cookie)
    expect(other.body).to.deep.equal({ session: {} })
  })

  it('takes the key from SESSION_SECRET when session.keys is not given', async () => {
    const cookie = await withEnv({ SESSION_SECRET: 'secret-from-env' }, async () => {
      const login = await request(appWith(undefined)).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
      return setCookies(login).map(pair).join('; ')
    })
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
      .set('Cookie', setCookies(login).map(pair).join('; '))
    expect(read.body).to.deep.equal({ session: { user: 'ada' } })
  })

  it('with signed: false needs no key even in production, and sends no signature', async () => {
    const app = await withEnv({ NODE_ENV: 'production', SESSION_SECRET: undefined }, () => appWith({ signed: false }))
    const login = await request(app).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    expect(cookieLine(login, 'session.sig')).to.equal(undefined)
    // Unsigned: whoever writes the cookie writes the session.
    const forged = Buffer.from('{"user":"eve"}').toString('base64')
    const read = await request(app).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', `session=${forged}`)
    expect(read.body).to.deep.equal({ session: { user: 'eve' } })
  })

  it('rotates keys: a cookie signed with an older key is read, and re-signed with the newest', async () => {
    const old = await request(appWith({ keys: ['old-key'] }))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    const oldCookie = setCookies(old).map(pair).join('; ')

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
    const newCookie = setCookies(rotated).map(pair).join('; ')

    const newOnly = appWith({ keys: ['new-key'] })
    const read = await request(newOnly).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', newCookie)
    expect(read.body).to.deep.equal({ session: { user: 'ada' } })
    const stale = await request(newOnly).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', oldCookie)
    expect(stale.body).to.deep.equal({ session: {} })
  })

  it('does not re-send the cookie when the newest key signed it', async () => {
    const app = appWith({ keys: ['new-key', 'old-key'] })
    const login = await request(app).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    const res = await request(app)
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', setCookies(login).map(pair).join('; '))
    expect(res.body).to.deep.equal({ session: { user: 'ada' } })
    expect(setCookies(res)).to.deep.equal([])
  })

  it('throws at start-up in production without keys', async () => {
    await withEnv({ NODE_ENV: 'production', SESSION_SECRET: undefined }, () => {
      expect(() => enhanceRoutes({ root })).to.throw(/SESSION_SECRET/)
      expect(() => enhanceRoutes({ root, session: { name: 'sid' } })).to.throw(/sessions need keys in production/)
      // With keys, or with sessions off, it starts.
      expect(enhanceRoutes({ root, session: { keys: ['k'] } })).to.be.a('function')
      expect(enhanceRoutes({ root, session: false })).to.be.a('function')
    })
    await withEnv({ NODE_ENV: 'production', SESSION_SECRET: 'from-env' }, () => {
      expect(enhanceRoutes({ root })).to.be.a('function')
    })
  })

  it('warns and uses one random key per process outside production', async () => {
    const { result, warnings } = await captureWarnings(() =>
      withEnv({ NODE_ENV: 'development', SESSION_SECRET: undefined }, () => [appWith(undefined), appWith(undefined)]),
    )
    expect(warnings).to.have.length(2)
    expect(warnings[0])
      .to.match(/random key/)
      .and.match(/will not survive a restart/)
    const [first, second] = result as [express.Express, express.Express]
    const login = await request(first).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    expect(cookieLine(login, 'session.sig')).to.be.a('string')
    const cookie = setCookies(login).map(pair).join('; ')
    const read = await request(second).get('/me').set('Accept', JSON_ACCEPT).set('Cookie', cookie)
    expect(read.body).to.deep.equal({ session: { user: 'ada' } })
  })

  it('rejects malformed key options at start-up', () => {
    expect(() => enhanceRoutes({ root, session: { keys: [] } })).to.throw(TypeError, /session.keys/)
    expect(() => enhanceRoutes({ root, session: { keys: [''] } })).to.throw(TypeError, /session.keys/)
    expect(() => enhanceRoutes({ root, session: 'yes' as unknown as false })).to.throw(TypeError, /session must be/)
  })
})

describe('sessions: secure cookies', () => {
  const trusting = appWith({ keys: ['test-key'] }, [], (app) => app.set('trust proxy', 'loopback'))
  const untrusting = appWith({ keys: ['test-key'] })

  it('marks the cookies secure on HTTPS behind a proxy the app trusts', async () => {
    const res = await request(trusting)
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .set('X-Forwarded-Proto', 'https')
      .send({ user: 'ada' })
    expect(cookieLine(res, 'session')).to.include('; secure')
    expect(cookieLine(res, 'session.sig')).to.include('; secure')
  })

  it('does not believe X-Forwarded-Proto from a proxy the app does not trust', async () => {
    const res = await request(untrusting)
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .set('X-Forwarded-Proto', 'https')
      .send({ user: 'ada' })
    expect(cookieLine(res, 'session')).to.be.a('string').and.not.include('secure')
  })

  it('does not mark cookies secure on plain HTTP through a trusted proxy', async () => {
    const res = await request(trusting)
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .set('X-Forwarded-Proto', 'http')
      .send({ user: 'ada' })
    expect(cookieLine(res, 'session')).to.be.a('string').and.not.include('secure')
  })

  it('with secure: true, refuses to write over plain HTTP with a clear 500 instead of dropping the cookie', async () => {
    const errors: EnhanceError[] = []
    const strict = appWith({ keys: ['test-key'], secure: true }, errors, (app) => app.set('trust proxy', 'loopback'))
    const plain = await request(strict).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    expect(plain.status).to.equal(500)
    expect(plain.body.error.message).to.include('sessions-core/api/me.mjs post').and.include("app.set('trust proxy'")
    expect(setCookies(plain)).to.deep.equal([])
    expect(errors.map((e) => e.status)).to.deep.equal([500])
    const https = await request(strict)
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .set('X-Forwarded-Proto', 'https')
      .send({ user: 'ada' })
    expect(https.status).to.equal(200)
    expect(cookieLine(https, 'session')).to.include('; secure')
  })
})

describe('sessions: tampered and garbage cookies', () => {
  const errors: EnhanceError[] = []
  const app = appWith({ keys: ['test-key'] }, errors)
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

  it('never turned a cookie into an error', () => {
    expect(errors).to.deep.equal([])
  })
})

describe('sessions: what a handler writes that cannot be kept', () => {
  const errors: EnhanceError[] = []
  const app = appWith({ keys: ['test-key'] }, errors)
  beforeEach(() => {
    errors.length = 0
  })

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
    expect(errors.map((e) => e.message)).to.deep.equal([message])
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
      expect(errors).to.have.length(1)
    })
  }
})

describe('sessions: session: false', () => {
  const errors: EnhanceError[] = []
  const app = appWith(false, errors)

  it('reads {} even when a valid session cookie is sent, and sets no cookie', async () => {
    const login = await request(appWith({ keys: ['test-key'] }))
      .post('/me')
      .set('Accept', JSON_ACCEPT)
      .send({ user: 'ada' })
    const res = await request(app)
      .get('/me')
      .set('Accept', JSON_ACCEPT)
      .set('Cookie', setCookies(login).map(pair).join('; '))
    expect(res.body).to.deep.equal({ session: {} })
    expect(setCookies(res)).to.deep.equal([])
  })

  it('answers a handler that writes a session with a 500 that says sessions are off', async () => {
    const res = await request(app).post('/me').set('Accept', JSON_ACCEPT).send({ user: 'ada' })
    expect(res.status).to.equal(500)
    expect(res.body.error.message).to.include('me.mjs post').and.include('session: false')
    expect(setCookies(res)).to.deep.equal([])
    expect(errors).to.have.length(1)
  })
})
