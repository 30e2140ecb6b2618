import { expect } from 'chai'
import request from 'supertest'
import { appFolder, element, page, serveApp } from './enhance-helpers.js'

// An app without pages/404 or pages/500 gets what Enhance renders
// (arc-plugin-enhance router.mjs and _get-elements.mjs): the app's head (or
// the default one) and Enhance's page-404 / page-500 element with the error,
// unless the app defines that element itself. Real Express, real @enhance/ssr.

const head = `export default function Head({ status, error, store }) {
  return \`<!doctype html><html><head><title>\${error ? 'Error ' + status : 'ok'}</title><meta name="x-store" content="\${Object.keys(store).sort().join(',')}"></head>\`
}
`
const api = {
  'api/throws.mjs': `export function get() { throw new Error('the <handler> broke') }\n`,
  // An http-errors-like error (no package to import from a temp folder).
  'api/unavailable.mjs': `export function get() { throw Object.assign(new Error('down'), { status: 503, statusCode: 503, expose: false }) }\n`,
  'api/item.mjs': `export function get() { return { json: { ok: true } } }\n`,
}

describe("enhancePages: Enhance's error pages when the app has none", () => {
  it('a 404 is the app head and the built-in page-404 with the message, escaped', async () => {
    const root = await appFolder({ 'head.mjs': head, 'pages/index.html': '<p>home</p>', ...api })
    const { app } = await serveApp(root, { fallthrough: false })
    const res = await page(app, '/missing/<b>')
    expect(res.status).to.equal(404)
    expect(res.headers['content-type']).to.match(/^text\/html/)
    expect(res.text).to.include('<title>Error 404</title>')
    expect(res.text).to.include('<meta name="x-store" content="error">')
    expect(res.text).to.match(/<page-404 error="\/missing\/[^"]* not found" enhanced="✨"><section>/)
    expect(res.text).to.include('<h1>Oops, something went wrong</h1>')
    expect(res.text).to.match(/<p>\/missing\/(%3Cb%3E|&lt;b&gt;) not found<\/p>/)
    expect(res.text).not.to.include('<b>')
  })

  it('a 500 is the app head and the built-in page-500 with the public message', async () => {
    const root = await appFolder({ 'head.mjs': head, 'pages/index.html': '<p>home</p>', ...api })
    const { app, errors } = await serveApp(root)
    const res = await page(app, '/throws')
    expect(res.status).to.equal(500)
    expect(res.text).to.include('<title>Error 500</title>')
    // In an attribute, @enhance/ssr (parse5) escapes & and " only, as HTML allows.
    expect(res.text).to.match(/<page-500 error="[^"]*get threw: the <handler> broke" enhanced="✨">/)
    expect(res.text).to.match(/<pre><code>[^<]*get threw: the &lt;handler&gt; broke<\/code><\/pre>/)
    expect(errors).to.have.length(1)
  })

  it('another 5xx (503) falls back to the 500 page, with its own status in the head', async () => {
    const root = await appFolder({ 'head.mjs': head, 'pages/index.html': '<p>home</p>', ...api })
    const { app } = await serveApp(root)
    const res = await page(app, '/unavailable')
    expect(res.status).to.equal(503)
    expect(res.text).to.include('<title>Error 503</title>')
    expect(res.text).to.include('<h1 class="text1 mb2">Oops, something went wrong</h1>')
  })

  it('without head.mjs, the default head', async () => {
    const root = await appFolder({ 'pages/index.html': '<p>home</p>' })
    const { app } = await serveApp(root, { fallthrough: false })
    const res = await page(app, '/nowhere')
    expect(res.status).to.equal(404)
    expect(res.text).to.include('<meta charset="utf-8"><meta name="viewport"')
    expect(res.text).to.include('<p>/nowhere not found</p>')
  })

  it("the app's own page-404 element (in app/elements/) is used when there is no pages/404", async () => {
    const root = await appFolder({
      'pages/index.html': '<p>home</p>',
      'elements/page-404.mjs': element(`<h1>Mine: \${state.attrs.error}</h1>`),
    })
    const { app } = await serveApp(root, { fallthrough: false })
    const res = await page(app, '/nowhere')
    expect(res.text).to.include('<h1>Mine: /nowhere not found</h1>')
    expect(res.text).not.to.include('Oops')
  })

  it('pages/404.html and pages/500.mjs still come first', async () => {
    const root = await appFolder({
      'pages/404.html': '<h1>Lost</h1>',
      'pages/500.mjs': element(`<h1>Ours: \${state.attrs.error}</h1>`),
      ...api,
    })
    const { app } = await serveApp(root, { fallthrough: false })
    expect((await page(app, '/nowhere')).text).to.include('<h1>Lost</h1>')
    // The element gets the attribute's text (a page element of the app's inserts it as it likes).
    expect((await page(app, '/throws')).text).to.match(/<page-500 error="[^"]*broke" enhanced="✨"><h1>Ours: /)
  })

  it('only 404 and 500 have built-in pages: a 405 is still the minimal page; JSON clients get JSON', async () => {
    const root = await appFolder({ 'pages/index.html': '<p>home</p>', ...api })
    const { app } = await serveApp(root)
    const put = await request(app).put('/item').set('Accept', 'text/html')
    expect(put.status).to.equal(405)
    expect(put.text).to.include('<h1>405 Method Not Allowed</h1>')
    const json = await request(app).get('/throws').set('Accept', 'application/json')
    expect(json.status).to.equal(500)
    expect(json.body.error.status).to.equal(500)
  })

  it('an API route at /404 with no page is no error page: its JSON, not the built-in page', async () => {
    const root = await appFolder({
      'pages/index.html': '<p>home</p>',
      'api/404.mjs': `export function get() { return { json: { route: 404 } } }\n`,
    })
    const { app } = await serveApp(root)
    const res = await page(app, '/404')
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ route: 404 })
  })
})
