import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import type { PageRenderer } from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'

// Real files in a temp folder, a real watcher, real Express. Changes are seen
// by polling with a deadline, never by sleeping a fixed time.

type Probe = Record<string, { imports: number; disposed: number; ticks: number }>
const probe = (): Probe => {
  const g = globalThis as { __watchProbe?: Probe }
  g.__watchProbe ??= {}
  return g.__watchProbe
}

/** A route module that records its imports, ticks an interval and clears it in dispose(). */
const tickingModule = (key: string, answer: string) => `
const probe = (globalThis.__watchProbe ??= {})
const me = (probe[${JSON.stringify(`${key}:${answer}`)}] ??= { imports: 0, disposed: 0, ticks: 0 })
me.imports += 1
const timer = setInterval(() => { me.ticks += 1 }, 2)
export function get() { return { json: { answer: ${JSON.stringify(answer)} } } }
export function dispose() { clearInterval(timer); me.disposed += 1 }
`

const card = (word: string) =>
  `export default function GreetingCard({ html, state }) { return html\`<p class="card">${word}, \${state.store.name}</p>\` }\n`
const head = (title: string) =>
  `export default function head() { return '<!doctype html><html><head><title>${title}</title></head>' }\n`

const plainModule = (answer: string) => `export const get = () => ({ json: { answer: ${JSON.stringify(answer)} } })\n`

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms
  let last: T = await read()
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
    last = await read()
  }
  return last
}

function makeApp(root: string, renderer?: PageRenderer) {
  const mw = enhanceRoutes({ root, watch: true, session: false, onError: () => {}, ...(renderer ? { renderer } : {}) })
  const app = express()
  app.use(mw)
  app.use((_req, res) => {
    res.status(404).json({ fellThrough: true })
  })
  const get = (path: string) =>
    request(app)
      .get(path)
      .set('Accept', 'application/json')
      .then((res) => ({ status: res.status, body: res.body as Record<string, unknown> }))
  return { mw, app, get }
}

function write(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}

describe('watch mode', function () {
  this.timeout(20000)
  let root: string
  let api: string
  const closers: (() => Promise<void>)[] = []

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'eer-watch-'))
    api = join(root, 'api')
    mkdirSync(api)
  })
  afterEach(async () => {
    for (const close of closers.splice(0)) await close()
    rmSync(root, { recursive: true, force: true })
  })
  const start = async (renderer?: PageRenderer) => {
    const made = makeApp(root, renderer)
    closers.push(() => made.mw.close())
    await made.mw.ready
    return made
  }

  it('a changed route module answers on a later request, without a restart', async () => {
    write(join(api, 'hello.mjs'), plainModule('one'))
    const { get } = await start()
    expect((await get('/hello')).body).to.deep.equal({ answer: 'one' })
    write(join(api, 'hello.mjs'), plainModule('two'))
    await eventually(
      () => get('/hello'),
      (r) => r.body.answer === 'two',
      'the changed module',
    )
  })

  it('an added route answers, a deleted one falls through, and routes() follows', async () => {
    write(join(api, 'kept.mjs'), plainModule('kept'))
    write(join(api, 'gone.mjs'), plainModule('gone'))
    const { get, mw } = await start()
    expect((await get('/added/deep')).body).to.deep.equal({ fellThrough: true })
    write(join(api, 'added', 'deep.mjs'), plainModule('added'))
    await eventually(
      () => get('/added/deep'),
      (r) => r.body.answer === 'added',
      'the added route',
    )
    unlinkSync(join(api, 'gone.mjs'))
    await eventually(
      () => get('/gone'),
      (r) => r.status === 404 && r.body.fellThrough === true,
      'the deleted route',
    )
    expect(mw.routes().map((r) => r.pattern)).to.deep.equal(['/added/deep', '/kept'])
    expect((await get('/kept')).body).to.deep.equal({ answer: 'kept' })
  })

  it('reloads CommonJS (.cjs) and, under tsx, TypeScript (.ts) route modules', async () => {
    write(join(api, 'common.cjs'), "exports.get = () => ({ json: { answer: 'cjs one' } })\n")
    write(
      join(api, 'typed.ts'),
      "export const get = (): { json: { answer: string } } => ({ json: { answer: 'ts one' } })\n",
    )
    const { get } = await start()
    expect((await get('/common')).body).to.deep.equal({ answer: 'cjs one' })
    expect((await get('/typed')).body).to.deep.equal({ answer: 'ts one' })
    write(join(api, 'common.cjs'), "exports.get = () => ({ json: { answer: 'cjs two' } })\n")
    write(
      join(api, 'typed.ts'),
      "export const get = (): { json: { answer: string } } => ({ json: { answer: 'ts two' } })\n",
    )
    await eventually(
      () => get('/common'),
      (r) => r.body.answer === 'cjs two',
      'the changed .cjs module',
    )
    await eventually(
      () => get('/typed'),
      (r) => r.body.answer === 'ts two',
      'the changed .ts module',
    )
  })

  it("calls the old module's dispose() before its new version loads, so its timers stop", async () => {
    const key = `dispose-${Date.now()}`
    write(join(api, 'tick.mjs'), tickingModule(key, 'v1'))
    const { get, mw } = await start()
    const v1 = probe()[`${key}:v1`]
    expect(v1).to.include({ imports: 1, disposed: 0 })
    await eventually(
      async () => v1?.ticks ?? 0,
      (ticks) => ticks > 0,
      'the interval to tick',
    )
    write(join(api, 'tick.mjs'), tickingModule(key, 'v2'))
    await eventually(
      () => get('/tick'),
      (r) => r.body.answer === 'v2',
      'the new version',
    )
    expect(v1?.disposed).to.equal(1)
    const frozen = v1?.ticks
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(v1?.ticks, 'the old interval no longer ticks').to.equal(frozen)
    const v2 = probe()[`${key}:v2`]
    expect(v2).to.include({ imports: 1, disposed: 0 })
    // Deleting the file disposes the last version; so does close() for the modules still loaded.
    unlinkSync(join(api, 'tick.mjs'))
    await eventually(
      () => get('/tick'),
      (r) => r.status === 404,
      'the deleted route',
    )
    expect(v2?.disposed).to.equal(1)
    write(join(api, 'again.mjs'), tickingModule(key, 'again'))
    await eventually(
      () => get('/again'),
      (r) => r.body.answer === 'again',
      'the added module',
    )
    await mw.close()
    expect(probe()[`${key}:again`]?.disposed).to.equal(1)
  })

  it('a broken file answers 500 naming it, and its fix answers again', async () => {
    write(join(api, 'fragile.mjs'), plainModule('fine'))
    const { get, mw } = await start()
    write(join(api, 'fragile.mjs'), 'export const get = ( => {\n')
    const broken = await eventually(
      () => get('/fragile'),
      (r) => r.status === 500,
      'the broken module',
    )
    expect(JSON.stringify(broken.body)).to.include('fragile.mjs')
    expect(mw.routes().find((r) => r.pattern === '/fragile')?.error).to.include('fragile.mjs')
    write(join(api, 'fragile.mjs'), plainModule('fixed'))
    await eventually(
      () => get('/fragile'),
      (r) => r.body.answer === 'fixed',
      'the fixed module',
    )
    expect(mw.routes().find((r) => r.pattern === '/fragile')?.error).to.equal(undefined)
  })

  it('debounces a burst of writes into few reloads, ending on the last version', async () => {
    const key = `burst-${Date.now()}`
    write(join(api, 'burst.mjs'), tickingModule(key, 'start'))
    const { get } = await start()
    for (let i = 0; i < 20; i++) write(join(api, 'burst.mjs'), tickingModule(key, `w${i}`))
    await eventually(
      () => get('/burst'),
      (r) => r.body.answer === 'w19',
      'the last write',
    )
    const imported = Object.keys(probe()).filter((k) => k.startsWith(`${key}:w`) && probe()[k]?.imports)
    expect(imported.length, `versions imported: ${imported.join(', ')}`).to.be.within(1, 4)
    // Every version replaced so far was disposed.
    for (const k of imported.filter((k) => k !== `${key}:w19`)) expect(probe()[k]?.disposed).to.equal(1)
  })

  it('a request that arrives during a reload waits for it and gets the new version', async () => {
    const key = `slow-${Date.now()}`
    write(join(api, 'slow.mjs'), plainModule('old'))
    const { get } = await start()
    expect((await get('/slow')).body).to.deep.equal({ answer: 'old' })
    // The new version takes a while to import (top-level await).
    write(
      join(api, 'slow.mjs'),
      `globalThis[${JSON.stringify(key)}] = true\nawait new Promise((r) => setTimeout(r, 300))\n${plainModule('new')}`,
    )
    const g = globalThis as Record<string, unknown>
    await eventually(async () => g[key] === true, Boolean, 'the reload to start importing')
    expect((await get('/slow')).body).to.deep.equal({ answer: 'new' })
  })

  it("reloads the renderer and its pages when pages, elements or the root's files change", async () => {
    // A minimal renderer over real files: pages/*.html, read again on reload().
    const pagesDir = join(root, 'pages')
    mkdirSync(pagesDir)
    write(join(pagesDir, 'index.html'), '<h1>home</h1>')
    let reloads = 0
    let cache = new Map<string, string>()
    const read = () => {
      cache = new Map(
        readdirSync(pagesDir).map((f) => [
          `/${f.replace(/\.html$/, '').replace(/^index$/, '')}`,
          readFileSync(join(pagesDir, f), 'utf8'),
        ]),
      )
    }
    read()
    const renderer: PageRenderer = {
      pages: () => cache.keys(),
      render: ({ pattern }) => cache.get(pattern),
      reload: () => {
        reloads += 1
        read()
      },
    }
    const { app, mw } = await start(renderer)
    const html = (path: string) =>
      request(app)
        .get(path)
        .set('Accept', 'text/html')
        .then((res) => ({ status: res.status, text: res.text }))
    expect((await html('/')).text).to.equal('<h1>home</h1>')
    write(join(pagesDir, 'about.html'), '<h1>about</h1>')
    await eventually(
      () => html('/about'),
      (r) => r.text === '<h1>about</h1>',
      'the added page',
    )
    expect(mw.routes().find((r) => r.pattern === '/about')).to.include({ page: true, apiFile: undefined })
    write(join(pagesDir, 'index.html'), '<h1>home, changed</h1>')
    await eventually(
      () => html('/'),
      (r) => r.text === '<h1>home, changed</h1>',
      'the changed page',
    )
    let before = reloads
    write(
      join(root, 'elements', 'my-card.mjs'),
      'export default function MyCard({ html }) { return html`<p>card</p>` }\n',
    )
    await eventually(
      async () => reloads,
      (n) => n > before,
      'a reload for the new element',
    )
    before = reloads
    write(join(root, 'head.mjs'), 'export default function head() { return "<title>x</title>" }\n')
    await eventually(
      async () => reloads,
      (n) => n > before,
      'a reload for head.mjs',
    )
    unlinkSync(join(pagesDir, 'about.html'))
    await eventually(
      () => html('/about'),
      (r) => r.status === 404,
      'the deleted page to fall through',
    )
  })

  it('with the default renderer (enhancePages): pages, elements, head.mjs and the API state follow their files', async () => {
    write(join(root, 'pages', 'index.html'), '<greeting-card></greeting-card>')
    write(join(root, 'elements', 'greeting-card.mjs'), card('Hello'))
    write(join(root, 'head.mjs'), head('first'))
    write(join(api, 'index.mjs'), "export const get = () => ({ json: { name: 'Ada' } })\n")
    const { app, mw } = await start()
    const html = (path: string) =>
      request(app)
        .get(path)
        .set('Accept', 'text/html')
        .then((res) => ({ status: res.status, text: res.text }))
    const first = await html('/')
    expect(first.text).to.include('<title>first</title>').and.to.include('<p class="card">Hello, Ada</p>')
    write(join(root, 'elements', 'greeting-card.mjs'), card('Welcome'))
    await eventually(
      () => html('/'),
      (r) => r.text.includes('<p class="card">Welcome, Ada</p>'),
      'the changed element',
    )
    write(join(root, 'head.mjs'), head('second'))
    await eventually(
      () => html('/'),
      (r) => r.text.includes('<title>second</title>'),
      'the changed head.mjs',
    )
    write(join(api, 'index.mjs'), "export const get = () => ({ json: { name: 'Grace' } })\n")
    await eventually(
      () => html('/'),
      (r) => r.text.includes('Welcome, Grace'),
      'the changed API state',
    )
    write(join(root, 'pages', 'about.html'), '<h1>About us</h1>')
    await eventually(
      () => html('/about'),
      (r) => r.text.includes('<h1>About us</h1>'),
      'the added page',
    )
    expect(mw.routes().find((r) => r.pattern === '/about')).to.include({ page: true, apiFile: undefined })
    unlinkSync(join(root, 'pages', 'about.html'))
    await eventually(
      () => html('/about'),
      (r) => r.status === 404,
      'the deleted page',
    )
    expect(mw.routes().map((r) => r.pattern)).to.deep.equal(['/'])
  })

  it('close() stops watching: later changes are not picked up', async () => {
    write(join(api, 'closed.mjs'), plainModule('before'))
    const { get, mw } = await start()
    await mw.close()
    write(join(api, 'closed.mjs'), plainModule('after'))
    write(join(api, 'new-after-close.mjs'), plainModule('new'))
    // Nothing to poll for: give a watcher that was still running ample time to act.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await get('/closed')).body).to.deep.equal({ answer: 'before' })
    expect((await get('/new-after-close')).status).to.equal(404)
  })

  it('an app that calls close() exits on its own, with ticking route modules (built package, real process)', async () => {
    const key = `exit-${Date.now()}`
    write(join(api, 'tick.mjs'), tickingModule(key, 'v1'))
    const script = `
      import { enhanceRoutes } from 'express-enhance-routes'
      const mw = enhanceRoutes({ root: ${JSON.stringify(root)}, watch: true, session: false })
      await mw.ready
      await mw.close()
      console.log('closed')`
    const cwd = fileURLToPath(new URL('..', import.meta.url))
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { cwd, timeout: 15000, env: { ...process.env, NODE_OPTIONS: '' } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      )
    })
    expect(out.trim()).to.equal('closed')
  })
})
