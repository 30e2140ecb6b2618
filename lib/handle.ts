import { isHttpError } from 'http-errors'
import type { EnhanceApiFn, EnhanceApiReq, EnhanceApiRes } from '../types/index.js'
import { httpError, isErrorStatus } from './errors.js'

function check(result: unknown, label: string): EnhanceApiRes {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    const kind = result === null ? 'null' : Array.isArray(result) ? 'an array' : `a ${typeof result}`
    throw httpError(500, `${label} returned ${kind}, not a response object`)
  }
  const response = result as EnhanceApiRes
  if (response.location !== undefined && typeof response.location !== 'string') {
    throw httpError(500, `${label} returned a location that is not a string`)
  }
  const status = response.statusCode ?? response.code ?? response.status
  // 1xx are interim answers: one can never end a response (the client would wait for the real one).
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw httpError(500, `${label} returned an invalid status ${String(status)}`)
  }
  return response
}

/**
 * Runs a handler or chain: each function gets the same request; the first one
 * that returns a response ends the chain; none at all answers `{ json: {} }`.
 * `label` (file and method) names the culprit in errors.
 */
export async function runChain(
  chain: readonly EnhanceApiFn[],
  request: EnhanceApiReq,
  label: string,
): Promise<EnhanceApiRes> {
  for (const fn of chain) {
    let result: unknown
    try {
      result = fn(request)
      if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
        result = await result
      }
    } catch (thrown) {
      // An HTTP error thrown on purpose (`throw createError(404)`) keeps its status.
      if (isHttpError(thrown) && isErrorStatus(thrown.status)) throw thrown
      throw httpError(500, `${label} threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`, thrown)
    }
    if (result !== undefined) return check(result, label)
  }
  return { json: {} }
}
