/** Keys that could reach a prototype when client input is merged into an object. */
export const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * The deepest nesting a request body may have. JSON.parse takes any depth, but
 * the code that handles a body (ours, the handler's, JSON.stringify) recurses:
 * a 10 kB body of 5000 `[` would overflow the call stack and answer 500.
 */
export const MAX_BODY_DEPTH = 512

/**
 * Removes the keys that could reach a prototype, at every depth, in place, and
 * returns how deep the value is nested. A loop, not recursion: no input is too
 * deep for it.
 */
export function cleanAndMeasure(value: unknown): number {
  let deepest = 0
  const stack: [unknown, number][] = [[value, 1]]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, depth] = next
    if (item === null || typeof item !== 'object') continue
    if (depth > deepest) deepest = depth
    if (Array.isArray(item)) {
      for (const child of item) stack.push([child, depth + 1])
      continue
    }
    const record = item as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (UNSAFE_KEYS.has(key)) delete record[key]
      else stack.push([record[key], depth + 1])
    }
  }
  return deepest
}

/** Removes the keys that could reach a prototype, at every depth, in place. */
export function dropUnsafeKeys<T>(value: T): T {
  cleanAndMeasure(value)
  return value
}
