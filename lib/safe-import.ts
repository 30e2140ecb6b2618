/**
 * `import()` for route files, pages and elements, safe from one Node bug: on
 * Node 20, when an ES module imports a CommonJS package that throws while it
 * loads, `import()` rejects with the error (which we catch and report) and
 * then a second, internal promise rejects with the same error, unhandled, and
 * that ends the process (nodejs/node#51603). While our imports are under way,
 * a listener drops that second rejection of an error our own import already
 * rejected with; any other unhandled rejection keeps Node's default.
 */

const failedImports = new WeakSet<object>()
let underWay = 0

function dropSecondRejection(reason: unknown): void {
  if (reason !== null && typeof reason === 'object' && failedImports.has(reason)) return
  // We are the only listener: do what Node does without one (end the process with the error).
  if (process.listenerCount('unhandledRejection') === 1) {
    process.nextTick(() => {
      throw reason
    })
  }
}

function settled(): void {
  // Node reports unhandled rejections once the microtasks have run: by the next turn of the loop it has.
  setImmediate(() => {
    underWay -= 1
    if (underWay === 0) process.off('unhandledRejection', dropSecondRejection)
  })
}

export async function safeImport(href: string): Promise<Record<string, unknown>> {
  if (underWay === 0) process.on('unhandledRejection', dropSecondRejection)
  underWay += 1
  try {
    return (await import(href)) as Record<string, unknown>
  } catch (error) {
    if (error !== null && typeof error === 'object') failedImports.add(error)
    throw error
  } finally {
    settled()
  }
}
