import { join, relative, sep } from 'node:path'
import type { EnhanceElementArgs } from '../../../types/index.js'
import { scanRoutes } from '../../routes/scan.js'
import { failing, htmlFrom, nameOf, type Reading } from './problems.js'

export type Element = (args: EnhanceElementArgs) => string
/** Elements by tag name, as @enhance/ssr takes them. */
export type Elements = Record<string, Element>

// The ASCII subset of valid custom element names.
const TAG = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/

export const isTagName = (tag: string) => TAG.test(tag)

/** The render function of an element export, found where @enhance/ssr looks for it. */
export function renderOf(value: unknown): Element | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined
  const own = (value as { render?: unknown }).render
  if (typeof own === 'function') return own as Element
  const proto = (value as { prototype?: { render?: unknown } }).prototype?.render
  if (typeof proto === 'function') return proto as Element
  return typeof value === 'function' ? (value as Element) : undefined
}

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

/** The element of each `<dir>/**.mjs`; nested folders join with a dash: `foo/bar.mjs` is `<foo-bar>`. */
export async function readElementFolder(dir: string, reading: Reading): Promise<Elements> {
  const scan = await scanRoutes(dir, ['.mjs'])
  // A name that cannot be a route (`$`, `index`) can still be a tag: every .mjs file counts.
  const files = [...scan.files.map((f) => f.file), ...scan.problems.map((p) => p.file)]
  const found = await Promise.all(
    files.map(async (file): Promise<[string, Element] | undefined> => {
      const tag = relative(dir, file)
        .split(sep)
        .join('-')
        .replace(/\.mjs$/, '')
      if (!isTagName(tag)) {
        reading.problem(`${nameOf(file)}: "${tag}" is not a valid custom element name (lower case, with a dash)`)
        return undefined
      }
      const what = `element ${tag} (${nameOf(file)})`
      const imported = await reading.importDefault(file)
      if ('error' in imported) return [tag, failing(imported.error)]
      const render = renderOf(imported.value)
      if (render) return [tag, guard(render, what)]
      return [tag, failing(reading.problem(`${what}: its default export must be an element function`))]
    }),
  )
  return Object.fromEntries(found.filter((entry) => entry !== undefined))
}
