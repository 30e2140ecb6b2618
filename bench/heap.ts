// How much live heap a route table holds, by part: `npm run bench:heap`.
// Each measurement runs in a fresh `node --expose-gc` child, so that one part's
// garbage or module cache never counts for another; heap is read after a full GC.
//   modules:       importing the N route modules by hand, nothing else
//   enhanceRoutes: app.use(enhanceRoutes()) over them, ready, one request answered
//   find-my-way:   a bare router with the same N patterns and one store each, one lookup
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { makeFixture } from './fixtures.js'

type Part = 'modules' | 'enhanceRoutes' | 'find-my-way'
const PARTS: Part[] = ['modules', 'enhanceRoutes', 'find-my-way']
const SIZES = [1, 1000]

function heap(): number {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().heapUsed
}

async function measure(part: Part, count: number): Promise<number> {
  const fixture = makeFixture(count)
  try {
    const before = heap()
    const keep: unknown[] = []
    if (part === 'modules') {
      const dir = join(fixture.app, 'api', 'r')
      for (const name of readdirSync(dir)) {
        for (const file of readdirSync(join(dir, name)))
          keep.push(await import(pathToFileURL(join(dir, name, file)).href))
      }
    } else if (part === 'enhanceRoutes') {
      const { default: express } = await import('express')
      const { enhanceRoutes } = await import('../lib/index.js')
      const middleware = enhanceRoutes({ root: fixture.app, session: false })
      await middleware.ready
      const server = express().use(middleware).listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      const { port } = server.address() as AddressInfo
      const answer = await fetch(`http://127.0.0.1:${port}/r/${count - 1}/42`, {
        headers: { accept: 'application/json' },
      })
      if (answer.status !== 200) throw new Error(`the route answered ${answer.status}`)
      await answer.arrayBuffer()
      server.close()
      server.closeAllConnections()
      keep.push(middleware)
    } else {
      const { default: FindMyWay } = await import('find-my-way')
      const router = FindMyWay({ ignoreTrailingSlash: true })
      for (let i = 0; i < count; i++) router.on('GET', `/r/${i}/:id`, () => {}, { route: i })
      if (router.find('GET', `/r/${count - 1}/42`) === null) throw new Error('find-my-way found no route')
      keep.push(router)
    }
    const after = heap()
    if (keep.length === 0) throw new Error('nothing was kept alive to measure')
    return after - before
  } finally {
    fixture.remove()
  }
}

const [part, size] = process.argv.slice(2)
if (part !== undefined) {
  // A child: one measurement, printed as bytes.
  console.log(String(await measure(part as Part, Number(size))))
} else {
  const self = fileURLToPath(import.meta.url)
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1)
  console.log('| routes | modules (MB) | enhanceRoutes in all (MB) | bare find-my-way (MB) |')
  console.log('|---:|---:|---:|---:|')
  for (const count of SIZES) {
    const cells = PARTS.map((name) =>
      mb(
        Number(execFileSync(process.execPath, ['--expose-gc', self, name, String(count)], { encoding: 'utf8' }).trim()),
      ),
    )
    console.log(`| ${count} | ${cells.join(' | ')} |`)
  }
}
