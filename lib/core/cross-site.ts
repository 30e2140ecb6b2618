import type { EnhanceError } from '../../types/index.js'
import { httpError } from '../errors.js'
import { UNSAFE_METHODS } from '../methods.js'

/** What a cross-site check reads of a request. */
export interface CrossSiteFacts {
  method: string | undefined
  /** The `Origin` header. */
  origin: string | undefined
  /** The `Sec-Fetch-Site` header. */
  fetchSite: string | undefined
  /** This site's origin as the request reached it (scheme and host, as `trust proxy` reads them); undefined when unknown. */
  ownOrigin: () => string | undefined
}

/** An origin as browsers serialize it (lower case, no default port); undefined when it is none. */
function normalized(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined
  const serialized = new URL(origin).origin
  return serialized === 'null' ? undefined : serialized
}

/**
 * The refusal of a cross-site unsafe request (SPEC section 9), or undefined
 * when it may go on. Browsers send `Origin` with every unsafe request and
 * `Sec-Fetch-Site` with every request; a client that sends neither (curl, a
 * server, supertest) is not a browser acting for somebody else, and is served.
 * Unlike a check of form content types only, a JSON or `text/plain` post from
 * another site is refused too.
 */
export function crossSiteRefusal(facts: CrossSiteFacts, trusted: ReadonlySet<string>): EnhanceError | undefined {
  if (!UNSAFE_METHODS.has(facts.method ?? '')) return undefined
  const { origin, fetchSite } = facts
  if (origin === undefined && fetchSite !== 'cross-site') return undefined
  const from = origin === undefined ? undefined : normalized(origin)
  if (from !== undefined && trusted.has(from)) return undefined
  if (fetchSite !== 'cross-site' && from !== undefined) {
    const own = facts.ownOrigin()
    if (own !== undefined && from === normalized(own)) return undefined
  }
  const source = origin === undefined ? 'another site (Sec-Fetch-Site: cross-site)' : `origin ${origin}`
  return httpError(
    403,
    `Forbidden: a cross-site ${facts.method} from ${source} is refused; name the origins you trust with the csrf option`,
  )
}
