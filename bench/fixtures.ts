// Route folders for the benchmark, generated into a temp folder (never into the repo).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The JSON every contender answers for GET /r/<route>/<id>. */
export function itemJson(route: number, id: string): { route: number; id: string; name: string; tags: string[] } {
  return { route, id, name: `item ${id} of route ${route}`, tags: ['a', 'b'] }
}

/** The JSON every contender answers for POST /items with a JSON body (status 201). */
export function createdJson(body: unknown): { ok: true; item: unknown } {
  return { ok: true, item: body }
}

export interface Fixture {
  /** The temp folder; `<root>/app/api` holds the Enhance-style routes r/<i>/$id.mjs and items.mjs */
  root: string
  /** The app folder of the JSON figures (api only, no pages) */
  app: string
  /** The same GET routes for express-file-routing: r/<i>/[id].mjs */
  peerDir: string
  /** The app folder of the HTML figure: api/page.mjs, pages/page.html, elements/item-list.mjs */
  site: string
  remove(): void
}

// The handler bodies below mirror itemJson()/createdJson(): the servers check once that all answer alike.
const enhanceRoute = (i: number) =>
  `export function get({ params }) {\n  return { json: { route: ${i}, id: params.id, name: \`item \${params.id} of route ${i}\`, tags: ['a', 'b'] } }\n}\n`
const peerRoute = (i: number) =>
  `export const get = (req, res) => {\n  res.json({ route: ${i}, id: req.params.id, name: \`item \${req.params.id} of route ${i}\`, tags: ['a', 'b'] })\n}\n`
const elementFile = `export default ${itemListElement.toString()}\n`
const enhanceItems =
  'export function post({ body }) {\n  return { statusCode: 201, json: { ok: true, item: body } }\n}\n'

/** The page of the HTML figure: a custom element that lists the store's items. */
export const PAGE_HTML = '<item-list></item-list>\n'
export const ITEM_LIST_ELEMENT_NAME = 'item-list'

export type Html = (strings: TemplateStringsArray, ...values: unknown[]) => string
type Store = { title?: string; items?: { name: string }[] }

/** The element, used by hand in the `ssr` contender and written to elements/item-list.mjs for enhancePages. */
export function itemListElement({ html, state }: { html: Html; state: { store: Store } }): string {
  const items = state.store.items ?? []
  return html`<h1>${state.store.title}</h1><ul>${items.map((item) => `<li>${item.name}</li>`).join('')}</ul>`
}
/** The store the HTML figure's API answers. */
export function pageStore(): { title: string; items: { id: number; name: string }[] } {
  return { title: 'Items', items: Array.from({ length: 10 }, (_, i) => ({ id: i, name: `item ${i}` })) }
}
const enhancePageApi = `export function get() {\n  return { json: ${JSON.stringify(pageStore())} }\n}\n`

/** Writes `count` GET routes (r/0 ... r/count-1) and the POST route in both file conventions, and the HTML figure's app. */
export function makeFixture(count: number): Fixture {
  const root = mkdtempSync(join(tmpdir(), `eer-bench-${count}-`))
  const app = join(root, 'app')
  const apiDir = join(app, 'api')
  const peerDir = join(root, 'routes')
  const site = join(root, 'site')
  for (let i = 0; i < count; i++) {
    mkdirSync(join(apiDir, 'r', String(i)), { recursive: true })
    mkdirSync(join(peerDir, 'r', String(i)), { recursive: true })
    writeFileSync(join(apiDir, 'r', String(i), '$id.mjs'), enhanceRoute(i))
    writeFileSync(join(peerDir, 'r', String(i), '[id].mjs'), peerRoute(i))
  }
  writeFileSync(join(apiDir, 'items.mjs'), enhanceItems)
  for (const dir of ['api', 'pages', 'elements']) mkdirSync(join(site, dir), { recursive: true })
  writeFileSync(join(site, 'api', 'page.mjs'), enhancePageApi)
  writeFileSync(join(site, 'pages', 'page.html'), PAGE_HTML)
  writeFileSync(join(site, 'elements', 'item-list.mjs'), elementFile)
  return {
    root,
    app,
    peerDir,
    site,
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}
