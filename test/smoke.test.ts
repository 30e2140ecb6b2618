import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

describe('smoke', () => {
  const app = express()
  app.use(enhanceRoutes({ root: new URL('./fixtures/smoke/', import.meta.url), session: false }))
  app.get('/legacy', (_req, res) => {
    res.json({ legacy: true })
  })

  it('answers a GET with the handler json', async () => {
    const res = await request(app).get('/shop/hat?color=red&color=blue').set('Accept', 'application/json')
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ product: 'hat', query: { color: ['red', 'blue'] } })
    expect(res.headers.vary).to.include('Accept')
  })

  it('falls through to legacy routes', async () => {
    const res = await request(app).get('/legacy')
    expect(res.body).to.deep.equal({ legacy: true })
  })

  it('redirects a form POST with 303', async () => {
    const res = await request(app).post('/shop/hat').type('form').send('a=1&a=2')
    expect(res.status).to.equal(303)
    expect(res.headers.location).to.equal('/shop')
  })
})
