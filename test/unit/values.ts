/** Plain values the unit tests hand the pure parts: a request object and a render context. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EnhanceApiReq, RenderContext } from '../../lib/index.js'

/** A request object as handlers see it, for GET /notes/1; only its identity and what handlers add matter. */
export function requestObject(): EnhanceApiReq & Record<string, unknown> {
  return {
    body: {},
    method: 'GET',
    params: { id: '1' },
    pathParameters: { id: '1' },
    path: '/notes/1',
    query: {},
    session: {},
    headers: {},
  } as unknown as EnhanceApiReq & Record<string, unknown>
}

/** A render context for `pattern`; the Express pair is never read by the renderer's own code. */
export function contextFor(pattern: string, extra: Partial<RenderContext> = {}): RenderContext {
  return {
    pattern,
    request: { path: pattern } as unknown as EnhanceApiReq,
    state: { store: {} },
    status: 200,
    req: {} as IncomingMessage,
    res: {} as ServerResponse,
    ...extra,
  }
}
