import escapeHtml from 'escape-html'
import type { Element, Elements } from './elements.js'
import type { Page } from './pages.js'

// What Enhance renders for a 404 or 500 when the app has no `pages/404` or
// `pages/500` (arc-plugin-enhance, router.mjs): the app's head, then
// `<page-404 error="...">` (or page-500), an element the app may define itself
// (in app/elements/, app/components/, elements.mjs) and that Enhance otherwise
// supplies (_get-elements.mjs, templates/404.mjs and 500.mjs): a heading and
// the message. Ours say the same; the message is escaped here.

const notFound: Element = ({ state }) =>
  `<section><h1>Oops, something went wrong</h1><p>${escapeHtml(state.attrs.error || 'page not found')}</p></section>`

const serverError: Element = ({ state }) =>
  `<section class="p0 p2-lg"><h1 class="text1 mb2">Oops, something went wrong</h1><div class="overflow-x-auto"><pre><code>${escapeHtml(state.attrs.error || 'system failure please try again')}</code></pre></div></section>`

/** Enhance's own page-404 and page-500, which every element of the app's overrides. */
export const ERROR_ELEMENTS: Elements = { 'page-404': notFound, 'page-500': serverError }

const builtIn = (status: number): Page => ({
  // Messages name a page by its file; these have none.
  file: `built-in page-${status}`,
  markup: `<page-${status}></page-${status}>`,
  tag: `page-${status}`,
  broken: undefined,
})

/** The pages of Enhance's that stand in when the app has no error page of its own. */
export const ERROR_PAGES: ReadonlyMap<string, Page> = new Map([
  ['/404', builtIn(404)],
  ['/500', builtIn(500)],
])
