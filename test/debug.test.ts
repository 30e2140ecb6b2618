import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

// DEBUG=express-enhance-routes, as users turn it on: an env variable read by
// the `debug` package when a real process starts (the built package).
const repo = fileURLToPath(new URL('..', import.meta.url))

const script = `
  import express from 'express'
  import request from 'supertest'
  import { enhanceRoutes } from 'express-enhance-routes'
  const app = express()
  app.use(enhanceRoutes({ root: 'test/fixtures/routing', session: false, onError: () => {} }))
  app.get('/legacy', (req, res) => res.send('legacy'))
  const strict = express().use(enhanceRoutes({ root: 'test/fixtures/routing', session: false, fallthrough: false, onError: () => {} }))
  await request(app).get('/shop/new').set('Accept', 'application/json')
  await request(app).get('/shop/hat').set('Accept', 'text/html')
  await request(app).get('/docs/a/b')
  await request(app).get('/legacy')
  await request(app).delete('/shop/new').set('Accept', 'application/json')
  await request(strict).get('/nowhere').set('Accept', 'application/json')
  await request(app).get('/shop/%E0%A4%A').set('Accept', 'application/json')
  console.log('done')`

function runWith(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: repo, timeout: 30000, env: { ...process.env, NODE_OPTIONS: '', DEBUG: '', ...env } },
      (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })),
    )
  })
}

describe('DEBUG=express-enhance-routes', function () {
  this.timeout(40000)
  let lines: string[]

  before(async () => {
    const { stdout, stderr } = await runWith({ DEBUG: 'express-enhance-routes', DEBUG_COLORS: 'no' })
    expect(stdout.trim()).to.equal('done')
    lines = stderr.split('\n').filter((line) => / express-enhance-routes (GET|DELETE) /.test(line))
    expect(lines.length).to.be.greaterThan(6)
  })
  const lineFor = (start: string) => {
    const found = lines.filter((line) => line.includes(` ${start}`))
    expect(found, `no log line for "${start}" in:\n${lines.join('\n')}`).to.not.have.length(0)
    return found.join('\n')
  }

  it('says which route matched, from which file, with which params, and what it beat', () => {
    const newLine = lineFor('GET /shop/new: matched')
    expect(newLine).to.include('matched /shop/new (test/fixtures/routing/api/shop/new.mjs)')
    expect(newLine).to.include('by precedence over /shop/$product, /shop/$$')
    const hat = lineFor('GET /shop/hat: matched')
    expect(hat).to.include(
      "matched /shop/$product (test/fixtures/routing/api/shop/$product.mjs) params { product: 'hat' }",
    )
    expect(hat).to.include('by precedence over /shop/$$')
    expect(lineFor('GET /docs/a/b: matched')).to.include(
      "/docs/$$ (test/fixtures/routing/api/docs/$$.mjs) params { '$$': 'a/b' }",
    )
  })

  it('logs the negotiation: the kind of client and the answer', () => {
    expect(lineFor('GET /shop/new: matched')).to.include('JSON client (Accept: application/json)')
    expect(lineFor('GET /shop/hat: matched')).to.include('HTML client (Accept: text/html)')
    expect(lineFor('GET /shop/new: answers')).to.include('answers json 200')
    expect(lineFor('GET /docs/a/b: matched')).to.include('HTML client (Accept: none)')
  })

  it('says why nothing matched: fell through, 404 or a malformed URL, and a 405', () => {
    expect(lineFor('GET /legacy:')).to.include('no route matches: next() (fallthrough)')
    expect(lineFor('GET /nowhere:')).to.include('no route matches: 404 (fallthrough: false)')
    expect(lineFor('GET /shop/%E0%A4%A:')).to.include('malformed percent-encoding: 400')
    expect(lineFor('DELETE /shop/new:')).to.include(
      'answers error 405 (Method Not Allowed: /shop/new answers GET, HEAD, OPTIONS)',
    )
  })

  it('logs nothing when DEBUG does not name it', async () => {
    const { stdout, stderr } = await runWith({ DEBUG: 'express:nothing-here' })
    expect(stdout.trim()).to.equal('done')
    // (stderr still has the start-up report of typed.ts, which needs a TypeScript loader)
    expect(stderr).to.include('typed.ts')
    expect(stderr).to.not.match(/express-enhance-routes (GET|DELETE) /)
  })
})
