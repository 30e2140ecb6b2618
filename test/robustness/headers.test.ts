/**
 * Headers: nosniff on every JSON and HTML answer, no X-Powered-By of ours,
 * redirects only to the location the handler gave (encoded, never split into
 * headers), and a location that is not a string is a 500.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { call, runs, serveSuite } from './helpers.js'

const REDIRECT_RUNS = runs(200)
const JSON_ACCEPT = { accept: 'application/json' }
const HTML_ACCEPT = { accept: 'text/html' }

/** What a URL may hold unencoded in a Location header (RFC 3986 characters, `%` as escapes). */
const URL_SAFE = /^(?:[!#$&-;=?-[\]_a-z~]|%[0-9A-Fa-f]{2})*$/

describe('robustness: headers', function () {
  this.timeout(60_000)
  const suite = serveSuite()
  const { unhandled } = suite

  afterEach(() => expect(unhandled.seen).to.deep.equal([]))

  const answers: [string, string, Record<string, string>, RegExp][] = [
    ['JSON 200', '/echo', JSON_ACCEPT, /^application\/json/],
    ['HTML page 200', '/page', HTML_ACCEPT, /^text\/html/],
    ['JSON 404', '/nowhere', JSON_ACCEPT, /^application\/json/],
    ['HTML 404', '/nowhere', HTML_ACCEPT, /^text\/html/],
    ['JSON 500', '/faults?kind=throw', JSON_ACCEPT, /^application\/json/],
    ['HTML 500', '/faults?kind=throw', HTML_ACCEPT, /^text\/html/],
    ['HTML 500 from a page that throws', '/boom-page', HTML_ACCEPT, /^text\/html/],
    ['JSON 405', '/count', JSON_ACCEPT, /^application\/json/],
    ['HTML 400 (malformed URL)', '/files/%zz', HTML_ACCEPT, /^text\/html/],
  ]
  for (const [name, path, headers, type] of answers) {
    it(`${name}: nosniff, Vary: Accept, no X-Powered-By`, async () => {
      const answer = await call(suite.served, { path, headers })
      expect(answer.headers['content-type']).to.match(type)
      expect(answer.headers['x-content-type-options']).to.equal('nosniff')
      expect(String(answer.headers.vary)).to.match(/\baccept\b/i)
      expect(answer.headers).to.not.have.property('x-powered-by')
    })
  }

  it('redirects and OPTIONS carry no X-Powered-By either', async () => {
    for (const spec of [
      { path: '/location?to=/there', headers: HTML_ACCEPT },
      { method: 'OPTIONS', path: '/echo' },
    ]) {
      const answer = await call(suite.served, spec)
      expect(answer.headers).to.not.have.property('x-powered-by')
    }
  })

  it('we never redirect on our own: trailing slashes, double slashes, case and dots answer in place', async () => {
    for (const path of ['/echo/', '/ECHO', '/echo//', '//echo', '/./echo', '/echo/.', '/page/', '/files/a/']) {
      const answer = await call(suite.served, { path, headers: HTML_ACCEPT })
      expect(answer.status, path).to.not.be.within(300, 399)
      expect(answer.headers, path).to.not.have.property('location')
    }
  })

  it(`a redirect goes to exactly the handler's location, percent-encoded where a header needs it (${REDIRECT_RUNS} runs)`, async () => {
    const location = fc.oneof(
      fc.constantFrom(
        '/there',
        '/a b',
        '/café',
        '/a☃b',
        '/%41%zz%',
        '/x\r\nSet-Cookie: evil=1',
        '/x\nLocation: //evil.example',
        'https://example.com/ok?a=1&b=2#frag',
        '//example.com',
        '',
        '/"<script>',
      ),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    await fc.assert(
      fc.asyncProperty(location, fc.constantFrom('GET', 'POST'), async (to, method) => {
        const answer = await call(suite.served, {
          method,
          path: `/location?to=${encodeURIComponent(to)}`,
          headers: HTML_ACCEPT,
          body: method === 'POST' ? '' : undefined,
        })
        expect(answer.status).to.equal(method === 'GET' ? 302 : 303)
        const header = answer.headers.location as string
        expect(header).to.be.a('string')
        expect(header, 'only URL characters in the header').to.match(URL_SAFE)
        // Nothing else was added: a CR/LF in the location never became a header.
        expect(answer.headers['set-cookie']).to.equal(undefined)
        if (URL_SAFE.test(to)) expect(header).to.equal(to)
        if (!to.includes('%')) expect(decodeURIComponent(header)).to.equal(to)
        expect(answer.body).to.equal('')
      }),
      { numRuns: REDIRECT_RUNS },
    )
  })

  it('a JSON client gets the same encoded location as a header, with its JSON', async () => {
    const answer = await call(suite.served, {
      path: `/location?to=${encodeURIComponent('/café ☃')}`,
      headers: JSON_ACCEPT,
    })
    expect(answer.status).to.equal(200)
    expect(answer.headers.location).to.equal('/caf%C3%A9%20%E2%98%83')
  })

  it('a 3xx statusCode given with the location is kept', async () => {
    for (const status of [301, 303, 307, 308]) {
      const answer = await call(suite.served, { path: `/location?to=/moved&status=${status}`, headers: HTML_ACCEPT })
      expect(answer.status).to.equal(status)
      expect(answer.headers.location).to.equal('/moved')
    }
  })

  for (const kind of ['number', 'object', 'array', 'boolean', 'null']) {
    it(`a location that is a ${kind} is a 500 naming the handler, for HTML and JSON clients`, async () => {
      for (const headers of [HTML_ACCEPT, JSON_ACCEPT]) {
        const answer = await call(suite.served, { path: `/location?kind=${kind}`, headers })
        expect(answer.status).to.equal(500)
        expect(answer.headers).to.not.have.property('location')
        expect(answer.body).to.include('location.mjs get').and.to.include('not a string')
      }
    })
  }
})
