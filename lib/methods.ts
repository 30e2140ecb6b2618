import type { EnhanceMethod } from '../types/index.js'

/**
 * The one method table: each route module export, the method it answers, and
 * the HTTP methods that reach it. HEAD runs `get` (without a body); `delete`
 * is accepted as a name for `destroy`.
 */
export const METHOD_EXPORTS: readonly (readonly [exportName: string, method: EnhanceMethod])[] = [
  ['get', 'GET'],
  ['post', 'POST'],
  ['put', 'PUT'],
  ['patch', 'PATCH'],
  ['destroy', 'DELETE'],
  ['delete', 'DELETE'],
  ['head', 'HEAD'],
  ['options', 'OPTIONS'],
]

/** The export that answers a method, as errors name it (`notes.mjs destroy threw`). */
export const EXPORT_OF: Readonly<Record<EnhanceMethod, string>> = {
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'destroy',
  HEAD: 'head',
  OPTIONS: 'options',
}

const BY_HTTP_METHOD: Readonly<Record<string, EnhanceMethod>> = {
  GET: 'GET',
  HEAD: 'GET',
  POST: 'POST',
  PUT: 'PUT',
  PATCH: 'PATCH',
  DELETE: 'DELETE',
}

/**
 * The handler method an HTTP method runs, or undefined when no handler can
 * answer it: HEAD runs `get` unless the module exports `head`; OPTIONS runs
 * only a module's own `options`.
 */
export function methodOf(
  httpMethod: string | undefined,
  exported?: { HEAD?: unknown; OPTIONS?: unknown },
): EnhanceMethod | undefined {
  if (httpMethod === 'HEAD' && exported?.HEAD !== undefined) return 'HEAD'
  if (httpMethod === 'OPTIONS') return exported?.OPTIONS !== undefined ? 'OPTIONS' : undefined
  return httpMethod === undefined ? undefined : BY_HTTP_METHOD[httpMethod]
}

/** Methods that change state: the ones a cross-site request must not reach. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

// One `Allow` value per method set, shared by every module that answers the same methods.
const allowValues = new Map<string, string>()

/** The `Allow` header of a set of methods: HEAD after GET, OPTIONS last. */
export function allowHeader(methods: Iterable<EnhanceMethod>): string {
  const list: string[] = []
  for (const method of methods) {
    if (method === 'OPTIONS' || list.includes(method)) continue
    list.push(method)
    if (method === 'GET' && !list.includes('HEAD')) list.push('HEAD')
  }
  list.push('OPTIONS')
  const value = list.join(', ')
  const shared = allowValues.get(value)
  if (shared !== undefined) return shared
  allowValues.set(value, value)
  return value
}

/** What a page-only route answers. */
export const PAGE_ONLY_ALLOW = allowHeader(['GET'])
