/**
 * Sessions under hostile and heavy use: forged, truncated, oversized and
 * garbage cookies read as `{}`; thousands of interleaved requests from many
 * clients each see only their own session.
 */
import { createHmac } from 'node:crypto'
import http from 'node:http'
import { expect } from 'chai'
import expressSession from 'express-session'
import { call, listen, makeApp, PROTOTYPE_KEYS, prototypeKeys, type Served, serveSuite } from './helpers.js'

const KEY = 'robust-test-key'
const AGENTS = 40
const STEPS = 40 // each step is a POST that writes the session and a GET that reads it back
const STORE_STEPS = 20 // the same with express-session, half as long (its store is the app's, not ours)

const b64 = (text: string) => Buffer.from(text).toString('base64')
/** The signature cookie-session (keygrip, SHA-1 HMAC, URL-safe base64) gives `name=value` under `key`. */
const sign = (value: string, key = KEY, name = 'session') =>
  createHmac('sha1', key)
    .update(`${name}=${value}`)
    .digest('base64')
    .replace(/=+$/, '')
    .replace(/\//g, '_')
    .replace(/\+/g, '-')

/** Reads `name=value` pairs from Set-Cookie headers into a jar. */
function keep(jar: Map<string, string>, setCookie: string[] | undefined): void {
  for (const line of setCookie ?? []) {
    const pair = line.split(';')[0] ?? ''
    const at = pair.indexOf('=')
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1))
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

describe('robustness: sessions', function () {
  this.timeout(60_000)
  const suite = serveSuite({ session: { keys: [KEY] } })
  const { unhandled } = suite

  afterEach(() => {
    expect(unhandled.seen).to.deep.equal([])
    expect(prototypeKeys()).to.deep.equal(PROTOTYPE_KEYS)
  })

  const readSession = async (cookie: string) => {
    const answer = await call(suite.served, { path: '/session', headers: { accept: 'application/json', cookie } })
    expect(answer.status, cookie.slice(0, 80)).to.equal(200)
    return JSON.parse(answer.body).session as Record<string, unknown>
  }

  it('a real cookie reads back (the control case for the forgeries below)', async () => {
    const value = b64(JSON.stringify({ agent: 'ada', step: 1 }))
    expect(await readSession(`session=${value}; session.sig=${sign(value)}`)).to.deep.equal({ agent: 'ada', step: 1 })
  })

  describe('forged, truncated, oversized and garbage cookies read as {}', () => {
    const value = b64(JSON.stringify({ agent: 'eve', admin: true }))
    const other = b64(JSON.stringify({ agent: 'bob' }))
    const cases: [string, string][] = [
      ['a made-up signature', `session=${value}; session.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA`],
      ["another session's signature", `session=${value}; session.sig=${sign(other)}`],
      ['a signature made with another key', `session=${value}; session.sig=${sign(value, 'not-the-key')}`],
      ['a signature for another cookie name', `session=${value}; session.sig=${sign(value, KEY, 'other')}`],
      ['a truncated value', `session=${value.slice(0, -4)}; session.sig=${sign(value)}`],
      ['a truncated signature', `session=${value}; session.sig=${sign(value).slice(0, 10)}`],
      ['no signature', `session=${value}`],
      ['a signature and no value', `session.sig=${sign(value)}`],
      ['an empty value', `session=; session.sig=${sign('')}`],
      ['garbage that is not base64', 'session=!!!$$$not-base64%%%; session.sig=???'],
      ['base64 that is not JSON, signed', `session=${b64('not json {')}; session.sig=${sign(b64('not json {'))}`],
      ['a percent-encoded mess', 'session=%E0%A4%A; session.sig=%FF'],
      ['an oversized forged value (12 kB)', `session=${'A'.repeat(12_000)}; session.sig=${sign('B')}`],
      ['200 session cookies at once', Array.from({ length: 200 }, (_, i) => `session=${b64(`{"n":${i}}`)}`).join('; ')],
      ['a malformed header', ';;;===;session;=;session.sig'],
      ['latin-1 bytes', 'session=\u00ff\u00fe\u00e9; session.sig=\u00e9'],
    ]
    for (const [name, cookie] of cases) {
      it(name, async () => {
        expect(await readSession(cookie)).to.deep.equal({})
      })
    }

    it('a signed cookie with prototype keys pollutes nothing and carries no __proto__', async () => {
      const poison = b64('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')
      const session = await readSession(`session=${poison}; session.sig=${sign(poison)}`)
      expect(Object.hasOwn(session, '__proto__')).to.equal(false)
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined)
    })

    it('a cookie header over Node’s header limit is a 431 from Node, and the server keeps answering', async () => {
      const answer = await call(suite.served, {
        path: '/session',
        headers: { accept: 'application/json', cookie: `session=${'A'.repeat(20_000)}` },
      })
      expect(answer.status).to.equal(431)
      expect(await readSession('')).to.deep.equal({})
    })
  })

  for (const [kind, steps] of [
    ['cookie-session (run by the middleware)', STEPS],
    ["express-session (the app's own)", STORE_STEPS],
  ] as const) {
    it(`${kind}: ${AGENTS} clients × ${steps * 2} interleaved requests each see only their own session`, async () => {
      let target = suite.served
      if (kind.startsWith('express-session')) {
        const { app, middleware } = makeApp({}, (app) =>
          app.use(expressSession({ secret: KEY, resave: false, saveUninitialized: false })),
        )
        await middleware.ready
        target = await listen(app)
      }
      let requests = 0
      try {
        await Promise.all(
          Array.from({ length: AGENTS }, async (_, agentIndex) => {
            const agent = `agent-${agentIndex}`
            const jar = new Map<string, string>()
            // Each client has its own connection, so their requests interleave on the server.
            const own: Served = { ...target, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) }
            try {
              for (let step = 0; step < steps; step++) {
                const write = await call(own, {
                  method: 'POST',
                  path: '/session',
                  headers: {
                    accept: 'application/json',
                    'content-type': 'application/x-www-form-urlencoded',
                    cookie: cookieHeader(jar),
                  },
                  body: `agent=${agent}&step=${step}`,
                })
                expect(write.status).to.equal(200)
                keep(jar, write.headers['set-cookie'])
                const read = await call(own, {
                  path: '/session',
                  headers: { accept: 'application/json', cookie: cookieHeader(jar) },
                })
                keep(jar, read.headers['set-cookie'])
                requests += 2
                // Its own data, the latest step, and never the copy a handler changed without returning it.
                expect(JSON.parse(read.body).session, agent).to.deep.equal({ agent, step })
              }
            } finally {
              own.agent.destroy()
            }
          }),
        )
      } finally {
        if (target !== suite.served) await target.close()
      }
      expect(requests).to.equal(AGENTS * steps * 2)
    })
  }
})
