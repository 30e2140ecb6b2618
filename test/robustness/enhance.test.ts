/**
 * Faults with the real Enhance renderer (`enhancePages()` over @enhance/ssr):
 * an element or a page element that throws while rendering, an element that
 * returns something that is not markup, and random state rendered through a
 * real element.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import type { EnhanceError } from '../../lib/index.js'
import { call, hasStack, runs, serveSuite } from './helpers.js'

const root = new URL('../fixtures/robust-enhance/', import.meta.url)
const STATE_RUNS = runs(150)
const HTML_ACCEPT = { accept: 'text/html' }
const JSON_ACCEPT = { accept: 'application/json' }

describe('robustness: the Enhance renderer when pages fail', function () {
  this.timeout(30_000)
  const errors: EnhanceError[] = []
  // No `renderer` option: pagesDir exists, so enhancePages() is the renderer.
  const suite = serveSuite({ root, renderer: undefined, onError: (error) => errors.push(error) })
  const { unhandled } = suite

  afterEach(async () => {
    expect(unhandled.seen).to.deep.equal([])
    const ok = await call(suite.served, { path: '/ok', headers: HTML_ACCEPT })
    expect(ok.status).to.equal(200)
    expect(ok.body).to.include('<p class="card">ada</p>')
  })

  for (const [path, what] of [
    ['/boom', 'an element'],
    ['/crash', 'a page element'],
  ] as const) {
    it(`${what} that throws while rendering answers the 500 page, 20 times over, and onError names the file`, async () => {
      const before = errors.length
      for (let i = 0; i < 20; i++) {
        const html = await call(suite.served, { path, headers: HTML_ACCEPT })
        expect(html.status).to.equal(500)
        expect(html.headers['content-type']).to.match(/^text\/html/)
        expect(html.body).to.include('robust 500 page')
        expect(hasStack(html.body), html.body).to.equal(false)
        expect(html.headers['x-content-type-options']).to.equal('nosniff')
      }
      expect(errors.length - before).to.equal(20)
      expect(errors.at(-1)?.status).to.equal(500)
      expect(String(errors.at(-1)?.message)).to.match(/robust-boom|crash/)
    })
  }

  it('a JSON client of the route whose page throws still gets the json', async () => {
    const json = await call(suite.served, { path: '/boom', headers: JSON_ACCEPT })
    expect(json.status).to.equal(200)
    expect(JSON.parse(json.body)).to.deep.equal({ fine: true })
  })

  it('an element that returns something that is not markup is a 500 page, not a crash or a stack', async () => {
    const html = await call(suite.served, { path: '/odd', headers: HTML_ACCEPT })
    expect(html.status).to.equal(500)
    expect(html.body).to.include('robust 500 page')
    expect(html.headers['content-type']).to.match(/^text\/html/)
    expect(hasStack(html.body), html.body).to.equal(false)
  })

  it(`random state through a real element (${STATE_RUNS} runs): HTML for browsers, the same value as JSON for scripts`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 60 }), async (name) => {
        const path = `/ok?name=${encodeURIComponent(name)}`
        const html = await call(suite.served, { path, headers: HTML_ACCEPT })
        expect(html.status).to.equal(200)
        expect(html.headers['content-type']).to.match(/^text\/html/)
        expect(html.body).to.include('<p class="card">')
        const json = await call(suite.served, { path, headers: JSON_ACCEPT })
        expect(json.status).to.equal(200)
        expect(JSON.parse(json.body)).to.deep.equal({ name })
      }),
      { numRuns: STATE_RUNS },
    )
  })
})
