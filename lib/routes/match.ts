import FindMyWay from 'find-my-way'
import type { Route } from './table.js'

export interface Match {
  route: Route
  params: Record<string, string>
}

/** A path whose percent-encoding is malformed, inside a route's URL space. */
export const BAD_URL = Symbol('bad url')

type Router = ReturnType<typeof FindMyWay>

const noop = () => {}
const badUrlHandler = () => {}

/** The pattern in find-my-way's syntax: `$name` is `:name`, `$$` is `*`. */
function routerPath(route: Route): string {
  const parts = route.segments.map((s) =>
    s.kind === 'static' ? s.value.replaceAll(':', '::') : s.kind === 'param' ? `:${s.name}` : '*',
  )
  return `/${parts.join('/')}`
}

function compile(routes: readonly Route[], caseSensitive: boolean): Router {
  const router = FindMyWay({
    caseSensitive,
    ignoreTrailingSlash: true,
    maxParamLength: 2048,
    onBadUrl: badUrlHandler,
  })
  for (const route of routes) router.on('GET', routerPath(route), noop, route)
  return router
}

/**
 * The compiled matcher: a radix tree (find-my-way), so that a lookup costs in
 * proportion to the path's depth, not to the number of routes. One tree for
 * case-sensitive routing and one, built on first use, for insensitive routing.
 */
export class Matcher {
  readonly routes: readonly Route[]
  #sensitive: Router | undefined
  #insensitive: Router | undefined

  constructor(routes: readonly Route[]) {
    this.routes = routes
  }

  #router(caseSensitive: boolean): Router {
    if (caseSensitive) {
      this.#sensitive ??= compile(this.routes, true)
      return this.#sensitive
    }
    this.#insensitive ??= compile(this.routes, false)
    return this.#insensitive
  }

  /** Finds the route for a path (without query string); BAD_URL when a route would match but the path cannot be decoded. */
  match(path: string, caseSensitive: boolean): Match | null | typeof BAD_URL {
    const router = this.#router(caseSensitive)
    const found = router.find('GET', path)
    if (found === null) return null
    if (found.store == null) {
      // Only a 400 when the path is one of ours; other apps' URLs fall through.
      const escaped = router.find('GET', path.replaceAll('%', '%25'))
      return escaped === null || escaped.store == null ? null : BAD_URL
    }
    const route = found.store as Route
    const raw = found.params
    const params: Record<string, string> = {}
    for (const key in raw) {
      const value = raw[key] as string
      if (key === '*') params.$$ = value.endsWith('/') ? value.slice(0, -1) : value
      else params[key] = value
    }
    return { route, params }
  }
}
