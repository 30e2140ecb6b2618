/**
 * SPEC sections 2, 3 and 7 before anything is read: `dispatch()` turns a
 * match (or none) and the HTTP method into an answer to give at once (404,
 * 400, a broken route's 500, OPTIONS, 405) or the handler to run, with its
 * label. Routes are built as the app builds them (planRoutes, checkModule,
 * toRoute) over plain objects of functions, and matched by the real Matcher.
 */
import { expect } from 'chai'
import { type Dispatch, dispatch, type Run } from '../../lib/core/dispatch.js'
import { checkModule } from '../../lib/modules.js'
import { Matcher } from '../../lib/routes/match.js'
import { patternOf, segmentsOf } from '../../lib/routes/scan.js'
import { planRoutes, type Route, toRoute } from '../../lib/routes/table.js'
import type { EnhanceError } from '../../types/index.js'

const nameOf = (file: string) => file.replace('/srv/', '')

const getNote = () => ({ json: { note: 1 } })
const destroyNote = () => ({ location: '/notes' })
const postNote = () => ({ json: {}, statusCode: 201 })
const auth = () => undefined

/**
 * The route table of a small app: API modules by file (plain objects of
 * functions, or an Error for a module that failed to import) and page patterns.
 */
const MODULES: Record<string, Record<string, unknown> | Error> = {
  'notes/index': { get: getNote, post: [auth, postNote] },
  'notes/$id': { get: getNote, destroy: destroyNote },
  'legacy/$id': { delete: destroyNote },
  contact: { post: postNote },
  broken: new Error("failed to load: Unexpected token '=>'"),
}
const PAGES = ['/about', '/contact', '/notes/$noteId']

function routesOf(modules: Record<string, Record<string, unknown> | Error>, pages: readonly string[]): Route[] {
  const files = Object.keys(modules).map((rel) => {
    const segments = segmentsOf(rel)
    if (typeof segments === 'string') throw new Error(segments)
    return { file: `/srv/app/api/${rel}.mjs`, rel: `${rel}.mjs`, segments, pattern: patternOf(segments) }
  })
  const { planned, problems } = planRoutes(files, pages, nameOf)
  if (problems.length > 0) throw new Error(problems.join('\n'))
  return planned.map((plan) => {
    const rel = plan.api?.rel.replace(/\.mjs$/, '')
    const source = rel === undefined ? undefined : modules[rel]
    let loaded: ReturnType<typeof checkModule> | Error | undefined
    if (source instanceof Error) loaded = source
    else if (source !== undefined) loaded = checkModule(source)
    return toRoute(plan, loaded, nameOf)
  })
}

const matcher = new Matcher(routesOf(MODULES, PAGES))

/** Dispatches a request for a path as the middleware does: match the raw path, then dispatch. */
const dispatchOf = (method: string | undefined, path: string): Dispatch =>
  dispatch(matcher.match(path, false), method, path)

function errorOf(result: Dispatch): EnhanceError {
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`)
  return result.error
}

function runOf(result: Dispatch): Run {
  if (result.kind !== 'run') throw new Error(`expected a run, got ${result.kind}`)
  return result
}

const headersOf = (error: EnhanceError) => (error as EnhanceError & { headers?: Record<string, string> }).headers

describe('unit: dispatch, what a request gets before anything is read', () => {
  describe('no route', () => {
    it('no match is a 404 naming the path', () => {
      const error = errorOf(dispatchOf('GET', '/nowhere/at/all'))
      expect([error.status, error.message]).to.deep.equal([404, '/nowhere/at/all not found'])
    })

    it('a 404 whatever the method, OPTIONS included', () => {
      for (const method of ['POST', 'OPTIONS', 'PROPFIND']) {
        expect(errorOf(dispatchOf(method, '/nope')).status, method).to.equal(404)
      }
    })
  })

  describe('a malformed percent-encoding in a param (SPEC section 2)', () => {
    it('is a 400, and the handler is not run', () => {
      const match = matcher.match('/notes/%E0%A4%A', false)
      const error = errorOf(dispatch(match, 'GET', '/notes/%E0%A4%A'))
      expect([error.status, error.message]).to.deep.equal([400, 'Bad Request: malformed percent-encoding in the URL'])
    })
  })

  describe('a broken route (SPEC section 7)', () => {
    it('answers its load error, a 500 naming the file, to every method, OPTIONS included', () => {
      for (const method of ['GET', 'POST', 'OPTIONS', 'DELETE']) {
        const error = errorOf(dispatchOf(method, '/broken'))
        expect([error.status, error.message], method).to.deep.equal([
          500,
          "route module app/api/broken.mjs failed to load: Unexpected token '=>'",
        ])
      }
    })

    it('leaves the other routes working', () => {
      expect(runOf(dispatchOf('GET', '/notes')).label).to.equal('app/api/notes/index.mjs get')
    })
  })

  describe('OPTIONS (SPEC section 3)', () => {
    it('answers with Allow: the module’s methods, HEAD after GET, OPTIONS last', () => {
      expect(dispatchOf('OPTIONS', '/notes/7')).to.deep.equal({ kind: 'options', allow: 'GET, HEAD, DELETE, OPTIONS' })
      expect(dispatchOf('OPTIONS', '/notes')).to.deep.equal({ kind: 'options', allow: 'GET, HEAD, POST, OPTIONS' })
      expect(dispatchOf('OPTIONS', '/legacy/1')).to.deep.equal({ kind: 'options', allow: 'DELETE, OPTIONS' })
    })

    it('a route whose page answers GET (its API file has no get) lists GET and HEAD in Allow, as in its 405', () => {
      // dispatch runs GET /contact (the page, empty state), so Allow, which lists what the route answers, names it.
      expect(runOf(dispatchOf('GET', '/contact')).method).to.equal('GET')
      expect(dispatchOf('OPTIONS', '/contact')).to.deep.equal({ kind: 'options', allow: 'GET, HEAD, POST, OPTIONS' })
      expect(headersOf(errorOf(dispatchOf('PUT', '/contact')))).to.deep.equal({ Allow: 'GET, HEAD, POST, OPTIONS' })
    })

    it('a page-only route answers GET, HEAD, OPTIONS', () => {
      expect(dispatchOf('OPTIONS', '/about')).to.deep.equal({ kind: 'options', allow: 'GET, HEAD, OPTIONS' })
    })
  })

  describe('405 (SPEC section 3)', () => {
    it('a method the module does not export is a 405 with an Allow header on the error', () => {
      const error = errorOf(dispatchOf('PUT', '/notes/7'))
      expect(error.status).to.equal(405)
      expect(error.message).to.equal('Method Not Allowed: /notes/$id answers GET, HEAD, DELETE, OPTIONS')
      expect(headersOf(error)).to.deep.equal({ Allow: 'GET, HEAD, DELETE, OPTIONS' })
    })

    it('an unknown method (or none) is a 405 with Allow', () => {
      for (const method of ['PROPFIND', 'TRACE', 'CONNECT', 'get', undefined]) {
        const error = errorOf(dispatchOf(method, '/notes/7'))
        expect(error.status, String(method)).to.equal(405)
        expect(headersOf(error), String(method)).to.deep.equal({ Allow: 'GET, HEAD, DELETE, OPTIONS' })
      }
    })

    it('a page-only route refuses POST with a 405 that allows GET, HEAD, OPTIONS', () => {
      const error = errorOf(dispatchOf('POST', '/about'))
      expect(error.status).to.equal(405)
      expect(headersOf(error)).to.deep.equal({ Allow: 'GET, HEAD, OPTIONS' })
    })

    it('HEAD on a module with no get is a 405 (HEAD needs get)', () => {
      const error = errorOf(dispatchOf('HEAD', '/legacy/1'))
      expect(error.status).to.equal(405)
      expect(headersOf(error)).to.deep.equal({ Allow: 'DELETE, OPTIONS' })
    })
  })

  describe('the handler to run', () => {
    it('GET runs the module’s get with the decoded params, labelled `<file> get`', () => {
      const run = runOf(dispatchOf('GET', '/notes/a%20b'))
      expect(run.method).to.equal('GET')
      expect(run.chain).to.deep.equal([getNote])
      expect(run.params).to.deep.equal({ id: 'a b' })
      expect(run.label).to.equal('app/api/notes/$id.mjs get')
      expect(run.route.pattern).to.equal('/notes/$id')
    })

    it('HEAD runs get (SPEC section 3)', () => {
      const run = runOf(dispatchOf('HEAD', '/notes/7'))
      expect([run.method, run.label]).to.deep.equal(['GET', 'app/api/notes/$id.mjs get'])
      expect(run.chain).to.deep.equal([getNote])
    })

    it('DELETE runs destroy, labelled `<file> destroy`', () => {
      const run = runOf(dispatchOf('DELETE', '/notes/7'))
      expect([run.method, run.label]).to.deep.equal(['DELETE', 'app/api/notes/$id.mjs destroy'])
      expect(run.chain).to.deep.equal([destroyNote])
    })

    it('a module that exports `delete` answers DELETE with it', () => {
      const run = runOf(dispatchOf('DELETE', '/legacy/3'))
      expect(run.chain).to.deep.equal([destroyNote])
      expect(run.label).to.equal('app/api/legacy/$id.mjs destroy')
    })

    it('a chain export is run as its array, in order', () => {
      const run = runOf(dispatchOf('POST', '/notes'))
      expect([run.method, run.label]).to.deep.equal(['POST', 'app/api/notes/index.mjs post'])
      expect(run.chain).to.deep.equal([auth, postNote])
    })

    it('a trailing slash matches the same route', () => {
      expect(runOf(dispatchOf('GET', '/notes/')).label).to.equal('app/api/notes/index.mjs get')
    })
  })

  describe('pages (SPEC section 6: "page exists, no API file: the page with empty state")', () => {
    it('a page-only route answers GET with no chain, labelled with its pattern', () => {
      const run = runOf(dispatchOf('GET', '/about'))
      expect(run).to.deep.include({ kind: 'run', method: 'GET', chain: undefined, label: '/about', params: {} })
      expect(run.route.kind).to.equal('page')
    })

    it('HEAD on a page-only route runs it like GET', () => {
      const run = runOf(dispatchOf('HEAD', '/about'))
      expect([run.method, run.chain]).to.deep.equal(['GET', undefined])
    })

    it('an API route with a page but no get answers GET with the page (no chain); its POST runs post', () => {
      const get = runOf(dispatchOf('GET', '/contact'))
      expect([get.method, get.chain, get.route.page]).to.deep.equal(['GET', undefined, '/contact'])
      const post = runOf(dispatchOf('POST', '/contact'))
      expect([post.chain, post.label]).to.deep.equal([[postNote], 'app/api/contact.mjs post'])
    })

    it('an API route merged with a page of other param names keeps the page’s pattern and the API’s param names', () => {
      const run = runOf(dispatchOf('GET', '/notes/9'))
      expect([run.route.pattern, run.route.page, run.params]).to.deep.equal([
        '/notes/$id',
        '/notes/$noteId',
        { id: '9' },
      ])
    })
  })
})
