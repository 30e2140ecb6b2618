import { readFile, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type {
  EnhanceApiReq,
  EnhanceElementArgs,
  EnhanceHeadArgs,
  EnhancePagesOptions,
  PageRenderer,
  RenderContext,
  RendererFolders,
} from '../../types/index.js'
import { escapeHtml } from '../errors.js'
import { importVersion, nextVersion } from '../load.js'
import { toPath } from '../options.js'
import { PAGE_EXTENSIONS, type ScannedFile, scanRoutes } from '../routes/scan.js'
import { keyOf, pageSegments } from '../routes/table.js'

type Element = (args: EnhanceElementArgs) => string
type Head = (args: EnhanceHeadArgs) => string
type Preflight = (args: { req: EnhanceApiReq }) => unknown
type Enhancer = typeof import('@enhance/ssr').default

/** A page: its body markup, and the file to name when it fails. */
interface Page {
  file: string
  /** The `.html` file's text, or `<page-NAME></page-NAME>` for a `.mjs` page. */
  markup: string
  /** The page element's tag, for `.mjs` pages. */
  tag: string | undefined
  /** Set when the page cannot render (failed import, conflict): every render throws it. */
  broken: Error | undefined
}

/** Everything read at start-up (and again on reload): nothing of it is built per request. */
interface Loaded {
  patterns: string[]
  /** Pages by their param-insensitive key (`/shop/$item` serves a route written `/shop/$product`). */
  pages: Map<string, Page>
  /** Route pattern -> page, filled on first use. */
  lookups: Map<string, Page | null>
  elements: Record<string, Element>
  head: Head
  preflight: Preflight | undefined
  enhancer: Enhancer
  problems: string[]
}

/** An error that already names its file; rendering passes it on untouched. */
class RenderFailure extends Error {}

function failure(message: string, cause?: unknown): RenderFailure {
  if (cause === undefined) return new RenderFailure(message)
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new RenderFailure(`${message}: ${detail}`, { cause })
}

const nameOf = (file: string) => relative(process.cwd(), file) || file

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return value === undefined ? 'undefined' : `a ${typeof value}`
}

/** Makes an element name itself when it throws or returns something that is not HTML. */
function guard(render: Element, what: string): Element {
  return (args) => {
    let out: unknown
    try {
      out = render(args)
    } catch (error) {
      throw failure(`${what} threw while rendering`, error)
    }
    if (typeof out !== 'string') throw failure(`${what} returned ${describe(out)}, not a string of HTML`)
    return out
  }
}

/** The render function of an element export, found where @enhance/ssr looks for it. */
function renderOf(value: unknown): Element | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined
  const own = (value as { render?: unknown }).render
  if (typeof own === 'function') return own as Element
  const proto = (value as { prototype?: { render?: unknown } }).prototype?.render
  if (typeof proto === 'function') return proto as Element
  return typeof value === 'function' ? (value as Element) : undefined
}

/** A stand-in for a file that failed to load: rendering it fails with the load error. */
const failing = (error: Error) => () => {
  throw error
}

// The ASCII subset of valid custom element names.
const TAG = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/

/** The page element's tag, as Enhance names it: `pages/users/$id.mjs` is `page-users--id`. */
export function pageTag(rel: string): string {
  let name = rel.replace(/\.mjs$/, '')
  if (name.endsWith('/index')) name = name.slice(0, -'/index'.length)
  return `page-${name.replaceAll('/', '-').replaceAll('$', '-').toLowerCase()}`
}

/** Top-level pages named after an error status (`404.html`, `500.mjs`) are error pages, not routes. */
const isErrorPage = (file: ScannedFile) =>
  file.segments.length === 1 && file.segments[0]?.kind === 'static' && /^[45]\d\d$/.test(file.segments[0].value)

/** Escapes JSON for an inline script: no `</script>`, `<!--` or line separator can come out of it. */
export function scriptJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

const DEFAULT_HEAD: Head = () =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>'

let enhancer: Promise<Enhancer> | undefined
// A dynamic import: @enhance/ssr is ESM only, and the CommonJS build must load it too.
const loadEnhancer = () => {
  enhancer ??= import('@enhance/ssr').then((mod) => mod.default)
  return enhancer
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

type Dirs = RendererFolders

async function load(dirs: Dirs, version: number): Promise<Loaded> {
  const problems: string[] = []
  const elements: Record<string, Element> = {}
  const headFile = join(dirs.root, 'head.mjs')
  const preflightFile = join(dirs.root, 'preflight.mjs')
  const manifestFile = join(dirs.root, 'elements.mjs')
  const [enhancer, pageScan, elementScan, hasHead, hasPreflight, hasManifest] = await Promise.all([
    loadEnhancer(),
    scanRoutes(dirs.pagesDir, PAGE_EXTENSIONS),
    scanRoutes(dirs.elementsDir, ['.mjs']),
    exists(headFile),
    exists(preflightFile),
    exists(manifestFile),
  ])

  /** Imports a file's default export; a failure is a problem and `undefined`. */
  const defaultOf = async (file: string): Promise<{ value: unknown } | { error: Error }> => {
    try {
      return { value: (await importVersion(file, version)).default }
    } catch (error) {
      const message = `${nameOf(file)}: failed to load: ${(error as Error).message}`
      problems.push(message)
      return { error: failure(message, error) }
    }
  }

  // 1. app/elements.mjs, then page elements, then app/elements/ (later ones win, as in Enhance).
  if (hasManifest) {
    const loaded = await defaultOf(manifestFile)
    if ('value' in loaded) {
      const map = loaded.value
      if (map === null || typeof map !== 'object') {
        problems.push(`${nameOf(manifestFile)}: its default export must be an object of tag names to elements`)
      } else {
        for (const [tag, value] of Object.entries(map)) {
          const render = renderOf(value)
          const what = `element ${tag} (${nameOf(manifestFile)})`
          if (render) elements[tag] = guard(render, what)
          else problems.push(`${what} is not an element function`)
        }
      }
    }
  }

  // 2. Pages: group by URL pattern; a pattern has at most one .html and one .mjs.
  const groups = new Map<string, { html: ScannedFile[]; mjs: ScannedFile[] }>()
  for (const problem of pageScan.problems) problems.push(`${nameOf(problem.file)}: ${problem.message}`)
  for (const file of pageScan.files) {
    const key = keyOf(file.segments)
    let group = groups.get(key)
    if (!group) {
      group = { html: [], mjs: [] }
      groups.set(key, group)
    }
    group[file.rel.endsWith('.html') ? 'html' : 'mjs'].push(file)
  }
  const pages = new Map<string, Page>()
  const patterns: string[] = []
  const tags = new Map<string, string>()
  await Promise.all(
    [...groups].map(async ([key, { html, mjs }]) => {
      let broken: Error | undefined
      for (const list of [html, mjs]) {
        if (list.length > 1) {
          const message = `${list.map((f) => nameOf(f.file)).join(' and ')} map to the same URL pattern ${list[0]?.pattern}`
          problems.push(message)
          broken = failure(message)
        }
      }
      const element = mjs[0]
      let tag: string | undefined
      if (element) {
        tag = pageTag(element.rel)
        const other = tags.get(tag)
        if (!TAG.test(tag)) {
          const message = `${nameOf(element.file)}: "${tag}" is not a valid custom element name for the page`
          problems.push(message)
          broken ??= failure(message)
        } else if (other !== undefined) {
          const message = `${other} and ${nameOf(element.file)} make the same page element ${tag}`
          problems.push(message)
          broken ??= failure(message)
        } else {
          tags.set(tag, nameOf(element.file))
          const loaded = await defaultOf(element.file)
          const render = 'value' in loaded ? renderOf(loaded.value) : undefined
          if ('error' in loaded) broken ??= loaded.error
          else if (!render) {
            const message = `${nameOf(element.file)}: a page .mjs must export default an element function`
            problems.push(message)
            broken ??= failure(message)
          }
          elements[tag] = render
            ? guard(render, `page ${nameOf(element.file)}`)
            : failing(broken ?? failure(`${nameOf(element.file)} failed to load`))
        }
      }
      const main = (html[0] ?? element) as ScannedFile
      let markup = tag ? `<${tag}></${tag}>` : ''
      if (html[0]) {
        try {
          markup = await readFile(html[0].file, 'utf8')
        } catch (error) {
          const message = `${nameOf(html[0].file)}: cannot be read: ${(error as Error).message}`
          problems.push(message)
          broken ??= failure(message)
        }
      }
      // With both, the .html file is the page (as in Enhance) and the .mjs is its element <page-NAME>.
      pages.set(key, { file: main.file, markup, tag: html[0] ? undefined : tag, broken })
      if (!isErrorPage(main)) patterns.push(main.pattern)
    }),
  )

  // 3. app/elements/<tag-name>.mjs (nested folders join with a dash: foo/bar.mjs is <foo-bar>).
  const elementFiles = [...elementScan.files.map((f) => f.file), ...elementScan.problems.map((p) => p.file)]
  await Promise.all(
    elementFiles.map(async (file) => {
      const tag = relative(dirs.elementsDir, file)
        .split(sep)
        .join('-')
        .replace(/\.mjs$/, '')
      if (!TAG.test(tag)) {
        problems.push(`${nameOf(file)}: "${tag}" is not a valid custom element name (lower case, with a dash)`)
        return
      }
      const what = `element ${tag} (${nameOf(file)})`
      const loaded = await defaultOf(file)
      if ('error' in loaded) {
        elements[tag] = failing(loaded.error)
        return
      }
      const render = renderOf(loaded.value)
      if (render) elements[tag] = guard(render, what)
      else {
        const message = `${what}: its default export must be an element function`
        problems.push(message)
        elements[tag] = failing(failure(message))
      }
    }),
  )

  // 4. app/head.mjs and app/preflight.mjs.
  let head = DEFAULT_HEAD
  if (hasHead) {
    const loaded = await defaultOf(headFile)
    if ('error' in loaded) head = failing(loaded.error)
    else if (typeof loaded.value === 'function') head = loaded.value as Head
    else {
      const message = `${nameOf(headFile)}: its default export must be a function that returns the head`
      problems.push(message)
      head = failing(failure(message))
    }
  }
  let preflight: Preflight | undefined
  if (hasPreflight) {
    const loaded = await defaultOf(preflightFile)
    if ('error' in loaded) preflight = failing(loaded.error)
    else if (typeof loaded.value === 'function') preflight = loaded.value as Preflight
    else {
      const message = `${nameOf(preflightFile)}: its default export must be a function`
      problems.push(message)
      preflight = failing(failure(message))
    }
  }
  patterns.sort()
  problems.sort()
  return { patterns, pages, lookups: new Map(), elements, head, preflight, enhancer, problems }
}

function lookup(loaded: Loaded, pattern: string): Page | undefined {
  let page = loaded.lookups.get(pattern)
  if (page === undefined) {
    const segments = pageSegments(pattern)
    page = typeof segments === 'string' ? null : (loaded.pages.get(keyOf(segments)) ?? null)
    loaded.lookups.set(pattern, page)
  }
  return page ?? undefined
}

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
  let dirs: Dirs | undefined
  let loading: Promise<Loaded> | undefined
  let current: Loaded | undefined

  /** Folders from the options, else those of the enhanceRoutes() it belongs to, else `<cwd>/app`. */
  const folders = (given: RendererFolders | undefined): Dirs => {
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

  const ensure = (): Promise<Loaded> => {
    dirs ??= folders(undefined)
    loading ??= load(dirs, 0).then((loaded) => {
      current = loaded
      return loaded
    })
    return loading
  }

  async function render(context: RenderContext): Promise<string | undefined> {
    const loaded = current ?? (await ensure())
    const page = lookup(loaded, context.pattern)
    if (page === undefined) return undefined
    if (page.broken) throw page.broken
    const req = context.request
    let store = context.state.store ?? {}
    if (loaded.preflight) {
      let extra: unknown
      try {
        extra = await loaded.preflight({ req })
      } catch (error) {
        throw error instanceof RenderFailure ? error : failure('preflight.mjs threw', error)
      }
      // The API's json wins over what preflight adds.
      if (extra !== null && typeof extra === 'object') store = { ...(extra as Record<string, unknown>), ...store }
    }
    const error = context.error ? context.error.message : false
    let head: unknown
    try {
      head = loaded.head({ req, status: context.status, error, store })
    } catch (thrown) {
      throw thrown instanceof RenderFailure ? thrown : failure('head.mjs threw', thrown)
    }
    if (typeof head !== 'string') throw failure(`head.mjs returned ${describe(head)}, not a string of HTML`)
    // An error page element gets the message as its `error` attribute, as in Enhance.
    const body =
      context.error && page.tag ? `<${page.tag} error="${escapeHtml(error || '')}"></${page.tag}>` : page.markup
    let state = ''
    if (stateId !== undefined) {
      try {
        state = `<script type="application/json" id="${stateId}">${scriptJson(store)}</script>`
      } catch (thrown) {
        throw failure(`inlineState: the store of ${nameOf(page.file)} cannot be serialized`, thrown)
      }
    }
    const enhance = loaded.enhancer({
      elements: loaded.elements,
      initialState: store,
      scriptTransforms,
      styleTransforms,
    })
    try {
      return enhance`${head}${body}${state}`
    } catch (thrown) {
      throw thrown instanceof RenderFailure ? thrown : failure(`page ${nameOf(page.file)} failed to render`, thrown)
    }
  }

  return {
    async pages(given?: RendererFolders) {
      dirs ??= folders(given)
      return (await ensure()).patterns
    },
    render,
    async reload() {
      dirs ??= folders(undefined)
      const next = load(dirs, nextVersion())
      const loaded = await next
      current = loaded
      loading = next
    },
    problems() {
      return current?.problems ?? []
    },
  }
}
