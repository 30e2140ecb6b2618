/**
 * SPEC section 6, "HTML and JSON from the same route": the decision table as
 * `decide()` holds it, row by row, with no server; and `wantsJson()`, which
 * says which column of the table a request is in.
 *
 * decide(method, json client?, response, page exists?) → json | redirect | page.
 */
import { expect } from 'chai'
import { type Decision, decide, statusOf, wantsJson } from '../../lib/core/negotiate.js'
import type { EnhanceApiRes, EnhanceMethod } from '../../types/index.js'

const METHODS: readonly EnhanceMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
const JSON_CLIENT = true
const HTML_CLIENT = false
const PAGE = true
const NO_PAGE = false

/**
 * The table of SPEC section 6 written out as its rows read, for a response
 * that sets no status: the oracle the cross product below is checked against.
 */
function specRow(method: EnhanceMethod, json: boolean, location: boolean, page: boolean): Decision {
  // "any method, JSON | anything | the json with its status; never a redirect"
  if (json) return { kind: 'json', status: 200 }
  if (location) {
    // "GET, any | location | redirect (302 ...)"; "POST, HTML | location | 303"; "PUT/PATCH/DELETE, HTML | location | 303"
    return { kind: 'redirect', status: method === 'GET' ? 302 : 303, location: '/next' }
  }
  // "GET, HTML | json, page exists | 200: the page"; "POST, HTML | no location, page exists | the page"
  if (page && (method === 'GET' || method === 'POST')) return { kind: 'page', status: 200 }
  // "GET, HTML | json, no page | the JSON"; "PUT/PATCH/DELETE, HTML | no location | as for JSON clients"
  return { kind: 'json', status: 200 }
}

describe('unit: the decision table (SPEC section 6)', () => {
  describe('every method × client × location × page, with no statusCode', () => {
    for (const method of METHODS) {
      for (const json of [JSON_CLIENT, HTML_CLIENT]) {
        for (const location of [true, false]) {
          for (const page of [PAGE, NO_PAGE]) {
            const response: EnhanceApiRes = location ? { json: { a: 1 }, location: '/next' } : { json: { a: 1 } }
            const expected = specRow(method, json, location, page)
            const name = `${method}, ${json ? 'JSON' : 'HTML'} client, ${location ? 'location' : 'no location'}, ${
              page ? 'page' : 'no page'
            } → ${expected.kind} ${expected.status}`
            it(name, () => {
              expect(decide(method, json, response, page)).to.deep.equal(expected)
            })
          }
        }
      }
    }
  })

  describe('GET, HTML client', () => {
    it('json and a page: the page, 200', () => {
      expect(decide('GET', HTML_CLIENT, { json: { note: 1 } }, PAGE)).to.deep.equal({ kind: 'page', status: 200 })
    })

    it('json and a page with a statusCode: the page with that status', () => {
      expect(decide('GET', HTML_CLIENT, { json: {}, statusCode: 404 }, PAGE)).to.deep.equal({
        kind: 'page',
        status: 404,
      })
    })

    it('json and no page: the JSON', () => {
      expect(decide('GET', HTML_CLIENT, { json: { note: 1 } }, NO_PAGE)).to.deep.equal({ kind: 'json', status: 200 })
    })

    it('a page and no API file (the core answers `{ json: {} }` for it): the page', () => {
      expect(decide('GET', HTML_CLIENT, { json: {} }, PAGE)).to.deep.equal({ kind: 'page', status: 200 })
    })

    it('location: a 302 redirect to it', () => {
      expect(decide('GET', HTML_CLIENT, { location: '/login' }, PAGE)).to.deep.equal({
        kind: 'redirect',
        status: 302,
        location: '/login',
      })
    })

    it('location with a 3xx statusCode: that status is kept (301, 303, 307, 308)', () => {
      for (const statusCode of [301, 303, 307, 308]) {
        expect(
          decide('GET', HTML_CLIENT, { location: '/moved', statusCode }, NO_PAGE),
          String(statusCode),
        ).to.deep.equal({ kind: 'redirect', status: statusCode, location: '/moved' })
      }
    })

    it('location with a statusCode that is not a redirect status (200, 201, 404): still a redirect, with the 302 default', () => {
      // "302 unless statusCode says otherwise": a non-3xx status cannot say how to redirect.
      for (const statusCode of [200, 201, 404]) {
        expect(decide('GET', HTML_CLIENT, { location: '/x', statusCode }, PAGE), String(statusCode)).to.deep.equal({
          kind: 'redirect',
          status: 302,
          location: '/x',
        })
      }
    })
  })

  describe('POST, HTML client (a form)', () => {
    it('location: a 303 redirect', () => {
      expect(decide('POST', HTML_CLIENT, { location: '/notes' }, PAGE)).to.deep.equal({
        kind: 'redirect',
        status: 303,
        location: '/notes',
      })
    })

    it('location with a 3xx statusCode: kept (302, 307)', () => {
      for (const statusCode of [302, 307]) {
        expect(decide('POST', HTML_CLIENT, { location: '/notes', statusCode }, PAGE), String(statusCode)).to.deep.equal(
          { kind: 'redirect', status: statusCode, location: '/notes' },
        )
      }
    })

    it('location with a non-3xx statusCode (201): a redirect with the 303 default', () => {
      expect(decide('POST', HTML_CLIENT, { location: '/notes/1', statusCode: 201 }, PAGE)).to.deep.equal({
        kind: 'redirect',
        status: 303,
        location: '/notes/1',
      })
    })

    it('no location and a page: the page re-rendered with its statusCode (a form with its errors, 422)', () => {
      const response = { json: { errors: { text: 'required' } }, statusCode: 422 }
      expect(decide('POST', HTML_CLIENT, response, PAGE)).to.deep.equal({ kind: 'page', status: 422 })
    })

    it('no location and no page: the JSON', () => {
      expect(decide('POST', HTML_CLIENT, { json: { ok: true }, statusCode: 201 }, NO_PAGE)).to.deep.equal({
        kind: 'json',
        status: 201,
      })
    })
  })

  describe('PUT, PATCH and DELETE, HTML client', () => {
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      it(`${method} with location: a 303 redirect, or the 3xx statusCode given`, () => {
        expect(decide(method, HTML_CLIENT, { location: '/notes' }, PAGE)).to.deep.equal({
          kind: 'redirect',
          status: 303,
          location: '/notes',
        })
        expect(decide(method, HTML_CLIENT, { location: '/notes', statusCode: 307 }, PAGE)).to.deep.equal({
          kind: 'redirect',
          status: 307,
          location: '/notes',
        })
      })

      it(`${method} with no location: as for JSON clients, even when a page exists (status kept)`, () => {
        expect(decide(method, HTML_CLIENT, { json: { ok: true } }, PAGE)).to.deep.equal({ kind: 'json', status: 200 })
        expect(decide(method, HTML_CLIENT, { json: {}, statusCode: 202 }, PAGE)).to.deep.equal({
          kind: 'json',
          status: 202,
        })
      })
    }
  })

  describe('JSON client, any method', () => {
    it('never a redirect: a location stays a location (sent as a header), the status is the one given or 200', () => {
      for (const method of METHODS) {
        expect(decide(method, JSON_CLIENT, { location: '/next' }, PAGE), method).to.deep.equal({
          kind: 'json',
          status: 200,
        })
        expect(decide(method, JSON_CLIENT, { location: '/next', statusCode: 301 }, PAGE), method).to.deep.equal({
          kind: 'json',
          status: 301,
        })
      }
    })

    it('never a page, whatever the status', () => {
      expect(decide('GET', JSON_CLIENT, { json: { a: 1 }, statusCode: 418 }, PAGE)).to.deep.equal({
        kind: 'json',
        status: 418,
      })
      expect(decide('POST', JSON_CLIENT, { json: {}, statusCode: 422 }, PAGE)).to.deep.equal({
        kind: 'json',
        status: 422,
      })
    })
  })

  describe('statusCode wins over code over status (SPEC section 5)', () => {
    it('statusOf reads them in that order', () => {
      expect(statusOf({ statusCode: 201, code: 202, status: 203 })).to.equal(201)
      expect(statusOf({ code: 202, status: 203 })).to.equal(202)
      expect(statusOf({ status: 203 })).to.equal(203)
      expect(statusOf({ statusCode: 201, status: 203 })).to.equal(201)
      expect(statusOf({ json: {} })).to.equal(undefined)
    })

    it('decide uses the winner for JSON, pages and redirects', () => {
      expect(decide('GET', JSON_CLIENT, { statusCode: 201, code: 202, status: 203 }, NO_PAGE)).to.deep.equal({
        kind: 'json',
        status: 201,
      })
      expect(decide('GET', HTML_CLIENT, { code: 404, status: 410 }, PAGE)).to.deep.equal({ kind: 'page', status: 404 })
      expect(decide('POST', HTML_CLIENT, { status: 422 }, PAGE)).to.deep.equal({ kind: 'page', status: 422 })
      expect(decide('GET', HTML_CLIENT, { location: '/a', code: 301, status: 308 }, PAGE)).to.deep.equal({
        kind: 'redirect',
        status: 301,
        location: '/a',
      })
      expect(decide('GET', HTML_CLIENT, { location: '/a', status: 307 }, PAGE)).to.deep.equal({
        kind: 'redirect',
        status: 307,
        location: '/a',
      })
    })
  })
})

describe('unit: wantsJson, the column of the table a request is in (SPEC section 6)', () => {
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

  it('application/json and text/json are JSON; text/html is HTML', () => {
    expect(wantsJson('application/json', false)).to.equal(true)
    expect(wantsJson('text/json', false)).to.equal(true)
    expect(wantsJson('text/html', false)).to.equal(false)
  })

  it('q-values count: the preferred one of the two decides', () => {
    expect(wantsJson('text/html;q=0.9, application/json', false)).to.equal(true)
    expect(wantsJson('application/json;q=0.5, text/html', false)).to.equal(false)
    expect(wantsJson('text/html, application/json;q=0.1', false)).to.equal(false)
    expect(wantsJson('text/html;q=0.5, text/json', false)).to.equal(true)
    expect(wantsJson('application/json;q=0, text/html', false)).to.equal(false)
  })

  it('a browser is HTML; a fetch/axios-style Accept that names JSON first is JSON', () => {
    expect(wantsJson(BROWSER, false)).to.equal(false)
    expect(wantsJson(BROWSER, true)).to.equal(false)
    expect(wantsJson('application/json, text/plain, */*', false)).to.equal(true)
  })

  it('no Accept header prefers HTML, unless the request sends a JSON body', () => {
    expect(wantsJson(undefined, false)).to.equal(false)
    expect(wantsJson(undefined, true)).to.equal(true)
    expect(wantsJson('', false)).to.equal(false)
    expect(wantsJson('', true)).to.equal(true)
  })

  it('*/* prefers HTML, unless the request sends a JSON body', () => {
    expect(wantsJson('*/*', false)).to.equal(false)
    expect(wantsJson('*/*', true)).to.equal(true)
  })

  it('only */*, with a q-value, is still only */*: a JSON body makes a JSON client', () => {
    expect(wantsJson('*/*;q=0.8', false)).to.equal(false)
    expect(wantsJson('*/*;q=0.8', true)).to.equal(true)
  })

  it('an Accept that names HTML wins over a JSON body', () => {
    expect(wantsJson('text/html', true)).to.equal(false)
  })

  it('an Accept that names JSON is JSON with no JSON body', () => {
    expect(wantsJson('application/json', false)).to.equal(true)
  })

  it('answers the same for the same header every time (it caches by header)', () => {
    const header = 'text/html;q=0.2, application/json;q=0.3'
    expect([wantsJson(header, false), wantsJson(header, false), wantsJson(header, true)]).to.deep.equal([
      true,
      true,
      true,
    ])
    expect(wantsJson('text/html;q=0.3, application/json;q=0.2', false)).to.equal(false)
  })
})
