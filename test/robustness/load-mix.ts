/**
 * The request mix of the load tests (the 10k run in the suite and the 100k soak):
 * GET and POST, JSON and HTML, forms, redirects, sessions and errors. Every
 * answer is checked against what that request must get.
 */
import { createHmac } from 'node:crypto'
import autocannon from 'autocannon'

export const LOAD_KEY = 'robust-load-key'

const sessionValue = Buffer.from(JSON.stringify({ agent: 'load', step: 1 })).toString('base64')
const sessionSig = createHmac('sha1', LOAD_KEY)
  .update(`session=${sessionValue}`)
  .digest('base64')
  .replace(/=+$/, '')
  .replace(/\//g, '_')
  .replace(/\+/g, '-')

interface Expectation {
  name: string
  request: autocannon.Request
  check(status: number, body: string, headers: Record<string, string | string[] | undefined>): boolean
}

const json = (body: string) => {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

/** autocannon keeps header names as the server wrote them. */
const header = (headers: Record<string, string | string[] | undefined>, name: string) =>
  Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1]

const EXPECTATIONS: Expectation[] = [
  {
    name: 'GET JSON',
    request: { method: 'GET', path: '/echo?n=1', headers: { accept: 'application/json' } },
    check: (status, body) => status === 200 && json(body)?.query?.n === '1',
  },
  {
    name: 'POST JSON',
    request: {
      method: 'POST',
      path: '/echo',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{"a":1,"__proto__":{"polluted":true}}',
    },
    check: (status, body) => status === 200 && json(body)?.body?.a === 1 && json(body)?.polluted === false,
  },
  {
    name: 'GET HTML page',
    request: { method: 'GET', path: '/page?q=load', headers: { accept: 'text/html' } },
    check: (status, body) => status === 200 && body.includes('data-page="page"') && body.includes('load'),
  },
  {
    name: 'POST form, redirect',
    request: {
      method: 'POST',
      path: '/page',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ok=1',
    },
    check: (status, _body, headers) => status === 303 && header(headers, 'location') === '/page?saved=1',
  },
  {
    name: 'POST JSON, 422',
    request: {
      method: 'POST',
      path: '/page',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{}',
    },
    check: (status, body) => status === 422 && Array.isArray(json(body)?.errors),
  },
  {
    name: 'GET session',
    request: {
      method: 'GET',
      path: '/session',
      headers: { accept: 'application/json', cookie: `session=${sessionValue}; session.sig=${sessionSig}` },
    },
    check: (status, body) => status === 200 && json(body)?.session?.agent === 'load',
  },
  {
    name: 'GET 404 JSON',
    request: { method: 'GET', path: '/nowhere', headers: { accept: 'application/json' } },
    check: (status, body) => status === 404 && json(body)?.error?.status === 404,
  },
  {
    name: 'POST form 201',
    request: {
      method: 'POST',
      path: '/count',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x=1&x=2',
    },
    check: (status, body) => status === 201 && Array.isArray(json(body)?.got?.x),
  },
]

export const EXPECTED_STATUSES = [200, 201, 303, 404, 422]

export interface LoadOutcome {
  result: autocannon.Result
  /** Answers that were not what their request must get: `name status`. */
  unexpected: string[]
  byName: Record<string, number>
}

/** Runs `amount` requests of the mix against 127.0.0.1:port; `onCount` sees the running total. */
export async function runMix(
  port: number,
  amount: number,
  connections: number,
  onCount?: (done: number) => void,
): Promise<LoadOutcome> {
  const unexpected: string[] = []
  const byName: Record<string, number> = {}
  const requests = EXPECTATIONS.map((e) => ({
    ...e.request,
    onResponse: (status: number, body: string, _context: object, headers: Record<string, string | string[]>) => {
      byName[e.name] = (byName[e.name] ?? 0) + 1
      if (!e.check(status, body, headers) && unexpected.length < 50) unexpected.push(`${e.name} ${status}`)
    },
  }))
  let done = 0
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        amount,
        timeout: 10,
        requests: requests as autocannon.Request[],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    )
    instance.on('response', () => {
      done++
      onCount?.(done)
    })
  })
  return { result, unexpected, byName }
}

/** Status counts from autocannon's result. */
export function statusCounts(result: autocannon.Result): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const [status, stat] of Object.entries(result.statusCodeStats ?? {})) counts[status] = stat.count ?? 0
  return counts
}
