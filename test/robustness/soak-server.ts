/**
 * The soak's server, in its own process so that its memory is its own: the
 * robustness fixture app on 127.0.0.1. It answers `{ mem: true }` messages with
 * its memory after a full GC (run with --expose-gc).
 */
import { listen, makeApp } from './helpers.js'
import { LOAD_KEY } from './load-mix.js'

const { app, middleware } = makeApp({ session: { keys: [LOAD_KEY] } })
await middleware.ready
const served = await listen(app)
let unhandled = 0
process.on('unhandledRejection', () => {
  unhandled++
})

process.on('message', (message: { mem?: boolean; stop?: boolean }) => {
  if (message.mem) {
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    const { rss, heapUsed } = process.memoryUsage()
    process.send?.({ mem: { rss, heapUsed, gc: gc !== undefined }, unhandled })
  }
  if (message.stop) void served.close().then(() => process.exit(0))
})
process.send?.({ port: served.port })
