// One contender as its own server process on 127.0.0.1, started by bench/run.ts
// with a JSON config in argv[2]. It reports its port (or its start-up time) over
// IPC and answers `rss` messages with its memory use.

import { readdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import enhance from '@enhance/ssr'
import express, { type Express } from 'express'
import { createRouter } from 'express-file-routing'
import { ITEM_LIST_ELEMENT_NAME, itemListElement, pageStore } from './fixtures.js'

export type Contender =
  /** app.use(enhanceRoutes({ root })) */
  | 'enhance'
  /** one app.get('/r/<i>/:id') + res.json per route, and app.post('/items', express.json(), ...) */
  | 'express'
  /** express-file-routing over the same routes */
  | 'peer'
  /** one app.use that writes the JSON by hand */
  | 'floor'
  /** @enhance/ssr called by hand in app.get('/page') */
  | 'ssr'

export interface ServerConfig {
  contender: Contender
  /** the fixture's temp folder */
  root: string
  /** how many r/<i> routes the fixture holds */
  routes: number
  /** the app folder enhanceRoutes() mounts (JSON figures: <root>/app; HTML figure: <root>/site) */
  app?: string
  /** start-up mode: report how long `ready` takes, then exit */
  startup?: boolean
  /** another compiled build of the package (its lib/index.js), to compare builds */
  lib?: string
  /** a fixture's app folder whose route modules the process imports before serving, without routing them (the modules' own cost) */
  preload?: string
}

export type ChildMessage =
  | { type: 'listening'; port: number; lastPath: string | undefined }
  | { type: 'startup'; ms: number; routes: number }
  | { type: 'rss'; rss: number; heapUsed: number }
  | { type: 'cpu'; micros: number }
  | { type: 'error'; message: string }

const send = (message: ChildMessage) => process.send?.(message)

const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig
type Lib = typeof import('../lib/index.js')
const { enhanceRoutes }: Lib = config.lib
  ? await import(pathToFileURL(config.lib).href)
  : await import('../lib/index.js')

function floor(app: Express): void {
  app.use((req, res, next) => {
    const url = req.url
    if (!url.startsWith('/r/')) return next()
    const slash = url.indexOf('/', 3)
    const end = url.indexOf('?')
    const route = Number(url.slice(3, slash))
    const id = decodeURIComponent(url.slice(slash + 1, end === -1 ? undefined : end))
    const body = JSON.stringify({ route, id, name: `item ${id} of route ${route}`, tags: ['a', 'b'] })
    res.statusCode = 200
    res.setHeader('Content-Type', 'application/json; charset=utf-8')
    res.setHeader('Content-Length', Buffer.byteLength(body))
    res.end(body)
  })
}

function handWritten(app: Express, routes: number): void {
  app.post('/items', express.json(), (req, res) => {
    res.status(201).json({ ok: true, item: req.body })
  })
  for (let i = 0; i < routes; i++) {
    app.get(`/r/${i}/:id`, (req, res) => {
      const id = req.params.id
      res.json({ route: i, id, name: `item ${id} of route ${i}`, tags: ['a', 'b'] })
    })
  }
}

/** The document around the page: the same head enhancePages writes by default. */
const DOCUMENT_HEAD =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>'

function ssrByHand(app: Express): void {
  const elements = { [ITEM_LIST_ELEMENT_NAME]: itemListElement }
  app.get('/page', (_req, res) => {
    const html = enhance({ elements, initialState: pageStore() })
    res.type('html').send(html`${DOCUMENT_HEAD}<item-list></item-list>`)
  })
}

/** The paths of the app's routes in registration order (express-file-routing's follows readdir). */
function routePaths(app: Express): string[] {
  const stack = (app.router as unknown as { stack: { route?: { path: string } }[] }).stack
  return stack.flatMap((layer) => (layer.route ? [layer.route.path] : []))
}

async function startup(): Promise<void> {
  const started = performance.now()
  if (config.contender === 'peer') {
    const app = express()
    await createRouter(app, { directory: join(config.root, 'routes') })
    send({ type: 'startup', ms: performance.now() - started, routes: routePaths(app).length })
    return
  }
  const middleware = enhanceRoutes({ root: config.app ?? join(config.root, 'app') })
  await middleware.ready
  send({ type: 'startup', ms: performance.now() - started, routes: middleware.routes().length })
}

/** Imports every route module under `<app>/api/r` and keeps them (as a router would), routing none. */
async function preload(appDir: string): Promise<unknown[]> {
  const dir = join(appDir, 'api', 'r')
  const files = readdirSync(dir).flatMap((name) => readdirSync(join(dir, name)).map((file) => join(dir, name, file)))
  return Promise.all(files.map((file) => import(pathToFileURL(file).href)))
}

/** Modules imported by `preload`, kept alive for the life of the process. */
const preloaded: unknown[] = []

async function serve(): Promise<void> {
  if (config.preload) preloaded.push(...(await preload(config.preload)))
  const app = express()
  let lastPath: string | undefined
  switch (config.contender) {
    case 'enhance': {
      const middleware = enhanceRoutes({ root: config.app ?? join(config.root, 'app') })
      app.use(middleware)
      await middleware.ready
      break
    }
    case 'express':
      handWritten(app, config.routes)
      break
    case 'peer':
      await createRouter(app, { directory: join(config.root, 'routes') })
      lastPath = routePaths(app).at(-1)
      break
    case 'floor':
      floor(app)
      break
    case 'ssr':
      ssrByHand(app)
      break
  }
  const server = app.listen(0, '127.0.0.1', () => {
    send({ type: 'listening', port: (server.address() as AddressInfo).port, lastPath })
  })
}

process.on('message', (message: { type?: string; settle?: boolean }) => {
  if (message.type === 'rss') {
    // `settle`: first a full GC (the memory figure's server runs with --expose-gc), so the reading shows what the process keeps, not where the GC's sawtooth stood.
    if (message.settle && typeof globalThis.gc === 'function') {
      globalThis.gc()
      globalThis.gc()
    }
    const memory = process.memoryUsage()
    send({ type: 'rss', rss: memory.rss, heapUsed: memory.heapUsed })
  } else if (message.type === 'cpu') {
    const cpu = process.cpuUsage()
    send({ type: 'cpu', micros: cpu.user + cpu.system })
  }
})
// The driver going away ends this process: no server outlives the bench.
process.on('disconnect', () => process.exit(0))

const main = config.startup ? startup() : serve()
main.then(
  () => {
    if (config.startup) process.exit(0)
  },
  (error: Error) => {
    send({ type: 'error', message: error.stack ?? error.message })
    process.exit(1)
  },
)
