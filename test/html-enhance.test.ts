import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { type EnhanceError, enhancePages, enhanceRoutes } from '../lib/index.js'

// enhancePages(): an Enhance app folder (pages, elements, elements.mjs,
// head.mjs, preflight.mjs, 404 and 500 pages) rendered with the real @enhance/ssr.

const root = new URL('./fixtures/enhance-app/', import.meta.url)
const broken = new URL('./fixtures/enhance-broken/', import.meta.url)
const HTML = 'text/html'
const g = globalThis as unknown as { greetingCardLoads?: number }

function makeApp(options: Parameters<typeof enhanceRoutes>[0] = {}) {
  const errors: EnhanceError[] = []
  const app = express()
  const mw = enhanceRoutes({ root, session: false, onError: (e) => errors.push(e), ...options })
  app.use(mw)
  app.use((_req, res) => {
    res.status(418).send('fell through')
  })
  return { app, mw, errors }
}

const get = (app: express.Express, path: string) => request(app).get(path).set('Accept', HTML)

describe('enhancePages: an Enhance app folder', () => {
  const { app, mw, errors } = makeApp()

  before(async () => {
    await mw.ready
  })

  it('lists page-only routes and pages beside API routes, but not the error pages', () => {
    const table = mw.routes()
    const byPattern = new Map(table.map((r) => [r.pattern, r]))
    expect(byPattern.get('/page-only')).to.include({ page: true, apiFile: undefined })
    expect(byPattern.get('/docs/$$')).to.include({ page: true })
    expect(byPattern.get('/notes/$id')?.page).to.equal(true)
    expect(byPattern.get('/api-only')?.page).to.equal(false)
    expect(byPattern.has('/404')).to.equal(false)
    expect(byPattern.has('/500')).to.equal(false)
  })

  it('renders an .html page with elements from app/elements, nested folders and app/elements.mjs', async () => {
    const res = await get(app, '/')
    expect(res.status).to.equal(200)
    expect(res.text).to.match(/<site-header enhanced="✨"><header>Enhance fixture<\/header><\/site-header>/)
    expect(res.text).to.include('<footer>footer from elements.mjs</footer>')
    expect(res.text).to.include('<ui-badge enhanced="✨"><span class="badge">new</span></ui-badge>')
    expect(res.text).to.include('<p class="greeting">Hello from the API, visitor</p>')
  })

  it('keeps an element nobody defines as the plain tag, as Enhance does', async () => {
    const res = await get(app, '/')
    expect(res.text).to.include('<not-defined-anywhere>kept as it is</not-defined-anywhere>')
  })

  it('moves element styles into the head and scripts to the end of the body (@enhance/ssr)', async () => {
    const res = await get(app, '/')
    const head = res.text.slice(0, res.text.indexOf('</head>'))
    // Scoped as Enhance scopes element styles by default (enhance-style-transform): every selector is put below the tag.
    expect(head).to.include('<style>greeting-card greeting-card {\n  display: block;\n}</style>')
    expect(res.text).to.match(/<script type="module">customElements\.define\('greeting-card'[^<]*<\/script><\/body>/)
  })

  it('gives head.mjs { req, status, error, store } and the API json wins over preflight', async () => {
    const home = await get(app, '/')
    expect(home.text).to.include('<title>Home</title>')
    expect(home.text).to.include('<meta name="x-path" content="/">')
    expect(home.text).to.include('<meta name="x-status" content="200">')
    const other = await get(app, '/page-only')
    expect(other.text).to.include('<title>Preflight title for /page-only</title>')
  })

  it('merges preflight into the store of every page (it gets the request object)', async () => {
    const res = await get(app, '/docs/a/b')
    expect(res.status).to.equal(200)
    expect(res.text).to.include('<page-docs--- enhanced="✨"><article>Docs page with 3 store keys</article>')
  })

  it('renders a .mjs page as its page element, named as Enhance names it', async () => {
    const res = await get(app, '/notes')
    expect(res.text).to.match(/<page-notes enhanced="✨">\s*<h1>Notes<\/h1>/)
  })

  it('with both about.html and about.mjs, the .html is the page and the .mjs its element', async () => {
    const res = await get(app, '/both')
    expect(res.text).to.include(
      '<section class="from-html"><page-both enhanced="✨"><p class="from-mjs">the .mjs page element inside the .html page</p></page-both></section>',
    )
  })

  // Changed with the Enhance-fidelity issue: the API's 404 used to render the route's page; Enhance renders the 404 page.
  it('a page named $noteId serves the API route $id (param names do not matter); the API’s 404 gets the 404 page', async () => {
    const made = await request(app).post('/notes').type('form').send('text=param+names')
    const found = await get(app, made.headers.location as string)
    expect(found.status).to.equal(200)
    expect(found.text).to.include('param names').and.not.include('<h1>Lost</h1>')
    const res = await get(app, '/notes/404404')
    expect(res.status).to.equal(404)
    expect(res.text).to.include('<h1>Lost</h1>')
    expect(res.text).to.not.include('<p class="missing">')
  })

  describe('a form that works without JavaScript (the form-with-errors pattern)', () => {
    it('an empty form re-renders the page with 422, its error and its value, escaped', async () => {
      const res = await request(app)
        .post('/notes')
        .set('Accept', HTML)
        .type('form')
        .send({ text: '   ', other: '"><script>alert(1)</script>' })
      expect(res.status).to.equal(422)
      expect(res.headers['content-type']).to.match(/^text\/html/)
      expect(res.text).to.include('<p class="error">Write something first</p>')
      expect(res.text).to.include('<input name="text" value="   ">')
    })

    it('a good form redirects 303 to the new note, which then renders', async () => {
      const res = await request(app).post('/notes').set('Accept', HTML).type('form').send({ text: 'Milk <&> eggs' })
      expect(res.status).to.equal(303)
      const location = res.headers.location as string
      expect(location).to.match(/^\/notes\/\d+$/)
      const note = await get(app, location)
      expect(note.status).to.equal(200)
      expect(note.text).to.include('<p class="note">Milk &lt;&amp;&gt; eggs</p>')
      const list = await get(app, '/notes')
      expect(list.text).to.include('Milk &lt;&amp;&gt; eggs</a></li>')
    })

    it('the same form through fetch with Accept: application/json gets JSON: 201 and Location, or 422 and errors', async () => {
      const made = await request(app)
        .post('/notes')
        .set('Accept', 'application/json')
        .type('form')
        .send({ text: 'Tea' })
      expect(made.status).to.equal(201)
      expect(made.headers.location).to.equal(`/notes/${made.body.note.id}`)
      expect(made.body.note.text).to.equal('Tea')
      const bad = await request(app).post('/notes').set('Accept', 'application/json').type('form').send({ text: '' })
      expect(bad.status).to.equal(422)
      expect(bad.body.errors).to.deep.equal({ text: 'Write something first' })
    })
  })

  describe('error pages', () => {
    it('pages/404.html answers unmatched requests when fallthrough is false, with the error in the store and head', async () => {
      const strict = makeApp({ fallthrough: false })
      const res = await get(strict.app, '/missing/thing')
      expect(res.status).to.equal(404)
      expect(res.text).to.include('<h1>Lost</h1>')
      expect(res.text).to.include('<p class="error-detail">404: /missing/thing not found</p>')
      expect(res.text).to.include('<title>Error 404</title>')
      expect(res.text).to.include('<meta name="x-status" content="404">')
    })

    it('pages/500.mjs answers a handler error, with the message as its error attribute, escaped', async () => {
      const res = await get(app, '/throws')
      expect(res.status).to.equal(500)
      expect(res.text).to.match(
        /<page-500 error="test\/fixtures\/enhance-app\/api\/throws\.mjs get threw: the handler broke" enhanced="✨">/,
      )
      expect(res.text).to.include('<h1>Our fault</h1>')
    })

    it('a 405 gets the renderer’s error page too (no 405 page: the minimal one)', async () => {
      const res = await request(app).put('/').set('Accept', HTML)
      expect(res.status).to.equal(405)
      expect(res.headers.allow).to.equal('GET, HEAD, OPTIONS')
      expect(res.text).to.include('<h1>405 Method Not Allowed</h1>')
    })

    it('the error pages are not routes: /404 falls through', async () => {
      const res = await get(app, '/404')
      expect(res.status).to.equal(418)
    })

    it('an element that throws answers the 500 page and onError names the element file', async () => {
      errors.length = 0
      const res = await get(app, '/boom')
      expect(res.status).to.equal(500)
      expect(res.text).to.include('<h1>Our fault</h1>')
      expect(res.text).to.include('elements/boom-element.mjs) threw while rendering: the element broke')
      expect(res.text).not.to.match(/at .*boom-element\.mjs:\d+/)
      expect(errors).to.have.length(1)
      expect(errors[0]?.status).to.equal(500)
      expect(errors[0]?.message).to.include('test/fixtures/enhance-app/elements/boom-element.mjs')
    })

    it('the JSON of a route whose page breaks still answers JSON clients', async () => {
      const res = await request(app).get('/boom').set('Accept', 'application/json')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ fine: true })
    })

    it('hides a 5xx message in production', async () => {
      const before = process.env.NODE_ENV
      process.env.NODE_ENV = 'production'
      try {
        const res = await get(app, '/boom')
        expect(res.status).to.equal(500)
        expect(res.text).to.include('<p class="attr">Internal Server Error</p>')
        expect(res.text).not.to.include('boom-element.mjs')
      } finally {
        process.env.NODE_ENV = before
      }
    })
  })

  it('imports elements and pages once, not per request', async () => {
    await get(app, '/')
    const loads = g.greetingCardLoads
    expect(loads).to.be.a('number')
    for (let i = 0; i < 5; i++) await get(app, '/')
    expect(g.greetingCardLoads).to.equal(loads)
  })

  it('puts no state into the document unless asked', async () => {
    const res = await get(app, '/unsafe')
    expect(res.text).not.to.include('application/json')
    expect(res.text).not.to.include('pwned')
  })

  it('inlineState: the store as an inline JSON script that no value can close', async () => {
    const { app: inline } = makeApp({ renderer: enhancePages({ inlineState: true }) })
    const res = await get(inline, '/unsafe')
    expect(res.status).to.equal(200)
    const match = /<script type="application\/json" id="initial-state">([^<]*)<\/script>/.exec(res.text)
    expect(match, res.text).to.not.equal(null)
    const text = match?.[1] as string
    expect(text).not.to.match(/[<>\u2028]/)
    expect(JSON.parse(text)).to.deep.equal({
      site: 'Enhance fixture',
      title: 'Preflight title for /unsafe',
      greeting: 'Hello from preflight',
      text: '</script><script>window.pwned = 1</script><!--',
      line: '\u2028',
    })
    expect(res.text.match(/<script/g)).to.have.length(1)
  })

  it('inlineState with an id of your own, escaped', async () => {
    const { app: inline } = makeApp({ renderer: enhancePages({ inlineState: 'my"state' }) })
    const res = await get(inline, '/page-only')
    expect(res.text).to.include('<script type="application/json" id="my&quot;state">{')
  })
})

describe('enhancePages: choosing the renderer', () => {
  it('is the default when the pages folder exists', async () => {
    const { app } = makeApp()
    const res = await get(app, '/table')
    expect(res.headers['content-type']).to.match(/^text\/html/)
  })

  it('is not used without a pages folder: HTML clients get the JSON', async () => {
    const app = express().use(enhanceRoutes({ root: new URL('./fixtures/smoke/', import.meta.url), session: false }))
    const res = await get(app, '/shop/hat')
    expect(res.status).to.equal(200)
    expect(res.headers['content-type']).to.match(/^application\/json/)
  })

  it('renderer: false turns pages off: JSON for HTML clients, page-only URLs fall through', async () => {
    const { app } = makeApp({ renderer: false })
    const res = await get(app, '/table')
    expect(res.headers['content-type']).to.match(/^application\/json/)
    expect((await get(app, '/page-only')).status).to.equal(418)
  })

  it('enhancePages() given without folders uses those of enhanceRoutes()', async () => {
    const { app, mw } = makeApp({ renderer: enhancePages() })
    await mw.ready
    const res = await get(app, '/page-only')
    expect(res.status).to.equal(200)
    expect(res.text).to.include('<h1>Page only</h1>')
  })

  it('enhancePages({ root }) reads its own folder', async () => {
    const { app } = makeApp({ root: broken, renderer: enhancePages({ root }) })
    const res = await get(app, '/page-only')
    expect(res.status).to.equal(200)
    const data = await get(app, '/data')
    expect(data.headers['content-type']).to.match(/^application\/json/)
  })

  it('rejects options that are not an object', () => {
    expect(() => enhancePages(null as never)).to.throw(TypeError, /options must be an object/)
  })
})

describe('enhancePages: broken files', () => {
  const errors: EnhanceError[] = []
  const app = express()
  let why = ''
  const origError = console.error

  before(async () => {
    // The start-up report goes to stderr; these tests read it from `ready`.
    console.error = () => {}
    const mw = enhanceRoutes({ root: broken, session: false, onError: (e) => errors.push(e) })
    app.use(mw)
    why = await mw.ready.then(
      () => 'resolved',
      (error: Error) => error.message,
    )
  })
  after(() => {
    console.error = origError
  })

  it('ready rejects naming every bad page and element file', () => {
    expect(why).to.include('test/fixtures/enhance-broken/pages/broken.mjs: failed to load')
    expect(why).to.include('test/fixtures/enhance-broken/elements/bad-element.mjs: failed to load')
    expect(why).to.include('test/fixtures/enhance-broken/pages/not-an-element.mjs: a page .mjs must export')
    expect(why).to.match(/elements\/NoDash\.mjs: "NoDash" is not a valid custom element name/)
    expect(why).not.to.include('fine.html')
  })

  it('other pages and API routes keep working', async () => {
    const fine = await get(app, '/fine')
    expect(fine.status).to.equal(200)
    expect(fine.text).to.include('<p class="fine">fine page</p>')
    const data = await request(app).get('/data').set('Accept', 'application/json')
    expect(data.body).to.deep.equal({ data: true })
  })

  it('a raw < or " in an unmatched path reaches a .mjs error page as its exact error attribute, adding no markup', async () => {
    // supertest percent-encodes paths, so this one goes through node:http as it is.
    const strict = express().use(enhanceRoutes({ root: broken, session: false, fallthrough: false, onError: () => {} }))
    const server = strict.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const { port } = server.address() as AddressInfo
      const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          { port, host: '127.0.0.1', path: '/x/"><b>bold</b>', headers: { accept: HTML } },
          (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => {
              text += chunk
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
          },
        )
        req.on('error', reject)
        req.end()
      })
      expect(body.status).to.equal(404)
      const shown = /<p class="attrs">([^<]*)<\/p>/.exec(body.text)?.[1] ?? ''
      const attrs = JSON.parse(shown.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'))
      expect(attrs).to.deep.equal({ error: '/x/"><b>bold</b> not found' })
      // Inside a quoted attribute `<b>` is text; outside of attribute values there is none.
      expect(body.text.replace(/="[^"]*"/g, '=""')).not.to.include('<b>')
    } finally {
      server.close()
    }
  })

  it('a page that failed to load answers 500 naming itself, with no stack', async () => {
    errors.length = 0
    const res = await get(app, '/broken')
    expect(res.status).to.equal(500)
    expect(res.text).to.include('test/fixtures/enhance-broken/pages/broken.mjs: failed to load')
    expect(res.text).not.to.match(/\n\s+at /)
    expect(errors[0]?.message).to.include('pages/broken.mjs')
  })

  it('a page that uses an element that failed to load answers 500 naming the element file', async () => {
    const res = await get(app, '/uses-bad')
    expect(res.status).to.equal(500)
    expect(res.text).to.include('elements/bad-element.mjs: failed to load')
  })

  it('a page element that throws names the page file', async () => {
    errors.length = 0
    const res = await get(app, '/page-throws')
    expect(res.status).to.equal(500)
    expect(errors[0]?.message).to.equal(
      'page test/fixtures/enhance-broken/pages/page-throws.mjs threw while rendering: the page broke',
    )
  })

  it('an element that returns no HTML names itself', async () => {
    errors.length = 0
    const res = await get(app, '/returns-nothing')
    expect(res.status).to.equal(500)
    expect(errors[0]?.message).to.include('elements/returns-nothing.mjs) returned undefined, not a string of HTML')
  })
})

describe('enhancePages: reload() (watch mode)', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enhance-reload-'))
    await cp(fileURLToPath(root), dir, { recursive: true })
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('re-reads pages, elements, head and preflight', async () => {
    const renderer = enhancePages()
    const app = express().use(enhanceRoutes({ root: dir, session: false, renderer }))
    const before = await get(app, '/')
    expect(before.text).to.include('<p class="greeting">Hello from the API, visitor</p>')
    const loads = g.greetingCardLoads ?? 0

    // The second versions of five files, copied over the first ones.
    await cp(fileURLToPath(new URL('./fixtures/enhance-reload/', import.meta.url)), dir, { recursive: true })

    // Nothing changes before reload(): files are read once.
    expect((await get(app, '/')).text).to.include('Hello from the API, visitor')

    await renderer.reload?.()
    const after = await get(app, '/')
    expect(after.text).to.include('<p class="greeting">Changed: Hello from the API</p>')
    expect(after.text).to.include('<title>New head reloaded preflight</title>')
    expect((await get(app, '/page-only')).text).to.include('<h1>Changed page</h1>')
    expect([...(await renderer.pages())]).to.include('/added')
    // The first version of the element was not evaluated again.
    expect(g.greetingCardLoads).to.equal(loads)
  })

  it('gives two renderers over one folder their own fresh modules on reload', async () => {
    const first = enhancePages()
    const second = enhancePages()
    const appOf = (renderer: typeof first) => express().use(enhanceRoutes({ root: dir, session: false, renderer }))
    const [one, two] = [appOf(first), appOf(second)]
    await get(one, '/')
    await get(two, '/')
    const card = join(dir, 'elements', 'greeting-card.mjs')
    const version = (label: string) =>
      `export default ({ html, state }) => html\`<p class="greeting">${label}: \${state.store.greeting}</p>\``
    await writeFile(card, version('First edit'))
    await first.reload?.()
    expect((await get(one, '/')).text).to.include('First edit: Hello from the API')
    // A second edit, reloaded by the other renderer: it must not get the first one's cached module.
    await writeFile(card, version('Second edit'))
    await second.reload?.()
    expect((await get(two, '/')).text).to.include('Second edit: Hello from the API')
  })
})

describe('enhancePages in the built CommonJS package', () => {
  it('renders pages under require() (@enhance/ssr is ESM only: loaded with import())', () => {
    // npm test builds the package first; this runs it as a CommonJS user gets it, without tsx.
    const script = `
      const express = require('express')
      const request = require('supertest')
      const { enhanceRoutes, enhancePages, expressViews } = require('express-enhance-routes')
      const app = express().use(enhanceRoutes({ root: 'test/fixtures/enhance-app', session: false }))
      request(app).get('/page-only').set('Accept', 'text/html')
        .then((res) => console.log(JSON.stringify([res.status, /<h1>Page only<\\/h1>/.test(res.text), typeof enhancePages, typeof expressViews])))`
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    expect(JSON.parse(out)).to.deep.equal([200, true, 'function', 'function'])
  })
})
