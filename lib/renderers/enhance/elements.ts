import { readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { EnhanceElementArgs } from '../../../types/index.js'
import { scanRoutes } from '../../routes/scan.js'
import { htmlElement } from './html-element.js'
import { failing, htmlFrom, nameOf, type Reading } from './problems.js'

export type Element = (args: EnhanceElementArgs) => string
/** Elements by tag name, as @enhance/ssr takes them. */
export type Elements = Record<string, Element>

// The ASCII subset of valid custom element names.
const TAG = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/

export const isTagName = (tag: string) => TAG.test(tag)

/** The `render` method of a class or object (a component), where @enhance/ssr looks for it. */
function renderMethodOf(value: unknown): Element | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined
  const own = (value as { render?: unknown }).render
  if (typeof own === 'function') return own as Element
  const proto = (value as { prototype?: { render?: unknown } }).prototype?.render
  return typeof proto === 'function' ? (proto as Element) : undefined
}

/** The render function of an element export: its render method, or the function itself. */
export const renderOf = (value: unknown): Element | undefined =>
  renderMethodOf(value) ?? (typeof value === 'function' ? (value as Element) : undefined)

/** Makes an element name itself (`what`) when it throws or returns something that is not HTML. */
export function guard(render: Element, what: string): Element {
  const threw = `${what} threw while rendering`
  return (args) => htmlFrom(render, args, what, threw)
}

/** The elements that `<root>/elements.mjs` maps tag names to, if the app has that file. */
export async function readElementMap(root: string, reading: Reading): Promise<Elements> {
  const file = join(root, 'elements.mjs')
  const imported = await reading.importOptional(file)
  if (imported === undefined || 'error' in imported) return {}
  const map = imported.value
  if (map === null || typeof map !== 'object') {
    reading.problem(`${nameOf(file)}: its default export must be an object of tag names to elements`)
    return {}
  }
  const elements: Elements = {}
  for (const [tag, value] of Object.entries(map)) {
    const render = renderOf(value)
    const what = `element ${tag} (${nameOf(file)})`
    if (render) elements[tag] = guard(render, what)
    else reading.problem(`${what} is not an element function`)
  }
  return elements
}

/** One file of an element folder and the tag it makes. */
interface TagFile {
  tag: string
  file: string
  what: string
}

/**
 * The files below `dir` with one of `extensions`, each with its tag: nested
 * folders join with a dash (`layout/page.html` is `<layout-page>`). A name that
 * is no tag is a problem, and left out; where two files make one tag, the later
 * in file order is the element (as in Enhance, whose later files overwrite), and
 * the pair is a problem.
 */
async function tagFiles(
  dir: string,
  extensions: readonly string[],
  kind: 'element' | 'component',
  reading: Reading,
): Promise<TagFile[]> {
  const scan = await scanRoutes(dir, extensions)
  // A name that cannot be a route (`$`, `index`) can still be a tag: every file counts.
  const files = [...scan.files.map((f) => f.file), ...scan.problems.map((p) => p.file)].sort()
  const byTag = new Map<string, TagFile>()
  for (const file of files) {
    const rel = relative(dir, file)
    const tag = rel.slice(0, rel.lastIndexOf('.')).split(sep).join('-')
    if (!isTagName(tag)) {
      reading.problem(`${nameOf(file)}: "${tag}" is not a valid custom element name (lower case, with a dash)`)
      continue
    }
    const earlier = byTag.get(tag)
    if (earlier)
      reading.warn(`${nameOf(earlier.file)} and ${nameOf(file)} make the same ${kind} ${tag}: the second is used`)
    byTag.set(tag, { tag, file, what: `${kind} ${tag} (${nameOf(file)})` })
  }
  return [...byTag.values()]
}

/** Reads each file's element; a file that fails stands in an element that throws why. */
async function readEach(files: TagFile[], read: (file: TagFile) => Promise<Element | undefined>): Promise<Elements> {
  const found = await Promise.all(files.map(async (file) => [file.tag, await read(file)] as const))
  const elements: Elements = {}
  for (const [tag, element] of found) if (element) elements[tag] = element
  return elements
}

/**
 * The element that a module's default export makes through `find`; a stand-in
 * that throws the load error when it fails to load; `null` when it makes none.
 */
async function importElement(
  { file, what }: TagFile,
  reading: Reading,
  find: (value: unknown) => Element | undefined,
): Promise<Element | null> {
  const imported = await reading.importDefault(file)
  if ('error' in imported) return failing(imported.error)
  const render = find(imported.value)
  return render ? guard(render, what) : null
}

/** The elements of `<dir>/**.mjs` (default export) and `<dir>/**.html` (HTML-only elements). */
export async function readElementFolder(dir: string, reading: Reading): Promise<Elements> {
  return readEach(await tagFiles(dir, ['.mjs', '.html'], 'element', reading), async (tagFile) => {
    const { file, what } = tagFile
    if (file.endsWith('.html')) {
      try {
        return guard(htmlElement(await readFile(file, 'utf8')), what)
      } catch (error) {
        return failing(reading.problem(`${nameOf(file)}: cannot be read: ${(error as Error).message}`, error))
      }
    }
    const element = await importElement(tagFile, reading, renderOf)
    return element ?? failing(reading.problem(`${what}: its default export must be an element function`))
  })
}

/**
 * The single-file components of `<dir>/**.mjs`: a class (or object) whose
 * `render` method renders it on the server, as Enhance reads them. One without
 * is left out with a warning, as Enhance does.
 */
export async function readComponentFolder(dir: string, reading: Reading): Promise<Elements> {
  return readEach(await tagFiles(dir, ['.mjs'], 'component', reading), async (tagFile) => {
    const element = await importElement(tagFile, reading, renderMethodOf)
    if (element === null) reading.warn(`${tagFile.what}: its default export has no render method, so it is left out`)
    return element ?? undefined
  })
}
