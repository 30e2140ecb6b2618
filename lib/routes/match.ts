import type { Route } from './table.js'

export interface Match {
  route: Route
  params: Record<string, string>
}

/** A path whose percent-encoding is malformed, inside a route's URL space. */
export const BAD_URL = Symbol('bad url')

/** Longer param values do not match (as find-my-way's `maxParamLength`, which this matcher replaced). */
const MAX_PARAM_LENGTH = 2048

/** One path segment of the trie: where a static segment, a `$param` or a `$$` leads from here. */
interface Node {
  statics: Map<string, Node> | undefined
  param: Node | undefined
  /** The route whose `$$` stands at this position. */
  catchall: Route | undefined
  /** The route that ends here. */
  route: Route | undefined
}

const newNode = (): Node => ({ statics: undefined, param: undefined, catchall: undefined, route: undefined })

/** Param names in pattern order, per route; the trie collects values by position. */
const paramNames = new WeakMap<Route, string[]>()

function compile(routes: readonly Route[], caseSensitive: boolean): Node {
  const root = newNode()
  for (const route of routes) {
    let node = root
    const names: string[] = []
    for (const segment of route.segments) {
      if (segment.kind === 'catchall') {
        node.catchall ??= route
        break
      }
      if (segment.kind === 'param') {
        names.push(segment.name)
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
    if (route.segments.at(-1)?.kind !== 'catchall') node.route ??= route
    paramNames.set(route, names)
  }
  return root
}

/** The path's segments, percent-decoded; `bad` is set when one cannot be decoded (it stays raw). */
function split(path: string, state: { bad: boolean }): string[] {
  // A trailing slash matches the same route; `/` itself is the root.
  const end = path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f ? path.length - 1 : path.length
  if (end <= 1) return []
  const parts = path.slice(1, end).split('/')
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string
    if (part.includes('%')) {
      try {
        parts[i] = decodeURIComponent(part)
      } catch {
        state.bad = true
      }
    }
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
): Route | undefined {
  if (at === parts.length) return node.route
  const part = parts[at] as string
  const next = node.statics?.get(caseSensitive ? part : part.toLowerCase())
  if (next !== undefined) {
    const found = walk(next, parts, at + 1, values, caseSensitive)
    if (found !== undefined) return found
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
 * costs in proportion to the path's depth, not to the number of routes, and
 * holds one small node per distinct segment. One trie for case-sensitive
 * routing and one, built on first use, for insensitive routing.
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
    const state = { bad: false }
    const parts = split(path, state)
    const values: string[] = []
    const route = walk(this.#root(caseSensitive), parts, 0, values, caseSensitive)
    if (route === undefined) return null
    // Only a 400 when the path is one of ours; other apps' URLs fall through.
    if (state.bad) return BAD_URL
    const params: Record<string, string> = {}
    const names = paramNames.get(route) as string[]
    for (let i = 0; i < names.length; i++) params[names[i] as string] = values[i] as string
    if (values.length > names.length) params.$$ = values[names.length] as string
    return { route, params }
  }
}
