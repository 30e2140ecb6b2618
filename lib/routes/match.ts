import type { Segment } from './scan.js'
import type { Route } from './table.js'

type ParamSegment = Extract<Segment, { kind: 'param' }>

export interface Match {
  route: Route
  params: Record<string, string>
}

/** A path whose percent-encoding is malformed, inside a route's URL space. */
export const BAD_URL = Symbol('bad url')

/** Longer param values do not match (as find-my-way's `maxParamLength`, which this matcher replaced). */
const MAX_PARAM_LENGTH = 2048

/** A route where the trie ends, with its param names in pattern order (the walk collects values by position). */
interface Leaf {
  route: Route
  names: readonly string[]
}

/** One position in the trie: where a static segment, a `$param` or a `$$` leads from here. */
interface Node {
  statics: Map<string, Node> | undefined
  param: Node | undefined
  /** The route whose `$$` stands at this position. */
  catchall: Leaf | undefined
  /** The route that ends here. */
  end: Leaf | undefined
}

const newNode = (): Node => ({ statics: undefined, param: undefined, catchall: undefined, end: undefined })

function compile(routes: readonly Route[], caseSensitive: boolean): Node {
  const root = newNode()
  for (const route of routes) {
    let node = root
    // Built by map, not push, so that the array has no spare capacity: the trie keeps one per route.
    const names = route.segments.filter((s): s is ParamSegment => s.kind === 'param').map((s) => s.name)
    const leaf: Leaf = { route, names }
    let catchall = false
    for (const segment of route.segments) {
      if (segment.kind === 'catchall') {
        node.catchall ??= leaf
        catchall = true
        break
      }
      if (segment.kind === 'param') {
        node.param ??= newNode()
        node = node.param
      } else {
        const key = caseSensitive ? segment.value : segment.value.toLowerCase()
        node.statics ??= new Map()
        let next = node.statics.get(key)
        if (next === undefined) {
          next = newNode()
          node.statics.set(key, next)
        }
        node = next
      }
    }
    if (!catchall) node.end ??= leaf
  }
  return root
}

/** The path's segments up to `end` (indexOf and slice: cheaper than slice and split on the hot path). */
function splitPath(path: string, end: number): string[] {
  const parts: string[] = []
  let start = 1
  while (start <= end) {
    let stop = path.indexOf('/', start)
    if (stop === -1 || stop > end) stop = end
    parts.push(path.slice(start, stop))
    start = stop + 1
  }
  return parts
}

/**
 * Walks the trie from the left, trying a static segment before a `$param`
 * before a `$$`, and backing up when a branch leads nowhere. Param values go
 * to `values` in order; a catch-all's rest is its last value.
 */
function walk(
  node: Node,
  parts: readonly string[],
  at: number,
  values: string[],
  caseSensitive: boolean,
): Leaf | undefined {
  if (at === parts.length) return node.end
  const part = parts[at] as string
  if (node.statics !== undefined) {
    const next = node.statics.get(caseSensitive ? part : part.toLowerCase())
    if (next !== undefined) {
      const found = walk(next, parts, at + 1, values, caseSensitive)
      if (found !== undefined) return found
    }
  }
  if (node.param !== undefined && part !== '' && part.length <= MAX_PARAM_LENGTH) {
    values.push(part)
    const found = walk(node.param, parts, at + 1, values, caseSensitive)
    if (found !== undefined) return found
    values.pop()
  }
  if (node.catchall !== undefined) {
    values.push(at === parts.length - 1 ? part : parts.slice(at).join('/'))
    return node.catchall
  }
  return undefined
}

/**
 * The compiled matcher: a trie of path segments, built once, so that a lookup
 * costs in proportion to the path's depth, not to the number of routes. It
 * holds one small node per distinct segment: at 1000 routes about 2.4 MB less
 * live heap than find-my-way, which it replaced because a server's CPU per
 * request grows with the live heap it keeps (bench/RESULTS.md, "Third
 * session"). One trie for case-sensitive routing and one, built on first use,
 * for insensitive routing.
 */
export class Matcher {
  readonly routes: readonly Route[]
  #sensitive: Node | undefined
  #insensitive: Node | undefined

  constructor(routes: readonly Route[]) {
    this.routes = routes
  }

  #root(caseSensitive: boolean): Node {
    if (caseSensitive) {
      this.#sensitive ??= compile(this.routes, true)
      return this.#sensitive
    }
    this.#insensitive ??= compile(this.routes, false)
    return this.#insensitive
  }

  /** Finds the route for a path (without query string); BAD_URL when a route would match but the path cannot be decoded. */
  match(path: string, caseSensitive: boolean): Match | null | typeof BAD_URL {
    // A trailing slash matches the same route; `/` itself is the root.
    const end = path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f ? path.length - 1 : path.length
    const parts = end <= 1 ? [] : splitPath(path, end)
    let bad = false
    if (path.includes('%')) {
      for (let i = 0; i < parts.length; i++) {
        try {
          parts[i] = decodeURIComponent(parts[i] as string)
        } catch {
          // The segment stays raw; the path is a 400 if it matches a route at all.
          bad = true
        }
      }
    }
    const values: string[] = []
    const leaf = walk(this.#root(caseSensitive), parts, 0, values, caseSensitive)
    if (leaf === undefined) return null
    // Only a 400 when the path is one of ours; other apps' URLs fall through.
    if (bad) return BAD_URL
    const params: Record<string, string> = {}
    const names = leaf.names
    for (let i = 0; i < names.length; i++) params[names[i] as string] = values[i] as string
    if (values.length > names.length) params.$$ = values[names.length] as string
    return { route: leaf.route, params }
  }
}
