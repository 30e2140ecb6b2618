import type { EnhanceError } from '../../types/index.js'
import { httpError } from '../errors.js'
import type { LoadedModule } from '../load.js'
import { patternOf, type ScannedFile, type Segment, segmentsOf } from './scan.js'

/** One route: a URL pattern with its API module and/or page. */
export interface Route {
  pattern: string
  segments: Segment[]
  apiFile: string | undefined
  /** Path of the API file relative to the project folder, for messages. */
  apiName: string | undefined
  page: boolean
  module: LoadedModule | undefined
  /** Set when the API file failed to load: every request to the route answers it. */
  loadError: EnhanceError | undefined
}

export interface TableProblem {
  files: string[]
  message: string
}

/** Segments compare static < param < catch-all, then static values alphabetically. */
const rank = { static: 0, param: 1, catchall: 2 } as const

export function compareSegments(a: readonly Segment[], b: readonly Segment[]): number {
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

/** Two patterns conflict when they match the same URLs: param names do not matter. */
export function keyOf(segments: readonly Segment[]): string {
  return segments.map((s) => (s.kind === 'static' ? `s:${s.value}` : s.kind === 'param' ? ':' : '*')).join('/')
}

/** Parses a page pattern given by a renderer (`/`, `/shop/$product`). */
export function pageSegments(pattern: string): Segment[] | string {
  const trimmed = pattern.replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? [] : segmentsOf(trimmed)
}

/**
 * Builds the route table in match order from the API files and the renderer's
 * page patterns. Two API files with one pattern are a problem: the route answers
 * a 500 that names both.
 */
export function buildTable(
  apiFiles: readonly ScannedFile[],
  pagePatterns: Iterable<string>,
  nameOf: (file: string) => string,
): { routes: Route[]; problems: TableProblem[] } {
  const byKey = new Map<string, Route>()
  const owners = new Map<string, ScannedFile[]>()
  const problems: TableProblem[] = []
  for (const file of apiFiles) {
    const key = keyOf(file.segments)
    const list = owners.get(key)
    if (list) list.push(file)
    else owners.set(key, [file])
  }
  for (const [key, files] of owners) {
    const file = files[0] as ScannedFile
    let conflict: string | undefined
    if (files.length > 1) {
      const names = files.map((f) => nameOf(f.file))
      conflict = `${names.join(' and ')} map to the same URL pattern ${file.pattern}`
      problems.push({ files: names, message: conflict })
    }
    byKey.set(key, {
      pattern: file.pattern,
      segments: file.segments,
      apiFile: file.file,
      apiName: nameOf(file.file),
      page: false,
      module: undefined,
      loadError: conflict === undefined ? undefined : httpError(500, conflict),
    })
  }
  for (const pattern of pagePatterns) {
    const segments = pageSegments(pattern)
    if (typeof segments === 'string') {
      problems.push({ files: [pattern], message: `page ${pattern}: ${segments}` })
      continue
    }
    const key = keyOf(segments)
    const existing = byKey.get(key)
    if (existing) existing.page = true
    else
      byKey.set(key, {
        pattern: patternOf(segments),
        segments,
        apiFile: undefined,
        apiName: undefined,
        page: true,
        module: undefined,
        loadError: undefined,
      })
  }
  const routes = [...byKey.values()].sort((a, b) => compareSegments(a.segments, b.segments))
  return { routes, problems }
}
