/**
 * Cross-site unsafe requests are refused by default (SPEC section 9): a form
 * another site makes the victim's browser post, with the victim's cookie,
 * meets a 403 and its handler is never called.
 */
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { type EnhanceRoutesOptions, enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/boundary/', import.meta.url)
const calls = () => ((globalThis as { __boundaryCalls?: string[] }).__boundaryCalls ??= [])

function appWith(options: EnhanceRoutesOptions = {}, setUp?: (app: express.Express) => void) {
  const app = express()
  setUp?.(app)
  app.use(enhanceRoutes({ root, session: false, onError: () => {}, ...options }))
  return app
}

describe('the boundary: cross-site requests', () => {
  beforeEach(() => {
    calls().length = 0
  })

  const app = appWith()

  for (const method of ['post', 'put', 'patch', 'delete'] as const) {
    it(`a cross-site ${method.toUpperCase()} (another Origin) is a 403 for JSON and HTML clients; the handler is not called`, async () => {
      const json = await request(app)
        [method]('/notes')
        .set('Origin', 'https://evil.example')
        .set('Accept', 'application/json')
        .send({ title: 'from evil' })
      expect(json.status).to.equal(403)
      expect(json.body.error.status).to.equal(403)
      expect(json.body.error.message).to.include('cross-site').and.to.include('https://evil.example')
      const html = await request(app)
        [method]('/notes')
        .set('Origin', 'https://evil.example')
        .set('Accept', 'text/html')
        .type('form')
        .send('title=from+evil')
      expect(html.status).to.equal(403)
      expect(html.headers['content-type']).to.match(/^text\/html/)
      expect(calls()).to.deep.equal([])
    })
  }

  it('Sec-Fetch-Site: cross-site is refused even without an Origin; a same-site Origin of another host too', async () => {
    const cross = await request(app).post('/notes').set('Sec-Fetch-Site', 'cross-site').send({ a: 1 })
    expect(cross.status).to.equal(403)
    expect(calls()).to.deep.equal([])
    // same-site is a sibling host (a subdomain): another origin all the same.
    const sibling = await request(app)
      .post('/notes')
      .set('Sec-Fetch-Site', 'same-site')
      .set('Origin', 'https://blog.example')
      .send({ a: 1 })
    expect(sibling.status).to.equal(403)
    for (const site of ['same-origin', 'none']) {
      const answer = await request(app)
        .post('/notes')
        .set('Sec-Fetch-Site', site)
        .set('Accept', 'application/json')
        .send({ a: 1 })
      expect(answer.status, site).to.equal(200)
    }
  })

  it('an opaque Origin (null: a sandboxed frame, a privacy redirect) is another origin', async () => {
    const answer = await request(app).post('/notes').set('Origin', 'null').send({ a: 1 })
    expect(answer.status).to.equal(403)
  })

  it('same-origin forms and scripts, and clients that send neither header (curl, supertest), are served', async () => {
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    try {
      const origin = `http://127.0.0.1:${port}`
      const form = await fetch(`${origin}/notes`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: 'title=mine',
        redirect: 'manual',
      })
      expect(form.status).to.equal(303)
      const script = await fetch(`${origin}/notes`, {
        method: 'PATCH',
        headers: { origin, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'mine too' }),
      })
      expect(script.status).to.equal(200)
    } finally {
      server.close()
    }
    const plain = await request(app).post('/notes').set('Accept', 'application/json').send({ title: 'curl' })
    expect(plain.status).to.equal(200)
    expect(calls()).to.have.length(3)
  })

  it('safe methods from other sites are served (links, images, cross-origin reads that CORS governs)', async () => {
    const answer = await request(app)
      .get('/notes')
      .set('Origin', 'https://evil.example')
      .set('Accept', 'application/json')
    expect(answer.status).to.equal(200)
  })

  it("the request's own origin follows trust proxy: behind an HTTPS proxy the public origin is this site's", async () => {
    const proxied = appWith({}, (a) => a.set('trust proxy', 'loopback'))
    const answer = await request(proxied)
      .post('/notes')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'shop.example')
      .set('Origin', 'https://shop.example')
      .set('Accept', 'application/json')
      .send({ a: 1 })
    expect(answer.status).to.equal(200)
    // Without trust proxy, the forwarded headers are anybody's words: the origin is the Host's.
    const untrusted = await request(app)
      .post('/notes')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'shop.example')
      .set('Origin', 'https://shop.example')
      .send({ a: 1 })
    expect(untrusted.status).to.equal(403)
  })

  it('csrf.trustedOrigins serves the origins named; csrf: false turns the check off', async () => {
    const trusting = appWith({ csrf: { trustedOrigins: ['https://admin.example/'] } })
    const trusted = await request(trusting).post('/notes').set('Origin', 'https://admin.example').send({})
    expect(trusted.status).to.equal(200)
    const other = await request(trusting).post('/notes').set('Origin', 'https://evil.example').send({})
    expect(other.status).to.equal(403)
    const off = await request(appWith({ csrf: false }))
      .post('/notes')
      .set('Origin', 'https://evil.example')
      .send({})
    expect(off.status).to.equal(200)
    expect(() => enhanceRoutes({ root, csrf: { trustedOrigins: ['not an origin'] } })).to.throw(/not an origin/)
  })
})
