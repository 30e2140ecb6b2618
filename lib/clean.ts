/** Keys that could reach a prototype when client input is merged into an object. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * The deepest nesting a request body may have. JSON.parse takes any depth, but
 * the code that handles a body (ours, the handler's, JSON.stringify) recurses:
 * a 10 kB body of 5000 `[` would overflow the call stack and answer 500.
 */
export const MAX_BODY_DEPTH = 512

/**
 * Removes the unsafe keys of one object or array and of everything in it, in
 * place, and returns the deepest level seen. It recurses (a loop of pushed
 * pairs costs as much again as JSON.parse itself), and it stops going down
 * past `limit`, so no input can overflow the stack: the caller then knows the
 * value is deeper than `limit` and was not cleaned below it.
 */
function walk(item: object, depth: number, limit: number): number {
  if (depth > limit) return depth
  let deepest = depth
  if (Array.isArray(item)) {
    for (let i = 0; i < item.length; i++) {
      deepest = deeper(item[i], depth, limit, deepest)
      if (deepest > limit) return deepest
    }
    return deepest
  }
  const record = item as Record<string, unknown>
  for (const key in record) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') delete record[key]
    else deepest = deeper(record[key], depth, limit, deepest)
    if (deepest > limit) return deepest
  }
  return deepest
}

/** The deepest level seen so far, after walking into `child` when it is an object or array. */
function deeper(child: unknown, depth: number, limit: number, deepest: number): number {
  if (child === null || typeof child !== 'object') return deepest
  const reached = walk(child, depth + 1, limit)
  return Math.max(reached, deepest)
}

/**
 * Removes the keys that could reach a prototype, at every depth up to
 * MAX_BODY_DEPTH, in place, and returns how deep the value is nested (a number
 * over MAX_BODY_DEPTH: deeper than that, and rejected by the caller).
 */
export function cleanAndMeasure(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0
  return walk(value, 1, MAX_BODY_DEPTH)
}

/** Removes the keys that could reach a prototype, at every depth, in place. */
export function dropUnsafeKeys<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (walk(value, 1, MAX_BODY_DEPTH) <= MAX_BODY_DEPTH) return value
  // Deeper than a body may be (a session, say): clean the rest with a loop, which no depth overflows.
  const stack: unknown[] = [value]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item === null || typeof item !== 'object') continue
    for (const key of Object.keys(item)) {
      if (UNSAFE_KEYS.has(key)) delete (item as Record<string, unknown>)[key]
      else stack.push((item as Record<string, unknown>)[key])
    }
  }
  return value
}
