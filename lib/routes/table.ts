import type { EnhanceError, EnhanceMethod } from '../../types/index.js'
import { httpError } from '../errors.js'
import { allowHeader } from '../methods.js'
import type { LoadedModule } from '../modules.js'
import { conflictMessage, groupByKey, keyOf, pageSegments } from './group.js'
import { patternOf, type ScannedFile, type Segment } from './scan.js'

interface RouteBase {
  /** The pattern in the file conventions: `/shop/$product`. */
  pattern: string
  segments: Segment[]
  /** The renderer's own pattern for this route's page (`/shop/$item` may serve `/shop/$product`), if it has one. */
  page: string | undefined
}

/** A route answered by an API module (and maybe a page). */
export interface ApiRoute extends RouteBase {
  kind: 'api'
  /** The `Allow` header: the module's methods, and GET when only its page answers GET. */
  allow: string
  /** The file's path relative to the working folder, for messages. */
  name: string
  file: string
  module: LoadedModule
}

/** A page without an API file: it renders with empty state. */
export interface PageRoute extends RouteBase {
  kind: 'page'
}

/** A route whose API file failed to load or conflicts with another: every request answers its error. */
export interface BrokenRoute extends RouteBase {
  kind: 'broken'
  name: string
  file: string
  error: EnhanceError
}

export type Route = ApiRoute | PageRoute | BrokenRoute

/** A URL pattern and the files that claim it, before any module is imported. */
export interface PlannedRoute extends RouteBase {
  /** The API file (the first, when several claim the pattern). */
  api: ScannedFile | undefined
  /** Why the route cannot load: two API files with one pattern. */
  conflict: string | undefined
}

/** Segments compare static < param < catch-all, then static values alphabetically. */
const rank = { static: 0, param: 1, catchall: 2 } as const

function compareSegments(a: readonly Segment[], b: readonly Segment[]): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a[i] as Segment
    const y = b[i] as Segment
    if (x.kind !== y.kind) return rank[x.kind] - rank[y.kind]
    if (x.kind === 'static' && y.kind === 'static' && x.value !== y.value) return x.value < y.value ? -1 : 1
  }
  // A shorter pattern first, but a catch-all after everything that shares its prefix.
  return a.length - b.length
}

/**
 * The routes in match order, from the API files and the renderer's page
 * patterns, with the problems to report: two API files with one pattern, and
 * page patterns that cannot be routes.
 */
export function planRoutes(
  apiFiles: readonly ScannedFile[],
  pagePatterns: Iterable<string>,
  nameOf: (file: string) => string,
): { planned: PlannedRoute[]; problems: string[] } {
  const byKey = new Map<string, PlannedRoute>()
  const problems: string[] = []
  for (const [key, files] of groupByKey(apiFiles)) {
    const file = files[0] as ScannedFile
    const conflict =
      files.length > 1
        ? conflictMessage(
            files.map((f) => nameOf(f.file)),
            file.pattern,
          )
        : undefined
    if (conflict !== undefined) problems.push(conflict)
    byKey.set(key, { pattern: file.pattern, segments: file.segments, page: undefined, api: file, conflict })
  }
  for (const pattern of pagePatterns) {
    const segments = pageSegments(pattern)
    if (typeof segments === 'string') {
      problems.push(`page ${pattern}: ${segments}`)
      continue
    }
    const key = keyOf(segments)
    const existing = byKey.get(key)
    if (existing) existing.page = pattern
    else byKey.set(key, { pattern: patternOf(segments), segments, page: pattern, api: undefined, conflict: undefined })
  }
  const planned = [...byKey.values()].sort((a, b) => compareSegments(a.segments, b.segments))
  return { planned, problems }
}

/** A planned route with its module imported (or the error that stopped it). */
export function toRoute(
  plan: PlannedRoute,
  loaded: LoadedModule | Error | undefined,
  nameOf: (file: string) => string,
): Route {
  const { pattern, segments, page, api } = plan
  if (api === undefined) return { kind: 'page', pattern, segments, page }
  const name = nameOf(api.file)
  const broken = (error: EnhanceError): Route => ({
    kind: 'broken',
    pattern,
    segments,
    page,
    name,
    file: api.file,
    error,
  })
  if (plan.conflict !== undefined) return broken(httpError(500, plan.conflict))
  if (loaded === undefined) return broken(httpError(500, `route module ${name} was not loaded`))
  if (loaded instanceof Error) return broken(httpError(500, `route module ${name} ${loaded.message}`, loaded))
  const methods = Object.keys(loaded.handlers) as EnhanceMethod[]
  // A page answers GET for an API file without `get`: the page renders with empty state.
  const allow =
    page !== undefined && loaded.handlers.GET === undefined ? allowHeader(['GET', ...methods]) : loaded.allow
  return { kind: 'api', pattern, segments, page, name, file: api.file, module: loaded, allow }
}
