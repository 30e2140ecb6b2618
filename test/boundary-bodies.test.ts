/**
 * Bodies parsed upstream (`app.use(express.json())` in front) get the same
 * guarantees as the bodies we parse (SPEC section 9): no prototype keys, and a
 * depth limit that answers 400 instead of a stack overflow.
 */
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/boundary/', import.meta.url)
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

for (const upstream of ['express.json() in front', 'our own parser'] as const) {
  describe(`the boundary: request bodies (${upstream})`, () => {
    const app = express()
    if (upstream === 'express.json() in front') app.use(express.json({ limit: '5mb', strict: false }))
    app.use(enhanceRoutes({ root, session: false, onError: () => {} }))

    it('removes __proto__, constructor and prototype keys, so Object.assign({}, body) takes no prototype', async () => {
      const answer = await request(app)
        .post('/body')
        .set('Content-Type', 'application/json')
        .set('Accept', 'application/json')
        .send('{"name":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')
      expect(answer.status).to.equal(200)
      expect(answer.body).to.deep.equal({ keys: ['name'], polluted: false })
    })

    it('a body nested 5000 levels deep is a 400 with a message, and the handler is not called', async () => {
      const answer = await request(app)
        .post('/body')
        .set('Content-Type', 'application/json')
        .set('Accept', 'application/json')
        .send(`{"a":${nested(5000)}}`)
      expect(answer.status).to.equal(400)
      expect(answer.body.error.message).to.include('nested more than 512 levels')
    })

    it('a body nested 500 levels deep is served', async () => {
      const answer = await request(app)
        .post('/body')
        .set('Content-Type', 'application/json')
        .set('Accept', 'application/json')
        .send(`{"a":${nested(500)}}`)
      expect(answer.status).to.equal(200)
      expect(answer.body.keys).to.deep.equal(['a'])
    })
  })
}
