import escapeHtml from 'escape-html'
import type { EnhancePagesOptions, PageRenderer, RenderContext, RendererFolders } from '../../../types/index.js'
import { nextVersion } from '../../modules.js'
import { toPath } from '../../options.js'
import { type Elements, readElementFolder, readElementMap } from './elements.js'
import { type Hooks, headOf, readHooks, storeWith } from './hooks.js'
import { type Page, readPages } from './pages.js'
import { failure, named, nameOf, Reading } from './problems.js'

type Enhancer = typeof import('@enhance/ssr').default

/** Everything read from the app folder at start-up (and again on reload): nothing of it is built per request. */
interface EnhanceApp extends Hooks {
  patterns: string[]
  /** Each pattern of `patterns`, and each error page (`/404`...), to its page. */
  pages: Map<string, Page>
  elements: Elements
  enhancer: Enhancer
  problems: string[]
}

let enhancer: Promise<Enhancer> | undefined
// A dynamic import: @enhance/ssr is ESM only, and the CommonJS build must load it too.
const importEnhancer = () => {
  enhancer ??= import('@enhance/ssr').then((mod) => mod.default)
  return enhancer
}

/** Reads the app folder; `version` 0 imports its modules once, a later one afresh (watch mode). */
async function readApp(folders: RendererFolders, version: number): Promise<EnhanceApp> {
  const reading = new Reading(version)
  const [enhancer, map, pages, folder, hooks] = await Promise.all([
    importEnhancer(),
    readElementMap(folders.root, reading),
    readPages(folders.pagesDir, reading),
    readElementFolder(folders.elementsDir, reading),
    readHooks(folders.root, reading),
  ])
  // Later ones win, as in Enhance: app/elements.mjs, then page elements, then app/elements/.
  const elements = { ...map, ...pages.elements, ...folder }
  const problems = reading.problems.sort()
  return { patterns: pages.patterns, pages: pages.pages, elements, ...hooks, enhancer, problems }
}

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
  const styleTransforms = options.styleTransforms ?? []
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
    latest ??= readApp(folders, 0).then((app) => {
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
    const page = app.pages.get(context.pattern)
    if (page === undefined) return undefined
    if (page.broken) throw page.broken
    const req = context.request
    const store = await storeWith(app.preflight, req, context.state.store ?? {})
    const error = context.error ? context.error.message : false
    const head = headOf(app.head, { req, status: context.status, error, store })
    // An error page element gets the message as its `error` attribute, as in Enhance.
    const body = error !== false && page.tag ? `<${page.tag} error="${escapeHtml(error)}"></${page.tag}>` : page.markup
    const state = stateScript(store, page)
    const enhance = app.enhancer({ elements: app.elements, initialState: store, scriptTransforms, styleTransforms })
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
      const next = readApp(folders, nextVersion())
      current = await next
      latest = next
    },
    problems() {
      return current?.problems ?? []
    },
  }
}
