import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import {
  type EnhanceError,
  type EnhanceRoutesOptions,
  enhanceRoutes,
  escapeHtml,
  expressViews,
  type PageRenderer,
  type RenderContext,
} from '../lib/index.js'

// SPEC section 6: every row of the decision table, for the two shipped
// renderers and for a custom one, through real Express.

const root = new URL('./fixtures/enhance-app/', import.meta.url)
const viewsDir = fileURLToPath(new URL('./fixtures/views/', import.meta.url))
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const JSON_ACCEPT = 'application/json'

/** A renderer written against the public PageRenderer type only. */
function customRenderer(): PageRenderer & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    pages: () => ['/table', '/page-only'],
    render(context: RenderContext) {
      calls.push(context.pattern)
      const store = context.state.store
      const page = (body: string) =>
        `<!doctype html><html><head><title>custom</title></head><body>${body}</body></html>`
      switch (context.pattern) {
        case '/table':
          return page(
            `<p class="row">ROW:${escapeHtml(String(store.row))}</p><p class="input">${escapeHtml(JSON.stringify(store.input))}</p>`,
          )
        case '/page-only':
          return page(`<h1>Page only</h1><p class="store-keys">KEYS:${Object.keys(store).join(',')}</p>`)
        case '/404':
        case '/500': {
          const error = context.error
          return page(
            `<h1>custom ${context.status}</h1><p class="error-detail">${error?.status}: ${error?.message}</p>`,
          )
        }
        default:
          return undefined
      }
    },
  }
}

interface Setup {
  name: string
  make(options?: Partial<EnhanceRoutesOptions>): express.Express
}

const errors: EnhanceError[] = []
const collect = (error: EnhanceError) => {
  errors.push(error)
}

const setups: Setup[] = [
  {
    name: 'enhancePages (the default renderer)',
    make: (options = {}) => express().use(enhanceRoutes({ root, session: false, onError: collect, ...options })),
  },
  {
    name: 'expressViews with EJS',
    make: (options = {}) => {
      const app = express()
      app.set('views', viewsDir)
      app.set('view engine', 'ejs')
      app.use(
        enhanceRoutes({
          root,
          session: false,
          onError: collect,
          renderer: expressViews({ views: { '/page-only': 'page-only' } }),
          ...options,
        }),
      )
      return app
    },
  },
  {
    name: 'a custom renderer',
    make: (options = {}) =>
      express().use(enhanceRoutes({ root, session: false, onError: collect, renderer: customRenderer(), ...options })),
  },
]

/** The JSON a page shows in its `<p class="input">`, decoded from the HTML. */
function inputShown(html: string): unknown {
  const match = /<p class="input">([^<]*)<\/p>/.exec(html)
  if (!match) throw new Error(`no input paragraph in ${html}`)
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#34': '"', '#39': "'" }
  return JSON.parse(
    (match[1] as string).replace(/&(amp|lt|gt|quot|#34|#39);/g, (_, name: string) => entities[name] ?? ''),
  )
}

const isHtml = (res: request.Response) => expect(res.headers['content-type']).to.match(/^text\/html/)
const isJson = (res: request.Response) => expect(res.headers['content-type']).to.match(/^application\/json/)
const varies = (res: request.Response) => expect(res.headers.vary ?? '').to.match(/\bAccept\b/)

for (const setup of setups) {
  describe(`decision table (SPEC 6): ${setup.name}`, () => {
    const app = setup.make()

    it('GET, HTML, API json, page exists: the page rendered with the json as its state', async () => {
      const res = await request(app).get('/table?color=red').set('Accept', BROWSER)
      expect(res.status).to.equal(200)
      isHtml(res)
      varies(res)
      expect(res.text).to.include('ROW:get')
      expect(inputShown(res.text)).to.deep.equal({ color: 'red' })
    })

    it('GET, HTML, page exists: the status the API gives', async () => {
      const res = await request(app).get('/table?status=203').set('Accept', BROWSER)
      expect(res.status).to.equal(203)
      isHtml(res)
      expect(res.text).to.include('ROW:get')
    })

    // Changed with the Enhance-fidelity issue: a 404 used to render the route's own page; Enhance renders the 404 page.
    it('GET, HTML, page exists, the API answers 404: the 404 page, as Enhance renders it', async () => {
      const res = await request(app).get('/table?status=404').set('Accept', BROWSER)
      expect(res.status).to.equal(404)
      isHtml(res)
      expect(res.text).to.not.include('ROW:get')
      expect(res.text).to.include('/table not found')
    })

    it('GET, HTML, API json, no page: the JSON', async () => {
      const res = await request(app).get('/api-only?a=1').set('Accept', BROWSER)
      expect(res.status).to.equal(200)
      isJson(res)
      varies(res)
      expect(res.body).to.deep.equal({ row: 'get', input: { a: '1' } })
    })

    it('GET, HTML, page without API file: the page with empty state', async () => {
      const res = await request(app).get('/page-only').set('Accept', BROWSER)
      expect(res.status).to.equal(200)
      isHtml(res)
      varies(res)
      expect(res.text).to.include('Page only')
      expect(res.text).to.match(/KEYS:\s*</)
    })

    it('GET, HTML, location: a 302 redirect', async () => {
      const res = await request(app).get('/table?location=/elsewhere').set('Accept', BROWSER)
      expect(res.status).to.equal(302)
      expect(res.headers.location).to.equal('/elsewhere')
      varies(res)
      expect(res.text).to.equal('')
    })

    it('GET, HTML, location with a 3xx statusCode: that redirect', async () => {
      const res = await request(app).get('/table?location=/moved&status=301').set('Accept', BROWSER)
      expect(res.status).to.equal(301)
      expect(res.headers.location).to.equal('/moved')
    })

    it('GET, JSON, location: never a redirect; the json with a Location header', async () => {
      const res = await request(app).get('/table?location=/elsewhere').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      isJson(res)
      varies(res)
      expect(res.headers.location).to.equal('/elsewhere')
      expect(res.body).to.deep.equal({ row: 'get', input: { location: '/elsewhere' } })
    })

    it('POST, HTML form, location: a 303 redirect', async () => {
      const res = await request(app).post('/table').set('Accept', BROWSER).type('form').send('location=/done')
      expect(res.status).to.equal(303)
      expect(res.headers.location).to.equal('/done')
      varies(res)
    })

    it('POST, HTML form, location with a 3xx statusCode: that redirect', async () => {
      const res = await request(app)
        .post('/table')
        .set('Accept', BROWSER)
        .type('form')
        .send('location=/done&status=307')
      expect(res.status).to.equal(307)
      expect(res.headers.location).to.equal('/done')
    })

    it('POST, HTML form, no location, page exists: the page rendered with the json and its status', async () => {
      const res = await request(app).post('/table').set('Accept', BROWSER).type('form').send('status=422&text=oops')
      expect(res.status).to.equal(422)
      isHtml(res)
      varies(res)
      expect(res.text).to.include('ROW:post')
      expect(inputShown(res.text)).to.deep.equal({ status: '422', text: 'oops' })
    })

    it('POST, HTML form, no location, no page: the JSON', async () => {
      const res = await request(app).post('/api-only').set('Accept', BROWSER).type('form').send('status=422')
      expect(res.status).to.equal(422)
      isJson(res)
      expect(res.body).to.deep.equal({ row: 'post', input: { status: '422' } })
    })

    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      it(`${method.toUpperCase()}, JSON: the json with its status, Location only as a header`, async () => {
        const res = await request(app)
          [method]('/table')
          .set('Accept', JSON_ACCEPT)
          .send({ location: '/made/1', status: 201 })
        expect(res.status).to.equal(201)
        isJson(res)
        varies(res)
        expect(res.headers.location).to.equal('/made/1')
        expect(res.body).to.deep.equal({
          row: method === 'delete' ? 'delete' : method,
          input: { location: '/made/1', status: 201 },
        })
      })
    }

    for (const method of ['put', 'patch', 'delete'] as const) {
      it(`${method.toUpperCase()}, HTML, location: a 303 redirect`, async () => {
        const res = await request(app)[method]('/table').set('Accept', BROWSER).type('form').send('location=/after')
        expect(res.status).to.equal(303)
        expect(res.headers.location).to.equal('/after')
        varies(res)
      })

      it(`${method.toUpperCase()}, HTML, no location: as for JSON clients, even with a page`, async () => {
        const res = await request(app)[method]('/table').set('Accept', BROWSER).type('form').send('status=202')
        expect(res.status).to.equal(202)
        isJson(res)
        varies(res)
        expect(res.body).to.deep.equal({ row: method, input: { status: '202' } })
      })
    }

    it('HEAD of a page: the page’s headers and no body', async () => {
      const res = await request(app).head('/table').set('Accept', BROWSER)
      expect(res.status).to.equal(200)
      isHtml(res)
      expect(Number(res.headers['content-length'])).to.be.greaterThan(0)
      expect(res.text ?? '').to.equal('')
    })

    it('a handler error: the renderer’s 500 page for HTML, the JSON error for JSON', async () => {
      errors.length = 0
      const html = await request(app).get('/throws').set('Accept', BROWSER)
      expect(html.status).to.equal(500)
      isHtml(html)
      varies(html)
      expect(html.text).to.match(/500: [^<]*throws\.mjs get threw: the handler broke/)
      expect(html.text).not.to.match(/\bat .*\.(mjs|ts|js):\d+/)
      const json = await request(app).get('/throws').set('Accept', JSON_ACCEPT)
      expect(json.status).to.equal(500)
      expect(json.body.error.message).to.include('throws.mjs get threw')
      expect(errors.map((e) => e.status)).to.deep.equal([500, 500])
    })

    it('fallthrough: false: an unmatched request gets the renderer’s 404 page, or the JSON error', async () => {
      const strict = setup.make({ fallthrough: false })
      const html = await request(strict).get('/no/such/thing').set('Accept', BROWSER)
      expect(html.status).to.equal(404)
      isHtml(html)
      varies(html)
      expect(html.text).to.include('404: /no/such/thing not found')
      const json = await request(strict).get('/no/such/thing').set('Accept', JSON_ACCEPT)
      expect(json.status).to.equal(404)
      expect(json.body).to.deep.equal({ error: { status: 404, message: '/no/such/thing not found' } })
    })
  })
}

describe('negotiation by Accept (SPEC 6)', () => {
  const app = setups[0]?.make() as express.Express
  const cases: [string | undefined, 'html' | 'json'][] = [
    [undefined, 'html'],
    ['*/*', 'html'],
    ['text/html', 'html'],
    [BROWSER, 'html'],
    ['application/json', 'json'],
    ['text/json', 'json'],
    ['application/json, text/html;q=0.9', 'json'],
    ['text/html;q=0.5, application/json', 'json'],
    ['application/json;q=0.5, text/html', 'html'],
    ['text/html;q=0.8, application/json;q=0.9, */*;q=0.1', 'json'],
    ['application/*', 'json'],
    ['text/*', 'html'],
    ['image/png', 'html'],
  ]
  for (const [accept, want] of cases) {
    it(`Accept: ${accept ?? '(none)'} gets ${want}`, async () => {
      const req = request(app).get('/table')
      const res = await (accept === undefined ? req.unset('Accept') : req.set('Accept', accept))
      expect(res.status).to.equal(200)
      if (want === 'html') isHtml(res)
      else isJson(res)
      varies(res)
    })
  }

  it('no Accept (or */*) with a JSON body is a JSON client, as in Enhance', async () => {
    const none = await request(app).post('/table').unset('Accept').send({ location: '/x' })
    expect(none.status).to.equal(200)
    isJson(none)
    expect(none.headers.location).to.equal('/x')
    const any = await request(app).post('/table').set('Accept', '*/*').send({ location: '/x' })
    isJson(any)
  })

  it('an explicit HTML preference wins over a JSON body', async () => {
    const res = await request(app).post('/table').set('Accept', 'text/html').send({ location: '/x' })
    expect(res.status).to.equal(303)
  })

  it('a form POST with no Accept is a browser: redirected', async () => {
    const res = await request(app).post('/table').unset('Accept').type('form').send('location=/y')
    expect(res.status).to.equal(303)
    expect(res.headers.location).to.equal('/y')
  })
})
