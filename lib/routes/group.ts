import { type Segment, segmentsOf } from './scan.js'

/** Two patterns conflict when they match the same URLs: param names do not matter. */
export function keyOf(segments: readonly Segment[]): string {
  return segments.map((s) => (s.kind === 'static' ? `s:${s.value}` : s.kind === 'param' ? ':' : '*')).join('/')
}

/** Parses a pattern written in the file conventions (`/`, `/shop/$product`), as renderers give them. */
export function pageSegments(pattern: string): Segment[] | string {
  const trimmed = pattern.replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? [] : segmentsOf(trimmed)
}

/** Groups items by the URLs their segments match, in the order first seen. */
export function groupByKey<T extends { segments: readonly Segment[] }>(items: Iterable<T>): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item.segments)
    const list = groups.get(key)
    if (list) list.push(item)
    else groups.set(key, [item])
  }
  return groups
}

/** The message for files that claim one URL pattern. */
export function conflictMessage(names: readonly string[], pattern: string): string {
  return `${names.join(' and ')} map to the same URL pattern ${pattern}`
}

/** A top-level page named after an error status (`/404`, `/500`) is the page for that error, not a route. */
export function isErrorPage(segments: readonly Segment[]): boolean {
  const [only] = segments
  return segments.length === 1 && only?.kind === 'static' && /^[45]\d\d$/.test(only.value)
}
