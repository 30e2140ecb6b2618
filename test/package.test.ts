import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

// These run the built package (npm test builds it first) in fresh Node
// processes without tsx, as users get it.
const cwd = fileURLToPath(new URL('..', import.meta.url))
const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })

describe('the built package', () => {
  it('gives enhanceRoutes to require (CommonJS)', () => {
    const out = node(['-e', "const m = require('express-enhance-routes'); console.log(typeof m.enhanceRoutes)"])
    expect(out.trim()).to.equal('function')
  })

  it('gives enhanceRoutes to import (ESM)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "import { enhanceRoutes } from 'express-enhance-routes'; console.log(typeof enhanceRoutes)",
    ])
    expect(out.trim()).to.equal('function')
  })

  it('the CommonJS build imports .mjs route modules and answers', () => {
    const script = `
      const express = require('express')
      const request = require('supertest')
      const { enhanceRoutes } = require('express-enhance-routes')
      const mw = enhanceRoutes({ root: 'test/fixtures/smoke', session: false })
      const app = express().use(mw)
      request(app).get('/shop/cap').set('Accept', 'application/json')
        .then((res) => console.log(res.status, JSON.stringify(res.body)))`
    const out = node(['-e', script])
    expect(out.trim()).to.equal('200 {"product":"cap","query":{}}')
  })

  it('gives its types to `import type` from ESM and CommonJS files (tsc over test/fixtures/types-consumer)', function () {
    this.timeout(60000)
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
    const project = 'test/fixtures/types-consumer/tsconfig.json'
    const resolved = node([tsc, '-p', project, '--traceResolution'])
      .split('\n')
      .filter((line) => line.includes("'express-enhance-routes' was successfully resolved"))
    expect(resolved.some((line) => line.includes('dist/esm/lib/index.d.ts'))).to.equal(true)
    expect(resolved.some((line) => line.includes('dist/cjs/lib/index.d.ts'))).to.equal(true)
  })

  it('without a TypeScript loader, a .ts route fails with a message that says what to do, and other routes answer', () => {
    const script = `
      import express from 'express'
      import request from 'supertest'
      import { enhanceRoutes } from 'express-enhance-routes'
      const mw = enhanceRoutes({ root: 'test/fixtures/typescript', session: false })
      const app = express().use(mw)
      const why = await mw.ready.then(() => 'resolved', (e) => e.message)
      const ts = await request(app).get('/typed').set('Accept', 'application/json')
      const plain = await request(app).get('/plain').set('Accept', 'application/json')
      console.log(JSON.stringify({ why, ts: [ts.status, ts.body.error.message], plain: [plain.status, plain.body] }))`
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
    )
    expect(out.why).to.include('typed.ts').and.to.include('--import tsx')
    expect(out.ts[0]).to.equal(500)
    expect(out.ts[1]).to.include('typed.ts').and.to.include('TypeScript loader')
    expect(out.plain).to.deep.equal([200, { plain: true }])
  })
})
