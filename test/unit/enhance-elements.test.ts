import { join, relative } from 'node:path'
import { expect } from 'chai'
import { readComponentFolder, readElementFolder } from '../../lib/renderers/enhance/elements.js'
import { htmlElement, lookup, pathKeys } from '../../lib/renderers/enhance/html-element.js'
import { enhancePages } from '../../lib/renderers/enhance/index.js'
import { Reading } from '../../lib/renderers/enhance/problems.js'
import type { EnhanceElementArgs } from '../../types/index.js'
import { appFolder, element } from '../enhance-helpers.js'
import { contextFor } from './values.js'

// The element readers and the HTML-only element without a server.

const state = { attrs: { title: 'T', 'data-x': 'X' }, store: { user: { name: 'Ada' }, items: ['a', 'b'] } }
const argsOf = (s: object) => ({ html: () => '', state: s }) as unknown as EnhanceElementArgs

describe('HTML-only elements (app/elements/*.html)', () => {
  it('reads property paths as Enhance does: dots, ?., [index], quoted keys, spaces', () => {
    expect(pathKeys('attrs.title')).to.deep.equal(['attrs', 'title'])
    expect(pathKeys(' store.items[1] ')).to.deep.equal(['store', 'items', '1'])
    expect(pathKeys(`attrs['data-x']`)).to.deep.equal(['attrs', 'data-x'])
    expect(pathKeys('store?.user?.name')).to.deep.equal(['store', 'user', 'name'])
    expect(pathKeys('store.user.name.toUpperCase()')).to.equal(undefined)
    expect(pathKeys('a || b')).to.equal(undefined)
  })

  it('a missing step is undefined; a string has its properties; what is no path is a missing key', () => {
    expect(lookup(state, 'store.items[1]')).to.equal('b')
    expect(lookup(state, 'store.nothing.deeper')).to.equal(undefined)
    expect(lookup(state, 'attrs.title.length')).to.equal(1)
    expect(lookup(state, "attrs.title + 'x'")).to.equal(undefined)
  })

  it(`fills each \${...} with the text of its value, unescaped, "undefined" for nothing`, () => {
    const el = htmlElement(`<h1>\${attrs.title}</h1><p>\${store.user.name} \${attrs.none} \${store.items}</p>`)
    expect(el(argsOf(state))).to.equal('<h1>T</h1><p>Ada undefined a,b</p>')
    expect(htmlElement(`<p>\${attrs.title}</p>`)(argsOf({ attrs: { title: '<b>' } }))).to.equal('<p><b></p>')
  })
})

describe('element folders', () => {
  const named = (root: string, path: string) => relative(process.cwd(), join(root, path))

  it('makes tags from nested folders for .mjs and .html; a bad name is a problem', async () => {
    const root = await appFolder({
      'elements/layout/page.html': '<main></main>',
      'elements/ui/big/card.mjs': element('<p>card</p>'),
      'elements/nodash.html': '<p></p>',
    })
    const reading = new Reading(0)
    const elements = await readElementFolder(join(root, 'elements'), reading)
    expect(Object.keys(elements).sort()).to.deep.equal(['layout-page', 'ui-big-card'])
    expect(reading.problems).to.deep.equal([
      `${named(root, 'elements/nodash.html')}: "nodash" is not a valid custom element name (lower case, with a dash)`,
    ])
  })

  it('components: the render method of a class or an object; a broken one throws its load error', async () => {
    const root = await appFolder({
      'components/as-class.mjs': `export default class { render({ state }) { return \`<i>\${state.attrs.x}</i>\` } }\n`,
      'components/as-object.mjs': 'export default { render() { return "<u>o</u>" } }\n',
      'components/a-function.mjs': 'export default function () { return "<b>no</b>" }\n',
      'components/will-fail.mjs': 'throw new Error("cannot load")\n',
    })
    const reading = new Reading(0)
    const elements = await readComponentFolder(join(root, 'components'), reading)
    expect(Object.keys(elements).sort()).to.deep.equal(['as-class', 'as-object', 'will-fail'])
    expect(elements['as-class']?.(argsOf({ attrs: { x: 1 } }))).to.equal('<i>1</i>')
    expect(elements['as-object']?.(argsOf({}))).to.equal('<u>o</u>')
    expect(() => elements['will-fail']?.(argsOf({}))).to.throw(/will-fail\.mjs: failed to load: cannot load/)
    expect(reading.warnings).to.have.length(1)
    expect(reading.warnings[0]).to.match(/component a-function .*no render method/)
  })
})

describe("the renderer's built-in error pages", () => {
  it('answers /404 and /500 only when asked for an error page', async () => {
    const renderer = enhancePages({ root: await appFolder({ 'pages/index.html': 'x' }) })
    await renderer.pages()
    expect(await renderer.render(contextFor('/404'))).to.equal(undefined)
    const error = { status: 404, message: 'Not Found: /x' }
    expect(await renderer.render(contextFor('/404', { status: 404, error }))).to.include('<p>Not Found: /x</p>')
    const failed = { status: 500, message: 'it broke' }
    expect(await renderer.render(contextFor('/500', { status: 500, error: failed }))).to.include(
      '<pre><code>it broke</code></pre>',
    )
    expect(await renderer.render(contextFor('/405', { status: 405, error }))).to.equal(undefined)
  })
})
