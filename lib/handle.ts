import { isHttpError } from 'http-errors'
import type { EnhanceApiFn, EnhanceApiReq, EnhanceApiRes } from '../types/index.js'
import { httpError, toHttpError } from './errors.js'

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
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
    throw httpError(500, `${label} returned an invalid status ${String(status)}`)
  }
  return response
}

function failure(thrown: unknown, label: string): Error {
  // An HTTP error thrown on purpose (`throw createError(404)`) keeps its status.
  if (isHttpError(thrown)) return toHttpError(thrown)
  return httpError(500, `${label} threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`, thrown)
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'

/** The rest of a chain once one of its functions has returned a promise. */
async function finishChain(
  pending: PromiseLike<unknown>,
  chain: readonly EnhanceApiFn[],
  next: number,
  request: EnhanceApiReq,
  label: string,
): Promise<EnhanceApiRes> {
  let result: unknown
  try {
    result = await pending
  } catch (thrown) {
    throw failure(thrown, label)
  }
  if (result !== undefined) return check(result, label)
  for (let i = next; i < chain.length; i++) {
    try {
      result = (chain[i] as EnhanceApiFn)(request)
      if (isThenable(result)) result = await result
    } catch (thrown) {
      throw failure(thrown, label)
    }
    if (result !== undefined) return check(result, label)
  }
  return { json: {} }
}

/**
 * Runs a handler or chain: each function gets the same request; the first one
 * that returns a response ends the chain; none at all answers `{ json: {} }`.
 * `label` (file and method) names the culprit in errors.
 *
 * A chain of sync functions answers synchronously (no promise, no microtask);
 * from the first function that returns a promise on, the rest runs async.
 * Either way a failure is thrown (or rejected) as an HTTP error.
 */
export function runChain(
  chain: readonly EnhanceApiFn[],
  request: EnhanceApiReq,
  label: string,
): EnhanceApiRes | Promise<EnhanceApiRes> {
  for (let i = 0; i < chain.length; i++) {
    let result: unknown
    try {
      result = (chain[i] as EnhanceApiFn)(request)
    } catch (thrown) {
      throw failure(thrown, label)
    }
    if (isThenable(result)) return finishChain(result, chain, i + 1, request, label)
    if (result !== undefined) return check(result, label)
  }
  return { json: {} }
}
