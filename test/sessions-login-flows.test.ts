/**
 * The session flows of a web app, with redirects and pages: log in and out,
 * flash a failed form once, guard a route with a chain.
 */
import { expect } from 'chai'
import express from 'express'
import expressSession from 'express-session'
import request from 'supertest'
import type { PageRenderer } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'
import { cookieLine, decodeSession, isCleared, JSON_ACCEPT } from './sessions-helpers.js'

const root = new URL('./fixtures/sessions-patterns/', import.meta.url)

const escapeHtml = (text: unknown) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)

interface Store {
  user?: { name: string } | null
  problems?: Record<string, string>
  values?: { name?: string }
}

/** A small page renderer: the login form (with its flash) and the account page. */
const renderer: PageRenderer = {
  pages: () => ['/login', '/account'],
  render({ pattern, state }) {
    const store = state.store as Store
    if (pattern === '/login') {
      const problems = Object.values(store.problems ?? {})
        .map((problem) => `<li class="problem">${escapeHtml(problem)}</li>`)
        .join('')
      return `<main><h1>Log in</h1><ul>${problems}</ul><form method="post" action="/login"><input name="name" value="${escapeHtml(store.values?.name ?? '')}"><input name="password" type="password"></form></main>`
    }
    if (pattern === '/account') return `<main><h1>Hello ${escapeHtml(store.user?.name)}</h1></main>`
    return undefined
  },
}

const setups: Record<string, () => express.Express> = {
  'our cookie-session': () => express().use(enhanceRoutes({ root, renderer, session: { keys: ['pattern-key'] } })),
  'the app’s express-session': () =>
    express()
      .use(expressSession({ secret: 'pattern-secret', resave: false, saveUninitialized: false }))
      .use(enhanceRoutes({ root, renderer, session: { keys: ['unused-key'] } })),
}

for (const [name, setup] of Object.entries(setups)) {
  describe(`session patterns with ${name}`, () => {
    const app = setup()
    const cookieName = name.includes('express-session') ? 'connect.sid' : 'session'

    it('logs in and out with redirects', async () => {
      const agent = request.agent(app)
      const login = await agent.post('/login').type('form').send({ name: 'ada', password: 'open sesame' })
      expect(login.status).to.equal(303)
      expect(login.headers.location).to.equal('/account')
      const account = await agent.get('/account')
      expect(account.status).to.equal(200)
      expect(account.text).to.include('<h1>Hello ada</h1>')

      const logout = await agent.post('/logout').type('form').send('')
      expect(logout.status).to.equal(303)
      expect(logout.headers.location).to.equal('/login')
      expect(isCleared(cookieLine(logout, cookieName)), String(logout.headers['set-cookie'])).to.equal(true)
      const after = await agent.get('/account')
      expect(after.status).to.equal(302)
      expect(after.headers.location).to.equal('/login')
    })

    it('flashes a failed form: problems and values go into the session, the page shows them once', async () => {
      const agent = request.agent(app)
      const failed = await agent.post('/login').type('form').send({ name: 'ada', password: 'guess' })
      expect(failed.status).to.equal(303)
      expect(failed.headers.location).to.equal('/login')
      if (cookieName === 'session') {
        expect(decodeSession(cookieLine(failed, 'session'))).to.deep.equal({
          problems: { password: 'Wrong password' },
          values: { name: 'ada' },
        })
      }

      const shown = await agent.get('/login')
      expect(shown.status).to.equal(200)
      expect(shown.text).to.include('<li class="problem">Wrong password</li>').and.include('value="ada"')
      expect(shown.text).not.to.include('guess')

      const again = await agent.get('/login')
      expect(again.status).to.equal(200)
      expect(again.text).not.to.include('Wrong password')
      expect(again.text).to.include('<input name="name" value="">')
      const json = await agent.get('/login').set('Accept', JSON_ACCEPT)
      expect(json.body).to.deep.equal({ user: null })
    })

    it('keeps the rest of the session when the flash is shown', async () => {
      const agent = request.agent(app)
      await agent.post('/login').type('form').send({ name: 'ada', password: 'open sesame' })
      await agent.post('/login').type('form').send({ name: '', password: 'guess' })
      const shown = await agent.get('/login').set('Accept', JSON_ACCEPT)
      expect(shown.body).to.deep.equal({
        user: { name: 'ada' },
        problems: { name: 'Enter your name', password: 'Wrong password' },
        values: { name: '' },
      })
      expect((await agent.get('/login').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ user: { name: 'ada' } })
      expect((await agent.get('/account').set('Accept', JSON_ACCEPT)).status).to.equal(200)
    })

    it('guards a route with a chain: 401 for JSON clients, a redirect to the login page for browsers', async () => {
      const json = await request(app).get('/account').set('Accept', JSON_ACCEPT)
      expect(json.status).to.equal(401)
      expect(json.body).to.deep.equal({ error: 'log in first' })
      expect(json.headers.location).to.equal('/login')

      const html = await request(app).get('/account').set('Accept', 'text/html')
      expect(html.status).to.equal(302)
      expect(html.headers.location).to.equal('/login')

      const agent = request.agent(app)
      await agent.post('/login').set('Accept', JSON_ACCEPT).send({ name: 'ada', password: 'open sesame' })
      const allowed = await agent.get('/account').set('Accept', JSON_ACCEPT)
      expect(allowed.status).to.equal(200)
      expect(allowed.body).to.deep.equal({ user: { name: 'ada' } })
    })
  })
}
