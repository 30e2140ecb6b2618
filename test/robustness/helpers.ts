/**
 * Shared pieces of the robustness suites: the fixture app, a page renderer,
 * a real HTTP server on loopback and a bounded raw HTTP client.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { type EnhanceRoutesOptions, enhanceRoutes, type PageRenderer } from '../../lib/index.js'

export const ROOT = new URL('../fixtures/robust/', import.meta.url)
export const BROKEN_ROOT = new URL('../fixtures/robust-broken/', import.meta.url)
export const SECRET_MARK = 'ROBUST-SECRET'
export const quiet = () => {}

/**
 * Property runs scaled by ROBUST_SCALE (default 1): `ROBUST_SCALE=10 npm test`
 * for a deeper search, 0.2 for a quick one.
 */
export function runs(n: number): number {
  const scale = Number(process.env.ROBUST_SCALE ?? 1)
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

const escapeText = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export type ErrorPageMode = 'renders' | 'throws' | 'not-a-string'

/**
 * A small page renderer: `/page` shows its state, `/boom-page` throws while
 * rendering, `/404` and `/500` are the error pages (which can be told to throw,
 * or to return something that is not a string).
 */
export function testRenderer(errorPages: ErrorPageMode = 'renders'): PageRenderer & { renders: string[] } {
  const renders: string[] = []
  return {
    renders,
    pages: () => ['/page', '/boom-page', '/404', '/500'],
    render(context) {
      renders.push(context.pattern)
      const { pattern, state, status } = context
      if (pattern === '/boom-page') throw new Error('robust: the page threw while rendering')
      if (pattern === '/page') {
        return `<!doctype html><html><body><main data-page="page">${escapeText(JSON.stringify(state.store))}</main></body></html>`
      }
      if (pattern === '/404' || pattern === '/500') {
        if (errorPages === 'throws') throw new Error('robust: the error page threw too')
        if (errorPages === 'not-a-string') return 42 as unknown as string
        const message = context.error?.message ?? ''
        return `<!doctype html><html><body><main data-error="${status}">${escapeText(message)}</main></body></html>`
      }
      return undefined
    },
  }
}

/** The fixture app: real Express, no X-Powered-By, the robust fixtures, a test renderer. */
export function makeApp(options: EnhanceRoutesOptions = {}, before?: (app: express.Express) => void) {
  const app = express()
  app.disable('x-powered-by')
  if (before) before(app)
  const middleware = enhanceRoutes({
    root: ROOT,
    renderer: testRenderer(),
    session: { keys: ['robust-test-key'] },
    fallthrough: false,
    onError: quiet,
    ...options,
  })
  app.use(middleware)
  return { app, middleware }
}

export interface Served {
  port: number
  agent: http.Agent
  server: http.Server
  close(): Promise<void>
}

/** Listens on 127.0.0.1 (a free port) with a keep-alive agent for the client side. */
export async function listen(app: express.Express): Promise<Served> {
  const server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })
  return {
    port,
    agent,
    server,
    async close() {
      agent.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface Call {
  method?: string
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
}

/** How many requests were sent again after a reset on a reused keep-alive socket. */
export const retried = { count: 0 }

/**
 * One HTTP request on loopback; fails after `timeoutMs` instead of hanging.
 * A reset on a reused keep-alive socket (the server closed it while the client
 * picked it up: the race Node's docs describe for `reusedSocket`) is tried once
 * more on a fresh socket; a reset on a fresh socket fails.
 */
export async function call(served: Served, spec: Call, timeoutMs = 5000): Promise<Answer> {
  try {
    return await callOnce(served, spec, timeoutMs)
  } catch (error) {
    if ((error as { reusedSocket?: boolean }).reusedSocket !== true) throw error
    retried.count++
    return callOnce(served, spec, timeoutMs, false)
  }
}

function callOnce(served: Served, spec: Call, timeoutMs: number, reuse = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: served.port,
        agent: reuse ? served.agent : false,
        method: spec.method ?? 'GET',
        path: spec.path,
        // Node's client sends a DELETE body with no length at all unless told: give it one.
        headers:
          spec.body === undefined
            ? spec.headers
            : { 'content-length': String(Buffer.byteLength(spec.body)), ...spec.headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          clearTimeout(timer)
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', reject)
      },
    )
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms: ${spec.path}`)), timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (error.code === 'ECONNRESET' && req.reusedSocket) Object.assign(error, { reusedSocket: true })
      reject(error)
    })
    req.end(spec.body)
  })
}

/**
 * Serves `makeApp(options, setup)` on loopback for the enclosing `describe`,
 * watching for unhandled rejections from its first hook to its last.
 */
export function serveSuite(options?: EnhanceRoutesOptions, setup?: (app: express.Express) => void) {
  const unhandled = watchUnhandled()
  let served: Served | undefined
  before(async () => {
    unhandled.start()
    const { app, middleware } = makeApp(options, setup)
    await middleware.ready
    served = await listen(app)
  })
  after(async () => {
    unhandled.stop()
    await served?.close()
  })
  return {
    unhandled,
    get served(): Served {
      if (served === undefined) throw new Error('the suite server is not listening yet')
      return served
    },
  }
}

/** Collects unhandled rejections while a suite runs. */
export function watchUnhandled() {
  const seen: unknown[] = []
  const listener = (reason: unknown) => seen.push(reason)
  return {
    seen,
    start: () => process.on('unhandledRejection', listener),
    stop: () => process.off('unhandledRejection', listener),
  }
}

/** The own keys of Object.prototype, to compare before and after. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort()
}

export const PROTOTYPE_KEYS = prototypeKeys()

/** A body that must not show a stack trace: no `at fn (file:line:col)` lines, no file paths. */
export function hasStack(body: string): boolean {
  return /\n\s+at\s/.test(body) || /\bat\s+\S+\s+\(/.test(body) || /(file:\/\/|\/work\/|node:internal)/.test(body)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `check()` is true, polling, for at most `ms`. */
export async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error('waitFor: condition not met in time')
    await sleep(5)
  }
}
