/**
 * Many sessions at once, every request of every session in flight together:
 * each answer sees its own session only, with every kind of session keeper.
 */
import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import { expect } from 'chai'
import cookieSession from 'cookie-session'
import express from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'
import { cookieLine, decodeSession, JSON_ACCEPT, root } from './sessions-helpers.js'

const SESSIONS = 50
const PER_SESSION = 4

/** Each setup, and the name of the cookie that holds the session data (none for express-session). */
const cookieNames: Record<string, string | undefined> = {
  'our cookie-session': 'session',
  'the app’s cookie-session': 'own',
  'the app’s express-session': undefined,
}

const setups: Record<string, () => express.Express> = {
  'our cookie-session': () => express().use(enhanceRoutes({ root, session: { keys: ['concurrency-key'] } })),
  'the app’s cookie-session': () =>
    express()
      .use(cookieSession({ name: 'own', keys: ['own-key'] }))
      .use(enhanceRoutes({ root, session: { keys: ['unused-key'] } })),
  'the app’s express-session': () =>
    express()
      .use(expressSession({ secret: 'concurrency-secret', resave: false, saveUninitialized: false }))
      .use(enhanceRoutes({ root, session: { keys: ['unused-key'] } })),
}

for (const [name, setup] of Object.entries(setups)) {
  describe(`sessions under load with ${name}`, function () {
    // Shared, busy machines: give the whole exchange room, without relying on timing.
    this.timeout(60_000)
    const cookieName = cookieNames[name]
    let server: Server
    before((done) => {
      server = setup().listen(0, '127.0.0.1', done)
    })
    after((done) => {
      server.close(done)
    })

    it(`answers ${SESSIONS * PER_SESSION} concurrent requests from ${SESSIONS} sessions, each seeing only its own session`, async () => {
      const clients = Array.from({ length: SESSIONS }, (_, i) => ({
        agent: request.agent(server),
        user: `user-${i}`,
        token: randomBytes(12).toString('hex'),
      }))
      const tokens = clients.map((client) => client.token)
      const logins = await Promise.all(
        clients.map((c) => c.agent.post('/me').set('Accept', JSON_ACCEPT).send({ user: c.user, token: c.token })),
      )
      for (const login of logins) expect(login.status).to.equal(200)

      // Every session at once: two reads and two writes each, all in flight together.
      const inFlight = clients.flatMap((client) =>
        Array.from({ length: PER_SESSION }, (_, j) => {
          const pending =
            j % 2 === 0
              ? client.agent.get('/me').set('Accept', JSON_ACCEPT)
              : client.agent
                  .put('/me')
                  .set('Accept', JSON_ACCEPT)
                  .send({ [`hit${j}`]: client.token })
          return pending.then((res) => ({ client, res, write: j % 2 === 1 }))
        }),
      )
      const results = await Promise.all(inFlight)
      expect(results).to.have.length(SESSIONS * PER_SESSION)

      for (const { client, res, write } of results) {
        expect(res.status).to.equal(200)
        const seen = (write ? res.body.saw : res.body.session) as Record<string, unknown>
        expect(seen.user).to.equal(client.user)
        expect(seen.token).to.equal(client.token)
        // No other session's token anywhere in the answer, body or cookie.
        const everything = `${res.text} ${JSON.stringify(res.headers['set-cookie'] ?? [])}`
        if (write && cookieName !== undefined) {
          expect(decodeSession(cookieLine(res, cookieName))).to.deep.include({ user: client.user, token: client.token })
        }
        for (const token of tokens) {
          if (token !== client.token) expect(everything).not.to.include(token)
        }
      }

      // Afterwards each session still holds its own user and token.
      const finals = await Promise.all(clients.map((c) => c.agent.get('/me').set('Accept', JSON_ACCEPT)))
      finals.forEach((res, i) => {
        const client = clients[i] as (typeof clients)[number]
        expect(res.body.session).to.deep.include({ user: client.user, token: client.token })
      })
    })
  })
}
