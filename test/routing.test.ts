import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const fixture = (name: string) => new URL(`./fixtures/${name}/`, import.meta.url)
const quiet = () => {}

function makeApp(options: { fallthrough?: boolean; caseSensitive?: boolean; prefix?: string } = {}) {
  const app = express()
  if (options.caseSensitive) app.set('case sensitive routing', true)
  const mw = enhanceRoutes({
    root: fixture('routing'),
    session: false,
    onError: quiet,
    ...(options.fallthrough === undefined ? {} : { fallthrough: options.fallthrough }),
  })
  if (options.prefix) app.use(options.prefix, mw)
  else app.use(mw)
  app.get('/legacy-express', (_req, res) => {
    res.json({ legacy: true })
  })
  return { app, mw }
}

const getJson = (app: express.Express, path: string) => request(app).get(path).set('Accept', 'application/json')

describe('routing', () => {
  const { app, mw } = makeApp()

  it('ready resolves for a folder without bad files', async () => {
    await mw.ready
  })

  describe('files and URLs', () => {
    it('index.mjs answers /', async () => {
      const res = await getJson(app, '/')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'index', params: {} })
    })

    it('about/index.mjs answers /about', async () => {
      const res = await getJson(app, '/about')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'about', path: '/about' })
    })

    it('nested folders map to nested paths', async () => {
      const res = await getJson(app, '/a/b/c/deep')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'deep', path: '/a/b/c/deep' })
    })

    it('$param files give params, URL-decoded', async () => {
      const res = await getJson(app, '/shop/caf%C3%A9%20au%20lait')
      expect(res.status).to.equal(200)
      expect(res.body.route).to.equal('shop-product')
      expect(res.body.params).to.deep.equal({ product: 'café au lait' })
    })

    it('$$ catch-all gives the nested rest of the path without the leading slash', async () => {
      const res = await getJson(app, '/docs/guide/intro/setup')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'docs', params: { $$: 'guide/intro/setup' } })
    })

    it('$$ catch-all with a single segment', async () => {
      const res = await getJson(app, '/docs/one')
      expect(res.body).to.deep.equal({ route: 'docs', params: { $$: 'one' } })
    })
  })

  describe('precedence', () => {
    it('a static segment beats a $param (even though "$" sorts before letters)', async () => {
      const res = await getJson(app, '/shop/new')
      expect(res.body).to.deep.equal({ route: 'shop-new', params: {} })
    })

    it('a $param beats a $$ catch-all for a single segment', async () => {
      const res = await getJson(app, '/shop/hat')
      expect(res.body.route).to.equal('shop-product')
      expect(res.body.params).to.deep.equal({ product: 'hat' })
    })

    it('the $$ catch-all takes deeper paths', async () => {
      const res = await getJson(app, '/shop/hat/red/large')
      expect(res.body).to.deep.equal({ route: 'shop-catchall', params: { $$: 'hat/red/large' } })
    })

    it('segments are compared from the left: /x/foo/$p beats /x/$id/bar for /x/foo/bar', async () => {
      const res = await getJson(app, '/x/foo/bar')
      expect(res.body).to.deep.equal({ route: 'x-foo-p', params: { p: 'bar' } })
    })

    it('/x/$id/bar still answers when the first segment is not foo', async () => {
      const res = await getJson(app, '/x/other/bar')
      expect(res.body).to.deep.equal({ route: 'x-id-bar', params: { id: 'other' } })
    })
  })

  describe('ignored files', () => {
    for (const path of ['/_private', '/.hidden', '/x.test', '/x.spec', '/x.test.mjs', '/x', '/_secret/thing']) {
      it(`${path} is not a route (falls through to Express 404)`, async () => {
        const res = await getJson(app, path)
        expect(res.status).to.equal(404)
        expect(res.body.route).to.equal(undefined)
      })
    }
  })

  describe('paths', () => {
    it('a trailing slash matches the same route', async () => {
      const about = await getJson(app, '/about/')
      expect(about.status).to.equal(200)
      expect(about.body.route).to.equal('about')
      const product = await getJson(app, '/shop/hat/')
      expect(product.status).to.equal(200)
      expect(product.body.params).to.deep.equal({ product: 'hat' })
    })

    it('a malformed percent-encoding in a param is a 400', async () => {
      const res = await getJson(app, '/shop/%E0%A4%A')
      expect(res.status).to.equal(400)
      expect(res.body.error.status).to.equal(400)
      expect(res.body.error.message).to.be.a('string')
    })

    it('a malformed percent-encoding outside every route falls through untouched', async () => {
      const res = await getJson(app, '/zzz/%E0%A4%A')
      expect(res.status).to.equal(404)
      expect(res.body.error).to.equal(undefined)
    })

    it('routing is case-insensitive by default (Express default)', async () => {
      const res = await getJson(app, '/ABOUT')
      expect(res.status).to.equal(200)
      expect(res.body.route).to.equal('about')
    })

    it("routing is case-sensitive with app.set('case sensitive routing', true)", async () => {
      const { app: sensitive } = makeApp({ caseSensitive: true })
      const upper = await getJson(sensitive, '/ABOUT')
      expect(upper.status).to.equal(404)
      expect(upper.body.route).to.equal(undefined)
      const lower = await getJson(sensitive, '/about')
      expect(lower.status).to.equal(200)
    })

    it('under a mount prefix routes match the mount-relative path and request.path keeps the prefix', async () => {
      const { app: mounted } = makeApp({ prefix: '/v2' })
      const res = await getJson(mounted, '/v2/shop/hat?x=1')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'shop-product', params: { product: 'hat' }, path: '/v2/shop/hat' })
      const outside = await getJson(mounted, '/shop/hat')
      expect(outside.status).to.equal(404)
    })
  })

  describe('fallthrough', () => {
    it('fallthrough (default true) reaches a later legacy app.get', async () => {
      const res = await getJson(app, '/legacy-express')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ legacy: true })
    })

    it('fallthrough: false answers a JSON 404 and never reaches the legacy route', async () => {
      const { app: strict } = makeApp({ fallthrough: false })
      const res = await getJson(strict, '/legacy-express')
      expect(res.status).to.equal(404)
      expect(res.headers['content-type']).to.match(/json/)
      expect(res.body.error.status).to.equal(404)
      expect(res.body.error.message).to.be.a('string').and.not.equal('')
      expect(Object.keys(res.body)).to.deep.equal(['error'])
    })
  })

  describe('module kinds', () => {
    it('a .cjs module loads', async () => {
      const res = await getJson(app, '/common')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'common', kind: 'cjs' })
    })

    it('a .js module (package type module) loads', async () => {
      const res = await getJson(app, '/plain')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'plain', kind: 'js' })
    })

    it('a .ts module loads under tsx', async () => {
      const res = await getJson(app, '/typed')
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ route: 'typed', kind: 'ts', path: '/typed' })
    })
  })

  describe('routes()', () => {
    it('lists every route once with methods and apiFile, and no ignored file', async () => {
      await mw.ready
      const routes = mw.routes()
      expect(routes.map((r) => r.pattern)).to.have.members([
        '/',
        '/a/b/c/deep',
        '/about',
        '/common',
        '/docs/$$',
        '/plain',
        '/shop/new',
        '/shop/$product',
        '/shop/$$',
        '/typed',
        '/x/foo/$p',
        '/x/$id/bar',
      ])
      const about = routes.find((r) => r.pattern === '/about')
      expect(about?.methods).to.deep.equal(['GET', 'HEAD', 'OPTIONS'])
      expect(about?.apiFile).to.be.a('string')
      expect(about?.apiFile?.replaceAll('\\', '/')).to.match(/routing\/api\/about\/index\.mjs$/)
      const product = routes.find((r) => r.pattern === '/shop/$product')
      expect(product?.methods).to.have.members(['GET', 'HEAD', 'POST', 'OPTIONS'])
      expect(product?.apiFile?.replaceAll('\\', '/')).to.match(/shop\/\$product\.mjs$/)
    })

    it('lists routes in match order', async () => {
      await mw.ready
      const patterns = mw.routes().map((r) => r.pattern)
      const at = (p: string) => patterns.indexOf(p)
      expect(at('/shop/new')).to.be.lessThan(at('/shop/$product'))
      expect(at('/shop/$product')).to.be.lessThan(at('/shop/$$'))
      expect(at('/x/foo/$p')).to.be.lessThan(at('/x/$id/bar'))
      expect(at('/')).to.equal(0)
    })
  })
})

describe('routing: conflicts', () => {
  const app = express()
  const mw = enhanceRoutes({ root: fixture('routing-conflict'), session: false, onError: quiet })
  app.use(mw)
  const failure = mw.ready.then(
    () => null,
    (error: Error) => error,
  )

  it('ready rejects with an error naming both files of each conflict', async () => {
    const error = await failure
    expect(error).to.be.instanceOf(Error)
    const message = (error as Error).message.replaceAll('\\', '/')
    expect(message).to.include('routing-conflict/api/about.mjs')
    expect(message).to.include('routing-conflict/api/about/index.mjs')
    expect(message).to.include('items/$a.mjs')
    expect(message).to.include('items/$b.mjs')
  })

  it('a conflicting route answers 500 naming both files', async () => {
    const about = await getJson(app, '/about')
    expect(about.status).to.equal(500)
    const aboutMessage = about.body.error.message.replaceAll('\\', '/')
    expect(aboutMessage).to.include('about.mjs')
    expect(aboutMessage).to.include('about/index.mjs')
    const item = await getJson(app, '/items/7')
    expect(item.status).to.equal(500)
    expect(item.body.error.message).to.include('$a.mjs').and.include('$b.mjs')
  })

  it('other routes keep working', async () => {
    const res = await getJson(app, '/ok')
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ ok: true })
  })
})

describe('routing: a module with a syntax error', () => {
  const app = express()
  const mw = enhanceRoutes({ root: fixture('routing-broken'), session: false, onError: quiet })
  app.use(mw)
  const failure = mw.ready.then(
    () => null,
    (error: Error) => error,
  )

  it('ready rejects naming the file', async () => {
    const error = await failure
    expect(error).to.be.instanceOf(Error)
    expect((error as Error).message).to.include('broken.mjs')
    expect((error as Error).message).not.to.include('fine.mjs')
  })

  it('the route answers 500 with a JSON message naming the file, no stack', async () => {
    const res = await getJson(app, '/broken')
    expect(res.status).to.equal(500)
    expect(res.body.error.status).to.equal(500)
    expect(res.body.error.message).to.include('broken.mjs')
    expect(JSON.stringify(res.body)).not.to.match(/\n\s+at /)
  })

  it('other routes still answer 200', async () => {
    const res = await getJson(app, '/fine')
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ fine: true })
  })
})
