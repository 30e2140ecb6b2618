// End to end, in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
// one user journey through the example app, once with JavaScript off (plain forms:
// POST, 303, pages re-rendered) and once with it on (fetch with Accept: JSON, the page
// updated in place). Screenshots of each final page go to test-output/.
import { existsSync, mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import { expect } from 'chai'
import { type Browser, chromium, type Page, type Request } from 'playwright-core'
import { saveUser } from '../example-app/lib/db.mjs'
import { start } from '../example-app/server.mjs'
import { CHROMIUM_ARGS } from './browser.js'
import { closeStub, holidaysStub, portOf } from './e2e/holidays-stub.js'

const PASSWORD = 'correct horse battery staple'
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const OUTPUT = new URL('../test-output/', import.meta.url)
const ARGS = CHROMIUM_ARGS

interface Seen {
  documents: Array<{ method: string; path: string; status: number }>
  fetches: Array<{ method: string; path: string; accept: string }>
}

/** Records what the page asks for: documents (navigations) and fetch calls. */
function watch(page: Page): Seen {
  const seen: Seen = { documents: [], fetches: [] }
  page.on('request', (req: Request) => {
    if (req.resourceType() === 'fetch') {
      seen.fetches.push({ method: req.method(), path: new URL(req.url()).pathname, accept: req.headers().accept ?? '' })
    }
  })
  page.on('response', (res) => {
    const req = res.request()
    if (req.resourceType() === 'document') {
      seen.documents.push({ method: req.method(), path: new URL(res.url()).pathname, status: res.status() })
    }
  })
  return seen
}

/** The journey: log in, add a task, see a validation error, fix it, delete a task, log out. */
async function journey(page: Page, origin: string, js: boolean) {
  const seen = watch(page)
  const user = js ? 'e2e-js-on' : 'e2e-js-off'
  const shot = (name: string) =>
    page.screenshot({ path: new URL(`e2e-${js ? 'js-on' : 'js-off'}-${name}.png`, OUTPUT).pathname, fullPage: true })

  await page.goto(`${origin}/`)
  await page.getByRole('link', { name: 'Log in' }).first().click()
  await page.waitForURL(`${origin}/login`)
  await page.getByLabel('User name').fill(user)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(`${origin}/tasks`)
  await page.getByRole('heading', { name: 'Your tasks' }).waitFor()
  expect(await page.locator('.account .user').textContent()).to.equal(user)

  // From here on, with JavaScript nothing reloads: this marker must survive to the end.
  await page.evaluate('window.__sameDocument = true')
  const documentsBefore = seen.documents.length

  // Add a task.
  const title = page.getByLabel('New task')
  await title.fill('Buy oat milk')
  await page.getByRole('button', { name: 'Add' }).click()
  await page.locator('li.task', { hasText: 'Buy oat milk' }).waitFor()

  // A validation problem: an empty title.
  await title.fill('   ')
  await page.getByRole('button', { name: 'Add' }).click()
  const problem = page.locator('#new-title-problem')
  await problem.filter({ hasText: 'Write a title for the task' }).waitFor()
  expect(await title.getAttribute('aria-invalid')).to.equal('true')
  await shot('problem')

  // Fix it.
  await title.fill('Call the plumber')
  await page.getByRole('button', { name: 'Add' }).click()
  await page.locator('li.task', { hasText: 'Call the plumber' }).waitFor()
  await problem.waitFor({ state: 'hidden' })
  expect(await page.locator('li.task .task-title').allTextContents()).to.deep.equal([
    'Buy oat milk',
    'Call the plumber',
  ])

  // Delete the first one.
  await page.getByRole('button', { name: 'Delete Buy oat milk' }).click()
  await page.locator('li.task', { hasText: 'Buy oat milk' }).waitFor({ state: 'detached' })
  expect(await page.locator('li.task .task-title').allTextContents()).to.deep.equal(['Call the plumber'])
  await shot('board')

  // Log out.
  await page.getByRole('button', { name: 'Log out' }).click()
  await page.locator('.account').getByRole('link', { name: 'Log in' }).waitFor()
  expect(await page.locator('.account .user').count()).to.equal(0)
  await shot('final')

  return { seen, documentsBefore, sameDocument: await page.evaluate('window.__sameDocument === true') }
}

describe('example app in a real browser (Chromium)', function () {
  this.timeout(60000)
  let browser: Browser | undefined
  let origin: string
  let stop: (() => Promise<void>) | undefined
  let stub: Server | undefined
  const savedApi = process.env.HOLIDAYS_API_URL

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.E2E_REQUIRED === '1') throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`)
      console.warn(`    (skipped: no Chromium at ${CHROMIUM}; apt-get install -y chromium, or set CHROMIUM_PATH)`)
      this.skip()
    }
    mkdirSync(OUTPUT, { recursive: true })
    stub = await holidaysStub()
    process.env.HOLIDAYS_API_URL = `http://127.0.0.1:${portOf(stub)}`
    const app = await start({ port: 0, quiet: true, database: { endpoint: '', table: 'e2e-tasks' } })
    origin = app.url.replace(/\/$/, '')
    stop = app.stop
    // One user per run, so that the two journeys cannot see each other's tasks.
    for (const user of ['e2e-js-off', 'e2e-js-on', 'e2e-edit-off', 'e2e-edit-on', 'e2e-header-off', 'e2e-header-on']) {
      await saveUser(user, PASSWORD)
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30000 })
  })

  after(async () => {
    await browser?.close()
    await stop?.()
    if (stub) await closeStub(stub)
    if (savedApi === undefined) delete process.env.HOLIDAYS_API_URL
    else process.env.HOLIDAYS_API_URL = savedApi
  })

  async function newPage(javaScriptEnabled: boolean) {
    if (!browser) throw new Error('no browser')
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 900, height: 700 } })
    context.setDefaultTimeout(10000)
    context.setDefaultNavigationTimeout(10000)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('console', (message) => {
      // The browser logs every 4xx; the 422 of the validation step is expected.
      const expected = message.text().includes('status of 422 (Unprocessable Entity)')
      if (message.type() === 'error' && !expected) errors.push(message.text())
    })
    return { context, page, errors }
  }

  it('works with JavaScript off: every form POSTs and gets a 303 or the page again', async () => {
    const { context, page, errors } = await newPage(false)
    try {
      const { seen, documentsBefore, sameDocument } = await journey(page, origin, false)
      expect(seen.fetches, 'no script ran').to.deep.equal([])
      expect(sameDocument, 'each form loaded a new page').to.equal(false)
      const loads = seen.documents.slice(documentsBefore).map((d) => `${d.method} ${d.path} ${d.status}`)
      const deleted = seen.documents.find((d) => d.path.endsWith('/delete'))?.path
      expect(deleted).to.match(/^\/tasks\/[0-9a-z]{17}\/delete$/)
      expect(loads).to.deep.equal([
        'POST /tasks 303', // added
        'GET /tasks 200',
        'POST /tasks 422', // the problem: the page again, with it
        'POST /tasks 303', // fixed
        'GET /tasks 200',
        `POST ${deleted} 303`, // deleted
        'GET /tasks 200',
        'POST /logout 303', // logged out
        'GET / 200',
      ])
      expect(errors).to.deep.equal([])
    } finally {
      await context.close()
    }
  })

  it('works with JavaScript on: forms are sent with fetch and the page is updated in place', async () => {
    const { context, page, errors } = await newPage(true)
    try {
      const { seen, documentsBefore, sameDocument } = await journey(page, origin, true)
      expect(sameDocument, 'no reload after logging in').to.equal(true)
      expect(seen.documents.slice(documentsBefore), 'no navigation').to.deep.equal([])
      const calls = seen.fetches.map((f) => `${f.method} ${f.path}`)
      expect(calls).to.deep.equal([
        'POST /login',
        'POST /tasks',
        'POST /tasks',
        'POST /tasks',
        `DELETE ${seen.fetches[4]?.path}`,
        'POST /logout',
      ])
      expect(seen.fetches[4]?.path).to.match(/^\/tasks\/[0-9a-z]{17}$/)
      for (const call of seen.fetches) expect(call.accept, call.path).to.equal('application/json')
      expect(await page.locator('.logged-out').textContent()).to.include('You are logged out')
      expect(errors).to.deep.equal([])
    } finally {
      await context.close()
    }
  })

  for (const js of [false, true]) {
    it(`shows holidays from the third-party API, and a clear error when it fails (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const { context, page, errors } = await newPage(js)
      try {
        const seen = watch(page)
        await page.goto(`${origin}/holidays`)
        await page.evaluate('window.__sameDocument = true')
        await page.getByLabel('Country code').fill('gb')
        await page.getByRole('button', { name: 'Show' }).click()
        await page.waitForURL(`${origin}/holidays/GB`)
        await page.getByRole('heading', { name: 'Next public holidays in GB' }).waitFor()
        expect(await page.locator('table.holidays tbody tr').count()).to.equal(2)
        await page.getByLabel('Country code').fill('ZZ')
        await page.getByRole('button', { name: 'Show' }).click()
        const error = page.locator('.error-box .error-message')
        await error.waitFor()
        expect(await error.textContent()).to.equal('The holidays service failed (it answered 500). Try again later.')
        expect(await page.locator('table.holidays').count()).to.equal(0)
        await page.screenshot({
          path: new URL(`e2e-${js ? 'js-on' : 'js-off'}-holidays-down.png`, OUTPUT).pathname,
          fullPage: true,
        })
        const loads = seen.documents.map((d) => `${d.method} ${d.path} ${d.status}`)
        if (js) {
          expect(await page.evaluate('window.__sameDocument === true'), 'no reload').to.equal(true)
          expect(loads).to.deep.equal(['GET /holidays 200'])
          expect(seen.fetches.map((f) => `${f.method} ${f.path} ${f.accept}`)).to.deep.equal([
            'GET /holidays/GB application/json',
            'GET /holidays/ZZ application/json',
          ])
          expect(page.url()).to.equal(`${origin}/holidays/ZZ`)
        } else {
          expect(loads).to.deep.equal([
            'GET /holidays 200',
            'GET /holidays 302', // the GET form, sent on to the country's page
            'GET /holidays/GB 200',
            'GET /holidays 302',
            'GET /holidays/ZZ 502', // the error page
          ])
        }
        const unexpected = errors.filter((text) => !text.includes('status of 502'))
        expect(unexpected).to.deep.equal([])
      } finally {
        await context.close()
      }
    })
  }

  for (const js of [false, true]) {
    it(`error pages, the app's own 404 and the EJS /about page have the same header, with who is logged in (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const { context, page, errors } = await newPage(js)
      const user = js ? 'e2e-header-on' : 'e2e-header-off'
      const mode = js ? 'js-on' : 'js-off'
      try {
        await page.goto(`${origin}/login`)
        await page.getByLabel('User name').fill(user)
        await page.getByLabel('Password').fill(PASSWORD)
        await page.getByRole('button', { name: 'Log in' }).click()
        await page.waitForURL(`${origin}/tasks`)
        const header = () => page.locator('site-header header.site-header')
        const boardHeader = await header().innerHTML()
        for (const [name, path, status] of [
          ['board-404', '/tasks/zzzzzzzzz00000000', 404], // an Enhance error page, inside the board
          ['app-404', '/no/such/page', 404], // the app's own last stop (server.mjs)
          ['about', '/about', 200], // the legacy EJS view
        ] as const) {
          const answer = await page.goto(`${origin}${path}`)
          expect(answer?.status(), path).to.equal(status)
          expect(await page.locator('.account .user').textContent(), `${path}: who is logged in`).to.equal(user)
          expect(await page.locator('.account a.login').count(), `${path}: no "Log in"`).to.equal(0)
          expect(await page.getByRole('navigation').getByRole('link').allTextContents(), path).to.deep.equal([
            'Tasks',
            'Holidays',
            'About',
          ])
          expect(await header().innerHTML(), `${path}: the same header as the board`).to.equal(boardHeader)
          expect(await page.locator('link[rel="stylesheet"][href="/_public/styles.css"]').count(), path).to.equal(1)
          await page.screenshot({ path: new URL(`e2e-${mode}-header-${name}.png`, OUTPUT).pathname, fullPage: true })
        }
        expect(await page.title()).to.equal('About: Task board')
        // Logging out from the legacy page: in place with JavaScript, a 303 to / without.
        await page.getByRole('button', { name: 'Log out' }).click()
        await page.locator('.account').getByRole('link', { name: 'Log in' }).waitFor()
        expect(page.url()).to.equal(js ? `${origin}/about` : `${origin}/`)
        await page.goto(`${origin}/no/such/page`)
        await page.locator('.account').getByRole('link', { name: 'Log in' }).waitFor()
        expect(await page.locator('.account .user').count()).to.equal(0)
        const unexpected = errors.filter((text) => !text.includes('status of 404'))
        expect(unexpected).to.deep.equal([])
      } finally {
        await context.close()
      }
    })
  }

  for (const js of [false, true]) {
    it(`shows a failed login and edits a task (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const { context, page, errors } = await newPage(js)
      const user = js ? 'e2e-edit-on' : 'e2e-edit-off'
      try {
        const seen = watch(page)
        await page.goto(`${origin}/tasks`)
        await page.waitForURL(`${origin}/login?next=%2Ftasks`)
        await page.getByLabel('User name').fill(user)
        await page.getByLabel('Password').fill('wrong password')
        await page.getByRole('button', { name: 'Log in' }).click()
        await page.getByText('Wrong user name or password').waitFor()
        await page.getByLabel('Password').fill(PASSWORD)
        await page.getByRole('button', { name: 'Log in' }).click()
        await page.waitForURL(`${origin}/tasks`)
        await page.getByLabel('New task').fill('Water the plants')
        await page.getByRole('button', { name: 'Add' }).click()
        await page.getByRole('link', { name: 'Water the plants' }).click()
        // Waits for the load event, so the page's scripts have run before the form is used.
        await page.waitForURL(/\/tasks\/[0-9a-z]{17}$/)
        await page.getByRole('heading', { name: 'Water the plants' }).waitFor()
        const editorUrl = page.url()
        expect(editorUrl).to.match(/\/tasks\/[0-9a-z]{17}$/)

        await page.evaluate('window.__sameDocument = true')
        const before = seen.documents.length
        await page.getByLabel('Title').fill('')
        await page.getByRole('button', { name: 'Save' }).click()
        await page.locator('#title-problem').filter({ hasText: 'Write a title for the task' }).waitFor()
        await page.getByLabel('Title').fill('Water the plants twice')
        await page.getByLabel('Done').check()
        await page.getByRole('button', { name: 'Save' }).click()
        if (js) {
          await page.getByRole('heading', { name: 'Water the plants twice' }).waitFor()
          await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor()
          expect(await page.locator('#title-problem').isHidden()).to.equal(true)
          expect(await page.evaluate('window.__sameDocument === true'), 'no reload').to.equal(true)
          expect(seen.documents.slice(before)).to.deep.equal([])
          expect(
            seen.fetches.map((f) => `${f.method} ${f.path === new URL(editorUrl).pathname ? 'task' : f.path}`),
          ).to.deep.equal(['POST /login', 'POST /login', 'POST /tasks', 'PATCH task', 'PATCH task'])
        } else {
          // Saved: a 303 back to the board, where the task shows as done.
          await page.waitForURL(`${origin}/tasks`)
          await page.locator('li.task.done', { hasText: 'Water the plants twice' }).waitFor()
          const loads = seen.documents.slice(before).map((d) => `${d.method} ${d.status}`)
          expect(loads).to.deep.equal(['POST 422', 'POST 303', 'GET 200'])
        }
        await page.screenshot({
          path: new URL(`e2e-${js ? 'js-on' : 'js-off'}-edited.png`, OUTPUT).pathname,
          fullPage: true,
        })
        const unexpected = errors.filter((text) => !/status of (401|422)/.test(text))
        expect(unexpected).to.deep.equal([])
      } finally {
        await context.close()
      }
    })
  }
})
