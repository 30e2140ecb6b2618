// SPEC section 9, with a real browser as the attacker: the victim is logged in to the
// example app at http://127.0.0.1:<port>, and a page on another site
// (http://localhost:<port2>: another host, so another site) makes the same browser
// post to the app: a hidden form (urlencoded, then text/plain), a no-cors fetch with
// credentials, and a login form with the attacker's own account. Every one of them
// must get a 403 without reaching the handler; the same forms from the app's own
// pages must still work. Headless Chromium (Debian's `chromium`) through playwright-core.
import { mkdirSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'chai'
import express from 'express'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { listTasks, saveUser } from '../example-app/lib/db.mjs'
import { DEMO_USER, start } from '../example-app/server.mjs'
import { CHROMIUM_ARGS, chromiumPath } from './browser.js'

const executablePath = chromiumPath
const OUTPUT = new URL('../test-output/', import.meta.url)
const ARGS = CHROMIUM_ARGS
const PLANTED = 'planted by evil'
const ATTACKER = { name: 'mallory', password: 'mallory-password' }
/** The session cookie of the example app (cookie-session: the value and its signature). */
const SESSION_COOKIES = ['taskboard', 'taskboard.sig']

/** One request as it reached the app's HTTP server, before Express saw it. */
interface Arrival {
  method: string
  path: string
  origin: string | undefined
  fetchSite: string | undefined
  fetchMode: string | undefined
  fetchDest: string | undefined
  contentType: string | undefined
  /** Names of the cookies sent (never their values). */
  cookies: string[]
}

function arrival(req: IncomingMessage): Arrival {
  const header = (name: string) => {
    const value = req.headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }
  const cookies = (header('cookie') ?? '')
    .split(';')
    .map((pair) => pair.split('=')[0]?.trim() ?? '')
    .filter((name) => name !== '')
  return {
    method: req.method ?? '',
    path: req.url ?? '',
    origin: header('origin'),
    fetchSite: header('sec-fetch-site'),
    fetchMode: header('sec-fetch-mode'),
    fetchDest: header('sec-fetch-dest'),
    contentType: header('content-type'),
    cookies,
  }
}

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

/** The attacker's site: each page makes the visitor's browser post to the app as soon as it loads. */
function attackerApp(target: string) {
  const page = (title: string, body: string) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`
  const form = (action: string, fields: Record<string, string>, enctype?: string) =>
    `<form method="post" action="${escapeAttribute(`${target}${action}`)}"${enctype ? ` enctype="${enctype}"` : ''}>${Object.entries(
      fields,
    )
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeAttribute(value)}">`)
      .join('')}</form><script>document.forms[0].submit()</script>`
  const app = express()
  app.get('/win-a-prize', (_req, res) => {
    res.type('html').send(page('You won!', form('/tasks', { title: PLANTED })))
  })
  app.get('/win-a-prize-plain', (_req, res) => {
    res.type('html').send(page('You won!', form('/tasks', { title: PLANTED }, 'text/plain')))
  })
  app.get('/win-a-prize-fetch', (_req, res) => {
    const body = new URLSearchParams({ title: PLANTED }).toString()
    const script = `fetch(${JSON.stringify(`${target}/tasks`)}, {
        method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: ${JSON.stringify(body)},
      }).then((r) => { document.title = 'sent: ' + r.type }, (e) => { document.title = 'failed: ' + e.message })`
    res.type('html').send(page('You won!', `<script>${script}</script>`))
  })
  app.get('/log-me-in', (_req, res) => {
    res.type('html').send(page('Hello', form('/login', { ...ATTACKER, next: '/tasks' })))
  })
  return app
}

async function listen(app: express.Express): Promise<Server> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject))
  return server
}

describe('cross-site requests refused, with a real browser as the attacker (SPEC section 9)', function () {
  this.timeout(60000)
  let browser: Browser | undefined
  let app = '' // the victim's site: http://127.0.0.1:<port>
  let evil = '' // the attacker's site: http://localhost:<port2>
  let stop: (() => Promise<void>) | undefined
  let attacker: Server | undefined
  const arrivals: Arrival[] = []
  const contexts: BrowserContext[] = []
  const AWS_ENV = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_EC2_METADATA_DISABLED: 'true' }
  const savedEnv = Object.fromEntries(Object.keys(AWS_ENV).map((key) => [key, process.env[key]]))

  before(async function () {
    if (!executablePath) {
      if (process.env.E2E_REQUIRED)
        throw new Error('no Chromium found: apt-get install -y chromium, or set CHROMIUM_PATH')
      console.warn('    (skipped: no Chromium; apt-get install -y chromium, or set CHROMIUM_PATH)')
      this.skip()
    }
    mkdirSync(OUTPUT, { recursive: true })
    for (const [key, value] of Object.entries(AWS_ENV)) process.env[key] ??= value
    const started = await start({ port: 0, quiet: true, database: { endpoint: '', table: 'cross-site-browser-tasks' } })
    app = started.url.replace(/\/$/, '')
    stop = started.stop
    started.server.on('request', (req: IncomingMessage) => arrivals.push(arrival(req)))
    await saveUser(ATTACKER.name, ATTACKER.password)
    attacker = await listen(attackerApp(app))
    evil = `http://localhost:${(attacker.address() as AddressInfo).port}`
    browser = await chromium.launch({ executablePath, args: ARGS, timeout: 30000 })
  })

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await browser?.close()
    await stop?.()
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)))
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    if (arrivals.length > 0) {
      // What the browser sent, for the record (no cookie values).
      writeFileSync(
        new URL('cross-site-browser-requests.json', OUTPUT),
        `${JSON.stringify({ app, attacker: evil, arrivals }, null, 2)}\n`,
      )
    }
  })

  async function newContext(javaScriptEnabled = true) {
    if (!browser) throw new Error('no browser')
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 900, height: 700 } })
    contexts.push(context)
    context.setDefaultTimeout(10000)
    context.setDefaultNavigationTimeout(10000)
    return context
  }

  /** Logs in through the app's own login page. */
  async function logIn(page: Page, name = DEMO_USER.name, password = DEMO_USER.password) {
    await page.goto(`${app}/login`)
    await page.getByLabel('User name').fill(name)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(`${app}/tasks`)
    await page.getByRole('heading', { name: 'Your tasks' }).waitFor()
  }

  /** Who the context is logged in as, and that user's tasks, asked of the app with the context's own cookies. */
  async function board(context: BrowserContext): Promise<{ status: number; user?: string; titles: string[] }> {
    const res = await context.request.get(`${app}/tasks`, { headers: { accept: 'application/json' }, maxRedirects: 0 })
    const json = (await res.json().catch(() => ({}))) as { user?: string; tasks?: Array<{ title: string }> }
    return { status: res.status(), user: json.user, titles: (json.tasks ?? []).map((task) => task.title) }
  }

  const sessionOf = async (context: BrowserContext) =>
    (await context.cookies(app))
      .filter((cookie) => SESSION_COOKIES.includes(cookie.name))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .sort()

  /**
   * Opens an attacker page in the victim's context and waits for the post it makes to
   * the app. Returns the status the browser got and what reached the app's server.
   */
  async function attack(context: BrowserContext, path: string, target: string) {
    const page = await context.newPage()
    const from = arrivals.length
    const answered = page.waitForResponse((res) => res.url() === `${app}${target}` && res.request().method() === 'POST')
    await page.goto(`${evil}${path}`)
    const response = await answered
    const sent = arrivals.slice(from).filter((a) => a.method === 'POST')
    return { page, status: response.status(), response, sent }
  }

  /** What every attack must have looked like at the server: a cross-site POST from the attacker's origin. */
  function expectCrossSite(sent: Arrival[], path: string) {
    expect(sent.map((a) => `${a.method} ${a.path}`)).to.deep.equal([`POST ${path}`])
    expect(sent[0]?.origin, 'Origin').to.equal(evil)
    expect(sent[0]?.fetchSite, 'Sec-Fetch-Site').to.equal('cross-site')
  }

  it('refuses a hidden urlencoded form, a text/plain form and a no-cors fetch to /tasks; nothing is planted', async () => {
    const context = await newContext()
    const victim = await context.newPage()
    await logIn(victim)
    expect(await board(context)).to.deep.include({ status: 200, user: DEMO_USER.name })
    const session = await sessionOf(context)
    expect(session).to.have.length(2)

    // 1. The classic: a hidden form, auto-submitted, the page navigates to the app's answer.
    const form = await attack(context, '/win-a-prize', '/tasks')
    expect(form.status).to.equal(403)
    expectCrossSite(form.sent, '/tasks')
    expect(form.sent[0]).to.deep.include({
      contentType: 'application/x-www-form-urlencoded',
      fetchMode: 'navigate',
      fetchDest: 'document',
    })
    await form.page.waitForURL(`${app}/tasks`)
    const refusal = (await form.page.locator('body').textContent()) ?? ''
    expect(refusal).to.include('403').and.include('cross-site')
    await form.page.screenshot({ path: new URL('cross-site-browser-refused.png', OUTPUT).pathname, fullPage: true })

    // 2. enctype="text/plain": a simple request too, and no CORS preflight.
    const plain = await attack(context, '/win-a-prize-plain', '/tasks')
    expect(plain.status).to.equal(403)
    expectCrossSite(plain.sent, '/tasks')
    expect(plain.sent[0]?.contentType).to.equal('text/plain')

    // 3. fetch, no-cors, credentials: include: the script never sees the answer, the browser does.
    const fetched = await attack(context, '/win-a-prize-fetch', '/tasks')
    expect(fetched.status).to.equal(403)
    expectCrossSite(fetched.sent, '/tasks')
    expect(fetched.sent[0]).to.deep.include({ fetchMode: 'no-cors', fetchDest: 'empty' })
    await fetched.page.waitForFunction(() => document.title.startsWith('sent'))
    expect(await fetched.page.title()).to.equal('sent: opaque')

    // Nothing planted: the victim's board, through the app with the victim's cookies, and the table itself.
    const after = await board(context)
    expect(after).to.deep.include({ status: 200, user: DEMO_USER.name })
    expect(after.titles).to.not.include(PLANTED)
    expect((await listTasks(DEMO_USER.name)).map((task) => task.title)).to.not.include(PLANTED)
    expect(await sessionOf(context), 'the session is untouched').to.deep.equal(session)
  })

  it('refuses the attacks even when the browser does send the session cookie (SameSite=None)', async () => {
    // SameSite=Lax keeps the cookie off the attacks above; an app that sets
    // SameSite=None (or a browser that ignores SameSite) has only the origin check.
    const context = await newContext()
    await logIn(await context.newPage())
    const cookies = (await context.cookies(app)).filter((cookie) => SESSION_COOKIES.includes(cookie.name))
    expect(cookies).to.have.length(2)
    await context.clearCookies()
    await context.addCookies(cookies.map((cookie) => ({ ...cookie, sameSite: 'None' as const, secure: true })))
    expect(await board(context)).to.deep.include({ status: 200, user: DEMO_USER.name })

    for (const path of ['/win-a-prize', '/win-a-prize-plain', '/win-a-prize-fetch']) {
      const { status, sent } = await attack(context, path, '/tasks')
      expect(status, path).to.equal(403)
      expectCrossSite(sent, '/tasks')
      // Top-level navigations carry it; Chromium keeps it off the cross-site fetch (a third-party cookie).
      if (path !== '/win-a-prize-fetch') {
        expect(sent[0]?.cookies, `${path}: the cookie went along`).to.include.members(SESSION_COOKIES)
      }
    }
    const after = await board(context)
    expect(after).to.deep.include({ status: 200, user: DEMO_USER.name })
    expect(after.titles).to.not.include(PLANTED)
    expect((await listTasks(DEMO_USER.name)).map((task) => task.title)).to.not.include(PLANTED)
  })

  it('refuses a login CSRF: the browser is not logged in as the attacker, logged out or logged in', async () => {
    // A visitor who is not logged in: after the attack still nobody.
    const visitor = await newContext()
    const first = await attack(visitor, '/log-me-in', '/login')
    expect(first.status).to.equal(403)
    expectCrossSite(first.sent, '/login')
    expect(first.sent[0]?.cookies).to.deep.equal([])
    expect(await first.response.headerValue('set-cookie')).to.equal(null)
    expect(await sessionOf(visitor)).to.deep.equal([])
    const nobody = await board(visitor)
    expect(nobody.status, 'GET /tasks asks a visitor to log in').to.equal(401)

    // A logged-in victim: still the victim.
    const context = await newContext()
    await logIn(await context.newPage())
    const session = await sessionOf(context)
    const second = await attack(context, '/log-me-in', '/login')
    expect(second.status).to.equal(403)
    expectCrossSite(second.sent, '/login')
    expect(await second.response.headerValue('set-cookie')).to.equal(null)
    expect(await sessionOf(context)).to.deep.equal(session)
    const page = await context.newPage()
    await page.goto(`${app}/tasks`)
    expect(await page.locator('.account .user').textContent()).to.equal(DEMO_USER.name)
  })

  it('still serves the same forms from the app’s own pages (JavaScript off: 303; on: fetch, 201)', async () => {
    // JavaScript off: plain form posts, with Origin: the app and Sec-Fetch-Site: same-origin.
    const plain = await newContext(false)
    const page = await plain.newPage()
    const statuses: string[] = []
    page.on('response', (res) => {
      if (res.request().method() === 'POST') statuses.push(`POST ${new URL(res.url()).pathname} ${res.status()}`)
    })
    const from = arrivals.length
    await logIn(page)
    await page.getByLabel('New task').fill('added by the victim')
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await page.locator('li.task', { hasText: 'added by the victim' }).waitFor()
    expect(statuses).to.deep.equal(['POST /login 303', 'POST /tasks 303'])
    const posts = arrivals.slice(from).filter((a) => a.method === 'POST')
    expect(posts.map((a) => [a.path, a.origin, a.fetchSite])).to.deep.equal([
      ['/login', app, 'same-origin'],
      ['/tasks', app, 'same-origin'],
    ])
    expect(posts[1]?.cookies).to.include.members(SESSION_COOKIES)

    // JavaScript on: the enhanced form sends JSON with fetch.
    const enhanced = await newContext(true)
    const js = await enhanced.newPage()
    await logIn(js)
    const created = js.waitForResponse((res) => res.url() === `${app}/tasks` && res.request().method() === 'POST')
    await js.getByLabel('New task').fill('added with fetch')
    await js.getByRole('button', { name: 'Add', exact: true }).click()
    expect((await created).status()).to.equal(201)
    await js.locator('li.task', { hasText: 'added with fetch' }).waitFor()
    const last = arrivals.filter((a) => a.method === 'POST').at(-1)
    expect(last).to.deep.include({
      path: '/tasks',
      origin: app,
      fetchSite: 'same-origin',
      contentType: 'application/json',
    })

    const titles = (await board(plain)).titles
    expect(titles).to.include.members(['added by the victim', 'added with fetch']).and.not.include(PLANTED)
  })
})
