import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { type EnhanceError, type ExpressViewsOptions, enhanceRoutes, expressViews } from '../lib/index.js'

// expressViews(): the decisions of SPEC 6 through res.render and a real template engine (EJS).

const root = new URL('./fixtures/enhance-app/', import.meta.url)
const viewsDir = fileURLToPath(new URL('./fixtures/views/', import.meta.url))
const HTML = 'text/html'

function makeApp(views: ExpressViewsOptions['views'] = { '/': 'home' }, setup?: (app: express.Express) => void) {
  const errors: EnhanceError[] = []
  const app = express()
  app.set('views', viewsDir)
  app.set('view engine', 'ejs')
  if (setup) setup(app)
  const mw = enhanceRoutes({
    root,
    session: false,
    onError: (e) => errors.push(e),
    renderer: expressViews({ views }),
  })
  app.use(mw)
  return { app, mw, errors }
}

const get = (app: express.Express, path: string) => request(app).get(path).set('Accept', HTML)

describe('expressViews: pages through res.render and EJS', () => {
  const { app, mw, errors } = makeApp()

  it('options.views maps a pattern to a view, with the API json as its locals', async () => {
    const res = await get(app, '/')
    expect(res.status).to.equal(200)
    expect(res.headers['content-type']).to.match(/^text\/html/)
    expect(res.text).to.include('<title>Home</title>')
    expect(res.text).to.include('<p class="greeting">Hello from the API</p>')
  })

  // Changed with the Enhance-fidelity issue: the API's 404 for a browser's GET renders the 404 view, as Enhance renders its 404 page.
  it('the default view of /notes/$id is notes/$id; the API’s 404 gets the 404 view', async () => {
    const res = await get(app, '/notes/77')
    expect(res.status).to.equal(404)
    expect(res.text).to.include('<p class="error-detail">404: /notes/77 not found</p>')
  })

  it('mapped patterns are page-only routes; others come from API files', async () => {
    await mw.ready
    const withPage = mw
      .routes()
      .filter((r) => r.page)
      .map((r) => r.pattern)
    expect(withPage).to.deep.equal(['/'])
  })

  it('a route without a view answers HTML clients with the JSON', async () => {
    const { app: unmapped } = makeApp({})
    const res = await get(unmapped, '/')
    expect(res.status).to.equal(200)
    expect(res.headers['content-type']).to.match(/^application\/json/)
    expect(res.body).to.deep.equal({ greeting: 'Hello from the API', title: 'Home' })
  })

  it('the same with view cache on (the missing view is remembered)', async () => {
    const { app: cached } = makeApp({}, (a) => a.enable('view cache'))
    for (let i = 0; i < 2; i++) {
      const res = await get(cached, '/')
      expect(res.headers['content-type']).to.match(/^application\/json/)
    }
    const page = await get(cached, '/notes')
    expect(page.text).to.include('<h1>Notes</h1>')
  })

  it('the engine escapes state: a value cannot close a tag', async () => {
    const res = await get(app, '/unsafe')
    expect(res.text).to.include(
      '<p class="text">&lt;/script&gt;&lt;script&gt;window.pwned = 1&lt;/script&gt;&lt;!--</p>',
    )
  })

  describe('the form-with-errors pattern', () => {
    it('an empty form re-renders the view with 422, its error and its value', async () => {
      const res = await request(app).post('/notes').set('Accept', HTML).type('form').send({ text: '"><i>x</i>' })
      // Not empty: created. Then an empty one.
      expect(res.status).to.equal(303)
      const bad = await request(app).post('/notes').set('Accept', HTML).type('form').send({ text: ' ' })
      expect(bad.status).to.equal(422)
      expect(bad.text).to.include('<p class="error">Write something first</p>')
      expect(bad.text).to.include('<input name="text" value=" ">')
      expect(bad.text).to.include('&#34;&gt;&lt;i&gt;x&lt;/i&gt;</a></li>')
    })
  })

  describe('errors', () => {
    it('a view that throws answers the 500 view and onError names the view', async () => {
      errors.length = 0
      const res = await get(app, '/boom')
      expect(res.status).to.equal(500)
      expect(res.text).to.include('<h1>Our fault</h1>')
      expect(errors).to.have.length(1)
      expect(errors[0]?.message).to.match(/^view "boom" failed to render: .*notDefinedAnywhere/s)
      expect(res.text).not.to.match(/\n\s+at /)
    })

    it('a view named in options.views that does not exist is an error, not JSON', async () => {
      errors.length = 0
      const { app: wrong, errors: wrongErrors } = makeApp({ '/': 'no-such-view' })
      const res = await get(wrong, '/')
      expect(res.status).to.equal(500)
      expect(wrongErrors[0]?.message).to.include('Failed to lookup view "no-such-view"')
    })

    it('the 404 view answers unmatched requests with fallthrough: false', async () => {
      const app404 = express()
      app404.set('views', viewsDir)
      app404.set('view engine', 'ejs')
      app404.use(enhanceRoutes({ root, session: false, fallthrough: false, renderer: expressViews() }))
      const res = await get(app404, '/nothing/here')
      expect(res.status).to.equal(404)
      expect(res.text).to.include('<p class="error-detail">404: /nothing/here not found</p>')
    })

    it('without Express (no res.render) a page answers 500 saying so', async () => {
      const mw = enhanceRoutes({ root, session: false, onError: () => {}, renderer: expressViews() })
      const server = createServer((req, res) =>
        mw(req, res, () => {
          res.statusCode = 404
          res.end()
        }),
      )
      const res = await request(server).get('/notes').set('Accept', HTML)
      expect(res.status).to.equal(500)
      expect(res.text).to.include('res.render is missing')
    })

    it('rejects a views map that is not made of patterns and view names', () => {
      expect(() => expressViews({ views: { '/a': '' } })).to.throw(TypeError, /must be a view name/)
      expect(() => expressViews({ views: { '/a/$$/b': 'x' } })).to.throw(TypeError, /catch-all/)
    })
  })
})
