import escapeHtml from 'escape-html'
import type { EnhancePagesOptions, PageRenderer, RenderContext, RendererFolders } from '../../../types/index.js'
import { nextVersion } from '../../modules.js'
import { toPath } from '../../options.js'
import { type AppSettings, type EnhanceApp, readApp } from './app.js'
import { ERROR_PAGES } from './error-pages.js'
import { headOf, localsOf, storeWith } from './hooks.js'
import type { Page } from './pages.js'
import { failure, named, nameOf } from './problems.js'

/** JSON for an inline script: no `</script>`, `<!--` or line separator can come out of it. */
const scriptJson = (value: unknown): string =>
  (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )

/**
 * The default renderer: the pages, elements, head and preflight of an Enhance
 * app folder, rendered with @enhance/ssr. Everything is read once, at
 * `pages()`; `reload()` reads it all again.
 */
export function enhancePages(options: EnhancePagesOptions = {}): PageRenderer {
  if (options === null || typeof options !== 'object')
    throw new TypeError('enhancePages(options): options must be an object')
  const cwd = process.cwd()
  const scriptTransforms = options.scriptTransforms ?? []
  const settings: AppSettings = {
    styleScoping: options.styleScoping !== false,
    styleTransforms: options.styleTransforms ?? [],
  }
  const stateId =
    options.inlineState === true ? 'initial-state' : options.inlineState ? escapeHtml(options.inlineState) : undefined
  let folders: RendererFolders | undefined
  let latest: Promise<EnhanceApp> | undefined
  let current: EnhanceApp | undefined

  /** Folders from the options, else those of the enhanceRoutes() it belongs to, else `<cwd>/app`. */
  const foldersOf = (given: RendererFolders | undefined): RendererFolders => {
    if (given && options.root === undefined) {
      return {
        root: given.root,
        pagesDir: options.pagesDir === undefined ? given.pagesDir : toPath(options.pagesDir, given.root),
        elementsDir: options.elementsDir === undefined ? given.elementsDir : toPath(options.elementsDir, given.root),
      }
    }
    const root = toPath(options.root ?? 'app', cwd)
    return {
      root,
      pagesDir: toPath(options.pagesDir ?? 'pages', root),
      elementsDir: toPath(options.elementsDir ?? 'elements', root),
    }
  }

  /** The app as last read; a render before `pages()` reads it from the default folders. */
  const ready = (): Promise<EnhanceApp> => {
    folders ??= foldersOf(undefined)
    latest ??= readApp(folders, 0, settings).then((app) => {
      current = app
      return app
    })
    return latest
  }

  /** The inline state script, if the options ask for one. */
  const stateScript = (store: Record<string, unknown>, page: Page): string => {
    if (stateId === undefined) return ''
    try {
      return `<script type="application/json" id="${stateId}">${scriptJson(store)}</script>`
    } catch (thrown) {
      throw failure(`inlineState: the store of ${nameOf(page.file)} cannot be serialized`, thrown)
    }
  }

  async function render(context: RenderContext): Promise<string | undefined> {
    const app = current ?? (await ready())
    // Asked for an error page the app does not have (404, 500), Enhance renders its own.
    const page = app.pages.get(context.pattern) ?? (context.error ? ERROR_PAGES.get(context.pattern) : undefined)
    if (page === undefined) return undefined
    if (page.broken) throw page.broken
    const req = context.request
    const locals = localsOf(context.res)
    const store = await storeWith(app.preflight, req, locals, context.state.store ?? {})
    const error = context.error ? context.error.message : false
    const head = headOf(app.head, { req, status: context.status, error, store, locals })
    // An error page element gets the message as its `error` attribute, as in Enhance.
    const body = error !== false && page.tag ? `<${page.tag} error="${escapeHtml(error)}"></${page.tag}>` : page.markup
    const state = stateScript(store, page)
    const { elements, styleTransforms } = app
    const enhance = app.enhancer({ elements, initialState: store, scriptTransforms, styleTransforms })
    try {
      return enhance`${head}${body}${state}`
    } catch (thrown) {
      throw named(thrown, `page ${nameOf(page.file)} failed to render`)
    }
  }

  return {
    async pages(given?: RendererFolders) {
      folders ??= foldersOf(given)
      return (await ready()).patterns
    },
    render,
    async reload() {
      folders ??= foldersOf(undefined)
      const next = readApp(folders, nextVersion(), settings)
      current = await next
      latest = next
    },
    problems() {
      return current?.problems ?? []
    },
  }
}
