import { expect } from 'chai'
import { type EnhanceTransform, enhancePages } from '../lib/index.js'
import { appFolder, element, headOf, page, serveApp } from './enhance-helpers.js'

// Elements from everywhere Enhance finds them (arc-plugin-enhance,
// _get-elements.mjs), with Enhance's precedence, and their styles scoped as
// Enhance scopes them (@enhance/enhance-style-transform), through real Express
// and the real @enhance/ssr.

/** A single-file component: a class with a render method, defined in the browser only. */
const component = (name: string, markup: string) => `
export default class ${name} {
  static get observedAttributes() { return ['label'] }
  render({ html, state }) { return html\`${markup}\` }
}
globalThis.customElements?.define('x', ${name})
`

describe('enhancePages: elements from everywhere Enhance finds them', () => {
  let root: string
  let app: Awaited<ReturnType<typeof serveApp>>['app']
  const warned: unknown[][] = []

  before(async () => {
    root = await appFolder({
      'pages/index.html': [
        '<site-nav></site-nav>',
        '<layout-page title="Home"><p slot="main">slotted</p></layout-page>',
        '<like-button label="Like"></like-button>',
        '<map-footer></map-footer>',
        '<dup-all></dup-all><dup-two></dup-two><dup-pair></dup-pair><page-about></page-about>',
        '<no-render>as it is</no-render>',
      ].join('\n'),
      'pages/about.mjs': element('<p>from the page element</p>'),
      'api/index.mjs': `export function get() { return { json: { user: { name: 'Ada' }, items: ['first'] } } }\n`,
      'elements/site-nav.mjs': element(`<nav>nav for \${state.store.user.name}</nav>`),
      // An HTML-only element in a nested folder: elements/layout/page.html is <layout-page>.
      'elements/layout/page.html': [
        `<header>\${attrs.title} / \${store.user.name} / \${store.items[0]} / \${attrs["title"]} / \${store.none?.x}</header>`,
        '<main><slot name="main"></slot></main>',
      ].join(''),
      'components/like-button.mjs': component('LikeButton', `<button>\${state.attrs.label}</button>`),
      'components/no-render.mjs': 'export default class NoRender {}\n',
      'elements.mjs': [
        `const el = (text) => ({ html }) => html\`<b>\${text}</b>\``,
        `export default { 'map-footer': el('footer from the map'), 'dup-all': el('map'), 'dup-two': el('map'), 'page-about': el('map') }`,
      ].join('\n'),
      // The same tags elsewhere: app/elements/ wins over components, which win over the map.
      'components/dup-all.mjs': component('DupAll', '<b>component</b>'),
      'components/dup-two.mjs': component('DupTwo', '<b>component</b>'),
      'elements/dup-all.mjs': element('<b>elements folder</b>'),
      'elements/dup-pair.html': '<b>from the .html</b>',
      'elements/dup-pair.mjs': element('<b>from the .mjs</b>'),
    })
    const warn = console.warn
    console.warn = (...args: unknown[]) => warned.push(args)
    try {
      ;({ app } = await serveApp(root))
    } finally {
      console.warn = warn
    }
  })

  it('renders app/elements/*.mjs with the store', async () => {
    const res = await page(app, '/')
    expect(res.status).to.equal(200)
    expect(res.text).to.include('<site-nav enhanced="✨"><nav>nav for Ada</nav></site-nav>')
  })

  it('an .html element is its markup, with attrs and store paths filled in and its slots filled', async () => {
    const res = await page(app, '/')
    expect(res.text).to.include(
      '<layout-page title="Home" enhanced="✨"><header>Home / Ada / first / Home / undefined</header><main><p slot="main">slotted</p></main></layout-page>',
    )
  })

  it('a component of app/components/ renders through its render method', async () => {
    const res = await page(app, '/')
    expect(res.text).to.include('<like-button label="Like" enhanced="✨"><button>Like</button></like-button>')
  })

  it('the app/elements.mjs map still counts', async () => {
    const res = await page(app, '/')
    expect(res.text).to.include('<map-footer enhanced="✨"><b>footer from the map</b></map-footer>')
  })

  it("one tag from several places: Enhance's order, the map < page elements < components < app/elements/", async () => {
    const res = await page(app, '/')
    expect(res.text).to.include('<dup-all enhanced="✨"><b>elements folder</b></dup-all>')
    expect(res.text).to.include('<dup-two enhanced="✨"><b>component</b></dup-two>')
    expect(res.text).to.include('<page-about enhanced="✨"><p>from the page element</p></page-about>')
  })

  it('an .html and an .mjs of one tag: the .mjs, with a warning that names both', async () => {
    const res = await page(app, '/')
    expect(res.text).to.include('<dup-pair enhanced="✨"><b>from the .mjs</b></dup-pair>')
    const lines = warned.map((args) => String(args[0]))
    expect(
      lines.some((line) => /dup-pair\.html and .*dup-pair\.mjs make the same element dup-pair/.test(line)),
    ).to.equal(true)
  })

  it('a component without a render method is left out with a warning, as Enhance does', async () => {
    const res = await page(app, '/')
    expect(res.text).to.include('<no-render>as it is</no-render>')
    const lines = warned.map((args) => String(args[0]))
    expect(lines.some((line) => /component no-render .*no render method/.test(line))).to.equal(true)
  })
})

describe('enhancePages: element styles scoped as Enhance scopes them', () => {
  const styled = {
    'pages/index.html': '<my-card></my-card><plain-box></plain-box>',
    'elements/my-card.mjs': element(
      // Apart: @enhance/ssr skips a <style> right after another one.
      '<style>:host { display: block } p { color: red }</style>\n<style scope="global">body { margin: 0 }</style>\n<p>card</p>',
    ),
    'elements/plain-box.html': '<style>:host { color: blue }</style><div>box</div>',
  }

  it('by default: :host becomes the tag and other selectors go below it; scope="global" is left alone', async () => {
    const { app } = await serveApp(await appFolder(styled))
    const head = headOf((await page(app, '/')).text)
    expect(head).to.include('my-card {\n  display: block;\n}')
    expect(head).to.include('my-card p {\n  color: red;\n}')
    expect(head).to.include('plain-box {\n  color: blue;\n}')
    // @enhance/ssr puts all the styles in one <style>; the global one is unscoped.
    expect(head).to.include('\nbody { margin: 0 }')
    expect(head).not.to.include(':host')
  })

  it('styleScoping: false leaves the styles as the elements write them', async () => {
    const { app } = await serveApp(await appFolder(styled), { renderer: enhancePages({ styleScoping: false }) })
    const head = headOf((await page(app, '/')).text)
    expect(head).to.include('<style>:host { display: block } p { color: red }\n')
    expect(head).not.to.include('my-card p')
  })

  it("the app's own styleTransforms still run, after the scoping (or alone without it)", async () => {
    const seen: string[] = []
    const mark: EnhanceTransform = ({ raw, tagName }) => {
      seen.push(`${tagName}: ${raw}`)
      return `${raw}/* marked */`
    }
    for (const styleScoping of [true, false]) {
      seen.length = 0
      const renderer = enhancePages({ styleScoping, styleTransforms: [mark] })
      const { app } = await serveApp(await appFolder(styled), { renderer })
      const head = headOf((await page(app, '/')).text)
      expect(head).to.include('/* marked */')
      expect(seen.some((line) => line.startsWith('my-card: ') && line.includes(':host'))).to.equal(!styleScoping)
      expect(seen.some((line) => line.includes('my-card p'))).to.equal(styleScoping)
    }
  })
})
