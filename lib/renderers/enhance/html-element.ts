import type { Element } from './elements.js'

// An HTML-only element (`app/elements/<tag>.html`) is its file's markup, with
// each `${path}` replaced by that path into the element's state, as Enhance
// fills them: `${attrs.title}`, `${store.user.name}`, `${attrs['data-x']}`,
// `${store.items[0]}`, `?.` allowed. The value goes in as text, unescaped, as
// an .mjs element's `${...}` does; a path that leads nowhere gives
// "undefined", as under Enhance. Enhance evaluates the text after `_.` as
// JavaScript; we read property paths only and run no code, so anything that
// is not a path (a call, an operator) reads as a missing key: "undefined".

/** A `${...}` of the template: the shortest run to the first `}` on its line, as Enhance reads it. */
const PLACEHOLDER = /\$\{(.*?)\}/g
const FIRST = /^\s*([A-Za-z_$][\w$]*)/
/** One step after the first name: `.name`, `?.name`, `[0]`, `?.[0]`, `['key']`, `["key"]`. */
const STEP = /^\s*(?:\??\.\s*([A-Za-z_$][\w$]*)|(?:\?\.)?\[\s*(?:(\d+)|'([^'\\]*)'|"([^"\\]*)")\s*\])/

/** The keys of a property path, or undefined when the text is not one. */
export function pathKeys(text: string): string[] | undefined {
  const first = FIRST.exec(text)
  if (!first) return undefined
  const keys = [first[1] as string]
  let rest = text.slice(first[0].length)
  while (rest.trim() !== '') {
    const step = STEP.exec(rest)
    if (!step) return undefined
    keys.push((step[1] ?? step[2] ?? step[3] ?? step[4]) as string)
    rest = rest.slice(step[0].length)
  }
  return keys
}

/** What `${text}` reads from `state`. */
export function lookup(state: object, text: string): unknown {
  const keys = pathKeys(text)
  if (keys === undefined) return (state as Record<string, unknown>)[text]
  let value: unknown = state
  for (const key of keys) {
    if (value === null || value === undefined) return undefined
    value = (Object(value) as Record<string, unknown>)[key]
  }
  return value
}

/** The element of an `.html` element file: its markup with the state filled in. */
export const htmlElement =
  (template: string): Element =>
  ({ state }) =>
    template.replace(PLACEHOLDER, (_whole, text: string) => String(lookup(state, text)))
