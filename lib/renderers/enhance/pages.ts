import { readFile } from 'node:fs/promises'
import { conflictMessage, groupByKey, isErrorPage } from '../../routes/group.js'
import { PAGE_EXTENSIONS, type ScannedFile, scanRoutes } from '../../routes/scan.js'
import { type Element, type Elements, guard, isTagName, renderOf } from './elements.js'
import { failing, nameOf, type Reading } from './problems.js'

/** A page: its body markup, and the file to name when it fails. */
export interface Page {
  file: string
  /** The `.html` file's text, or `<page-NAME></page-NAME>` for a `.mjs` page. */
  markup: string
  /** The page element's tag, for `.mjs` pages (an error page gives it the message). */
  tag: string | undefined
  /** Set when the page cannot render (failed import, conflict): every render throws it. */
  broken: Error | undefined
}

export interface PageSet {
  /** The patterns of the pages that are routes (error pages are not), sorted. */
  patterns: string[]
  /** Every page, error pages (`/404`, `/500`...) included, by its pattern. */
  pages: Map<string, Page>
  /** The page elements of the `.mjs` pages, by tag. */
  elements: Elements
}

/** The files of one URL pattern, with what was found wrong before reading them. */
interface PageFiles {
  /** The file that is the page: the `.html` one if there is one (as in Enhance), else the `.mjs` one. */
  main: ScannedFile
  html: ScannedFile | undefined
  /** The `.mjs` file: the page itself, or with an `.html` file, its element. */
  mjs: ScannedFile | undefined
  /** The page element's tag, once no other page claims it. */
  tag: string | undefined
  broken: Error | undefined
}

/** The page element's tag, as Enhance names it: `users/$id.mjs` is `page-users--id`. */
function pageTag(rel: string): string {
  let name = rel.replace(/\.mjs$/, '')
  if (name.endsWith('/index')) name = name.slice(0, -'/index'.length)
  return `page-${name.replaceAll('/', '-').replaceAll('$', '-').toLowerCase()}`
}

/**
 * Sorts one pattern's files into its page: at most one `.html` and one `.mjs`,
 * and a page element tag that no other page makes. `claimed` holds the tags of
 * the patterns before it, so the first page (in file order) keeps a tag.
 */
function sortFiles(files: readonly ScannedFile[], claimed: Map<string, string>, reading: Reading): PageFiles {
  const html = files.filter((f) => f.rel.endsWith('.html'))
  const mjs = files.filter((f) => !f.rel.endsWith('.html'))
  const main = (html[0] ?? mjs[0]) as ScannedFile
  const page: PageFiles = { main, html: html[0], mjs: mjs[0], tag: undefined, broken: undefined }
  const fail = (message: string) => {
    const error = reading.problem(message)
    page.broken ??= error
  }
  for (const list of [html, mjs]) {
    const [first] = list
    if (first && list.length > 1)
      fail(
        conflictMessage(
          list.map((f) => nameOf(f.file)),
          first.pattern,
        ),
      )
  }
  if (page.mjs) {
    const tag = pageTag(page.mjs.rel)
    const other = claimed.get(tag)
    const name = nameOf(page.mjs.file)
    if (!isTagName(tag)) fail(`${name}: "${tag}" is not a valid custom element name for the page`)
    else if (other !== undefined) fail(`${other} and ${name} make the same page element ${tag}`)
    else {
      claimed.set(tag, name)
      page.tag = tag
    }
  }
  return page
}

/** Imports a page's element; with no usable export it stands in one that throws why. */
async function readPageElement(file: ScannedFile, page: PageFiles, reading: Reading): Promise<Element> {
  const imported = await reading.importDefault(file.file)
  if ('error' in imported) {
    page.broken ??= imported.error
    return failing(imported.error)
  }
  const render = renderOf(imported.value)
  if (render) return guard(render, `page ${nameOf(file.file)}`)
  const error = reading.problem(`${nameOf(file.file)}: a page .mjs must export default an element function`)
  page.broken ??= error
  return failing(error)
}

async function readPage(page: PageFiles, reading: Reading): Promise<{ page: Page; element: Element | undefined }> {
  const { main, html, mjs, tag } = page
  const element = mjs && tag ? await readPageElement(mjs, page, reading) : undefined
  let markup = tag ? `<${tag}></${tag}>` : ''
  if (html) {
    try {
      markup = await readFile(html.file, 'utf8')
    } catch (error) {
      const failure = reading.problem(`${nameOf(html.file)}: cannot be read: ${(error as Error).message}`)
      page.broken ??= failure
    }
  }
  // With both, the .mjs is the element <page-NAME> that the .html page may use.
  return { page: { file: main.file, markup, tag: html ? undefined : tag, broken: page.broken }, element }
}

/** Reads the pages below `dir`: `.html` and `.mjs` files, grouped by the URLs they match. */
export async function readPages(dir: string, reading: Reading): Promise<PageSet> {
  const scan = await scanRoutes(dir, PAGE_EXTENSIONS)
  for (const { file, message } of scan.problems) reading.problem(`${nameOf(file)}: ${message}`)
  const claimed = new Map<string, string>()
  // Sorted one after another, in file order, so that which page keeps a contested tag does not depend on timing.
  const sorted = [...groupByKey(scan.files).values()].map((files) => sortFiles(files, claimed, reading))
  const read = await Promise.all(sorted.map((page) => readPage(page, reading)))
  const set: PageSet = { patterns: [], pages: new Map(), elements: {} }
  sorted.forEach(({ main, tag }, i) => {
    const { page, element } = read[i] as { page: Page; element: Element | undefined }
    set.pages.set(main.pattern, page)
    if (!isErrorPage(main.segments)) set.patterns.push(main.pattern)
    if (tag && element) set.elements[tag] = element
  })
  set.patterns.sort()
  return set
}
