// The benchmark behind every performance claim (issue 5). `npm run bench`.
//
// Each contender runs as its own server process on 127.0.0.1 (bench/server.ts);
// this process drives them with autocannon, alternating A B B A ... for several
// rounds, and reports each figure as median(A req/s) / median(B req/s). Route
// folders are generated under the OS temp folder and removed afterwards.
//
// Environment:
//   BENCH_QUICK=1          a smoke run: fewer and shorter rounds, smaller memory run
//   BENCH_ONLY=a,b         only these figures (keys below; `startup`, `memory` too);
//                          `ceiling-1000` (context, only when named): the floor vs 1000 app.get routes
//                          `aa-1000` (context, only when named): enhanceRoutes vs itself, the method's own noise
//                          `modules-1000`, `table-1000` (context, only when named): what 1000 routes cost,
//                          split into the imported modules and our route table
//   BENCH_WRITE=0          print the results, leave bench/RESULTS.md alone
//   BENCH_BASELINE=dir     also compare this build with the compiled lib in dir (dir/lib/index.js)
//   BENCH_CONNECTIONS=10, BENCH_PIPELINING=10   autocannon's load
//   BENCH_DEBUG=1          print each round: req/s, server and client CPU per request
import { type ChildProcess, fork } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import autocannon from 'autocannon'
import * as lib from '../lib/index.js'
import { createdJson, type Fixture, itemJson, makeFixture } from './fixtures.js'
import type { ChildMessage, Contender, ServerConfig } from './server.js'

const here = dirname(fileURLToPath(import.meta.url))
const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick')
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean)
const WRITE = process.env.BENCH_WRITE !== '0'
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE, 'lib', 'index.js') : undefined

const settings = {
  ...(QUICK
    ? { rounds: 3, seconds: 0.5, warmup: 0.5, startupRuns: 1, memory: [2_000, 20_000] as const }
    : { rounds: 30, seconds: 0.5, warmup: 2, startupRuns: 3, memory: [10_000, 200_000] as const }),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 10),
  // Pipelined requests keep the client (autocannon, in this process) from being
  // the bottleneck, so that the figures compare the servers.
  pipelining: Number(process.env.BENCH_PIPELINING ?? 10),
}
const STARTUP_SIZES = QUICK ? [100, 1000] : [100, 1000, 5000]
/** No single wait in this bench may take longer than this. */
const TIMEOUT_MS = 120_000

const wanted = (key: string) => ONLY.length === 0 || ONLY.includes(key)
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
const round = (value: number, digits = 2) => Number(value.toFixed(digits))
const log = (line: string) => process.stderr.write(`${line}\n`)

// ---------------------------------------------------------------- servers

interface Server {
  port: number
  lastPath: string | undefined
  /** `settle`: after a full GC (the server must run with --expose-gc) */
  memory(settle?: boolean): Promise<{ rss: number; heapUsed: number }>
  /** CPU time (user + system) the server process has used so far, in microseconds */
  cpu(): Promise<number>
  stop(): void
}

function spawn(config: ServerConfig, execArgv: string[] = []): ChildProcess {
  return fork(join(here, 'server.js'), [JSON.stringify(config)], {
    execArgv,
    env: { ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'bench secret, not a real one' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** The next IPC message of a given type, bounded in time. */
function nextMessage<T extends ChildMessage['type']>(
  child: ChildProcess,
  kind: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${kind} message within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)
    const onMessage = (message: ChildMessage) => {
      if (message.type === kind) done(undefined, message as Extract<ChildMessage, { type: T }>)
      else if (message.type === 'error') done(new Error(`server failed: ${message.message}`))
    }
    const onExit = (code: number | null) => done(new Error(`server exited (${code}) before ${kind}`))
    function done(error?: Error, message?: Extract<ChildMessage, { type: T }>) {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (error) reject(error)
      else resolvePromise(message as Extract<ChildMessage, { type: T }>)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill()
})

async function startServer(config: ServerConfig, execArgv: string[] = []): Promise<Server> {
  const child = spawn(config, execArgv)
  running.add(child)
  try {
    const { port, lastPath } = await nextMessage(child, 'listening')
    return {
      port,
      lastPath,
      async memory(settle = false) {
        const reply = nextMessage(child, 'rss')
        child.send({ type: 'rss', settle })
        const { rss, heapUsed } = await reply
        return { rss, heapUsed }
      },
      async cpu() {
        const reply = nextMessage(child, 'cpu')
        child.send({ type: 'cpu' })
        return (await reply).micros
      },
      stop() {
        child.kill()
        running.delete(child)
      },
    }
  } catch (error) {
    child.kill()
    running.delete(child)
    throw error
  }
}

// ---------------------------------------------------------------- load

interface Request {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

interface Run {
  rps: number
  requests: number
  /** server CPU time per request, in microseconds: less sensitive than req/s to what else the machine runs */
  cpuPerRequest: number
}

async function cannon(server: Server, request: Request, load: { seconds?: number; amount?: number }): Promise<Run> {
  const instance = () =>
    autocannon({
      url: `http://127.0.0.1:${server.port}${request.path}`,
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      connections: settings.connections,
      pipelining: settings.pipelining,
      timeout: 10,
      ...(load.amount === undefined ? { duration: load.seconds ?? 1 } : { amount: load.amount }),
    })
  const cpuBefore = await server.cpu()
  const clientBefore = process.cpuUsage()
  const result = await instance()
  const client = process.cpuUsage(clientBefore)
  const cpuAfter = await server.cpu()
  if (process.env.BENCH_DEBUG) {
    log(
      `  ${server.port} ${Math.round(result.requests.total / result.duration)} req/s, server ${((cpuAfter - cpuBefore) / result.requests.total).toFixed(1)} µs/req, client ${((client.user + client.system) / result.requests.total).toFixed(1)} µs/req`,
    )
  }
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${request.method} ${request.path}: ${result.errors} errors, ${result.non2xx} non-2xx answers`)
  }
  const requests = result.requests.total
  return { rps: requests / result.duration, requests, cpuPerRequest: (cpuAfter - cpuBefore) / Math.max(1, requests) }
}

/** One request with fetch: the status, content type and body a contender answers. */
async function probe(server: Server, request: Request) {
  const response = await fetch(`http://127.0.0.1:${server.port}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  const contentType = response.headers.get('content-type') ?? ''
  return { status: response.status, contentType, body: contentType.includes('json') ? JSON.parse(text) : text }
}

// ---------------------------------------------------------------- figures

interface Side {
  label: string
  config: ServerConfig
}

interface Figure {
  key: string
  title: string
  /** none for a context figure that has no bar (the A/A figure) */
  bar?: { op: '>=' | '<'; value: number }
  a: Side
  b: Side
  /** the request, given the path of the last route each side registered */
  request(lastPath: string | undefined): Request
  /** checks both answers once before timing; throws when they differ */
  check(a: Awaited<ReturnType<typeof probe>>, b: Awaited<ReturnType<typeof probe>>): void
  /** why the figure cannot be measured in this build, if it cannot */
  skip?: string
}

interface FigureResult {
  figure: Figure
  a: number[]
  b: number[]
  cpuA: number[]
  cpuB: number[]
  ratio?: number
  path?: string
  error?: string
}

const JSON_ACCEPT = { accept: 'application/json' }
const getRoute = (route: number) => ({ method: 'GET' as const, path: `/r/${route}/42`, headers: JSON_ACCEPT })

/** A figure's request and check for `GET /r/<route>/42`: both sides answer that route's JSON. */
const getsRoute = (route: number) => ({ request: () => getRoute(route), check: sameJson(itemJson(route, '42')) })

function sameJson(expected: unknown) {
  return (a: Awaited<ReturnType<typeof probe>>, b: Awaited<ReturnType<typeof probe>>) => {
    for (const [side, answer] of [
      ['A', a],
      ['B', b],
    ] as const) {
      if (!isDeepStrictEqual(answer.body, expected) || answer.status !== (a.status === 201 ? 201 : 200)) {
        throw new Error(
          `side ${side} answered ${answer.status} ${JSON.stringify(answer.body)}, not ${JSON.stringify(expected)}`,
        )
      }
    }
    if (a.status !== b.status) throw new Error(`statuses differ: ${a.status} vs ${b.status}`)
  }
}

/** The route a path like /r/<i>/:id names. */
const routeOf = (path: string | undefined, fallback: number) => {
  const found = /^\/r\/(\d+)\//.exec(path ?? '')
  return found ? Number(found[1]) : fallback
}

function figures(one: Fixture, many: Fixture): Figure[] {
  const side = (
    label: string,
    contender: Contender,
    fixture: Fixture,
    routes: number,
    extra: Partial<ServerConfig> = {},
  ) => ({
    label,
    config: { contender, root: fixture.root, routes, ...extra },
  })
  const enhance1 = side('enhanceRoutes', 'enhance', one, 1)
  const enhance1000 = side('enhanceRoutes', 'enhance', many, 1000)
  const post: Request = {
    method: 'POST',
    path: '/items',
    headers: { ...JSON_ACCEPT, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'widget', qty: 2, tags: ['x', 'y'] }),
  }
  const list: Figure[] = [
    {
      key: 'get-1',
      title: 'GET JSON route, 1 route: enhanceRoutes vs `app.get(...)` + `res.json`',
      bar: { op: '>=', value: 1.0 },
      a: enhance1,
      b: side('app.get + res.json', 'express', one, 1),
      ...getsRoute(0),
    },
    {
      key: 'get-1000',
      title: 'same, 1000 routes, hitting the last one',
      bar: { op: '>=', value: 2.5 },
      a: enhance1000,
      b: side('1000 × app.get + res.json', 'express', many, 1000),
      ...getsRoute(999),
    },
    {
      key: 'peer-1000',
      title: 'same, vs the peer `express-file-routing` with the same 1000 files',
      bar: { op: '>=', value: 2.5 },
      a: enhance1000,
      b: side('express-file-routing', 'peer', many, 1000),
      // The peer registers routes in readdir order: hit the one it registered last.
      request: (lastPath) => getRoute(routeOf(lastPath, 999)),
      check: () => {},
    },
    {
      key: 'floor',
      title: 'enhanceRoutes vs the floor: one `app.use` that writes the same JSON by hand',
      bar: { op: '>=', value: 0.85 },
      a: enhance1,
      b: side('app.use writing JSON by hand', 'floor', one, 1),
      ...getsRoute(0),
    },
    {
      key: 'post-1',
      title: 'POST JSON body, 1 route, vs `express.json()` + `app.post`',
      bar: { op: '>=', value: 1.0 },
      a: enhance1,
      b: side('express.json() + app.post', 'express', one, 1),
      request: () => post,
      check: sameJson(createdJson(JSON.parse(post.body as string))),
    },
    {
      key: 'html',
      title: 'HTML page through `enhancePages` vs calling `@enhance/ssr` by hand in a route',
      bar: { op: '>=', value: 0.9 },
      a: side('enhanceRoutes + enhancePages', 'enhance', one, 1, { app: one.site }),
      b: side('@enhance/ssr by hand', 'ssr', one, 1),
      request: () => ({ method: 'GET', path: '/page', headers: { accept: 'text/html' } }),
      check: (a, b) => {
        for (const answer of [a, b]) {
          if (
            answer.status !== 200 ||
            !answer.contentType.startsWith('text/html') ||
            !String(answer.body).includes('<li>item 9</li>')
          ) {
            throw new Error(
              `not the rendered page: ${answer.status} ${answer.contentType} ${String(answer.body).slice(0, 200)}`,
            )
          }
        }
      },
      ...('enhancePages' in lib ? {} : { skip: 'not measured yet: `enhancePages` is not in this build' }),
    },
  ]
  // Context figures, run only when asked for by name, with no bar unless noted.
  const modulesOnly = side('enhanceRoutes, 1 route + 1000 modules imported', 'enhance', one, 1, { preload: many.app })
  const context: Figure[] = [
    {
      // The same comparison as get-1000 for a middleware whose own work costs
      // nothing (the floor): the most any Express middleware could reach here.
      key: 'ceiling-1000',
      title:
        'context: the floor vs 1000 × `app.get` + `res.json`, hitting the last one (the 1000-route figure of a middleware that does no work)',
      bar: { op: '>=', value: 2.5 },
      a: side('app.use writing JSON by hand', 'floor', many, 1000),
      b: side('1000 × app.get + res.json', 'express', many, 1000),
      ...getsRoute(999),
    },
    {
      // Two servers alike, measured as any figure is. The true ratio is 1; how
      // far a run strays from it is how far one figure can move on this machine
      // with nothing changed.
      key: 'aa-1000',
      title: 'context: enhanceRoutes vs enhanceRoutes (A/A, two servers alike), 1000 routes, hitting the last one',
      a: enhance1000,
      b: side('enhanceRoutes (a second server)', 'enhance', many, 1000),
      ...getsRoute(999),
    },
    {
      // Where the cost of 1000 routes goes: a 1-route server that also imports
      // the 1000 route modules (routing none of them) pays for the modules alone...
      key: 'modules-1000',
      title: 'context: enhanceRoutes over 1 route in a process that imports the 1000 route modules vs over 1 route',
      a: modulesOnly,
      b: enhance1,
      ...getsRoute(0),
    },
    {
      // ...and the 1000-route server pays for the modules and our route table.
      // Both answer route 0 (the trie finds it in as many steps as route 999).
      key: 'table-1000',
      title: 'context: enhanceRoutes over the 1000 routes vs over 1 route with the same 1000 modules imported',
      a: side('enhanceRoutes (1000 routes)', 'enhance', many, 1000),
      b: modulesOnly,
      ...getsRoute(0),
    },
  ]
  list.push(...context.filter((figure) => ONLY.includes(figure.key)))
  if (BASELINE) {
    if (!existsSync(BASELINE)) throw new Error(`BENCH_BASELINE: no ${BASELINE}`)
    list.push(
      {
        key: 'baseline-get',
        title: `GET JSON, 1 route: this build vs the baseline (${BASELINE})`,
        bar: { op: '>=', value: 1.0 },
        a: enhance1,
        b: side('baseline', 'enhance', one, 1, { lib: BASELINE }),
        ...getsRoute(0),
      },
      {
        key: 'baseline-get-1000',
        title: `GET JSON, 1000 routes, the last one: this build vs the baseline (${BASELINE})`,
        bar: { op: '>=', value: 1.0 },
        a: enhance1000,
        b: side('baseline', 'enhance', many, 1000, { lib: BASELINE }),
        ...getsRoute(999),
      },
      {
        key: 'baseline-post',
        title: `POST JSON, 1 route: this build vs the baseline (${BASELINE})`,
        bar: { op: '>=', value: 1.0 },
        a: enhance1,
        b: side('baseline', 'enhance', one, 1, { lib: BASELINE }),
        request: () => post,
        check: sameJson(createdJson(JSON.parse(post.body as string))),
      },
    )
  }
  return list.filter((figure) => wanted(figure.key))
}

async function measure(figure: Figure): Promise<FigureResult> {
  const result: FigureResult = { figure, a: [], b: [], cpuA: [], cpuB: [] }
  if (figure.skip) {
    result.error = figure.skip
    return result
  }
  const [a, b] = await Promise.all([startServer(figure.a.config), startServer(figure.b.config)])
  try {
    const request = figure.request(b.lastPath ?? a.lastPath)
    result.path = `${request.method} ${request.path}`
    figure.check(await probe(a, request), await probe(b, request))
    await cannon(a, request, { seconds: settings.warmup })
    await cannon(b, request, { seconds: settings.warmup })
    for (let i = 0; i < settings.rounds; i++) {
      // A B, then B A: a load that drifts during the run favours neither side.
      const first = i % 2 === 0 ? a : b
      const second = first === a ? b : a
      const runFirst = await cannon(first, request, { seconds: settings.seconds })
      const runSecond = await cannon(second, request, { seconds: settings.seconds })
      const [runA, runB] = first === a ? [runFirst, runSecond] : [runSecond, runFirst]
      result.a.push(runA.rps)
      result.b.push(runB.rps)
      result.cpuA.push(runA.cpuPerRequest)
      result.cpuB.push(runB.cpuPerRequest)
    }
    result.ratio = median(result.a) / median(result.b)
    log(
      `${figure.key}: ${figure.a.label} ${Math.round(median(result.a))} req/s, ${figure.b.label} ${Math.round(median(result.b))} req/s, ratio ${ratioText(figure, result.ratio)}; server CPU ${round(median(result.cpuA), 1)} vs ${round(median(result.cpuB), 1)} µs/request`,
    )
  } catch (error) {
    result.error = (error as Error).message
    log(`${figure.key}: FAILED ${result.error}`)
  } finally {
    a.stop()
    b.stop()
  }
  return result
}

// ---------------------------------------------------------------- start-up and memory

interface StartupRow {
  files: number
  readyMs: number
  processMs: number
  peerMs: number
  routes: number
}

async function startupOnce(config: ServerConfig) {
  const started = performance.now()
  const child = spawn({ ...config, startup: true })
  running.add(child)
  try {
    const message = await nextMessage(child, 'startup')
    return { readyMs: message.ms, processMs: performance.now() - started, routes: message.routes }
  } finally {
    child.kill()
    running.delete(child)
  }
}

async function startup(): Promise<StartupRow[]> {
  const rows: StartupRow[] = []
  for (const files of STARTUP_SIZES) {
    const fixture = makeFixture(files)
    try {
      const ready: number[] = []
      const whole: number[] = []
      const peer: number[] = []
      let routes = 0
      for (let i = 0; i < settings.startupRuns; i++) {
        const ours = await startupOnce({ contender: 'enhance', root: fixture.root, routes: files })
        ready.push(ours.readyMs)
        whole.push(ours.processMs)
        routes = ours.routes
        peer.push((await startupOnce({ contender: 'peer', root: fixture.root, routes: files })).readyMs)
      }
      const row = { files, readyMs: median(ready), processMs: median(whole), peerMs: median(peer), routes }
      log(
        `startup ${files}: ready ${Math.round(row.readyMs)} ms (process ${Math.round(row.processMs)} ms), peer ${Math.round(row.peerMs)} ms`,
      )
      rows.push(row)
    } finally {
      fixture.remove()
    }
  }
  return rows
}

/** RSS and heap used after the first `first` requests and after all `total`. */
interface MemoryReadings {
  rssFirst: number
  rssTotal: number
  heapFirst: number
  heapTotal: number
}

interface MemoryResult extends MemoryReadings {
  first: number
  total: number
  /** the same readings from a second server, each after a full GC */
  settled: MemoryReadings
}

/** The memory figure's load: a mix of what an app sees (JSON GETs across routes, a query string, an HTML client, JSON POSTs). */
const MEMORY_MIX: Request[] = [
  getRoute(999),
  { ...getRoute(500), path: '/r/500/7?sort=name&page=2' },
  { ...getRoute(1), headers: { accept: 'text/html' } },
  {
    method: 'POST',
    path: '/items',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'widget', qty: 2 }),
  },
]

/**
 * RSS and heap after `first` and after `total` requests of the mix. With
 * `settle`, each reading follows a full GC (a server of its own, run with
 * --expose-gc, so that the forced GCs cannot move the plain readings).
 */
async function memoryRun(many: Fixture, settle: boolean): Promise<MemoryReadings> {
  const server = await startServer(
    { contender: 'enhance', root: many.root, routes: 1000 },
    settle ? ['--expose-gc'] : [],
  )
  try {
    const [first, total] = settings.memory
    const run = async (amount: number) => {
      for (const request of MEMORY_MIX) await cannon(server, request, { amount: amount / MEMORY_MIX.length })
    }
    await run(first)
    const after = await server.memory(settle)
    await run(total - first)
    const end = await server.memory(settle)
    return { rssFirst: after.rss, rssTotal: end.rss, heapFirst: after.heapUsed, heapTotal: end.heapUsed }
  } finally {
    server.stop()
  }
}

async function memory(many: Fixture): Promise<MemoryResult> {
  const [first, total] = settings.memory
  const plain = await memoryRun(many, false)
  const settled = await memoryRun(many, true)
  log(
    `memory: RSS ${mb(plain.rssFirst)} MB after ${first}, ${mb(plain.rssTotal)} MB after ${total}; after a full GC (a second server) ${mb(settled.rssFirst)} and ${mb(settled.rssTotal)} MB, heap ${mb(settled.heapFirst)} and ${mb(settled.heapTotal)} MB`,
  )
  return { first, total, ...plain, settled }
}

const mb = (bytes: number) => round(bytes / 1024 / 1024, 1)

// ---------------------------------------------------------------- report

function holds(figure: Figure, value: number): boolean {
  const bar = figure.bar
  if (bar === undefined) throw new Error(`${figure.key} has no bar`)
  return bar.op === '>=' ? value >= bar.value : value < bar.value
}

/** A ratio with two decimals, or three where two would round it onto the other side of its bar (2.497 is not "2.50, no"); three for a figure without a bar. */
function ratioText(figure: Figure, value: number): string {
  if (figure.bar === undefined) return value.toFixed(3)
  const text = value.toFixed(2)
  return holds(figure, Number(text)) === holds(figure, value) ? text : value.toFixed(3)
}

function report(
  results: FigureResult[],
  startupRows: StartupRow[] | undefined,
  mem: MemoryResult | undefined,
  meta: { date: string; load: string; seconds: number },
): string {
  const cpu = cpus()
  const lines: string[] = []
  lines.push(
    `Run of ${meta.date}, ${Math.round(meta.seconds)} s in all${QUICK ? ' (quick mode: a smoke run, not for claims)' : ''}.`,
  )
  lines.push('')
  lines.push(
    `- Command: \`${QUICK ? 'BENCH_QUICK=1 ' : ''}${ONLY.length ? `BENCH_ONLY=${ONLY.join(',')} ` : ''}npm run bench\``,
  )
  lines.push(
    `- Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${mb(totalmem())} MB RAM, ${type()} ${release()} ${arch()}, Node ${process.version}; load average at start ${meta.load} (shared with other work)`,
  )
  lines.push(
    `- Method: each contender is its own server process on 127.0.0.1 (\`NODE_ENV=production\`); autocannon (${settings.connections} connections, pipelining ${settings.pipelining}) runs in the driver process; after a ${settings.warmup} s warm-up of each, ${settings.rounds} rounds of ${settings.seconds} s per contender, interleaved A B B A A B ...; each figure is median(A req/s) / median(B req/s). Every pair is checked to answer the same status and JSON before timing. The bar is judged on the ratio of medians. Two columns are context, not bars: the paired ratio (the median of A/B over rounds run back to back, which a load that drifts during the run moves less) and the server process's CPU time per request (median of the rounds; it grows too when other work shares the cores).`,
  )
  lines.push('')
  lines.push(
    '| figure | A | B | request | A req/s | B req/s | ratio A/B | bar | holds | paired ratio | server CPU µs/request, A vs B |',
  )
  lines.push('|---|---|---|---|---:|---:|---:|---|---|---:|---|')
  for (const r of results) {
    const bar = r.figure.bar ? `${r.figure.bar.op} ${r.figure.bar.value}` : 'none (context)'
    if (r.ratio === undefined) {
      lines.push(
        `| ${r.figure.title} | ${r.figure.a.label} | ${r.figure.b.label} | ${r.path ?? ''} | | | ${r.error ?? 'not measured'} | ${bar} | not measured |`,
      )
      continue
    }
    lines.push(
      `| ${r.figure.title} | ${r.figure.a.label} | ${r.figure.b.label} | \`${r.path}\` | ${Math.round(median(r.a))} | ${Math.round(median(r.b))} | **${ratioText(r.figure, r.ratio)}** | ${bar} | ${r.figure.bar === undefined ? '' : holds(r.figure, r.ratio) ? 'yes' : '**no**'} | ${round(median(r.a.map((a, i) => a / (r.b[i] as number))))} | ${round(median(r.cpuA), 1)} vs ${round(median(r.cpuB), 1)} |`,
    )
  }
  if (startupRows) {
    const at1000 = startupRows.find((row) => row.files === 1000)
    lines.push('')
    lines.push(
      `Start-up: a fresh process per run (plain \`node\`, no loader), ${settings.startupRuns} run(s) per size, medians. \`ready\` is timed from the \`enhanceRoutes()\` call to \`ready\` resolved; "process" from spawning the process to that moment (Node, Express and the package loading included). Bar: 1000 files < 1.5 s: ${at1000 ? `${round(at1000.readyMs / 1000)} s, ${at1000.readyMs < 1500 ? 'holds' : '**does not hold**'}` : 'not measured'}.`,
    )
    lines.push('')
    lines.push(
      '| route files | enhanceRoutes `ready` (ms) | process start to `ready` (ms) | express-file-routing `createRouter` (ms) | routes |',
    )
    lines.push('|---:|---:|---:|---:|---:|')
    for (const row of startupRows) {
      lines.push(
        `| ${row.files} | ${Math.round(row.readyMs)} | ${Math.round(row.processMs)} | ${Math.round(row.peerMs)} | ${row.routes} |`,
      )
    }
  }
  if (mem) {
    const grew = mem.rssTotal - mem.rssFirst
    const s = mem.settled
    lines.push('')
    lines.push(
      `Memory: enhanceRoutes with 1000 routes, a mix of JSON GETs (with and without a query string), an HTML-client GET and JSON POSTs. RSS after ${mem.total} requests minus after ${mem.first}: **${mb(grew)} MB** (${mb(mem.rssFirst)} → ${mb(mem.rssTotal)} MB; heap used ${mb(mem.heapFirst)} → ${mb(mem.heapTotal)} MB). Bar < 20 MB: ${grew < 20 * 1024 * 1024 ? 'holds' : '**does not hold**'}${QUICK ? ' (quick mode: fewer requests than the bar names)' : ''}. Context, not the bar: a second server under the same load, read after a full GC each time, so that garbage and the GC's timing drop out: heap used ${mb(s.heapFirst)} → ${mb(s.heapTotal)} MB (what the process keeps), RSS ${mb(s.rssFirst)} → ${mb(s.rssTotal)} MB.`,
    )
  }
  lines.push('')
  lines.push('Requests per second in each round (A | B):')
  lines.push('')
  for (const r of results) {
    if (r.a.length === 0) continue
    lines.push(
      `- ${r.figure.key}: ${r.a.map((v) => Math.round(v)).join(', ')} | ${r.b.map((v) => Math.round(v)).join(', ')}`,
    )
  }
  return lines.join('\n')
}

const START = '<!-- results:start: written by `npm run bench`, do not edit by hand -->'
const END = '<!-- results:end -->'

function writeResults(text: string): void {
  const file = resolve(here, '..', '..', 'RESULTS.md')
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark results\n\n${START}\n${END}\n`
  const from = current.indexOf(START)
  const to = current.indexOf(END)
  const next =
    from === -1 || to === -1
      ? `${current.trimEnd()}\n\n${START}\n${text}\n${END}\n`
      : `${current.slice(0, from + START.length)}\n${text}\n${current.slice(to)}`
  writeFileSync(file, next)
  log(`written: ${file}`)
}

async function main(): Promise<void> {
  const started = performance.now()
  const date = new Date().toISOString()
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')
  const one = makeFixture(1)
  const many = makeFixture(1000)
  try {
    const results: FigureResult[] = []
    for (const figure of figures(one, many)) results.push(await measure(figure))
    const startupRows = wanted('startup') ? await startup() : undefined
    const mem = wanted('memory') ? await memory(many) : undefined
    const text = report(results, startupRows, mem, { date, load, seconds: (performance.now() - started) / 1000 })
    if (WRITE && !BASELINE) writeResults(text)
    else process.stdout.write(`${text}\n`)
  } finally {
    one.remove()
    many.remove()
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    log(error.stack ?? error.message)
    process.exit(1)
  },
)
