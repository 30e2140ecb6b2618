/**
 * The modules of app/browser/ bundled as Enhance bundles them and served at
 * /_public/browser/<name>: real esbuild, real Express, fixture apps on disk
 * (and temp folders for the ones a test breaks or changes).
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { routeTable } from '../lib/app.js'
import { type BrowserBundles, browserBundles } from '../lib/http/browser.js'
import { publicFiles } from '../lib/http/public.js'
import { serve } from '../lib/http/serve.js'
import type { EnhanceRoutesMiddleware, EnhanceRoutesOptions } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'
import { resolveOptions } from '../lib/options.js'
import { sessionAccess } from '../lib/session/index.js'

const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/${path}`, import.meta.url))

const opened: { close(): Promise<void> }[] = []
const temps: string[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((middleware) => middleware.close()))
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** An app folder in a temp dir under test-output/ (git-ignored), so that esbuild names its files from the project. */
function tempApp(files: Record<string, string>): string {
  const base = join(process.cwd(), 'test-output')
  mkdirSync(base, { recursive: true })
  const root = join(mkdtempSync(join(base, 'browser-')), 'app')
  temps.push(dirname(root))
  for (const [path, text] of Object.entries(files)) write(root, path, text)
  return root
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), text)
}

/** The middleware in a real Express app whose own last handler says that a request fell through. */
function appWith(middleware: EnhanceRoutesMiddleware | ReturnType<typeof publicFiles>) {
  const app = express()
  if (middleware) app.use(middleware)
  app.use((req, res) => {
    res.status(404).json({ fellThrough: req.originalUrl })
  })
  app.use((error: { status?: number; message: string }, _req: unknown, res: express.Response, _next: unknown) => {
    res.status(599).json({ handedOn: error.status, message: error.message })
  })
  return app
}

function mounted(options: EnhanceRoutesOptions) {
  const middleware = enhanceRoutes({ session: false, onError: () => {}, ...options })
  opened.push(middleware)
  return { middleware, app: appWith(middleware) }
}

const quietly = async <T>(run: () => Promise<T>): Promise<T> => {
  const error = console.error
  console.error = () => {}
  try {
    return await run()
  } finally {
    console.error = error
  }
}

describe('browser modules at /_public/browser/', () => {
  it("bundles app/browser/main.mjs with the app's module and the package it imports inlined", async () => {
    const { middleware, app } = mounted({ root: fixture('browser-app/app') })
    await middleware.ready
    const res = await request(app).get('/_public/browser/main.mjs').expect(200)
    expect(res.headers['content-type']).to.equal('text/javascript; charset=utf-8')
    expect(res.text).to.contain('from app/lib/greet.mjs')
    expect(res.text).to.contain('&quot;') // escape-html, a CommonJS package, is in the bundle
    expect(res.text).not.to.match(/^\s*import\s/m)
    await request(app).get('/').set('Accept', 'application/json').expect(200, { home: true })
  })

  it('answers 304 to If-None-Match with its ETag, and HEAD without a body', async () => {
    const { app } = mounted({ root: fixture('browser-app/app') })
    const first = await request(app).get('/_public/browser/other.js').expect(200)
    expect(first.headers.etag).to.match(/^"[0-9a-f]+-[\w+/]{27}"$/)
    expect(first.headers['cache-control']).to.equal('public, max-age=0, must-revalidate')
    await request(app).get('/_public/browser/other.js').set('If-None-Match', `W/${first.headers.etag}`).expect(304)
    const head = await request(app).head('/_public/browser/other.js').expect(200)
    expect(head.headers['content-length']).to.equal(String(Buffer.byteLength(first.text)))
  })

  it('bundles only the .mjs and .js files of app/browser/: anything else falls through', async () => {
    const { app } = mounted({ root: fixture('browser-app/app') })
    for (const path of ['/_public/browser/notes.txt', '/_public/browser/missing.mjs', '/_public/browser/%E0%A4%A']) {
      await request(app).get(path).expect(404, { fellThrough: path })
    }
    await request(app).post('/_public/browser/main.mjs').expect(404, { fellThrough: '/_public/browser/main.mjs' })
  })

  it('serves a bundle over the file of the same name in public/browser/; the other files there as they are', async () => {
    const { app } = mounted({ root: fixture('public-app/app') })
    const bundle = await request(app).get('/_public/browser/widget.mjs').expect(200)
    expect(bundle.text).to.contain('bundled from app/browser')
    const vendor = await request(app).get('/_public/browser/vendor.js').expect(200)
    expect(vendor.text).to.contain('a static file under public/browser')
  })

  it('serves the bundles with publicDir: false and under a mount prefix', async () => {
    const middleware = enhanceRoutes({ root: fixture('public-app/app'), publicDir: false, session: false })
    opened.push(middleware)
    const app = express()
    app.use('/v2', middleware)
    const res = await request(app).get('/v2/_public/browser/widget.mjs').expect(200)
    expect(res.text).to.contain('bundled from app/browser')
    await request(app).get('/v2/_public/browser/vendor.js').expect(404)
  })

  describe('a build error', () => {
    const broken = {
      'browser/broken.mjs': 'export const a = 1\n\nexport const b = (\n',
      'browser/fine.mjs': "export const fine = 'still served'\n",
      'browser/imports-bad.mjs': "import { bad } from '../lib/bad.mjs'\nconsole.log(bad)\n",
      'lib/bad.mjs': 'export const bad = 1\nexport const worse = }\n',
      'api/index.mjs': 'export const get = () => ({ json: { home: true } })\n',
    }

    it('rejects ready with one error naming each module, file, line and column', async () => {
      const root = tempApp(broken)
      const { middleware } = mounted({ root })
      const error = await quietly(() =>
        middleware.ready.then(
          () => undefined,
          (thrown: Error) => thrown,
        ),
      )
      const name = (path: string) => relative(process.cwd(), join(root, path))
      expect(error?.message).to.contain('2 bad browser module(s)')
      expect(error?.message).to.contain(
        `${name('browser/broken.mjs')} cannot be bundled: ${name('browser/broken.mjs')}:4:0:`,
      )
      expect(error?.message).to.contain(
        `${name('browser/imports-bad.mjs')} cannot be bundled: ${name('lib/bad.mjs')}:2:21:`,
      )
    })

    it('answers that bundle with a 500 naming it, while the other bundles and the routes work', async () => {
      const root = tempApp(broken)
      const { middleware, app } = mounted({ root })
      await quietly(() => middleware.ready.catch(() => {}))
      const page = await request(app).get('/_public/browser/broken.mjs').expect(500)
      expect(page.headers['content-type']).to.match(/^text\/html/)
      expect(page.text).to.contain('broken.mjs:4:0')
      const json = await request(app).get('/_public/browser/broken.mjs').set('Accept', 'application/json').expect(500)
      expect(json.body.error.message).to.match(
        /broken\.mjs cannot be bundled: .*broken\.mjs:4:0: Unexpected end of file/,
      )
      await request(app)
        .get('/_public/browser/fine.mjs')
        .expect(200, /still served/)
      await request(app).get('/').set('Accept', 'application/json').expect(200, { home: true })
    })

    it("with errors: 'next', hands the 500 to Express's error chain", async () => {
      const { middleware, app } = mounted({ root: tempApp(broken), errors: 'next' })
      await quietly(() => middleware.ready.catch(() => {}))
      const res = await request(app).get('/_public/browser/imports-bad.mjs').expect(599)
      expect(res.body.handedOn).to.equal(500)
      expect(res.body.message).to.match(/lib\/bad\.mjs:2:21/)
    })
  })

  describe('watch mode', () => {
    /** The bundles as the watcher drives them: affects() for each changed path, then rebuild(). */
    function watched(root: string): { bundles: BrowserBundles; app: express.Express } {
      const opts = resolveOptions({ root, watch: true, publicDir: false, onError: () => {} })
      const bundles = browserBundles(opts) as BrowserBundles
      opened.push(bundles)
      // The bundles' answers go through the middleware's own writer, as enhanceRoutes() wires it.
      const table = routeTable({ ...opts, watch: false }, undefined, bundles)
      const { answer } = serve(table, opts, sessionAccess(false), undefined)
      return { bundles, app: appWith(publicFiles(opts, answer, bundles)) }
    }

    it('says which changes need a rebuild: app/browser/ and what the bundles import from the app', async () => {
      const root = tempApp({
        'browser/main.mjs': "import { x } from '../lib/x.mjs'\nconsole.log(x)\n",
        'lib/x.mjs': 'export const x = 1\n',
        'lib/unused.mjs': '',
      })
      const { bundles } = watched(root)
      await bundles.ready
      expect(bundles.affects(join(root, 'browser/main.mjs'))).to.equal(true)
      expect(bundles.affects(join(root, 'browser/new.mjs'))).to.equal(true)
      expect(bundles.affects(join(root, 'lib/x.mjs'))).to.equal(true)
      expect(bundles.affects(join(root, 'lib/unused.mjs'))).to.equal(false)
      expect(bundles.affects(join(root, 'api/index.mjs'))).to.equal(false)
    })

    it('rebuilds a bundle whose import changed, picks up new modules and forgets removed ones', async () => {
      const root = tempApp({
        'browser/main.mjs': "import { x } from '../lib/x.mjs'\nconsole.log(x)\n",
        'lib/x.mjs': "export const x = 'first'\n",
      })
      const { bundles, app } = watched(root)
      await request(app).get('/_public/browser/main.mjs').expect(200, /first/)
      write(root, 'lib/x.mjs', "export const x = 'second'\n")
      write(root, 'browser/added.mjs', "export const added = 'new module'\n")
      await bundles.rebuild()
      await request(app)
        .get('/_public/browser/main.mjs')
        .expect(200, /second/)
      await request(app)
        .get('/_public/browser/added.mjs')
        .expect(200, /new module/)
      unlinkSync(join(root, 'browser/added.mjs'))
      await bundles.rebuild()
      await request(app).get('/_public/browser/added.mjs').expect(404)
    })

    it('a bundle broken in an edit answers 500 until the edit that fixes it (a file it imports that was missing)', async () => {
      const root = tempApp({ 'browser/main.mjs': "export const ok = 'works'\n" })
      const { bundles, app } = watched(root)
      await bundles.ready
      write(root, 'browser/main.mjs', "import { y } from '../lib/y.mjs'\nexport const ok = y\n")
      const error = await quietly(() =>
        bundles.rebuild().then(
          () => undefined,
          (thrown: Error) => thrown,
        ),
      )
      expect(error?.message).to.match(/main\.mjs:1:18: Could not resolve "\.\.\/lib\/y\.mjs"/)
      await request(app).get('/_public/browser/main.mjs').expect(500)
      expect(bundles.affects(join(root, 'lib/y.mjs'))).to.equal(true)
      write(root, 'lib/y.mjs', "export const y = 'fixed'\n")
      await bundles.rebuild()
      await request(app).get('/_public/browser/main.mjs').expect(200, /fixed/)
    })

    it('rebuilds when a file changes under a middleware mounted with watch: true', async () => {
      const root = tempApp({
        'browser/main.mjs': "import { v } from '../lib/v.mjs'\nexport const version = v\n",
        'lib/v.mjs': "export const v = 'one'\n",
      })
      const { middleware, app } = mounted({ root, watch: true })
      await middleware.ready
      const bundle = async () => (await request(app).get('/_public/browser/main.mjs')).text
      async function eventually(word: string) {
        const deadline = Date.now() + 8000
        let text = await bundle()
        while (!text.includes(`"${word}"`) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 25))
          text = await bundle()
        }
        expect(text).to.contain(`"${word}"`)
      }
      await eventually('one')
      write(root, 'lib/v.mjs', "export const v = 'two'\n")
      await eventually('two')
      write(root, 'browser/main.mjs', "export const version = 'three'\n")
      await eventually('three')
    })
  })
})
