// The example app, route by route, through real HTTP: the app as `npm start` runs it
// (its own server, embedded dynalite over HTTP, cookie sessions), and a stub of the
// third-party holidays API on loopback.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { legacyStats } from '../example-app/legacy/stats.mjs'
import { checkPassword, closeDatabase, openDatabase, saveUser } from '../example-app/lib/db.mjs'
import { DEMO_USER, start } from '../example-app/server.mjs'
import { closeStub, holidaysStub, portOf } from './e2e/holidays-stub.js'

const JSON_ACCEPT = 'application/json'
const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

type Agent = ReturnType<typeof request.agent>

async function logIn(agent: Agent, name = DEMO_USER.name, password = DEMO_USER.password) {
  const res = await agent.post('/login').type('form').send({ name, password })
  expect(res.status, 'login').to.equal(303)
}

describe('example app (supertest, every route)', function () {
  this.timeout(20000)
  let url: string
  let stop: () => Promise<void>
  let stub: Server
  const saved = { api: process.env.HOLIDAYS_API_URL, timeout: process.env.HOLIDAYS_TIMEOUT_MS }

  before(async () => {
    stub = await holidaysStub()
    process.env.HOLIDAYS_API_URL = `http://127.0.0.1:${portOf(stub)}/`
    process.env.HOLIDAYS_TIMEOUT_MS = '300'
    const app = await start({ port: 0, quiet: true, database: { endpoint: '', table: 'supertest-tasks' } })
    url = app.url.replace(/\/$/, '')
    stop = app.stop
    await saveUser('grace', 'hopper-password')
  })

  after(async () => {
    await stop?.()
    await closeStub(stub)
    for (const [key, value] of [
      ['HOLIDAYS_API_URL', saved.api],
      ['HOLIDAYS_TIMEOUT_MS', saved.timeout],
    ] as const) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  describe('legacy routes and middleware', () => {
    it('keeps the legacy JSON endpoint /api/version', async () => {
      const res = await request(url).get('/api/version')
      expect(res.status).to.equal(200)
      expect(res.body).to.include({ name: 'express-enhance-routes-example', version: '0.1.0' })
    })

    it('keeps the legacy EJS page /about, rendered by res.render', async () => {
      const res = await request(url).get('/about').set('Accept', HTML_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.headers['content-type']).to.match(/^text\/html/)
      expect(res.text).to.include('<h1>About the task board</h1>').and.include('legacy EJS view')
      expect(res.text).to.include('<li><a href="/stats">/stats</a></li>')
    })

    it('serves the static files under /_public', async () => {
      const res = await request(url).get('/_public/styles.css')
      expect(res.status).to.equal(200)
      expect(res.headers['content-type']).to.match(/^text\/css/)
    })

    it('answers what nothing else does with the app’s own 404, in JSON or HTML', async () => {
      const json = await request(url).get('/no/such/page').set('Accept', JSON_ACCEPT)
      expect(json.status).to.equal(404)
      expect(json.body).to.deep.equal({ error: { status: 404, message: 'Not Found' } })
      const html = await request(url).get('/no/such/<page>').set('Accept', HTML_ACCEPT)
      expect(html.status).to.equal(404)
      expect(html.text).to.include('Nothing here: /no/such/%3Cpage%3E').and.not.include('<page>')
    })

    it('error pages, the app’s own 404 and /about have the header of the other pages, and know who is logged in', async () => {
      const headerOf = (html: string) => html.match(/<header class="site-header">[\s\S]*?<\/header>/)?.[0]
      const agent = request.agent(url)
      const pages = ['/tasks/zzzzzzzzz00000000', '/no/such/page', '/about']
      // A visitor who asks for a task is sent to log in; the other two show "Log in".
      for (const path of pages.slice(1)) {
        const visitor = await agent.get(path).set('Accept', HTML_ACCEPT)
        expect(visitor.text, path).to.include('<a href="/login" class="login">Log in</a>').and.not.include('Logged in')
      }
      await logIn(agent)
      const board = headerOf((await agent.get('/tasks').set('Accept', HTML_ACCEPT)).text)
      expect(board).to.include('Logged in as <strong class="user">demo</strong>')
      for (const path of pages) {
        const res = await agent.get(path).set('Accept', HTML_ACCEPT)
        expect(res.status, path).to.equal(path === '/about' ? 200 : 404)
        expect(headerOf(res.text), `${path}: the board's header`).to.equal(board)
        expect(res.text, path).to.include('<script type="module" src="/_public/site-header.mjs"></script>')
        expect(res.text, path).to.include('<link rel="stylesheet" href="/_public/styles.css">')
      }
      const own404 = await agent.get('/no/such/page').set('Accept', HTML_ACCEPT)
      expect(own404.text).to.include('<title>404: Task board</title>').and.include('<h1>Not found (404)</h1>')
    })
  })

  describe('/stats, moved from a legacy handler to app/api/stats.ts', () => {
    it('gives the same answers as the legacy handler it replaced', async () => {
      const legacy = express().get('/stats', legacyStats)
      const agent = request.agent(url)
      await logIn(agent)
      for (const step of ['before', 'after adding tasks']) {
        const [moved, old] = await Promise.all([request(url).get('/stats'), request(legacy).get('/stats')])
        expect(moved.status, step).to.equal(old.status).and.to.equal(200)
        expect(moved.headers['content-type'], step).to.equal(old.headers['content-type'])
        expect(moved.body, step).to.deep.equal(old.body)
        expect(moved.body.users, step).to.be.at.least(2)
        if (step === 'before') {
          await agent.post('/tasks').type('form').send({ title: 'counted' }).expect(303)
          const done = await agent.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: 'counted, done' })
          await agent.patch(`/tasks/${done.body.task.id}`).set('Accept', JSON_ACCEPT).send({ title: 'x', done: true })
        }
      }
      const after = await request(url).get('/stats')
      expect(after.body.tasks).to.be.at.least(2)
      expect(after.body.done).to.be.at.least(1)
    })
  })

  describe('/ (home)', () => {
    it('answers JSON with no user, then with the logged-in user', async () => {
      const agent = request.agent(url)
      const before = await agent.get('/').set('Accept', JSON_ACCEPT)
      expect(before.status).to.equal(200)
      expect(before.body).to.deep.equal({ user: null })
      await logIn(agent)
      const after = await agent.get('/').set('Accept', JSON_ACCEPT)
      expect(after.body).to.deep.equal({ user: 'demo' })
    })
  })

  describe('/login and /logout', () => {
    it('GET /login answers the empty form state, and where to go next (local paths only)', async () => {
      const res = await request(url).get('/login?next=/tasks/abc').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ user: null, next: '/tasks/abc', values: {}, problems: {} })
      for (const evil of [
        '//evil.example/',
        'https://evil.example/',
        '/\\evil.example',
        '/x\r\nSet-Cookie: a=b',
        '/\t/evil.example',
      ]) {
        const off = await request(url)
          .get(`/login?next=${encodeURIComponent(evil)}`)
          .set('Accept', JSON_ACCEPT)
        expect(off.body.next, evil).to.equal('/tasks')
      }
      // A local path with non-ASCII characters stays (siteLocation keeps it; the Location header encodes it).
      const local = await request(url)
        .get(`/login?next=${encodeURIComponent('/é')}`)
        .set('Accept', JSON_ACCEPT)
      expect(local.body.next).to.equal('/é')
    })

    it('names every missing field with 422, and never echoes the password', async () => {
      const res = await request(url).post('/login').set('Accept', JSON_ACCEPT).send({ name: '  ', password: '' })
      expect(res.status).to.equal(422)
      expect(res.body.problems).to.deep.equal({ name: 'Enter your user name', password: 'Enter your password' })
      const wrong = await request(url)
        .post('/login')
        .set('Accept', JSON_ACCEPT)
        .send({ name: 'demo', password: 'nope' })
      expect(wrong.status).to.equal(401)
      expect(wrong.body.problems).to.deep.equal({ form: 'Wrong user name or password' })
      expect(JSON.stringify(wrong.body)).to.not.include('nope')
      expect(wrong.headers['set-cookie']).to.equal(undefined)
      const unknown = await request(url)
        .post('/login')
        .set('Accept', JSON_ACCEPT)
        .send({ name: 'nobody', password: 'x' })
      expect(unknown.status).to.equal(401)
    })

    it('logs a form in with a signed cookie and a 303 to `next`, and out again', async () => {
      const agent = request.agent(url)
      const login = await agent
        .post('/login')
        .type('form')
        .send({ name: 'demo', password: 'demo-password', next: '/holidays' })
      expect(login.status).to.equal(303)
      expect(login.headers.location).to.equal('/holidays')
      const cookie = String(login.headers['set-cookie'])
      expect(cookie).to.include('taskboard=').and.include('taskboard.sig=').and.include('httponly')
      const again = await agent.get('/login').set('Accept', HTML_ACCEPT)
      expect(again.status, 'a logged-in user is sent on').to.equal(302)
      expect(again.headers.location).to.equal('/tasks')
      const logout = await agent.post('/logout').type('form').send({})
      expect(logout.status).to.equal(303)
      expect(logout.headers.location).to.equal('/')
      const after = await agent.get('/tasks').set('Accept', JSON_ACCEPT)
      expect(after.status).to.equal(401)
    })

    it('answers a JSON login with the user (no redirect) and a JSON logout with user null', async () => {
      const agent = request.agent(url)
      const login = await agent
        .post('/login')
        .set('Accept', JSON_ACCEPT)
        .send({ name: 'demo', password: 'demo-password' })
      expect(login.status).to.equal(200)
      expect(login.body).to.deep.equal({ user: 'demo', next: '/tasks' })
      const logout = await agent.post('/logout').set('Accept', JSON_ACCEPT).send({})
      expect(logout.status).to.equal(200)
      expect(logout.body).to.deep.equal({ user: null })
      expect((await agent.get('/').set('Accept', JSON_ACCEPT)).body).to.deep.equal({ user: null })
    })

    it('ignores a forged session cookie', async () => {
      const forged = Buffer.from(JSON.stringify({ user: 'demo' })).toString('base64')
      const res = await request(url)
        .get('/tasks')
        .set('Accept', JSON_ACCEPT)
        .set('Cookie', `taskboard=${forged}; taskboard.sig=forged`)
      expect(res.status).to.equal(401)
    })
  })

  describe('/tasks', () => {
    it('sends browsers to the login page and scripts a 401 when nobody is logged in', async () => {
      const html = await request(url).get('/tasks').set('Accept', HTML_ACCEPT)
      expect(html.status).to.equal(302)
      expect(html.headers.location).to.equal('/login?next=%2Ftasks')
      const json = await request(url).post('/tasks').set('Accept', JSON_ACCEPT).send({ title: 'sneaky' })
      expect(json.status).to.equal(401)
      expect(json.body).to.deep.equal({ error: { status: 401, message: 'Log in first' } })
    })

    it('adds from a form (303 back to the list) and from a script (201 with the task)', async () => {
      const agent = request.agent(url)
      await logIn(agent, 'grace', 'hopper-password')
      const form = await agent.post('/tasks').type('form').send({ title: '  Write the compiler  ' })
      expect(form.status).to.equal(303)
      expect(form.headers.location).to.equal('/tasks')
      const script = await agent.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: 'Find the bug' })
      expect(script.status).to.equal(201)
      expect(script.body.task).to.include({ title: 'Find the bug', done: false })
      expect(script.body.task.id).to.match(/^[0-9a-z]{17}$/)
      const list = await agent.get('/tasks').set('Accept', JSON_ACCEPT)
      expect(list.status).to.equal(200)
      expect(list.body.user).to.equal('grace')
      expect(list.body.tasks.map((t: { title: string }) => t.title)).to.deep.equal([
        'Write the compiler',
        'Find the bug',
      ])
    })

    it('names the problem with a title that is empty or too long (422), and saves nothing', async () => {
      const agent = request.agent(url)
      await logIn(agent)
      const count = (await agent.get('/tasks').set('Accept', JSON_ACCEPT)).body.tasks.length
      const empty = await agent.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: '   ' })
      expect(empty.status).to.equal(422)
      expect(empty.body.problems).to.deep.equal({ title: 'Write a title for the task' })
      const long = await agent
        .post('/tasks')
        .set('Accept', JSON_ACCEPT)
        .send({ title: 'x'.repeat(81) })
      expect(long.status).to.equal(422)
      expect(long.body.problems.title).to.equal('Keep the title under 81 characters')
      expect(long.body.values.title).to.equal('x'.repeat(81))
      const notText = await agent
        .post('/tasks')
        .set('Accept', JSON_ACCEPT)
        .send({ title: { $ne: 1 } })
      expect(notText.status).to.equal(422)
      expect((await agent.get('/tasks').set('Accept', JSON_ACCEPT)).body.tasks).to.have.length(count)
    })

    it('keeps each user’s tasks to that user', async () => {
      const demo = request.agent(url)
      await logIn(demo)
      const mine = await demo.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: 'demo only' })
      const grace = request.agent(url)
      await logIn(grace, 'grace', 'hopper-password')
      const list = await grace.get('/tasks').set('Accept', JSON_ACCEPT)
      expect(list.body.tasks.map((t: { id: string }) => t.id)).to.not.include(mine.body.task.id)
      const peek = await grace.get(`/tasks/${mine.body.task.id}`).set('Accept', JSON_ACCEPT)
      expect(peek.status).to.equal(404)
      const del = await grace.delete(`/tasks/${mine.body.task.id}`).set('Accept', JSON_ACCEPT)
      expect(del.status).to.equal(404)
      expect((await demo.get(`/tasks/${mine.body.task.id}`).set('Accept', JSON_ACCEPT)).status).to.equal(200)
    })
  })

  describe('/tasks/$id and /tasks/$id/delete', () => {
    let agent: Agent
    let id: string

    beforeEach(async () => {
      agent = request.agent(url)
      await logIn(agent)
      id = (await agent.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: 'Edit me' })).body.task.id
    })

    it('GET answers the task, and a clear 404 for a missing or malformed id', async () => {
      const res = await agent.get(`/tasks/${id}`).set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body.task).to.include({ id, title: 'Edit me', done: false })
      for (const bad of ['0000000000deadbeef', 'not-an-id', 'x'.repeat(2000)]) {
        const missing = await agent.get(`/tasks/${bad}`).set('Accept', JSON_ACCEPT)
        expect(missing.status, bad.slice(0, 20)).to.equal(404)
        expect(missing.body.error.message).to.equal(`There is no task ${bad} on your board`)
      }
    })

    it('POST from a form saves (303 to the list); PATCH and PUT from a script answer the task', async () => {
      const form = await agent.post(`/tasks/${id}`).type('form').send({ title: 'Edited', done: 'on' })
      expect(form.status).to.equal(303)
      expect(form.headers.location).to.equal('/tasks')
      expect((await agent.get(`/tasks/${id}`).set('Accept', JSON_ACCEPT)).body.task).to.include({
        title: 'Edited',
        done: true,
      })
      const patch = await agent.patch(`/tasks/${id}`).set('Accept', JSON_ACCEPT).send({ title: 'Patched', done: false })
      expect(patch.status).to.equal(200)
      expect(patch.body.task).to.include({ id, title: 'Patched', done: false })
      const put = await agent.put(`/tasks/${id}`).set('Accept', JSON_ACCEPT).send({ title: 'Put', done: true })
      expect(put.body.task).to.include({ title: 'Put', done: true })
    })

    it('an edit with an empty title is a 422 that names the problem and changes nothing', async () => {
      const res = await agent.patch(`/tasks/${id}`).set('Accept', JSON_ACCEPT).send({ title: '' })
      expect(res.status).to.equal(422)
      expect(res.body.problems).to.deep.equal({ title: 'Write a title for the task' })
      expect(res.body.task.title).to.equal('Edit me')
      expect((await agent.get(`/tasks/${id}`).set('Accept', JSON_ACCEPT)).body.task.title).to.equal('Edit me')
      const gone = await agent.patch('/tasks/0000000000deadbeef').set('Accept', JSON_ACCEPT).send({ title: 'x' })
      expect(gone.status).to.equal(404)
    })

    it('DELETE from a script answers the id; then the task is gone', async () => {
      const res = await agent.delete(`/tasks/${id}`).set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body).to.deep.equal({ deleted: id })
      expect((await agent.get(`/tasks/${id}`).set('Accept', JSON_ACCEPT)).status).to.equal(404)
      expect((await agent.delete(`/tasks/${id}`).set('Accept', JSON_ACCEPT)).status).to.equal(404)
    })

    it('POST /tasks/:id/delete from a form deletes with a 303 to the list; GET there is a 405', async () => {
      const res = await agent.post(`/tasks/${id}/delete`).type('form').send({})
      expect(res.status).to.equal(303)
      expect(res.headers.location).to.equal('/tasks')
      expect((await agent.get(`/tasks/${id}`).set('Accept', JSON_ACCEPT)).status).to.equal(404)
      const get = await agent.get(`/tasks/${id}/delete`).set('Accept', JSON_ACCEPT)
      expect(get.status).to.equal(405)
      expect(get.headers.allow).to.include('POST')
    })

    it('needs a login', async () => {
      expect((await request(url).get(`/tasks/${id}`).set('Accept', JSON_ACCEPT)).status).to.equal(401)
      const form = await request(url).post(`/tasks/${id}/delete`).type('form').send({})
      expect(form.status).to.equal(303)
      expect(form.headers.location).to.equal(`/login?next=${encodeURIComponent(`/tasks/${id}/delete`)}`)
      expect((await agent.get(`/tasks/${id}`).set('Accept', JSON_ACCEPT)).status, 'still there').to.equal(200)
    })
  })

  describe('/holidays and /holidays/$country (the third-party API, stubbed on loopback)', () => {
    it('/holidays answers the form; a code in the query redirects to its page', async () => {
      const form = await request(url).get('/holidays').set('Accept', JSON_ACCEPT)
      expect(form.status).to.equal(200)
      expect(form.body).to.deep.equal({ user: null, country: '', problems: {} })
      const go = await request(url).get('/holidays?country=gb').set('Accept', HTML_ACCEPT)
      expect(go.status).to.equal(302)
      expect(go.headers.location).to.equal('/holidays/GB')
      const bad = await request(url).get('/holidays?country=Narnia').set('Accept', JSON_ACCEPT)
      expect(bad.status).to.equal(422)
      expect(bad.body.problems).to.deep.equal({ country: 'Enter a two-letter country code, such as GB or FR' })
    })

    it('lists the next holidays from the API', async () => {
      const res = await request(url).get('/holidays/gb').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(200)
      expect(res.body.country).to.equal('GB')
      expect(res.headers['cache-control'], 'the page shows who is logged in').to.equal('private, max-age=600')
      expect(res.body.holidays).to.deep.equal([
        { date: '2026-12-25', name: 'Christmas Day', localName: 'Christmas Day' },
        { date: '2026-12-26', name: 'St. Stephen’s Day', localName: 'Boxing Day' },
      ])
    })

    it('answers each failure of the API with its own clear message, no stack trace', async () => {
      const cases: Array<[string, number, string]> = [
        ['XX', 404, 'The holidays service knows no country with the code XX.'],
        ['ZZ', 502, 'The holidays service failed (it answered 500). Try again later.'],
        ['SL', 504, 'The holidays service did not answer within 0.3 s. Try again later.'],
        ['BD', 502, 'The holidays service sent an answer that is not readable. Try again later.'],
        ['1X', 400, 'Country codes have two letters, such as GB or FR'],
      ]
      for (const [code, status, message] of cases) {
        const started = Date.now()
        const res = await request(url).get(`/holidays/${code}`).set('Accept', JSON_ACCEPT)
        expect(res.status, code).to.equal(status)
        expect(res.body.error, code).to.deep.equal({ status, message })
        expect(res.text, code).to.not.match(/at .*\.m?[jt]s:\d+/)
        expect(Date.now() - started, `${code} is bounded by the timeout`).to.be.below(3000)
      }
    })

    it('answers 502 when the API cannot be reached at all', async () => {
      const closed = await holidaysStub()
      const port = portOf(closed)
      await new Promise((resolve) => closed.close(resolve))
      const before = process.env.HOLIDAYS_API_URL
      process.env.HOLIDAYS_API_URL = `http://127.0.0.1:${port}`
      try {
        const res = await request(url).get('/holidays/GB').set('Accept', JSON_ACCEPT)
        expect(res.status).to.equal(502)
        expect(res.body.error.message).to.equal('The holidays service cannot be reached right now. Try again later.')
        expect(res.headers['cache-control']).to.equal('no-store')
      } finally {
        process.env.HOLIDAYS_API_URL = before
      }
    })
  })

  describe('HTML pages (Enhance pages and elements over the same routes)', () => {
    const page = (agent: Agent | ReturnType<typeof request>, path: string) =>
      (agent as Agent).get(path).set('Accept', HTML_ACCEPT)

    it('/ renders the home page with its elements and head, for a visitor and for a user', async () => {
      const visitor = await page(request(url), '/')
      expect(visitor.status).to.equal(200)
      expect(visitor.headers['content-type']).to.match(/^text\/html/)
      expect(visitor.text).to.include('<title>Task board</title>').and.include('/_public/styles.css')
      expect(visitor.text)
        .to.match(/<site-header[^>]*>/)
        .and.match(/<home-intro[^>]*>/)
      expect(visitor.text).to.include('<a href="/login" class="login">Log in</a>')
      const agent = request.agent(url)
      await logIn(agent)
      const user = await page(agent, '/')
      expect(user.text).to.include('Welcome back, <strong>demo</strong>').and.include('class="logout"')
    })

    it('/login renders the form; a failed login renders it again with its problems and status', async () => {
      const form = await page(request(url), '/login?next=/holidays')
      expect(form.status).to.equal(200)
      expect(form.text).to.include('<form method="post" action="/login"').and.include('value="/holidays"')
      const empty = await request(url)
        .post('/login')
        .set('Accept', HTML_ACCEPT)
        .type('form')
        .send({ name: '', password: '' })
      expect(empty.status).to.equal(422)
      expect(empty.text).to.include('Enter your user name').and.include('Enter your password')
      const wrong = await request(url)
        .post('/login')
        .set('Accept', HTML_ACCEPT)
        .type('form')
        .send({ name: '<b>demo</b>', password: 'nope' })
      expect(wrong.status).to.equal(401)
      expect(wrong.text).to.include('Wrong user name or password')
      // Escaped on the way in; @enhance/ssr re-serializes attribute values, where < is harmless inside quotes.
      expect(wrong.text).to.include('value="<b>demo</b>"')
      expect(wrong.text.split('<b>demo</b>'), 'only inside the quoted value').to.have.length(2)
      expect(wrong.text).to.not.include('nope')
    })

    it('/tasks renders the board; user input is escaped', async () => {
      const agent = request.agent(url)
      await logIn(agent, 'grace', 'hopper-password')
      await agent.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: '<img src=x onerror=alert(1)> & co' })
      const board = await page(agent, '/tasks')
      expect(board.status).to.equal(200)
      expect(board.text)
        .to.include('<title>Your tasks: Task board</title>')
        .and.match(/<task-board[^>]*>/)
      expect(board.text).to.include('>&lt;img src=x onerror=alert(1)&gt; &amp; co</a>')
      expect(board.text).to.include('aria-label="Delete <img src=x onerror=alert(1)> &amp; co"')
      expect(board.text.split('<img'), 'no img element, only the quoted label').to.have.length(2)
      expect(board.text).to.include('action="/tasks/').and.include('/delete"')
    })

    it('a form POST with a problem renders the board again with a 422 and the problem', async () => {
      const agent = request.agent(url)
      await logIn(agent)
      const res = await agent.post('/tasks').set('Accept', HTML_ACCEPT).type('form').send({ title: '' })
      expect(res.status).to.equal(422)
      expect(res.text).to.include('Write a title for the task').and.include('aria-invalid="true"')
      expect(res.text).to.match(/<task-board[^>]*>/)
    })

    it('/tasks/$id renders the editor; a bad edit renders it again with 422; a missing task is the 404 page', async () => {
      const agent = request.agent(url)
      await logIn(agent)
      const { id } = (await agent.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: 'Paint the fence' })).body
        .task
      const editor = await page(agent, `/tasks/${id}`)
      expect(editor.status).to.equal(200)
      expect(editor.text).to.include('<title>Paint the fence: Task board</title>')
      expect(editor.text).to.include(`action="/tasks/${id}"`).and.include('value="Paint the fence"')
      const bad = await agent
        .post(`/tasks/${id}`)
        .set('Accept', HTML_ACCEPT)
        .type('form')
        .send({ title: 'y'.repeat(90) })
      expect(bad.status).to.equal(422)
      expect(bad.text)
        .to.include('Keep the title under 81 characters')
        .and.include(`value="${'y'.repeat(90)}"`)
      const missing = await page(agent, '/tasks/0000000000deadbeef')
      expect(missing.status).to.equal(404)
      expect(missing.text).to.include('There is no task 0000000000deadbeef on your board')
      expect(missing.text).to.match(/<error-message[^>]*>/)
    })

    it('/holidays/$country renders the holidays, and a clear error page when the API fails', async () => {
      const list = await page(request(url), '/holidays/GB')
      expect(list.status).to.equal(200)
      expect(list.text).to.include('Next public holidays in GB').and.include('<td>2026-12-25</td>')
      expect(list.text).to.include('St. Stephen’s Day')
      const slow = await page(request(url), '/holidays/SL')
      expect(slow.status).to.equal(504)
      expect(slow.text).to.include('No holidays for SL right now')
      expect(slow.text).to.include('The holidays service did not answer within 0.3 s. Try again later.')
      const down = await page(request(url), '/holidays/ZZ')
      expect(down.status).to.equal(502)
      expect(down.text).to.include('The holidays service failed (it answered 500)').and.not.include('upstream exploded')
      const form = await page(request(url), '/holidays?country=Narnia')
      expect(form.status).to.equal(422)
      expect(form.text).to.include('Enter a two-letter country code')
    })
  })
})

describe('example app: its TypeScript route', function () {
  this.timeout(30000)

  it('type-checks against the types of the built package (tsc -p example-app)', async () => {
    const tsc = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'example-app/tsconfig.json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    tsc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    tsc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    const [code] = await once(tsc, 'exit')
    expect(out).to.equal('')
    expect(code).to.equal(0)
  })
})

describe('example app: the README’s first command', function () {
  this.timeout(30000)

  it('starts with nothing else set up, prints its URL, logs requests and serves the board', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NODE_ENV: 'development' }
    // The app sets the SDK's switch for itself (this process has it from importing the app): not from here.
    for (const key of [
      'DYNAMODB_ENDPOINT',
      'DYNAMODB_TABLE',
      'SESSION_SECRET',
      'HOLIDAYS_API_URL',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      'NODE_NO_WARNINGS',
    ]) {
      delete env[key]
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'example-app/server.mjs'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk
    })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed within 20 s:\n${out}\n${err}`)), 20000)
        child.stdout.on('data', () => {
          const found = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/)
          if (found?.[1]) {
            clearTimeout(timer)
            resolve(found[1])
          }
        })
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}\n${err}`)))
      })
      expect(out).to.include('embedded dynalite').and.include('log in as demo / demo-password')
      expect(url).to.match(/\/$/)
      const origin = url.slice(0, -1)
      const stats = await request(origin).get('/stats')
      expect(stats.status).to.equal(200)
      expect(stats.body).to.deep.equal({ users: 1, tasks: 0, done: 0 })
      const agent = request.agent(origin)
      await logIn(agent)
      const added = await agent.post('/tasks').set('Accept', JSON_ACCEPT).send({ title: 'from a fresh start' })
      expect(added.status).to.equal(201)
      // The logger writes its line on 'finish', which may come just after the response.
      const logged = /GET \/stats 200 \d+\.\d ms/
      for (let i = 0; i < 50 && !logged.test(out); i++) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(out).to.match(logged)
      expect(err).to.not.include('no session keys')
      // Node 20.19+, the version the README promises, starts it without a warning (the AWS SDK's Node 22 notice).
      expect(err).to.not.include('Warning')
      expect(err).to.equal('')
    } finally {
      child.kill('SIGTERM')
      await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  /** Runs `npm start`'s server (embedded database) with `set` in its environment; resolves when it exits. */
  async function startAndExit(set: NodeJS.ProcessEnv, unset: string[] = []): Promise<{ code: number; err: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...set }
    for (const key of ['DYNAMODB_ENDPOINT', ...unset]) delete env[key]
    const child = spawn(process.execPath, ['--import', 'tsx', 'example-app/server.mjs'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000)
    const [code] = await once(child, 'exit')
    clearTimeout(timer)
    return { code, err }
  }

  it('says so when its port is in use, and exits', async () => {
    // Any server on 127.0.0.1 holds the port; the holidays stand-in is at hand.
    const holder = await holidaysStub()
    try {
      const port = portOf(holder)
      const { code, err } = await startAndExit({ PORT: String(port) })
      expect(code).to.equal(1)
      expect(err).to.include(
        `task board could not start: port ${port} on 127.0.0.1 is in use: stop what holds it, or set PORT to another port`,
      )
      expect(err).to.not.match(/\n\s+at /)
    } finally {
      await closeStub(holder)
    }
  })

  it('names a PORT that is not a port number, and exits', async () => {
    for (const port of ['abc', '70000', '80.5', ' ']) {
      const { code, err } = await startAndExit({ PORT: port })
      expect(code).to.equal(1)
      expect(err).to.include(`task board could not start: PORT must be a port number from 0 to 65535, not "${port}"`)
      expect(err).to.not.match(/\n\s+at /)
    }
  })

  it('refuses to start in production without SESSION_SECRET, and says why', async () => {
    const { code, err } = await startAndExit({ PORT: '0', NODE_ENV: 'production' }, ['SESSION_SECRET'])
    expect(code).to.equal(1)
    expect(err).to.include('task board could not start: Set SESSION_SECRET')
    expect(err).to.not.match(/\n\s+at /)
  })
})

describe('example app: where the data lives', function () {
  this.timeout(20000)
  // dynalite has no types; it is the same server the app embeds, started here as an "external" one.
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server

  it('uses DYNAMODB_ENDPOINT when it is set, creates the table there once, and keeps the data', async () => {
    const external = dynalite({ createTableMs: 0 })
    await new Promise<void>((resolve) => external.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${portOf(external)}`
    const client = new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    })
    try {
      const info = await openDatabase({ endpoint, table: 'external-tasks' })
      expect(info).to.deep.equal({ endpoint, table: 'external-tasks', embedded: false })
      expect((await client.send(new ListTablesCommand({}))).TableNames).to.deep.equal(['external-tasks'])
      await saveUser('ext', 'ext-password')
      await closeDatabase()
      // A second start finds the table and the data (as a second instance of the web tier would).
      await openDatabase({ endpoint, table: 'external-tasks' })
      expect(await checkPassword('ext', 'ext-password')).to.equal('ext')
      expect((await client.send(new ListTablesCommand({}))).TableNames).to.deep.equal(['external-tasks'])
    } finally {
      await closeDatabase()
      client.destroy()
      await new Promise((resolve) => external.close(resolve))
    }
  })

  /** A TCP proxy to `target` that, once `hang()` is called, passes nothing more on: a DynamoDB that stopped answering. */
  async function hangingProxy(target: number) {
    const { createServer, connect } = await import('node:net')
    let hanging = false
    const sockets = new Set<import('node:net').Socket>()
    const proxy = createServer((client) => {
      const upstream = connect(target, '127.0.0.1')
      sockets.add(client).add(upstream)
      client.on('data', (chunk) => {
        if (!hanging) upstream.write(chunk)
      })
      upstream.on('data', (chunk) => {
        if (!hanging) client.write(chunk)
      })
      for (const socket of [client, upstream]) socket.on('error', () => {}).on('close', () => sockets.delete(socket))
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    return {
      endpoint: `http://127.0.0.1:${portOf(proxy as unknown as Server)}`,
      hang: () => {
        hanging = true
      },
      close: async () => {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => proxy.close(resolve))
      },
    }
  }

  it('gives each DynamoDB call a timeout: a database that stops answering is a 503 after a bounded wait', async () => {
    const external = dynalite({ createTableMs: 0 })
    await new Promise<void>((resolve) => external.listen(0, '127.0.0.1', resolve))
    const proxy = await hangingProxy(portOf(external))
    const app = await start({
      port: 0,
      quiet: true,
      database: { endpoint: proxy.endpoint, table: 'hanging-tasks', timeoutMs: 150 },
    })
    const errors: unknown[] = []
    const originalError = console.error
    console.error = (...args: unknown[]) => errors.push(args)
    try {
      const agent = request.agent(app.url.replace(/\/$/, ''))
      await logIn(agent)
      proxy.hang()
      const started = Date.now()
      const json = await agent.get('/tasks').set('Accept', JSON_ACCEPT)
      expect(json.status).to.equal(503)
      expect(json.body).to.deep.equal({
        error: { status: 503, message: 'The database did not answer in time: try again in a moment' },
      })
      // Three attempts of 150 ms and the SDK's backoff between them: well under the 20 s a hung call could take.
      expect(Date.now() - started).to.be.below(5000)
      const html = await agent.get('/tasks').set('Accept', HTML_ACCEPT)
      expect(html.status).to.equal(503)
      expect(html.text).to.include('Logged in as <strong class="user">demo</strong>')
    } finally {
      console.error = originalError
      await app.stop()
      await proxy.close()
      await new Promise((resolve) => external.close(resolve))
    }
  })

  it('a DynamoDB that never answers at start-up is named within the timeout', async () => {
    const external = dynalite({ createTableMs: 0 })
    await new Promise<void>((resolve) => external.listen(0, '127.0.0.1', resolve))
    const proxy = await hangingProxy(portOf(external))
    proxy.hang()
    const started = Date.now()
    try {
      const failed = await openDatabase({ endpoint: proxy.endpoint, table: 'never-tasks', timeoutMs: 150 }).then(
        () => 'opened',
        (error: Error) => error.message,
      )
      expect(failed).to.match(new RegExp(`^could not reach DynamoDB at ${proxy.endpoint}: .*150 ms requestTimeout`))
      expect(Date.now() - started).to.be.below(5000)
    } finally {
      await closeDatabase()
      await proxy.close()
      await new Promise((resolve) => external.close(resolve))
    }
  })

  it('names a DYNAMODB_TIMEOUT_MS that is not a number of milliseconds', async () => {
    const saved = process.env.DYNAMODB_TIMEOUT_MS
    try {
      for (const value of ['soon', '0', '-5', '1.5']) {
        process.env.DYNAMODB_TIMEOUT_MS = value
        const message = await openDatabase({ endpoint: '' }).then(
          () => 'opened',
          (error: Error) => error.message,
        )
        expect(message).to.equal(`DYNAMODB_TIMEOUT_MS must be a whole number of milliseconds above 0, not "${value}"`)
      }
    } finally {
      if (saved === undefined) delete process.env.DYNAMODB_TIMEOUT_MS
      else process.env.DYNAMODB_TIMEOUT_MS = saved
      await closeDatabase()
    }
  })

  it('names a bad setting or an unreachable DynamoDB in its error', async () => {
    const failure = async (options: Parameters<typeof openDatabase>[0]) => {
      try {
        await openDatabase(options)
      } catch (error) {
        return (error as Error).message
      }
      await closeDatabase()
      return 'no error'
    }
    expect(await failure({ endpoint: 'not a url' })).to.equal(
      'DYNAMODB_ENDPOINT must be a URL or "aws", not "not a url"',
    )
    expect(await failure({ endpoint: 'aws', region: '' })).to.equal('DYNAMODB_ENDPOINT=aws needs AWS_REGION')
    expect(await failure({ endpoint: '', table: 'ab' })).to.equal(
      'DYNAMODB_TABLE must have at least 3 characters, not "ab"',
    )
    const closed = await holidaysStub()
    const port = portOf(closed)
    await closeStub(closed)
    expect(await failure({ endpoint: `http://127.0.0.1:${port}` })).to.match(
      new RegExp(`^could not reach DynamoDB at http://127\\.0\\.0\\.1:${port}: `),
    )
  })
})
