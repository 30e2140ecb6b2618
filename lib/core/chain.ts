import { isHttpError } from 'http-errors'
import type { EnhanceApiFn, EnhanceApiReq, EnhanceApiRes } from '../../types/index.js'
import { httpError, isErrorStatus } from '../errors.js'
import { statusOf } from './negotiate.js'
import { checkKeys } from './response-keys.js'

function check(result: unknown, label: string): EnhanceApiRes {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    const kind = result === null ? 'null' : Array.isArray(result) ? 'an array' : `a ${typeof result}`
    throw httpError(500, `${label} returned ${kind}, not a response object`)
  }
  const response = result as EnhanceApiRes
  checkKeys(response, label)
  if (response.location !== undefined && typeof response.location !== 'string') {
    throw httpError(500, `${label} returned a location that is not a string`)
  }
  const status = statusOf(response)
  // 1xx are interim answers: one can never end a response (the client would wait for the real one).
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw httpError(500, `${label} returned an invalid status ${String(status)}`)
  }
  return response
}

/** The errors made here for what a handler threw: `errors: 'next'` hands over the thrown error itself. */
export const handlerThrew = new WeakSet<Error>()

function failure(thrown: unknown, label: string): Error {
  // An HTTP error thrown on purpose (`throw createError(404)`) keeps its status.
  if (isHttpError(thrown) && isErrorStatus(thrown.status)) return thrown
  const error = httpError(500, `${label} threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`, thrown)
  handlerThrew.add(error)
  return error
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'
}

/** Calls one function of a chain; what it throws becomes an HTTP error. */
function call(fn: EnhanceApiFn, request: EnhanceApiReq, label: string): unknown {
  try {
    return fn(request)
  } catch (thrown) {
    throw failure(thrown, label)
  }
}

/** The rest of a chain once one of its functions has returned a promise (or thenable). */
async function finishChain(
  pending: PromiseLike<unknown>,
  chain: readonly EnhanceApiFn[],
  from: number,
  request: EnhanceApiReq,
  label: string,
): Promise<EnhanceApiRes> {
  let result: unknown = pending
  for (let i = from; ; i++) {
    if (isThenable(result)) {
      try {
        result = await result
      } catch (thrown) {
        throw failure(thrown, label)
      }
    }
    if (result !== undefined) return check(result, label)
    const fn = chain[i]
    if (fn === undefined) return { json: {} }
    result = call(fn, request, label)
  }
}

/**
 * Runs a handler or chain: each function gets the same request; the first one
 * that returns a response ends the chain; none at all answers `{ json: {} }`.
 * `label` (file and method) names the culprit in errors.
 *
 * While the functions return plain values the chain runs synchronously and
 * returns the response itself (no promise, no microtask turn); from the first
 * one that returns a promise on, it returns a promise. A failure is thrown
 * (sync) or rejected (async) as an HTTP error.
 */
export function runChain(
  chain: readonly EnhanceApiFn[],
  request: EnhanceApiReq,
  label: string,
): EnhanceApiRes | Promise<EnhanceApiRes> {
  for (let i = 0; i < chain.length; i++) {
    const result = call(chain[i] as EnhanceApiFn, request, label)
    if (isThenable(result)) return finishChain(result, chain, i + 1, request, label)
    if (result !== undefined) return check(result, label)
  }
  return { json: {} }
}
