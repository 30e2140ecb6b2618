// Before/after of a change to the hot path, when the machine is too noisy for
// req/s to show a few per cent: this build and a baseline build of the package
// (BENCH_BASELINE=dir, its lib/index.js) in one process, each mounted on a real
// Express app, fed real node:http request/response objects without a socket,
// in short alternating batches. It takes the CPU time of the JavaScript work per
// request (no kernel, no client), so it backs the optimization log, not the bars.
//
//   npm run bench:micro      (BENCH_BASELINE=bench/.build/baseline by default)
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import express, { type Express } from 'express'
import * as current from '../lib/index.js'
import { makeFixture } from './fixtures.js'

type Lib = typeof current

const baselineDir = resolve(process.env.BENCH_BASELINE ?? 'bench/.build/baseline')
const batches = Number(process.env.BENCH_BATCHES ?? 40)
const perBatch = Number(process.env.BENCH_PER_BATCH ?? 500)

const socket = new Socket()

interface Case {
  name: string
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: string
}

const cases: Case[] = [
  { name: 'GET JSON', method: 'GET', url: '/r/0/42', headers: { accept: 'application/json' } },
  {
    name: 'POST JSON',
    method: 'POST',
    url: '/items',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'widget', qty: 2, tags: ['x', 'y'] }),
  },
]

function exchange(app: Express, c: Case): Promise<ServerResponse> {
  const req = new IncomingMessage(socket)
  req.method = c.method
  req.url = c.url
  req.headers = { host: '127.0.0.1', ...c.headers }
  if (c.body !== undefined) {
    req.headers['content-length'] = String(Buffer.byteLength(c.body))
    req.push(c.body)
  }
  req.push(null)
  const res = new ServerResponse(req)
  app(req, res)
  return finished(res)
}

/** Resolves once the response has ended: microtask turns first, so that a promise-based path pays no extra event-loop turn. */
async function finished(res: ServerResponse): Promise<ServerResponse> {
  for (let turn = 0; turn < 100 && !res.writableEnded; turn++) await undefined
  while (!res.writableEnded) await new Promise((done) => setImmediate(done))
  return res
}

async function batch(app: Express, c: Case, count: number): Promise<number> {
  // CPU time, not wall time: time this process spends descheduled by other work does not count.
  const started = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const res = await exchange(app, c)
    if (res.statusCode >= 300) throw new Error(`${c.name}: status ${res.statusCode}`)
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / count
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

async function main(): Promise<void> {
  process.env.SESSION_SECRET ??= 'bench secret, not a real one'
  const baseline = (await import(pathToFileURL(join(baselineDir, 'lib', 'index.js')).href)) as Lib
  const fixture = makeFixture(1)
  try {
    const apps: [string, Express][] = []
    for (const [name, lib] of [
      ['this build', current],
      ['baseline', baseline],
    ] as const) {
      const app = express()
      const middleware = lib.enhanceRoutes({ root: join(fixture.root, 'app') })
      app.use(middleware)
      await middleware.ready
      apps.push([name, app])
    }
    console.log(`baseline: ${baselineDir}; ${batches} alternating batches of ${perBatch} requests per build`)
    for (const c of cases) {
      const times: number[][] = apps.map(() => [])
      for (const [, app] of apps) await batch(app, c, perBatch) // warm-up
      for (let b = 0; b < batches; b++) {
        for (let i = 0; i < apps.length; i++)
          times[i]?.push(await batch((apps[i] as [string, Express])[1], c, perBatch))
      }
      const [now, before] = times.map(median) as [number, number]
      console.log(
        `${c.name}: this build ${now.toFixed(2)} µs/request, baseline ${before.toFixed(2)} µs/request, baseline/this = ${(before / now).toFixed(3)}`,
      )
    }
  } finally {
    fixture.remove()
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message)
    process.exit(1)
  },
)
