import type { Segment } from './scan.js'

type ParamSegment = Extract<Segment, { kind: 'param' }>

export interface Match<R> {
  route: R
  params: Record<string, string>
}

/** A path whose percent-encoding is malformed, inside a route's URL space. */
export const BAD_URL = Symbol('bad url')

/** Longer param values do not match (as find-my-way's `maxParamLength`). */
const MAX_PARAM_LENGTH = 2048

/** A route where the trie ends, with its param names in pattern order (the walk collects values by position). */
interface Leaf<R> {
  route: R
  names: readonly string[]
}

/** One position in the trie: where a static segment, a `$param` or a `$$` leads from here. */
interface Node<R> {
  statics: Map<string, Node<R>> | undefined
  param: Node<R> | undefined
  /** The route whose `$$` stands at this position. */
  catchall: Leaf<R> | undefined
  /** The route that ends here. */
  end: Leaf<R> | undefined
}

const newNode = <R>(): Node<R> => ({ statics: undefined, param: undefined, catchall: undefined, end: undefined })

const NON_ASCII = /[^ -~]/

/**
 * Case folding as Express's router does it: its path regexps carry the `i`
 * flag without `u`, so letters fold only where a letter's upper case is one
 * UTF-16 unit and an ASCII letter never meets a non-ASCII one (the Kelvin sign
 * is not `k`). Raw request paths are ASCII, which takes the quick branch.
 */
function foldCase(text: string): string {
  // Control characters fold to themselves, so only printable ASCII takes the quick branch's test.
  if (!NON_ASCII.test(text)) return text.toLowerCase()
  let folded = ''
  for (const unit of text) {
    if (unit.charCodeAt(0) < 0x80) {
      folded += unit.toLowerCase()
      continue
    }
    const upper = unit.toUpperCase()
    folded += upper.length === 1 && upper.charCodeAt(0) >= 0x80 ? upper : unit
  }
  return folded
}

function compile<R extends { segments: readonly Segment[] }>(routes: readonly R[], caseSensitive: boolean): Node<R> {
  const root = newNode<R>()
  for (const route of routes) {
    let node = root
    // Built by map, not push, so that the array has no spare capacity: the trie keeps one per route.
    const names = route.segments.filter((s): s is ParamSegment => s.kind === 'param').map((s) => s.name)
    const leaf: Leaf<R> = { route, names }
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
        const key = caseSensitive ? segment.value : foldCase(segment.value)
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

/** A path's segments; one trailing slash matches the same route unless routing is strict. */
function partsOf(path: string, strict: boolean): string[] {
  const trailing = path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f
  const end = trailing && !strict ? path.length - 1 : path.length
  return end <= 1 ? [] : splitPath(path, end)
}

/**
 * Walks the trie from the left, trying a static segment before a `$param`
 * before a `$$`, and backing up when a branch leads nowhere. Static segments
 * are compared with the raw, still-encoded path, as Express compares a mount
 * path: `/%61dmin` is not `/admin`, so a guard mounted at `/admin` in front
 * sees every request that reaches a route below it. Param values (raw here)
 * go to `values` in order; a catch-all's rest is its last value.
 */
function walk<R>(
  node: Node<R>,
  parts: readonly string[],
  at: number,
  values: string[],
  sensitive: boolean,
): Leaf<R> | undefined {
  if (at === parts.length) return node.end
  const part = parts[at] as string
  if (node.statics !== undefined) {
    const next = node.statics.get(sensitive ? part : foldCase(part))
    if (next !== undefined) {
      const found = walk(next, parts, at + 1, values, sensitive)
      if (found !== undefined) return found
    }
  }
  if (node.param !== undefined && part !== '' && part.length <= MAX_PARAM_LENGTH) {
    values.push(part)
    const found = walk(node.param, parts, at + 1, values, sensitive)
    if (found !== undefined) return found
    values.pop()
  }
  if (node.catchall !== undefined) {
    values.push(at === parts.length - 1 ? part : parts.slice(at).join('/'))
    return node.catchall
  }
  return undefined
}

/** Every route that matches the path at all, whatever its precedence (for DEBUG's "why this route"). */
function everyMatch<R>(node: Node<R>, parts: readonly string[], at: number, sensitive: boolean, out: R[]): void {
  if (at === parts.length) {
    if (node.end) out.push(node.end.route)
    return
  }
  const part = parts[at] as string
  const next = node.statics?.get(sensitive ? part : foldCase(part))
  if (next) everyMatch(next, parts, at + 1, sensitive, out)
  if (node.param && part !== '' && part.length <= MAX_PARAM_LENGTH)
    everyMatch(node.param, parts, at + 1, sensitive, out)
  if (node.catchall) out.push(node.catchall.route)
}

/** A param value URL-decoded (a catch-all's rest segment by segment); undefined when malformed. */
function decodeValue(raw: string): string | undefined {
  if (!raw.includes('%')) return raw
  try {
    return raw.includes('/') ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

/**
 * The compiled matcher: a trie of path segments, built once, so that a lookup
 * costs in proportion to the path's depth, not to the number of routes
 * (bench/RESULTS.md, "Third session"). One trie for case-sensitive routing and
 * one, built on first use, for insensitive routing.
 */
export class Matcher<R extends { segments: readonly Segment[] }> {
  readonly routes: readonly R[]
  #sensitive: Node<R> | undefined
  #insensitive: Node<R> | undefined

  constructor(routes: readonly R[]) {
    this.routes = routes
  }

  #root(caseSensitive: boolean): Node<R> {
    if (caseSensitive) {
      this.#sensitive ??= compile(this.routes, true)
      return this.#sensitive
    }
    this.#insensitive ??= compile(this.routes, false)
    return this.#insensitive
  }

  /**
   * Finds the route for a raw path (without query string); BAD_URL when a route
   * matches but one of its param values cannot be decoded. With `strict`, a
   * trailing slash is part of the path (Express's `strict routing`).
   */
  match(path: string, caseSensitive: boolean, strict = false): Match<R> | null | typeof BAD_URL {
    const values: string[] = []
    const leaf = walk(this.#root(caseSensitive), partsOf(path, strict), 0, values, caseSensitive)
    if (leaf === undefined) return null
    const params: Record<string, string> = {}
    const names = leaf.names
    for (let i = 0; i < values.length; i++) {
      const value = decodeValue(values[i] as string)
      // Only a 400 when the path is one of ours; other apps' URLs fall through.
      if (value === undefined) return BAD_URL
      params[i < names.length ? (names[i] as string) : '$$'] = value
    }
    return { route: leaf.route, params }
  }

  /** Every route that matches the path, in match order: the first is the one `match()` finds. */
  matchingRoutes(path: string, caseSensitive: boolean, strict = false): R[] {
    const found: R[] = []
    everyMatch(this.#root(caseSensitive), partsOf(path, strict), 0, caseSensitive, found)
    return this.routes.filter((route) => found.includes(route))
  }
}
