/**
 * Routing as Enhance routes (issue 19 item 9): `.well-known/` is served; a
 * module's own `head` and `options` exports answer HEAD and OPTIONS.
 */
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/enhance-routing/', import.meta.url)
const middleware = enhanceRoutes({ root, session: false, onError: () => {} })
const app = express().use(middleware)

describe('routing as Enhance routes', () => {
  it('serves .well-known/ (webfinger, security.txt); other hidden names are no routes', async () => {
    const finger = await request(app)
      .get('/.well-known/webfinger?resource=acct:ada@example.com')
      .set('Accept', 'application/json')
    expect(finger.status).to.equal(200)
    expect(finger.body).to.deep.equal({ subject: 'acct:ada@example.com', links: [] })
    const hidden = await request(app).get('/.hidden').set('Accept', 'application/json')
    expect(hidden.status).to.equal(404)
    await middleware.ready
    expect(middleware.routes().map((route) => route.pattern))
      .to.include('/.well-known/webfinger')
      .and.not.include('/.hidden')
  })

  it('a module’s own head export answers HEAD, without a body', async () => {
    const head = await request(app).head('/feed').set('Accept', 'application/json')
    expect(head.status).to.equal(200)
    expect(head.headers['x-count']).to.equal('3')
    expect(head.text ?? '').to.equal('')
    // Without one, HEAD runs get, whose request.method is GET.
    const plain = await request(app).head('/plain').set('Accept', 'application/json')
    expect(plain.status).to.equal(200)
    expect(plain.headers['content-length']).to.equal(String(JSON.stringify({ method: 'GET' }).length))
  })

  it('a module’s own options export answers OPTIONS; without one, 204 with Allow', async () => {
    const own = await request(app).options('/feed').set('Accept', 'application/json')
    expect(own.status).to.equal(200)
    expect(own.headers['x-own-options']).to.equal('yes')
    expect(own.body).to.deep.equal({ methods: ['GET', 'HEAD', 'OPTIONS'] })
    const plain = await request(app).options('/plain')
    expect(plain.status).to.equal(204)
    expect(plain.headers.allow).to.equal('GET, HEAD, OPTIONS')
  })

  it('Allow lists the head and options exports once', async () => {
    const notAllowed = await request(app).post('/feed').set('Accept', 'application/json')
    expect(notAllowed.status).to.equal(405)
    expect(notAllowed.headers.allow).to.equal('GET, HEAD, OPTIONS')
  })
})
