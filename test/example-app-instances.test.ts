// Many instances, one app (issue 20 item 10): two example-app processes on
// different ports, one DynamoDB endpoint (a dynalite this test starts) and one
// SESSION_SECRET; one client's journey alternates between them. The web tier
// shares nothing else: the session is the signed cookie the client carries, the
// data is in the table.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { expect } from 'chai'
import { closeDatabase, openDatabase, saveUser } from '../example-app/lib/db.mjs'
import { portOf } from './e2e/holidays-stub.js'

const TABLE = 'instances-tasks'
const SECRET = 'one secret for every instance of the task board'

interface Instance {
  url: string
  child: ChildProcess
  output: () => string
}

/** Starts `example-app/server.mjs` in a process of its own, as a process manager would (or `script`, with `extra` env). */
async function startInstance(
  endpoint: string,
  secret: string,
  script = 'example-app/server.mjs',
  extra: NodeJS.ProcessEnv = {},
): Promise<Instance> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    NODE_ENV: 'production',
    SESSION_SECRET: secret,
    DYNAMODB_ENDPOINT: endpoint,
    DYNAMODB_TABLE: TABLE,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  }
  for (const key of ['HOLIDAYS_API_URL', 'DYNAMODB_TIMEOUT_MS', 'NODE_OPTIONS']) delete env[key]
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 20 s:\n${out}`)), 20000)
    child.stdout?.on('data', () => {
      const found = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//)
      if (found?.[1]) {
        clearTimeout(timer)
        resolve(found[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${out}`))
    })
  })
  return { url, child, output: () => out }
}

async function stopInstance(instance: Instance | undefined) {
  if (!instance || instance.child.exitCode !== null) return
  instance.child.kill('SIGTERM')
  await Promise.race([once(instance.child, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))])
  if (instance.child.exitCode === null) instance.child.kill('SIGKILL')
}

/** A browser's cookie jar, in a few lines: what Set-Cookie gave, sent back to whichever instance is asked. */
class Client {
  readonly jar = new Map<string, string>()

  /** `json`: ask for JSON (and send it, unless the method is GET); `form`: send a form, as a browser does. */
  async send(base: string, method: string, path: string, { json, form }: { json?: object; form?: object } = {}) {
    const headers: Record<string, string> = { accept: json ? 'application/json' : 'text/html' }
    let body: string | undefined
    if (json && method === 'GET') {
      // Asks for JSON only.
    } else if (json) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(json)
    } else if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(form as Record<string, string>).toString()
    }
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const res = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' })
    const setCookies = res.headers.getSetCookie()
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';')
      const [name = '', value = ''] = pair.trim().split(/=(.*)/s)
      const expired = attributes.some((a) => /^\s*expires=.*1970/i.test(a))
      if (expired || value === '') this.jar.delete(name)
      else this.jar.set(name, value)
    }
    const text = await res.text()
    return { status: res.status, location: res.headers.get('location'), setCookies, text }
  }
}

describe('example app: two instances on one DynamoDB and one session secret', function () {
  this.timeout(60000)
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server
  let database: Server
  let a: Instance | undefined
  let b: Instance | undefined
  let other: Instance | undefined

  before(async () => {
    database = dynalite({ createTableMs: 0 })
    await new Promise<void>((resolve) => database.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${portOf(database)}`
    // Both start against the same endpoint and table: the first creates the table, the second finds it.
    a = await startInstance(endpoint, SECRET)
    b = await startInstance(endpoint, SECRET)
    other = await startInstance(endpoint, 'another secret')
    // Production seeds no demo user: add one in the shared table, as an admin script would.
    await openDatabase({ endpoint, table: TABLE })
    await saveUser('ada', 'lovelace-password')
    await closeDatabase()
  })

  after(async () => {
    await Promise.all([stopInstance(a), stopInstance(b), stopInstance(other)])
    await closeDatabase()
    if (database) await new Promise((resolve) => database.close(resolve))
  })

  it('logs in on A, adds a task on B, sees it on A, logs out on B, and A then treats the client as logged out', async () => {
    if (!a || !b) throw new Error('the instances did not start')
    expect(a.url).to.not.equal(b.url)
    const client = new Client()

    const login = await client.send(a.url, 'POST', '/login', { form: { name: 'ada', password: 'lovelace-password' } })
    expect(login.status, 'logged in on A').to.equal(303)
    expect(login.location).to.equal('/tasks')
    expect([...client.jar.keys()].sort()).to.deep.equal(['taskboard', 'taskboard.sig'])
    const loggedIn = new Map(client.jar)

    const added = await client.send(b.url, 'POST', '/tasks', { json: { title: 'Added on B' } })
    expect(added.status, `added on B: ${added.text}`).to.equal(201)

    const onA = await client.send(a.url, 'GET', '/tasks', { json: {} })
    expect(onA.status).to.equal(200)
    expect(JSON.parse(onA.text).tasks.map((task: { title: string }) => task.title)).to.deep.equal(['Added on B'])
    const page = await client.send(a.url, 'GET', '/tasks')
    expect(page.text).to.include('Logged in as <strong class="user">ada</strong>').and.include('Added on B')

    const logout = await client.send(b.url, 'POST', '/logout', { form: {} })
    expect(logout.status, 'logged out on B').to.equal(303)
    expect(logout.setCookies.join('\n')).to.match(/taskboard=;.*expires=Thu, 01 Jan 1970/i)
    expect(client.jar.size, 'the cookie is cleared').to.equal(0)

    const afterJson = await client.send(a.url, 'GET', '/tasks', { json: {} })
    expect(afterJson.status, 'A: logged out').to.equal(401)
    const afterHtml = await client.send(a.url, 'GET', '/tasks')
    expect(afterHtml.status).to.equal(302)
    expect(afterHtml.location).to.equal('/login?next=%2Ftasks')
    const home = await client.send(a.url, 'GET', '/about')
    expect(home.text).to.include('<a href="/login" class="login">Log in</a>').and.not.include('Logged in as')

    // What the README says: a signed cookie cannot be revoked. A copy taken before the
    // logout still works on any instance until its keys change (or use a server-side store).
    const replay = new Client()
    for (const [name, value] of loggedIn) replay.jar.set(name, value)
    expect((await replay.send(a.url, 'GET', '/tasks', { json: {} })).status).to.equal(200)
  })

  it('an instance with another SESSION_SECRET treats the same cookie as no session, though it shares the table', async () => {
    if (!a || !other) throw new Error('the instances did not start')
    const client = new Client()
    const login = await client.send(a.url, 'POST', '/login', { form: { name: 'ada', password: 'lovelace-password' } })
    expect(login.status).to.equal(303)
    expect((await client.send(other.url, 'GET', '/tasks', { json: {} })).status).to.equal(401)
    // It reads the same data once the client logs in there.
    const there = new Client()
    await there.send(other.url, 'POST', '/login', { form: { name: 'ada', password: 'lovelace-password' } })
    const tasks = JSON.parse((await there.send(other.url, 'GET', '/tasks', { json: {} })).text).tasks
    expect(tasks.map((task: { title: string }) => task.title)).to.deep.equal(['Added on B'])
  })

  it("with Node's cluster (example-app/cluster.mjs): two workers on one port, the same journey, a clean stop", async () => {
    const endpoint = `http://127.0.0.1:${portOf(database)}`
    const primary = await startInstance(endpoint, SECRET, 'example-app/cluster.mjs', { WEB_CONCURRENCY: '2' })
    try {
      // Each worker prints its own start-up lines; both listen on the port the first one got.
      const deadline = Date.now() + 20000
      while ((primary.output().match(/listening on /g) ?? []).length < 2) {
        if (Date.now() > deadline) throw new Error(`the second worker did not start:\n${primary.output()}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      const urls = [...primary.output().matchAll(/listening on (\S+)/g)].map((found) => found[1])
      expect(urls).to.have.length(2)
      expect(urls[0]).to.equal(urls[1])
      const client = new Client()
      const login = await client.send(primary.url, 'POST', '/login', {
        form: { name: 'ada', password: 'lovelace-password' },
      })
      expect(login.status).to.equal(303)
      const added = await client.send(primary.url, 'POST', '/tasks', { json: { title: 'Added through the cluster' } })
      expect(added.status).to.equal(201)
      const tasks = JSON.parse((await client.send(a?.url ?? '', 'GET', '/tasks', { json: {} })).text).tasks
      expect(tasks.map((task: { title: string }) => task.title)).to.include('Added through the cluster')
      primary.child.kill('SIGTERM')
      const [code] = await once(primary.child, 'exit')
      expect(code, primary.output()).to.equal(0)
    } finally {
      await stopInstance(primary)
    }
  })

  it('the cluster refuses to start without one shared DYNAMODB_ENDPOINT', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NODE_OPTIONS: '' }
    delete env.DYNAMODB_ENDPOINT
    const child = spawn(process.execPath, ['--import', 'tsx', 'example-app/cluster.mjs'], { env, stdio: 'pipe' })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk
    })
    const [code] = await once(child, 'exit')
    expect(code).to.equal(1)
    expect(err).to.include('task board cluster could not start: set DYNAMODB_ENDPOINT')
  })

  it('each instance names the shared table at start, without a warning', () => {
    for (const instance of [a, b]) {
      expect(instance?.output()).to.include(`data: table ${TABLE} in DynamoDB at http://127.0.0.1:`)
      expect(instance?.output()).to.not.include('Warning')
    }
  })
})
