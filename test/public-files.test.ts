/**
 * The app's public folder at /_public/, as Enhance serves it: real Express
 * (5 and 4), real serve-static, the fixture's files on disk.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import type { EnhanceRoutesOptions } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'
import { resolveOptions } from '../lib/options.js'

const express4 = createRequire(import.meta.url)('express4') as typeof express

const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url))
const root = fixture('public-app/app')
const styles = readFileSync(fixture('public-app/public/styles.css'), 'utf8')

/** The fixture app: our middleware, then the app's own last handler, which says that a request fell through. */
async function appWith(options: EnhanceRoutesOptions = {}, make: typeof express = express) {
  const middleware = enhanceRoutes({ root, session: false, ...options })
  await middleware.ready
  const app = make()
  app.use(middleware)
  app.use((req, res) => {
    res.status(404).json({ fellThrough: req.originalUrl })
  })
  return app
}

describe('public files at /_public/', () => {
  it('serves a file of public/ (beside app/) with ETag, Last-Modified and Cache-Control', async () => {
    const res = await request(await appWith())
      .get('/_public/styles.css')
      .expect(200)
    expect(res.text).to.equal(styles)
    expect(res.headers['content-type']).to.match(/^text\/css/)
    expect(res.headers.etag).to.be.a('string')
    expect(res.headers['last-modified']).to.be.a('string')
    // As Enhance's static server asks: revalidate every time (serve-static alone says `public, max-age=0`).
    expect(res.headers['cache-control']).to.equal('public, max-age=0, must-revalidate')
    expect(res.headers['accept-ranges']).to.equal('bytes')
  })

  it('answers 304 to a second request that sends the ETag back in If-None-Match', async () => {
    const app = await appWith()
    const first = await request(app).get('/_public/styles.css').expect(200)
    const second = await request(app)
      .get('/_public/styles.css')
      .set('If-None-Match', first.headers.etag as string)
      .expect(304)
    expect(second.text).to.equal('')
    const since = await request(app)
      .get('/_public/styles.css')
      .set('If-Modified-Since', first.headers['last-modified'] as string)
      .expect(304)
    expect(since.headers.etag).to.equal(first.headers.etag)
  })

  it('answers HEAD with the headers and no body', async () => {
    const res = await request(await appWith())
      .head('/_public/styles.css')
      .expect(200)
    expect(res.headers['content-length']).to.equal(String(Buffer.byteLength(styles)))
    expect(res.text ?? '').to.equal('')
  })

  it("sends a file that is not there, a dotfile and a path outside the folder on to the app's next handler", async () => {
    const app = await appWith()
    for (const path of ['/_public/missing.css', '/_public/.secret', '/_public/%2e%2e/app/api/hello.mjs']) {
      const res = await request(app).get(path).expect(404)
      expect(res.body, path).to.deep.equal({ fellThrough: path })
    }
  })

  it('sends a missing file on to our routes (a catch-all route answers it)', async () => {
    const app = express()
    app.use(enhanceRoutes({ root: fixture('public-catchall/app'), publicDir: fixture('public-app/public') }))
    await request(app).get('/_public/styles.css').expect(200, styles)
    const res = await request(app).get('/_public/missing.css').set('Accept', 'application/json').expect(200)
    expect(res.body).to.deep.equal({ caughtBy: 'catchall', path: '/_public/missing.css' })
  })

  it('never redirects a folder: /_public/docs falls through, /_public/docs/ is its index.html', async () => {
    const app = await appWith()
    const folder = await request(app).get('/_public/docs').redirects(0).expect(404)
    expect(folder.headers.location).to.equal(undefined)
    expect(folder.body).to.deep.equal({ fellThrough: '/_public/docs' })
    const index = await request(app).get('/_public/docs/').expect(200)
    expect(index.text).to.contain("The docs folder's index")
  })

  it('sends a POST on to the routes and the app (files answer GET and HEAD only)', async () => {
    const res = await request(await appWith())
      .post('/_public/styles.css')
      .expect(404)
    expect(res.body).to.deep.equal({ fellThrough: '/_public/styles.css' })
  })

  it('leaves requests outside /_public/ to the routes', async () => {
    const app = await appWith()
    await request(app).get('/hello').set('Accept', 'application/json').expect(200, { hello: 'from the API' })
    await request(app).get('/styles.css').expect(404, { fellThrough: '/styles.css' })
  })

  it('publicDir: false serves no files', async () => {
    const res = await request(await appWith({ publicDir: false }))
      .get('/_public/styles.css')
      .expect(404)
    expect(res.body).to.deep.equal({ fellThrough: '/_public/styles.css' })
  })

  it("a moved publicDir (a path from the root's parent, or a file URL) is served instead", async () => {
    for (const publicDir of ['moved', new URL('./fixtures/public-app/moved/', import.meta.url)]) {
      const app = await appWith({ publicDir })
      await request(app).get('/_public/robots.txt').expect(200, 'User-agent: *\n')
      await request(app).get('/_public/styles.css').expect(404, { fellThrough: '/_public/styles.css' })
    }
  })

  it('works under a mount prefix and on Express 4', async () => {
    const app = express()
    app.use('/v2', enhanceRoutes({ root, session: false }))
    await request(app).get('/v2/_public/styles.css').expect(200, styles)
    const app4 = await appWith({}, express4)
    const first = await request(app4).get('/_public/styles.css').expect(200, styles)
    await request(app4)
      .get('/_public/styles.css')
      .set('If-None-Match', first.headers.etag as string)
      .expect(304)
    await request(app4).get('/_public/docs').redirects(0).expect(404, { fellThrough: '/_public/docs' })
  })

  describe('the publicDir option', () => {
    it('defaults to <root>/../public when that folder exists, and to none otherwise', () => {
      expect(resolveOptions({ root }).publicDir).to.equal(fixture('public-app/public'))
      expect(resolveOptions({ root: fixture('public-catchall/app') }).publicDir).to.equal(false)
    })

    it('is a path or false: anything else is a TypeError', () => {
      for (const publicDir of [true, 42, {}, null]) {
        expect(
          () => resolveOptions({ root, publicDir } as unknown as EnhanceRoutesOptions),
          String(publicDir),
        ).to.throw(TypeError, /publicDir must be a path/)
      }
    })
  })
})
