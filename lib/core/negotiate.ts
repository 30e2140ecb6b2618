import Negotiator from 'negotiator'
import type { EnhanceApiRes, EnhanceMethod } from '../../types/index.js'

const OFFERED = ['text/html', 'application/json', 'text/json']
const cache = new Map<string, boolean>()
const CACHE_LIMIT = 500

/** `*\/*` alone, with parameters or not (`*\/*;q=0.8`): no preference between HTML and JSON. */
const ONLY_ANY = /^\s*\*\/\*\s*(?:;[^,]*)?$/

/** True when an Accept header names a preference between HTML and JSON. */
export function acceptDecides(accept: string | undefined): accept is string {
  if (accept === undefined || accept === '' || accept === '*/*') return false
  return !(accept.includes('*/*') && ONLY_ANY.test(accept))
}

/**
 * True when the client wants JSON: its Accept header prefers a JSON type to
 * HTML. With no Accept header (or only `*\/*`), a client that sends a JSON body
 * is a JSON client, as in Enhance.
 */
export function wantsJson(accept: string | undefined, sendsJson: boolean): boolean {
  if (!acceptDecides(accept)) return sendsJson
  let json = cache.get(accept)
  if (json === undefined) {
    const best = new Negotiator({ headers: { accept } }).mediaType(OFFERED)
    json = best === 'application/json' || best === 'text/json'
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(accept, json)
  }
  return json
}

export type Decision =
  | { kind: 'json'; status: number }
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'page'; status: number }

/** The status a response asks for: `statusCode` wins over `code` over `status`. */
export function statusOf(response: EnhanceApiRes): number | undefined {
  return response.statusCode ?? response.code ?? response.status
}

/** The decision table of SPEC section 6. */
export function decide(method: EnhanceMethod, json: boolean, response: EnhanceApiRes, hasPage: boolean): Decision {
  const status = statusOf(response)
  if (json) return { kind: 'json', status: status ?? 200 }
  const reads = method === 'GET' || method === 'HEAD'
  if (typeof response.location === 'string') {
    const redirect = status !== undefined && status >= 300 && status < 400 ? status : reads ? 302 : 303
    return { kind: 'redirect', status: redirect, location: response.location }
  }
  if (hasPage && (reads || method === 'POST')) return { kind: 'page', status: status ?? 200 }
  return { kind: 'json', status: status ?? 200 }
}
