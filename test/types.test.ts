// The public types. The `expectTypeOf` and `@ts-expect-error` lines are
// checked by `npm run typecheck` (tsc over test/): a type that regresses (gets
// looser, loses a generic, changes a key) makes the typecheck fail. The `it`
// blocks run the same typed handlers as plain functions under mocha.
import { expect } from 'chai'
import { expectTypeOf } from 'expect-type'
import express from 'express'
import request from 'supertest'
import type {
  EnhanceApiFn,
  EnhanceApiReq,
  EnhanceApiRes,
  EnhanceHandler,
  EnhanceRouteModule,
  EnhanceRouteReq,
  EnhanceRoutesMiddleware,
  EnhanceRoutesOptions,
  PageRenderer,
  ParamsOf,
  RenderContext,
  RouteInfo,
} from '../lib/index.js'
import { enhanceRoutes } from '../lib/index.js'
import { checkModule } from '../lib/modules.js'

const smokeRoot = new URL('./fixtures/smoke/', import.meta.url)
const plainRequest = { body: {}, params: {}, path: '/', query: {}, session: {}, headers: {} }

interface Product {
  id: string
  price: number
}
interface User {
  name: string
}
type ProductReq = EnhanceRouteReq<'/shop/$product', { qty: number }, { color?: string }, { cart?: string[] }>

// A request built the way the middleware builds one (the Express objects are not enumerable).
function fakeRequest<R extends EnhanceApiReq<object, unknown, unknown, unknown>>(
  fields: Omit<R, 'expressReq' | 'expressRes' | 'pathParameters' | 'signal'>,
): R {
  return { ...fields, pathParameters: fields.params, signal: new AbortController().signal } as R
}

// What a typed route module looks like: params from the file's pattern, typed body and json.
const getProduct: EnhanceApiFn<ProductReq, EnhanceApiRes<{ product: Product }, { cart?: string[] }>> = (request) => {
  expectTypeOf(request.params).toEqualTypeOf<{ product: string }>()
  expectTypeOf(request.body.qty).toEqualTypeOf<number>()
  expectTypeOf(request.query.color).toEqualTypeOf<string | undefined>()
  expectTypeOf(request.session.cart).toEqualTypeOf<string[] | undefined>()
  return {
    json: { product: { id: request.params.product, price: 3 * request.body.qty } },
    session: { cart: [...(request.session.cart ?? []), request.params.product] },
  }
}

// A generic middleware (any route) composes into a chain of a typed route.
type WithUser = { user?: User }
const loadUser: EnhanceApiFn<EnhanceApiReq & WithUser> = (request) => {
  request.user = { name: String(request.headers['x-user'] ?? 'anon') }
}
const requireUser: EnhanceApiFn<EnhanceApiReq & WithUser> = (request) =>
  request.user ? undefined : { statusCode: 401, json: { error: 'sign in' } }
const showNote: EnhanceApiFn<EnhanceRouteReq<'/notes/$id'> & WithUser> = async ({ params, user }) => ({
  json: { id: params.id, by: user?.name },
})
const noteChain: EnhanceHandler<EnhanceRouteReq<'/notes/$id'> & WithUser> = [loadUser, requireUser, showNote]

describe('public types', () => {
  it('ParamsOf types params from the file pattern', () => {
    expectTypeOf<ParamsOf<'/shop/$product'>>().toEqualTypeOf<{ product: string }>()
    expectTypeOf<ParamsOf<'shop/$product'>>().toEqualTypeOf<{ product: string }>()
    expectTypeOf<ParamsOf<'/orgs/$org/repos/$repo'>>().toEqualTypeOf<{ org: string; repo: string }>()
    expectTypeOf<ParamsOf<'/docs/$$'>>().toEqualTypeOf<{ $$: string }>()
    expectTypeOf<ParamsOf<'/users/$id/files/$$'>>().toEqualTypeOf<{ id: string; $$: string }>()
    expectTypeOf<ParamsOf<'/about'>>().toEqualTypeOf<Record<never, never>>()
    expectTypeOf<ParamsOf<'/'>>().toEqualTypeOf<Record<never, never>>()
    expectTypeOf<ParamsOf<string>>().toEqualTypeOf<Record<string, string>>()
    // @ts-expect-error a param the pattern does not have
    expectTypeOf<ParamsOf<'/shop/$product'>>().toHaveProperty('id')
    // The value is a string, never undefined.
    expectTypeOf<ParamsOf<'/shop/$product'>['product']>().toEqualTypeOf<string>()
    const runtime: ParamsOf<'/shop/$product'> = { product: 'hat' }
    expect(runtime.product).to.equal('hat')
  })

  it('EnhanceApiReq takes <Params, Body, Query, Session> in that order, with plain defaults', () => {
    type R = EnhanceApiReq<{ a: string }, { b: number }, { c: string }, { d: boolean }>
    expectTypeOf<R['params']>().toEqualTypeOf<{ a: string }>()
    expectTypeOf<R['body']>().toEqualTypeOf<{ b: number }>()
    expectTypeOf<R['query']>().toEqualTypeOf<{ c: string }>()
    expectTypeOf<R['session']>().toEqualTypeOf<{ d: boolean }>()
    expectTypeOf<EnhanceApiReq['params']>().toEqualTypeOf<Record<string, string>>()
    expectTypeOf<EnhanceApiReq['body']>().toEqualTypeOf<Record<string, unknown>>()
    expectTypeOf<EnhanceApiReq['query']>().toEqualTypeOf<Record<string, string | string[]>>()
    expectTypeOf<EnhanceApiReq['session']>().toEqualTypeOf<Record<string, unknown>>()
    // HEAD and OPTIONS reach a handler only through a module's own head and options exports.
    expectTypeOf<EnhanceApiReq['method']>().toEqualTypeOf<
      'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'
    >()
    expectTypeOf<EnhanceApiReq['path']>().toEqualTypeOf<string>()
    expectTypeOf<EnhanceRouteReq<'/a/$b', { x: 1 }>>().toEqualTypeOf<EnhanceApiReq<{ b: string }, { x: 1 }>>()
    expectTypeOf<EnhanceApiReq>().toHaveProperty('expressReq')
    // @ts-expect-error a typo in a request key is an error, not `unknown`
    expectTypeOf<EnhanceApiReq>().toHaveProperty('parms')
    const readUser = (request: EnhanceApiReq) =>
      // @ts-expect-error the request object is not an open bag: declare chain keys with an intersection
      request.user
    // At run time too, a key no earlier handler of the chain added is not there.
    expect(readUser(fakeRequest<EnhanceApiReq>({ ...plainRequest, method: 'GET' }))).to.equal(undefined)
  })

  it('EnhanceApiRes takes <Json, Session> and knows its keys', () => {
    expectTypeOf<EnhanceApiRes<{ ok: true }>['json']>().toEqualTypeOf<{ ok: true } | undefined>()
    expectTypeOf<EnhanceApiRes<unknown, { id: number }>['session']>().toEqualTypeOf<{ id: number } | undefined>()
    expectTypeOf<EnhanceApiRes['location']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<EnhanceApiRes['statusCode']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<EnhanceApiRes['cacheControl']>().toEqualTypeOf<string | undefined>()
    // @ts-expect-error a status is a number
    const wrongStatus: EnhanceApiRes = { statusCode: '404' }
    // @ts-expect-error the json must match the declared shape
    const wrongJson: EnhanceApiRes<{ product: Product }> = { json: { product: { id: 1 } } }
    // @ts-expect-error a key a response does not have (a typo of `location`)
    const typo: EnhanceApiRes = { locaton: '/' }
    // Compile-time checks only (`npm run typecheck` fails if a line above stops being an error).
    void [wrongStatus, wrongJson, typo]
  })

  it('EnhanceApiFn and EnhanceHandler: a function or a chain, sync or async, may return nothing', async () => {
    const sync: EnhanceApiFn = () => ({ json: {} })
    const async: EnhanceApiFn = async () => ({ json: {} })
    const passOn: EnhanceApiFn = () => {}
    const single: EnhanceHandler = sync
    const chain: EnhanceHandler = [passOn, async]
    expectTypeOf(single).toExtend<EnhanceHandler>()
    expectTypeOf(chain).toExtend<EnhanceHandler>()
    expectTypeOf<EnhanceApiFn>().parameter(0).toEqualTypeOf<EnhanceApiReq>()
    // @ts-expect-error a handler returns a response object, not a string
    const returnsString: EnhanceApiFn = () => 'hello'
    // @ts-expect-error a chain holds functions only
    const badChain: EnhanceHandler = [sync, 'not a function']
    // @ts-expect-error a route handler for /notes/$id cannot read a param the file pattern lacks
    const wrongParam: EnhanceApiFn<EnhanceRouteReq<'/notes/$id'>> = ({ params }) => ({ json: { slug: params.slug } })
    // Compile-time checks only (`npm run typecheck` fails if a line above stops being an error).
    void [returnsString, badChain, wrongParam]
    expect(
      await async(
        fakeRequest<EnhanceApiReq>({
          body: {},
          method: 'GET',
          params: {},
          path: '/',
          query: {},
          session: {},
          headers: {},
        }),
      ),
    ).to.deep.equal({ json: {} })
  })

  it('typed handlers are plain functions that tests can call directly', async () => {
    const request = fakeRequest<ProductReq>({
      body: { qty: 2 },
      method: 'POST',
      params: { product: 'hat' },
      path: '/shop/hat',
      query: {},
      session: { cart: ['cap'] },
      headers: {},
    })
    expect(await getProduct(request)).to.deep.equal({
      json: { product: { id: 'hat', price: 6 } },
      session: { cart: ['cap', 'hat'] },
    })
    const note = fakeRequest<EnhanceRouteReq<'/notes/$id'> & WithUser>({
      body: {},
      method: 'GET',
      params: { id: '7' },
      path: '/notes/7',
      query: {},
      session: {},
      headers: { 'x-user': 'ada' },
    })
    const results = []
    for (const fn of noteChain as readonly EnhanceApiFn<typeof note>[]) {
      const result = await fn(note)
      if (result !== undefined) {
        results.push(result)
        break
      }
    }
    expect(results).to.deep.equal([{ json: { id: '7', by: 'ada' } }])
  })

  it('a route module, a renderer and the options have checked shapes', async () => {
    const module = { get: getProduct, destroy: [requireUser, () => ({ location: '/' })], dispose: () => {} }
    expectTypeOf(module).toExtend<EnhanceRouteModule>()
    // @ts-expect-error a route module's method export is a handler, not an object
    const badModule: EnhanceRouteModule = { get: { json: {} } }
    const renderer: PageRenderer = {
      pages: () => ['/', '/shop/$product'],
      render: (context) => {
        expectTypeOf(context).toEqualTypeOf<RenderContext>()
        expectTypeOf(context.state.store).toEqualTypeOf<Record<string, unknown>>()
        return `<h1>${context.pattern}</h1>`
      },
      reload: async () => {},
    }
    const options: EnhanceRoutesOptions = { root: new URL('file:///app/'), renderer, watch: true, errors: 'next' }
    // @ts-expect-error errors is 'respond' or 'next'
    const badErrors: EnhanceRoutesOptions = { errors: 'throw' }
    // @ts-expect-error a renderer needs render()
    const badRenderer: EnhanceRoutesOptions = { renderer: { pages: () => [] } }
    void [badModule, badErrors, badRenderer]
    // The same shapes at run time: the module's exports become its methods, the renderer serves the page.
    expect(checkModule(module).allow).to.equal('GET, HEAD, DELETE, OPTIONS')
    const app = express().use(enhanceRoutes({ ...options, root: smokeRoot, watch: false, session: false }))
    const page = await request(app).get('/').set('Accept', 'text/html')
    expect(page.text).to.equal('<h1>/</h1>')
  })

  it('enhanceRoutes returns a middleware with ready, routes() and close()', async () => {
    const middleware = enhanceRoutes({ root: smokeRoot, session: false })
    expectTypeOf(middleware).toEqualTypeOf<EnhanceRoutesMiddleware>()
    expectTypeOf(middleware.ready).toEqualTypeOf<Promise<void>>()
    expectTypeOf(middleware.routes).returns.toEqualTypeOf<RouteInfo[]>()
    expectTypeOf(middleware.close).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf<RouteInfo>().toEqualTypeOf<{
      pattern: string
      apiFile: string | undefined
      page: boolean
      methods: string[]
      error?: string
    }>()
    await middleware.ready
    expect(middleware.routes().map((route) => route.pattern)).to.include('/shop/$product')
    await middleware.close()
  })
})
