/**
 * No request hangs forever (SPEC sections 1 and 4): a handler gets
 * `request.signal`, which aborts when the client leaves or the deadline
 * passes; past the deadline the client gets a negotiated 503, and the late
 * answer is dropped with its session.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { type EnhanceRoutesOptions, enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/boundary/', import.meta.url)
const hang = () =>
  ((globalThis as { __boundaryHang?: { aborted: string[]; late: number } }).__boundaryHang ??= {
    aborted: [],
    late: 0,
  })
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function appWith(options: EnhanceRoutesOptions) {
  return express().use(enhanceRoutes({ root, onError: () => {}, session: { keys: ['deadline tests'] }, ...options }))
}

describe('the boundary: deadlines and clients that leave', function () {
  this.timeout(20_000)
  beforeEach(() => {
    hang().aborted.length = 0
    hang().late = 0
  })

  it('past the timeout option: a 503 for JSON and HTML clients, the signal aborts (TimeoutError), the late answer is dropped with its session', async () => {
    const app = appWith({ timeout: 150 })
    const json = await request(app).get('/hang').set('Accept', 'application/json')
    expect(json.status).to.equal(503)
    expect(json.body.error.message).to.include('did not answer within 150 ms')
    expect(json.headers['set-cookie']).to.equal(undefined)
    const html = await request(app).post('/hang').set('Accept', 'text/html').type('form').send('a=1')
    expect(html.status).to.equal(503)
    expect(html.headers['content-type']).to.match(/^text\/html/)
    await settle(100)
    expect(hang().aborted).to.deep.equal(['TimeoutError', 'TimeoutError'])
    expect(hang().late).to.equal(2)
  })

  it("without the option, the server's requestTimeout is the deadline", async () => {
    const server = http.createServer(appWith({}))
    server.requestTimeout = 200
    server.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const started = Date.now()
      const answer = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`, {
        headers: { accept: 'application/json' },
      })
      expect(answer.status).to.equal(503)
      expect(Date.now() - started).to.be.below(5_000)
      await settle(100)
      expect(hang().aborted).to.deep.equal(['TimeoutError'])
    } finally {
      server.close()
    }
  })

  it('the signal aborts (AbortError) when the client leaves, and nothing is written after', async () => {
    const server = appWith({ timeout: 0 }).listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      const port = (server.address() as AddressInfo).port
      await new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/hang', headers: { accept: 'application/json' } })
        req.on('error', () => resolve())
        setTimeout(() => {
          req.destroy()
          resolve()
        }, 100)
      })
      await settle(150)
      expect(hang().aborted).to.deep.equal(['AbortError'])
      expect(hang().late).to.equal(1)
    } finally {
      server.close()
    }
  })

  it('timeout: 0 sets no deadline; a bad timeout is refused at start-up', () => {
    expect(() => enhanceRoutes({ root, timeout: -1 })).to.throw(/timeout must be a number/)
    expect(() => enhanceRoutes({ root, timeout: '5s' as unknown as number })).to.throw(/timeout must be a number/)
  })
})
