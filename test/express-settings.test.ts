/**
 * Express settings are honoured as `res.json` and `res.send` honour them
 * (SPEC section 9): `etag` (an ETag and a 304 for a fresh If-None-Match),
 * `json spaces`, `json replacer`, `json escape`, `query parser`, `strict routing`;
 * on Express 5 and Express 4.
 */
import { createRequire } from 'node:module'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const express4 = createRequire(import.meta.url)('express4') as typeof express
const root = new URL('./fixtures/express-settings/', import.meta.url)
const JSON_ACCEPT = 'application/json'

for (const [version, make] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  const appWith = (settings: Record<string, unknown>) => {
    const app = make()
    for (const [name, value] of Object.entries(settings)) app.set(name, value)
    app.use(enhanceRoutes({ root, session: false, onError: () => {} }))
    return app
  }

  describe(`Express settings (${version})`, () => {
    it('etag (on by default): a weak ETag on JSON, and 304 without a body for a fresh If-None-Match', async () => {
      const app = appWith({})
      const first = await request(app).get('/data').set('Accept', JSON_ACCEPT)
      expect(first.headers.etag).to.match(/^W\/"/)
      const again = await request(app)
        .get('/data')
        .set('Accept', JSON_ACCEPT)
        .set('If-None-Match', String(first.headers.etag))
      expect(again.status).to.equal(304)
      expect(again.text ?? '').to.equal('')
      expect(again.headers).to.not.have.property('content-length')
      const changed = await request(app)
        .get('/data?x=1')
        .set('Accept', JSON_ACCEPT)
        .set('If-None-Match', String(first.headers.etag))
      expect(changed.status).to.equal(200)
    })

    it('the ETag is the one the app’s own etag setting makes for that body (weak, strong, non-ASCII)', async () => {
      for (const setting of ['weak', 'strong']) {
        const app = appWith({ etag: setting })
        const answer = await request(app).get('/data?q=h%C3%A9llo%20%E2%98%83').set('Accept', JSON_ACCEPT)
        const expected = (app.get('etag fn') as (body: string) => string)(answer.text)
        expect(answer.headers.etag, setting).to.equal(expected)
      }
    })

    it("etag 'strong' and false are the app's choice", async () => {
      const strong = await request(appWith({ etag: 'strong' }))
        .get('/data')
        .set('Accept', JSON_ACCEPT)
      expect(strong.headers.etag).to.match(/^"/)
      const none = await request(appWith({ etag: false }))
        .get('/data')
        .set('Accept', JSON_ACCEPT)
      expect(none.headers).to.not.have.property('etag')
    })

    it('json spaces, json replacer and json escape shape the JSON as res.json would', async () => {
      const replacer = (key: string, value: unknown) => (key === 'secret' ? undefined : value)
      const app = appWith({ 'json spaces': 2, 'json replacer': replacer, 'json escape': true })
      const answer = await request(app).get('/data?q=%3Cb%3E').set('Accept', JSON_ACCEPT)
      const expected = JSON.stringify({ when: 'now', secret: 'hidden', query: { q: '<b>' } }, replacer, 2)
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
      expect(answer.text).to.equal(expected)
    })

    it("query parser: 'extended' nests ?filter[status]=open, as req.query does; 'simple' keeps it flat", async () => {
      const extended = await request(appWith({ 'query parser': 'extended' }))
        .get('/data?filter[status]=open')
        .set('Accept', JSON_ACCEPT)
      expect(extended.body.query).to.deep.equal({ filter: { status: 'open' } })
      const simple = await request(appWith({ 'query parser': 'simple' }))
        .get('/data?filter[status]=open')
        .set('Accept', JSON_ACCEPT)
      expect(simple.body.query).to.deep.equal({ 'filter[status]': 'open' })
    })

    it('strict routing: /about/ is not /about', async () => {
      const strict = appWith({ 'strict routing': true })
      expect((await request(strict).get('/about').set('Accept', JSON_ACCEPT)).status).to.equal(200)
      expect((await request(strict).get('/about/').set('Accept', JSON_ACCEPT)).status).to.equal(404)
      expect((await request(appWith({})).get('/about/').set('Accept', JSON_ACCEPT)).status).to.equal(200)
    })
  })
}
