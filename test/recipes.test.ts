// The README's recipes, run: migrating a legacy route, calling handlers as
// plain functions, the app's own middleware in front of and inside chains,
// mounting under a prefix.
import { expect } from 'chai'
import express, { type NextFunction, type Request, type Response } from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/recipes/', import.meta.url)
type Note = { id: string; text: string; by?: string }
type NotesModule = {
  get: (request: object) => unknown
  put: ((request: object) => unknown)[]
}
const db = (await import(new URL('api/_notes-db.mjs', root).href)) as { notes: Map<string, Note> }
const notesRoute = (await import(new URL('api/notes/$id.mjs', root).href)) as NotesModule
const reset = () => {
  db.notes.clear()
  db.notes.set('1', { id: '1', text: 'first' })
}

/** The legacy Express routes, as an app had them before migrating. */
function legacyRoutes(): express.Router {
  const router = express.Router()
  const auth = (req: Request & { user?: { name: string } }, _res: Response, next: NextFunction) => {
    req.user = req.headers['x-user'] ? { name: String(req.headers['x-user']) } : undefined
    next()
  }
  router.use((_req, res, next) => {
    res.setHeader('X-Legacy', '1')
    next()
  })
  router.get('/notes/:id', (req, res) => {
    const note = db.notes.get(req.params.id)
    if (!note) res.status(404).json({ error: 'no such note' })
    else res.json({ note })
  })
  router.put('/notes/:id', express.json(), auth, (req: Request & { user?: { name: string } }, res) => {
    if (!req.user) {
      res.status(401).json({ error: 'who are you?' })
      return
    }
    const id = req.params.id as string
    db.notes.set(id, { id, text: String(req.body.text), by: req.user.name })
    res.location(`/notes/${id}`).json({ note: db.notes.get(id) })
  })
  return router
}

/** The answers the migration must keep, pinned before touching anything (JSON clients). */
async function pinnedAnswers(app: express.Express) {
  reset()
  const json = (r: request.Test) => r.set('Accept', 'application/json')
  const found = await json(request(app).get('/notes/1'))
  expect([found.status, found.body]).to.deep.equal([200, { note: { id: '1', text: 'first' } }])
  const missing = await json(request(app).get('/notes/9'))
  expect([missing.status, missing.body]).to.deep.equal([404, { error: 'no such note' }])
  const anonymous = await json(request(app).put('/notes/1').send({ text: 'x' }))
  expect([anonymous.status, anonymous.body]).to.deep.equal([401, { error: 'who are you?' }])
  const saved = await json(request(app).put('/notes/1').set('X-User', 'ada').send({ text: 'changed' }))
  expect([saved.status, saved.body, saved.headers.location]).to.deep.equal([
    200,
    { note: { id: '1', text: 'changed', by: 'ada' } },
    '/notes/1',
  ])
  return [found, missing, anonymous, saved].map((res) => res.headers['x-legacy'])
}

describe('recipe: migrating a legacy route', () => {
  it('1. the pinned answers hold for the legacy route', async () => {
    const app = express().use(legacyRoutes())
    expect(await pinnedAnswers(app)).to.deep.equal(['1', '1', '1', '1'])
  })

  it('2. mounted after the legacy routes, the new route file changes nothing', async () => {
    const app = express()
      .use(legacyRoutes())
      .use(enhanceRoutes({ root, session: false }))
    expect(await pinnedAnswers(app)).to.deep.equal(['1', '1', '1', '1'])
  })

  it('3. mounted in front, the route file answers the same, and 4. the legacy route can go', async () => {
    const both = express()
      .use(enhanceRoutes({ root, session: false }))
      .use(legacyRoutes())
    expect(await pinnedAnswers(both)).to.deep.equal([undefined, undefined, undefined, undefined])
    const migrated = express().use(enhanceRoutes({ root, session: false }))
    expect(await pinnedAnswers(migrated)).to.deep.equal([undefined, undefined, undefined, undefined])
  })
})

describe('recipe: calling handlers directly as plain functions', () => {
  beforeEach(reset)

  it('a handler is a function of a plain object', async () => {
    expect(await notesRoute.get({ params: { id: '1' } })).to.deep.equal({ json: { note: { id: '1', text: 'first' } } })
    expect(await notesRoute.get({ params: { id: '9' } })).to.deep.equal({
      statusCode: 404,
      json: { error: 'no such note' },
    })
  })

  it('a chain is an array: run its functions in order until one answers', async () => {
    const run = async (chain: ((request: object) => unknown)[], request: object) => {
      for (const fn of chain) {
        const response = await fn(request)
        if (response !== undefined) return response
      }
      return { json: {} }
    }
    const base = { params: { id: '1' }, body: { text: 'direct' }, expressRes: {} }
    expect(await run(notesRoute.put, { ...base, expressReq: { headers: {} } })).to.deep.equal({
      statusCode: 401,
      json: { error: 'who are you?' },
    })
    expect(await run(notesRoute.put, { ...base, expressReq: { headers: { 'x-user': 'grace' } } })).to.deep.equal({
      location: '/notes/1',
      json: { note: { id: '1', text: 'direct', by: 'grace' } },
    })
  })
})

describe('recipe: the app’s own middleware', () => {
  it('in front: a logger sees every request and a guard on a prefix answers before the route', async () => {
    const log: string[] = []
    const app = express()
    app.use((req, res, next) => {
      res.on('finish', () => log.push(`${req.method} ${req.originalUrl} ${res.statusCode}`))
      next()
    })
    app.use('/admin', (req, res, next) => {
      if (req.headers['x-admin'] === 'yes') next()
      else res.status(403).json({ error: 'admins only' })
    })
    app.use(enhanceRoutes({ root, session: false }))
    const denied = await request(app).get('/admin/stats').set('Accept', 'application/json')
    expect([denied.status, denied.body]).to.deep.equal([403, { error: 'admins only' }])
    const allowed = await request(app).get('/admin/stats').set('Accept', 'application/json').set('X-Admin', 'yes')
    expect([allowed.status, allowed.body]).to.deep.equal([200, { stats: true, path: '/admin/stats' }])
    await request(app).get('/notes/1').set('Accept', 'application/json')
    expect(log).to.deep.equal(['GET /admin/stats 403', 'GET /admin/stats 200', 'GET /notes/1 200'])
  })

  it('inside a chain: an Express middleware that calls next() wrapped as a chain function', async () => {
    reset()
    const app = express().use(enhanceRoutes({ root, session: false }))
    const res = await request(app)
      .put('/notes/1')
      .set('Accept', 'application/json')
      .set('X-User', 'linus')
      .send({ text: 'via chain' })
    expect(res.body).to.deep.equal({ note: { id: '1', text: 'via chain', by: 'linus' } })
  })
})

describe('recipe: mounting under a prefix', () => {
  it('routes match the mount-relative path; request.path keeps the prefix; routes() does not', async () => {
    const middleware = enhanceRoutes({ root, session: false })
    const app = express().use('/v2', middleware)
    app.use((_req, res) => {
      res.status(404).json({ fellThrough: true })
    })
    const res = await request(app).get('/v2/admin/stats').set('Accept', 'application/json')
    expect(res.body).to.deep.equal({ stats: true, path: '/v2/admin/stats' })
    expect((await request(app).get('/admin/stats').set('Accept', 'application/json')).body).to.deep.equal({
      fellThrough: true,
    })
    expect(middleware.routes().map((route) => route.pattern)).to.deep.equal(['/admin/stats', '/notes/$id'])
  })

  it('inside an express.Router mounted under a prefix, and twice with two app folders', async () => {
    const router = express.Router()
    router.use(enhanceRoutes({ root, session: false }))
    const app = express()
    app.use('/api', router)
    app.use('/other', enhanceRoutes({ root: new URL('./fixtures/smoke/', import.meta.url), session: false }))
    const stats = await request(app).get('/api/admin/stats').set('Accept', 'application/json')
    expect(stats.body).to.deep.equal({ stats: true, path: '/api/admin/stats' })
    const shop = await request(app).get('/other/shop/hat').set('Accept', 'application/json')
    expect(shop.body).to.deep.equal({ product: 'hat', query: {} })
  })
})
