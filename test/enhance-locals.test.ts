import { expect } from 'chai'
import type express from 'express'
import { enhancePages } from '../lib/index.js'
import { appFolder, element, page, serveApp } from './enhance-helpers.js'

// What earlier middleware put in res.locals reaches enhancePages() pages, as it
// reaches Express views: head.mjs and preflight.mjs get it as `locals` beside
// `req`, and the store starts from it, under preflight and the API's json:
// store = { ...res.locals, ...preflight(), ...json }. Real Express, real @enhance/ssr.

const setLocals: express.RequestHandler = (_req, res, next) => {
  res.locals.user = { name: 'Ada' }
  res.locals.title = 'from locals'
  res.locals.theme = 'dark'
  res.locals.shared = 'from locals'
  next()
}

const files = {
  'head.mjs': `export default function Head({ locals, store }) {
  return \`<!doctype html><html><head><title>\${store.title}</title><meta name="x-user" content="\${locals.user?.name}"></head>\`
}
`,
  'preflight.mjs': `export default function preflight({ req, locals }) {
  return { title: 'from preflight', shared: 'from preflight', greeting: 'Hi ' + locals.user?.name + ' at ' + req.path }
}
`,
  'api/index.mjs': `export function get() { return { json: { shared: 'from the api' } } }\n`,
  'pages/index.html': '<store-view></store-view>',
  'pages/about.html': '<store-view></store-view>',
  'elements/store-view.mjs': element(
    `<p>\${[state.store.user?.name, state.store.theme, state.store.title, state.store.shared, state.store.greeting].map((v) => v ?? '-').join('|')}</p>`,
  ),
}

describe('enhancePages: res.locals reach pages', () => {
  let app: express.Express

  before(async () => {
    ;({ app } = await serveApp(await appFolder(files), {}, [setLocals]))
  })

  it('elements see res.locals in the store, under preflight, under the json', async () => {
    const res = await page(app, '/')
    expect(res.status).to.equal(200)
    expect(res.text).to.include('<p>Ada|dark|from preflight|from the api|Hi Ada at /</p>')
  })

  it('a page without an API: res.locals under preflight', async () => {
    const res = await page(app, '/about')
    expect(res.text).to.include('<p>Ada|dark|from preflight|from preflight|Hi Ada at /about</p>')
  })

  it('head.mjs gets locals beside the store', async () => {
    const res = await page(app, '/')
    expect(res.text).to.include('<title>from preflight</title>')
    expect(res.text).to.include('<meta name="x-user" content="Ada">')
  })

  it('error pages too: the 404 page knows who is logged in', async () => {
    const { app: strict } = await serveApp(await appFolder(files), { fallthrough: false }, [setLocals])
    const res = await page(strict, '/nowhere')
    expect(res.status).to.equal(404)
    expect(res.text).to.include('<meta name="x-user" content="Ada">')
  })

  it('without preflight, res.locals under the json; inlineState includes them', async () => {
    const { 'preflight.mjs': _, ...rest } = files
    const renderer = enhancePages({ inlineState: true })
    const { app: plain } = await serveApp(await appFolder(rest), { renderer }, [setLocals])
    const res = await page(plain, '/')
    expect(res.text).to.include('<p>Ada|dark|from locals|from the api|-</p>')
    expect(res.text).to.include('"theme":"dark"')
  })

  it('no middleware in front: empty locals, and head and preflight still get an object', async () => {
    const { app: bare } = await serveApp(await appFolder(files))
    const res = await page(bare, '/')
    expect(res.status).to.equal(200)
    expect(res.text).to.include('<p>-|-|from preflight|from the api|Hi undefined at /</p>')
  })
})
