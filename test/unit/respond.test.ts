/**
 * SPEC sections 5, 6 and 7 as Outgoing values, with no server: `respond()`
 * turns a handler's response into the answer the decision table gives it
 * (JSON, a redirect, a page through the renderer), and `failure()` turns any
 * error into its negotiated answer (JSON, the renderer's error page, a
 * minimal page, or Express's error chain). The renderer is a plain
 * `{ pages, render }` object; the Express pair is never touched by the core.
 */
import { expect } from 'chai'
import createError from 'http-errors'
import { runChain } from '../../lib/core/chain.js'
import type { Run } from '../../lib/core/dispatch.js'
import { type Failing, failure } from '../../lib/core/failure.js'
import type { Outgoing } from '../../lib/core/outgoing.js'
import { type ExpressPair, respond } from '../../lib/core/respond.js'
import { type AnswerSettings, DEFAULT_SETTINGS } from '../../lib/core/settings.js'
import { minimalErrorPage } from '../../lib/errors.js'
import { checkModule } from '../../lib/modules.js'
import type { ApiRoute, PageRoute } from '../../lib/routes/table.js'
import type {
  EnhanceApiFn,
  EnhanceApiReq,
  EnhanceApiRes,
  EnhanceError,
  EnhanceMethod,
  PageRenderer,
  RenderContext,
} from '../../types/index.js'
import { requestObject } from './values.js'

/** The fields of an answer that has a body, for reading them off an Outgoing in one cast. */
type Sent = { kind: string; status: number; body: string }

const LABEL = 'app/api/notes/$id.mjs post'
const VARY = ['Accept'] as const
const express: ExpressPair = { req: {} as never, res: {} as never }

/** The route /notes/$id, whose page the renderer knows as /notes/$note (its own param name). */
const apiRoute: ApiRoute = {
  kind: 'api',
  pattern: '/notes/$id',
  segments: [
    { kind: 'static', value: 'notes' },
    { kind: 'param', name: 'id' },
  ],
  page: '/notes/$note',
  name: 'app/api/notes/$id.mjs',
  file: '/srv/app/api/notes/$id.mjs',
  module: checkModule({ get: () => undefined, post: () => undefined }),
  allow: 'GET, HEAD, POST, OPTIONS',
}

const pageRoute: PageRoute = {
  kind: 'page',
  pattern: '/about',
  segments: [{ kind: 'static', value: 'about' }],
  page: '/about',
}

function runOf(method: EnhanceMethod, route: ApiRoute | PageRoute = apiRoute, label = LABEL): Run {
  return { kind: 'run', route, method, chain: route.kind === 'api' ? [() => undefined] : undefined, params: {}, label }
}

/** A renderer with a page for some patterns; it records every context it is given. */
function rendererOf(pages: Record<string, (context: RenderContext) => unknown>): PageRenderer & {
  contexts: RenderContext[]
} {
  const contexts: RenderContext[] = []
  return {
    contexts,
    pages: () => Object.keys(pages),
    render(context) {
      contexts.push(context)
      const page = pages[context.pattern]
      return page === undefined ? undefined : (page(context) as string | undefined)
    },
  }
}

const notePage = (context: RenderContext) => `<h1>${JSON.stringify(context.state.store)} ${context.status}</h1>`

interface Asked {
  method?: EnhanceMethod
  json: boolean
  renderer?: PageRenderer
  route?: ApiRoute | PageRoute
  request?: EnhanceApiReq
}

/** The SPEC's answers alone: Enhance's default Cache-Control and Server-Timing have tests of their own. */
const PLAIN: AnswerSettings = { ...DEFAULT_SETTINGS, cacheDefaults: false, serverTiming: false }

function exchange({ method = 'GET', json, renderer, route = apiRoute, request = requestObject() }: Asked) {
  return { run: runOf(method, route), request, json, vary: VARY, renderer, express, settings: PLAIN }
}

/** The error respond() throws (sync) or rejects with (async). */
async function errorOf(run: () => unknown): Promise<EnhanceError> {
  try {
    await run()
  } catch (error) {
    return error as EnhanceError
  }
  throw new Error('expected an error')
}

/** The value a header ends with once written in order, as `res.setHeader` does it (names are case-insensitive). */
function headerAsWritten(out: Outgoing, name: string): unknown {
  if (out.kind === 'handoff') throw new Error('a handoff has no headers')
  let value: unknown
  for (const key in out.headers) if (key.toLowerCase() === name.toLowerCase()) value = out.headers[key]
  return value
}

describe('unit: respond, a handler’s response as its answer (SPEC sections 5 and 6)', () => {
  describe('JSON', () => {
    it('a JSON client gets the json, serialized, with its status and Vary: Accept', () => {
      const out = respond(exchange({ json: true }), { json: { note: { id: 1 } }, statusCode: 201 })
      expect(out).to.deep.equal({
        kind: 'json',
        status: 201,
        headers: {},
        defaults: undefined,
        vary: ['Accept'],
        body: '{"note":{"id":1}}',
        location: undefined,
        session: undefined,
      })
    })

    it('no json answers {} (as Enhance does)', () => {
      const out = respond(exchange({ json: true }), {}) as Sent
      expect([out.kind, out.status, out.body]).to.deep.equal(['json', 200, '{}'])
    })

    it('a JSON client is never redirected: the location travels as a Location header only', () => {
      const out = respond(exchange({ method: 'POST', json: true }), { location: '/notes/2', json: { id: 2 } })
      expect(out).to.deep.include({ kind: 'json', status: 200, location: '/notes/2', body: '{"id":2}' })
    })

    it('an HTML client with no renderer gets the JSON, and the renderer is not needed for it', () => {
      const out = respond(exchange({ json: false }), { json: { a: 1 } })
      expect(out).to.deep.include({ kind: 'json', status: 200, body: '{"a":1}' })
    })

    it('PUT, PATCH and DELETE from an HTML client with no location get the JSON, and the renderer is not asked', () => {
      for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
        const renderer = rendererOf({ '/notes/$note': notePage })
        const out = respond(exchange({ method, json: false, renderer }), { json: { ok: true }, statusCode: 202 })
        expect(out, method).to.deep.include({ kind: 'json', status: 202, body: '{"ok":true}' })
        expect(renderer.contexts, method).to.deep.equal([])
      }
    })

    it('json that JSON cannot hold is a 500 naming the label: a cycle, a BigInt', async () => {
      const cycle: Record<string, unknown> = {}
      cycle.self = cycle
      for (const json of [cycle, { count: 10n }]) {
        const error = await errorOf(() => respond(exchange({ json: true }), { json }))
        expect(error.status).to.equal(500)
        expect(error.message).to.match(new RegExp(`^${escapeRegExp(LABEL)} returned json that cannot be serialized: `))
      }
    })

    it('unserializable json on the way to a page the renderer does not have is a 500 too', async () => {
      const renderer = rendererOf({})
      const error = await errorOf(() => respond(exchange({ json: false, renderer }), { json: { n: 1n } }))
      expect(error.status).to.equal(500)
      expect(error.message).to.include(`${LABEL} returned json that cannot be serialized`)
    })
  })

  describe('redirects', () => {
    it('GET from an HTML client with location: a 302 redirect', () => {
      const out = respond(exchange({ json: false }), { location: '/login' })
      expect(out).to.deep.equal({
        kind: 'redirect',
        status: 302,
        headers: {},
        defaults: undefined,
        vary: ['Accept'],
        location: '/login',
        session: undefined,
      })
    })

    it('a form POST with location: 303, or the 3xx statusCode given', () => {
      const renderer = rendererOf({ '/notes/$note': notePage })
      expect(respond(exchange({ method: 'POST', json: false, renderer }), { location: '/notes' })).to.deep.include({
        kind: 'redirect',
        status: 303,
        location: '/notes',
      })
      expect(
        respond(exchange({ method: 'POST', json: false, renderer }), { location: '/notes', statusCode: 307 }),
      ).to.deep.include({ kind: 'redirect', status: 307 })
      expect(renderer.contexts).to.deep.equal([])
    })
  })

  describe('pages', () => {
    it('GET from an HTML client renders the page with json as its state, under the renderer’s own pattern', async () => {
      const renderer = rendererOf({ '/notes/$note': notePage })
      const ex = exchange({ json: false, renderer })
      const out = await respond(ex, { json: { title: 'Tea' } })
      expect(out).to.deep.equal({
        kind: 'page',
        status: 200,
        headers: {},
        defaults: undefined,
        vary: ['Accept'],
        body: '<h1>{"title":"Tea"} 200</h1>',
        session: undefined,
      })
      expect(renderer.contexts).to.have.length(1)
      const context = renderer.contexts[0] as RenderContext
      expect(context.pattern).to.equal('/notes/$note')
      expect(context.state).to.deep.equal({ store: { title: 'Tea' } })
      expect(context.status).to.equal(200)
      expect(context.request).to.equal(ex.request)
      expect([context.req, context.res]).to.deep.equal([express.req, express.res])
    })

    it('a form POST with no location re-renders the page with its errors and statusCode 422', async () => {
      const renderer = rendererOf({ '/notes/$note': notePage })
      const out = await respond(exchange({ method: 'POST', json: false, renderer }), {
        json: { errors: { text: 'required' } },
        statusCode: 422,
      })
      expect(out).to.deep.include({ kind: 'page', status: 422, body: '<h1>{"errors":{"text":"required"}} 422</h1>' })
      expect((renderer.contexts[0] as RenderContext).status).to.equal(422)
    })

    it('a page-only route renders with empty state (the core answers { json: {} } for it)', async () => {
      const renderer = rendererOf({ '/about': () => '<h1>About</h1>' })
      const out = await respond(exchange({ json: false, renderer, route: pageRoute }), { json: {} })
      expect(out).to.deep.include({ kind: 'page', status: 200, body: '<h1>About</h1>' })
      expect((renderer.contexts[0] as RenderContext).state).to.deep.equal({ store: {} })
      expect((renderer.contexts[0] as RenderContext).pattern).to.equal('/about')
    })

    it('no json gives the page an empty store', async () => {
      const renderer = rendererOf({ '/notes/$note': notePage })
      await respond(exchange({ json: false, renderer }), {})
      expect((renderer.contexts[0] as RenderContext).state).to.deep.equal({ store: {} })
    })

    it('a renderer that returns undefined (no page for this route) gives the JSON, with the same status', async () => {
      const renderer = rendererOf({})
      const out = await respond(exchange({ json: false, renderer }), { json: { a: 1 }, statusCode: 201 })
      expect(out).to.deep.include({ kind: 'json', status: 201, body: '{"a":1}' })
      expect(renderer.contexts.map((context) => context.pattern)).to.deep.equal(['/notes/$note'])
    })

    it('a renderer that returns something other than HTML is a 500 naming the route', async () => {
      const renderer = rendererOf({ '/notes/$note': () => 42 })
      const error = await errorOf(() => respond(exchange({ json: false, renderer }), { json: {} }))
      expect([error.status, error.message]).to.deep.equal([
        500,
        'the page renderer returned number for /notes/$id, not HTML',
      ])
    })

    it('a renderer that throws rejects with its error (for failure() to answer)', async () => {
      const boom = new Error('template broke')
      const renderer = rendererOf({
        '/notes/$note': () => {
          throw boom
        },
      })
      expect(await errorOf(() => respond(exchange({ json: false, renderer }), { json: {} }))).to.equal(boom)
    })
  })

  describe('headers (SPEC section 5)', () => {
    it('the handler’s headers are kept, and cacheControl wins over a Cache-Control among them', () => {
      const out = respond(exchange({ json: true }), {
        json: {},
        headers: { 'X-Request-Id': 'abc', 'Cache-Control': 'no-store' },
        cacheControl: 'max-age=60',
      })
      expect(out).to.deep.include({ headers: { 'X-Request-Id': 'abc', 'Cache-Control': 'max-age=60' } })
    })

    it('cacheControl wins over a cache-control header of any case, once written', () => {
      const out = respond(exchange({ json: true }), {
        json: {},
        headers: { 'cache-control': 'no-store' },
        cacheControl: 'public, max-age=300',
      })
      expect(headerAsWritten(out as Outgoing, 'Cache-Control')).to.equal('public, max-age=300')
    })

    it('cacheControl alone is the Cache-Control header; headers ride on redirects and pages too', async () => {
      expect(respond(exchange({ json: true }), { cacheControl: 'no-cache' })).to.deep.include({
        headers: { 'Cache-Control': 'no-cache' },
      })
      expect(respond(exchange({ json: false }), { location: '/a', headers: { 'X-A': '1' } })).to.deep.include({
        kind: 'redirect',
        headers: { 'X-A': '1' },
      })
      const renderer = rendererOf({ '/notes/$note': notePage })
      expect(
        await respond(exchange({ json: false, renderer }), { json: {}, headers: { 'Set-Cookie': ['a=1', 'b=2'] } }),
      ).to.deep.include({ kind: 'page', headers: { 'Set-Cookie': ['a=1', 'b=2'] } })
    })

    it('a header value with CR or LF is a 500 naming the label, for every kind of answer', async () => {
      const renderer = rendererOf({ '/notes/$note': notePage })
      const bad: EnhanceApiRes[] = [
        { json: {}, headers: { 'X-Evil': 'a\r\nSet-Cookie: admin=1' } },
        { json: {}, headers: { 'X-Evil': 'line\nbreak' } },
        { json: {}, cacheControl: 'max-age=1\r\nX-Injected: 1' },
        { location: '/a', headers: { 'X-Evil': 'a\rb' } },
      ]
      for (const [i, response] of bad.entries()) {
        for (const json of [true, false]) {
          const error = await errorOf(() => respond(exchange({ method: 'POST', json, renderer }), response))
          expect(error.status, `${i} ${json}`).to.equal(500)
          expect(error.message, `${i} ${json}`).to.include(`${LABEL} returned a header that cannot be sent`)
        }
      }
      expect(renderer.contexts).to.deep.equal([])
    })

    it('a header name that cannot be sent is a 500 naming the label', async () => {
      const error = await errorOf(() => respond(exchange({ json: true }), { json: {}, headers: { 'Bad Name': 'x' } }))
      expect(error.status).to.equal(500)
      expect(error.message).to.include(`${LABEL} returned a header that cannot be sent`)
    })
  })

  describe('sessions (SPEC section 8: `response.session` replaces the whole session)', () => {
    it('the session change is carried with its label on JSON, redirect and page answers', async () => {
      const session = { user: 'ada' }
      expect(respond(exchange({ json: true }), { json: {}, session })).to.deep.include({
        session: { data: { user: 'ada' }, label: LABEL },
      })
      expect(respond(exchange({ json: false }), { location: '/', session })).to.deep.include({
        kind: 'redirect',
        session: { data: { user: 'ada' }, label: LABEL },
      })
      const renderer = rendererOf({ '/notes/$note': notePage })
      expect(await respond(exchange({ json: false, renderer }), { json: {}, session })).to.deep.include({
        kind: 'page',
        session: { data: { user: 'ada' }, label: LABEL },
      })
    })

    it('`session: {}` is a change (it ends the session); no session key is none', () => {
      expect(respond(exchange({ json: true }), { session: {} })).to.deep.include({
        session: { data: {}, label: LABEL },
      })
      expect(respond(exchange({ json: true }), { json: {} })).to.deep.include({ session: undefined })
    })
  })

  describe('the rest of section 5, through runChain and respond together', () => {
    /** What a handler's return value is answered with, for a JSON client: runChain, then respond. */
    async function answerOf(returned: unknown): Promise<Outgoing | EnhanceError> {
      try {
        const response = await runChain([(() => returned) as EnhanceApiFn], requestObject(), LABEL)
        return await respond(exchange({ method: 'POST', json: true }), response)
      } catch (error) {
        return error as EnhanceError
      }
    }

    it('a key outside section 5 (a typo such as statuscode) is a 500 that names the file, the method and the key', async () => {
      const answer = await answerOf({ json: { ok: true }, statuscode: 201 })
      expect(answer).to.be.instanceOf(Error)
      expect((answer as EnhanceError).status).to.equal(500)
      expect((answer as EnhanceError).message)
        .to.include(LABEL)
        .and.include('statuscode')
    })

    it('`html` is an answer sent as it is to every client, with the response’s status', async () => {
      const answer = await answerOf({ html: '<p>Saved</p>', statusCode: 201 })
      expect(answer).to.deep.include({ status: 201, body: '<p>Saved</p>' })
    })
  })
})

describe('unit: failure, an error as its answer (SPEC section 7)', () => {
  let savedEnv: string | undefined
  beforeEach(() => {
    savedEnv = process.env.NODE_ENV
  })
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = savedEnv
  })

  interface Ctx {
    json: boolean
    renderer?: PageRenderer
    errors?: 'respond' | 'next'
    request?: EnhanceApiReq
  }

  function failingOf({ json, renderer, errors = 'respond', request }: Ctx) {
    const reported: [EnhanceError, EnhanceApiReq | undefined][] = []
    const pageRequest = requestObject()
    const ctx: Failing = {
      json,
      vary: VARY,
      renderer,
      errors,
      report: (error, req) => reported.push([error, req]),
      request,
      pageRequest: () => pageRequest,
      express,
      settings: PLAIN,
    }
    return { ctx, reported, pageRequest }
  }

  describe('JSON clients', () => {
    it('get { error: { status, message } } with the status, at once (not a promise)', () => {
      const { ctx } = failingOf({ json: true })
      const error = createError(404, 'Not Found: /notes/9')
      const out = failure(error, ctx)
      expect(out).not.to.be.instanceOf(Promise)
      expect(out).to.deep.equal({
        kind: 'error',
        status: 404,
        headers: {},
        defaults: undefined,
        vary: ['Accept'],
        error,
        type: 'json',
        body: '{"error":{"status":404,"message":"Not Found: /notes/9"}}',
      })
    })

    it('a thrown Error with no status is a 500 with its message (outside production), and no stack', () => {
      const { ctx } = failingOf({ json: true })
      const out = failure(new Error('db down'), ctx) as Sent
      expect([out.kind, out.status, JSON.parse(out.body)]).to.deep.equal([
        'error',
        500,
        { error: { status: 500, message: 'db down' } },
      ])
    })

    it('a status that is no error status (a 302 error, a 99) becomes a 500', () => {
      const { ctx } = failingOf({ json: true })
      for (const status of [302, 99]) {
        const odd = Object.assign(new Error('odd'), { status })
        expect((failure(odd, ctx) as Sent).status, String(status)).to.equal(500)
      }
    })

    it('the error’s headers come with it: a 405 carries Allow', () => {
      const { ctx } = failingOf({ json: true })
      const error = createError(405, 'Method Not Allowed', { headers: { Allow: 'GET, HEAD, OPTIONS' } })
      expect(failure(error, ctx)).to.deep.include({ status: 405, headers: { Allow: 'GET, HEAD, OPTIONS' } })
    })

    it('in production a 5xx message is replaced by the reason phrase; a 4xx message is kept', () => {
      process.env.NODE_ENV = 'production'
      const { ctx } = failingOf({ json: true })
      const bodyOf = (thrown: unknown) => JSON.parse((failure(thrown, ctx) as Sent).body)
      expect(bodyOf(new Error('password=hunter2 rejected'))).to.deep.equal({
        error: { status: 500, message: 'Internal Server Error' },
      })
      expect(bodyOf(createError(503, 'replica lag 30s'))).to.deep.equal({
        error: { status: 503, message: 'Service Unavailable' },
      })
      expect(bodyOf(createError(422, 'text is required'))).to.deep.equal({
        error: { status: 422, message: 'text is required' },
      })
    })

    it('outside production the 5xx message is shown', () => {
      process.env.NODE_ENV = 'development'
      const { ctx } = failingOf({ json: true })
      const out = failure(createError(503, 'replica lag 30s'), ctx) as Sent
      expect(JSON.parse(out.body)).to.deep.equal({ error: { status: 503, message: 'replica lag 30s' } })
    })
  })

  describe('reporting (onError)', () => {
    it('reports every error once, with the handler’s request when there is one', () => {
      const request = requestObject()
      const { ctx, reported } = failingOf({ json: true, request })
      const error = createError(404, 'gone')
      failure(error, ctx)
      expect(reported).to.have.length(1)
      expect(reported[0]?.[0]).to.equal(error)
      expect(reported[0]?.[1]).to.equal(request)
    })
  })

  describe('HTML clients', () => {
    it('with no renderer get the minimal page, escaped, at once', () => {
      const { ctx } = failingOf({ json: false })
      const out = failure(createError(404, 'no <script> here'), ctx)
      expect(out).not.to.be.instanceOf(Promise)
      expect(out).to.deep.include({ kind: 'error', status: 404, type: 'html' })
      const body = (out as Sent).body
      expect(body).to.equal(minimalErrorPage(404, 'no <script> here'))
      expect(body).to.include('<title>404 Not Found</title>').and.include('no &lt;script&gt; here')
    })

    it('get the renderer’s /404 page, with the error in state.store.error and in context.error', async () => {
      const renderer = rendererOf({ '/404': (context) => `<h1>Lost: ${context.error?.message}</h1>` })
      const { ctx, pageRequest } = failingOf({ json: false, renderer })
      const out = await failure(createError(404, 'Not Found: /x'), ctx)
      expect(out).to.deep.include({ kind: 'error', status: 404, type: 'html', body: '<h1>Lost: Not Found: /x</h1>' })
      const context = renderer.contexts[0] as RenderContext
      expect(context.pattern).to.equal('/404')
      expect(context.status).to.equal(404)
      expect(context.state).to.deep.equal({ store: { error: { status: 404, message: 'Not Found: /x' } } })
      expect(context.error).to.deep.equal({ status: 404, message: 'Not Found: /x' })
      // No handler ran (a 404 comes before one): the page gets a request object made for it.
      expect(context.request).to.equal(pageRequest)
    })

    it('the error page gets the handler’s request when the handler ran', async () => {
      const renderer = rendererOf({ '/500': () => '<h1>Oops</h1>' })
      const request = requestObject()
      const { ctx } = failingOf({ json: false, renderer, request })
      await failure(new Error('x'), ctx)
      expect((renderer.contexts[0] as RenderContext).request).to.equal(request)
    })

    it('a 5xx asks for its own page first, then falls back to /500', async () => {
      const renderer = rendererOf({ '/500': (context) => `<h1>Broken ${context.status}</h1>` })
      const { ctx } = failingOf({ json: false, renderer })
      const out = await failure(createError(503, 'maintenance'), ctx)
      expect(out).to.deep.include({ status: 503, type: 'html', body: '<h1>Broken 503</h1>' })
      expect(renderer.contexts.map((context) => context.pattern)).to.deep.equal(['/503', '/500'])
    })

    it('a 5xx with its own page uses it', async () => {
      const renderer = rendererOf({ '/503': () => '<h1>Back soon</h1>', '/500': () => '<h1>Broken</h1>' })
      const { ctx } = failingOf({ json: false, renderer })
      expect(await failure(createError(503, 'maintenance'), ctx)).to.deep.include({ body: '<h1>Back soon</h1>' })
    })

    it('a 4xx with no page of its own gets the minimal page (no fall back to /500)', async () => {
      const renderer = rendererOf({ '/500': () => '<h1>Broken</h1>' })
      const { ctx } = failingOf({ json: false, renderer })
      const out = await failure(createError(410, 'gone'), ctx)
      expect(out).to.deep.include({ status: 410, type: 'html', body: minimalErrorPage(410, 'gone') })
      expect(renderer.contexts.map((context) => context.pattern)).to.deep.equal(['/410'])
    })

    it('in production the error page gets the reason phrase, not the 5xx message', async () => {
      process.env.NODE_ENV = 'production'
      const renderer = rendererOf({ '/500': (context) => `<p>${context.error?.message}</p>` })
      const { ctx } = failingOf({ json: false, renderer })
      const out = await failure(new Error('secret path /etc/app.key'), ctx)
      expect(out).to.deep.include({ body: '<p>Internal Server Error</p>' })
      expect((renderer.contexts[0] as RenderContext).state).to.deep.equal({
        store: { error: { status: 500, message: 'Internal Server Error' } },
      })
    })

    it('a renderer that throws on the error page falls back to the minimal page, and the render error is reported', async () => {
      const renderer = rendererOf({
        '/500': () => {
          throw new Error('500.html is broken too')
        },
      })
      const { ctx, reported } = failingOf({ json: false, renderer })
      const original = new Error('db down')
      const out = await failure(original, ctx)
      expect(out).to.deep.include({ kind: 'error', status: 500, type: 'html', body: minimalErrorPage(500, 'db down') })
      expect(reported.map(([error]) => [error.status, error.message])).to.deep.equal([
        [500, 'db down'],
        [500, '500.html is broken too'],
      ])
    })

    it('a renderer that returns no HTML (a number) on the error page falls back too, and that is reported', async () => {
      const renderer = rendererOf({ '/404': () => 404 })
      const { ctx, reported } = failingOf({ json: false, renderer })
      const out = await failure(createError(404, 'nope'), ctx)
      expect(out).to.deep.include({ body: minimalErrorPage(404, 'nope') })
      expect(reported).to.have.length(2)
      expect(reported[1]?.[0].message).to.equal('the renderer returned number for /404, not HTML')
    })
  })

  describe("errors: 'next'", () => {
    it('hands the error to Express’s error chain with its status set, for JSON and HTML clients alike', () => {
      for (const json of [true, false]) {
        const renderer = rendererOf({ '/404': () => '<h1>never</h1>' })
        const { ctx, reported } = failingOf({ json, renderer, errors: 'next' })
        const error = createError(404, 'nope')
        expect(failure(error, ctx)).to.deep.equal({ kind: 'handoff', error })
        expect(renderer.contexts).to.deep.equal([])
        expect(reported).to.have.length(1)
      }
    })

    it('an error with no status is handed on as a 500 with status and statusCode set', () => {
      const { ctx } = failingOf({ json: true, errors: 'next' })
      const out = failure(new Error('db down'), ctx)
      if (out instanceof Promise || out.kind !== 'handoff') throw new Error('expected a handoff')
      expect([out.error.status, out.error.statusCode, out.error.message]).to.deep.equal([500, 500, 'db down'])
    })
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe('unit: Enhance’s answer defaults (Cache-Control, Server-Timing)', () => {
  const settings = DEFAULT_SETTINGS

  it('JSON, pages and redirects get no-cache unless the handler says; other bodies a day', async () => {
    const json = (await respond({ ...exchange({ json: true }), settings }, { json: { a: 1 } })) as Outgoing
    expect(json).to.deep.include({
      defaults: { 'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0, s-maxage=0' },
    })
    const css = (await respond({ ...exchange({ json: false }), settings }, { css: 'a{}' })) as Outgoing
    expect(css).to.deep.include({ defaults: { 'Cache-Control': 'max-age=86400' } })
    const off = (await respond({ ...exchange({ json: true }), settings: PLAIN }, { json: {} })) as Outgoing
    expect((off as { defaults?: unknown }).defaults).to.equal(undefined)
  })

  it('a rendered page carries Server-Timing with the API’s and the render’s time, after the handler’s own', async () => {
    const renderer = rendererOf({ '/notes/$note': notePage })
    const ex = { ...exchange({ json: false, renderer }), settings, apiMs: 1.23456 }
    const page = (await respond(ex, { json: {}, headers: { 'server-timing': 'db;dur=2' } })) as Outgoing & {
      headers: Record<string, string>
    }
    expect(page.kind).to.equal('page')
    expect(page.headers['server-timing']).to.match(
      /^db;dur=2, api;desc="enhance-api";dur=1\.23,html;desc="enhance-html";dur=[0-9.]+$/,
    )
  })
})
