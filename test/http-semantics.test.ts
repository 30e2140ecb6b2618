/**
 * HTTP as the RFCs say (SPEC section 9): a 204 or 304 has no body, no
 * Content-Length and no Content-Type; Vary names every request header the
 * answer depended on.
 */
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/boundary/', import.meta.url)
const app = express().use(enhanceRoutes({ root, session: false, onError: () => {} }))

describe('HTTP semantics', () => {
  for (const status of [204, 304]) {
    it(`{ statusCode: ${status}, json } sends no body, no Content-Length and no Content-Type`, async () => {
      for (const accept of ['application/json', 'text/html']) {
        const answer = await request(app).get(`/empty?status=${status}`).set('Accept', accept)
        expect(answer.status).to.equal(status)
        expect(answer.text ?? '').to.equal('')
        expect(answer.headers).to.not.have.property('content-length')
        expect(answer.headers).to.not.have.property('content-type')
      }
    })
  }

  it('an answer decided by Accept varies on Accept; one decided by the JSON-body rule also on Content-Type', async () => {
    const byAccept = await request(app).post('/notes').set('Accept', 'application/json').send({ a: 1 })
    expect(byAccept.headers.vary).to.equal('Accept')
    const byBody = await request(app).post('/notes').send({ a: 1 })
    expect(byBody.status).to.equal(200)
    expect(byBody.headers.vary).to.equal('Accept, Content-Type')
  })

  it('a GET naming a JSON content type but sending no body (and no Accept) is a browser, as the rule says', async () => {
    const renderer = { pages: () => ['/notes'], render: () => '<p>the notes page</p>' }
    const withPage = express().use(enhanceRoutes({ root, renderer, session: false, onError: () => {} }))
    const answer = await request(withPage).get('/notes').set('Content-Type', 'application/json')
    expect(answer.status).to.equal(200)
    expect(answer.text).to.equal('<p>the notes page</p>')
    expect(answer.headers.vary).to.equal('Accept, Content-Type')
    // With a JSON body it is a script.
    const posted = await request(withPage).post('/notes').send({ a: 1 })
    expect(posted.headers['content-type']).to.match(/^application\/json/)
  })

  it('HEAD sends the headers of GET, with the Content-Length of its body, and no body', async () => {
    const get = await request(app).get('/key').set('Accept', 'application/json')
    const head = await request(app).head('/key').set('Accept', 'application/json')
    expect(head.status).to.equal(200)
    expect(head.headers['content-length']).to.equal(get.headers['content-length'])
    expect(head.headers['content-type']).to.equal(get.headers['content-type'])
    expect(head.text ?? '').to.equal('')
  })
})
