import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/sessions/', import.meta.url)

describe('sessions (cookie-session run by the middleware)', () => {
  const app = express().use(enhanceRoutes({ root, session: { keys: ['test-key'] } }))

  it('starts empty, keeps what a response writes, and ends with session: {}', async () => {
    const agent = request.agent(app)
    const first = await agent.get('/login').set('Accept', 'application/json')
    expect(first.body).to.deep.equal({ session: {} })
    const login = await agent.post('/login').type('form').send('name=ada')
    expect(login.status).to.equal(303)
    expect(String(login.headers['set-cookie'])).to.include('httponly').and.to.include('samesite=lax')
    const after = await agent.get('/login').set('Accept', 'application/json')
    expect(after.body).to.deep.equal({ session: { user: 'ada' } })
    await agent.delete('/login').set('Accept', 'application/json')
    const ended = await agent.get('/login').set('Accept', 'application/json')
    expect(ended.body).to.deep.equal({ session: {} })
  })

  it('reads a tampered cookie as an empty session', async () => {
    const res = await request(app)
      .get('/login')
      .set('Accept', 'application/json')
      .set('Cookie', 'session=eyJ1c2VyIjoiZXZlIn0=; session.sig=forged')
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ session: {} })
  })

  it('uses the app’s own cookie-session when it mounts one first', async () => {
    const { default: cookieSession } = await import('cookie-session')
    const own = express()
      .use(cookieSession({ name: 'own', keys: ['own-key'] }))
      .use(enhanceRoutes({ root, session: { keys: ['unused'] } }))
    const agent = request.agent(own)
    const login = await agent.post('/login').type('form').send('name=grace')
    expect(String(login.headers['set-cookie'])).to.match(/^own=/)
    const after = await agent.get('/login').set('Accept', 'application/json')
    expect(after.body).to.deep.equal({ session: { user: 'grace' } })
  })
})
