#!/usr/bin/env node
/**
 * compare-with-enhance.mjs: asks real Enhance apps the same requests under
 * Enhance's own runtime (Architect Sandbox + @enhance/arc-plugin-enhance) and
 * under Express + enhanceRoutes(), and prints a table: request, Enhance's
 * answer, ours, same or different.
 *
 * NOT RUN IN CI, and not by `npm test`: it needs the apps and Sandbox, which
 * you install by hand, outside this repository (never copy their code here):
 *
 *   # Node 20 (Sandbox 8.x runs on Node 20; 9.x needs Node 22)
 *   mkdir -p /tmp/enhance-apps/starter /tmp/enhance-apps/todo
 *   git clone --depth 1 https://github.com/enhance-dev/enhance-starter-project /tmp/src-starter
 *   git -C /tmp/src-starter archive HEAD | tar -x -C /tmp/enhance-apps/starter
 *   git clone --depth 1 https://github.com/enhance-dev/todo-mvc /tmp/src-todo
 *   git -C /tmp/src-todo archive HEAD | tar -x -C /tmp/enhance-apps/todo
 *   (cd /tmp/enhance-apps/starter && npm install @architect/sandbox@8)
 *   (cd /tmp/enhance-apps/todo && npm install @architect/sandbox@8 @enhance/arc-plugin-enhance@11)
 *   npm run build                  # in this repository: the script serves dist/
 *   node scripts/compare-with-enhance.mjs --apps /tmp/enhance-apps [--only todo] [--verbose] [--json out.json]
 *
 * (todo-mvc's lockfile pins @enhance/arc-plugin-enhance 9; the line above
 * moves it to 11, the runtime Enhance ships today.) `--ours <dir>` serves the
 * package installed in <dir> (`npm pack` here, then `npm install <tgz> express`
 * in <dir>) instead of this repository's dist/.
 *
 * What it does, per app (one app at a time: Sandbox's own ports are fixed):
 * - starts Sandbox in the app folder (its own local DynamoDB), with dummy AWS
 *   credentials, AWS_EC2_METADATA_DISABLED=true and everything on 127.0.0.1;
 * - copies the app's `app/` and `public/` (minus what .gitignore names as
 *   generated: Sandbox's bundles and static.json) to a temp folder that links
 *   the app's node_modules, and serves it with `express()` +
 *   `enhanceRoutes({ root: '<copy>/app' })`, twice: as mounted by default
 *   (unmatched requests fall through to Express's 404) and with
 *   `fallthrough: false`; an app that imports @begin/data gets a dynalite on
 *   127.0.0.1 and the environment @begin/data reads (ARC_ENV=testing,
 *   ARC_SANDBOX's tables port, BEGIN_DATA_TABLE_NAME); an app that depends
 *   on @enhance/arc-plugin-styles gets the README's start-up step (the
 *   plugin's hydrate.copy hook, with the .arc's @enhance-styles pragma);
 * - asks each the same requests in the same order, each server with its own
 *   cookie jar and its own keys learnt from its own answers, and compares
 *   status, content type, Location, Cache-Control, Vary, Allow, presence of
 *   Set-Cookie / ETag / Server-Timing, and the body (HTML with whitespace
 *   collapsed and Sandbox's live-reload script, dates and keys normalized;
 *   JSON parsed; browser bundles, which two bundlers write, by the names they
 *   define).
 * A difference that SPEC.md or the README documents is marked "documented"
 * with the section; anything else is "DIFFERENT".
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '..')

// ---------------------------------------------------------------- arguments
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const appsDir = resolve(option('apps', '/tmp/enhance-apps'))
const only = option('only', '').split(',').filter(Boolean)
const verbose = args.includes('--verbose')
const jsonOut = option('json', '')
const oursDir = option('ours', '')

const ENV = {
  AWS_ACCESS_KEY_ID: 'dummy',
  AWS_SECRET_ACCESS_KEY: 'dummy',
  AWS_REGION: 'us-west-2',
  AWS_EC2_METADATA_DISABLED: 'true',
  SESSION_SECRET: 'compare-with-enhance-secret',
}
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const JSON_ACCEPT = 'application/json'

// ---------------------------------------------------------------- servers
function waitFor(child, word, label) {
  return new Promise((resolvePromise, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${out}`)), 60000)
    const onData = (chunk) => {
      out += chunk
      if (out.includes(word)) {
        clearTimeout(timer)
        resolvePromise(out)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk) => {
      out += chunk
      if (verbose) process.stderr.write(`[${label}] ${chunk}`)
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${label} exited (${code}):\n${out}`))
    })
  })
}

async function stop(child) {
  if (!child || child.exitCode !== null) return
  child.removeAllListeners('exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await once(child, 'exit')
  clearTimeout(timer)
}

/** Sandbox in the app folder, through its JS API, on 127.0.0.1:port. */
async function startSandbox(appDir, port) {
  const code = `
    const sandbox = require(${JSON.stringify(createRequire(join(appDir, 'package.json')).resolve('@architect/sandbox'))})
    sandbox.start({ cwd: ${JSON.stringify(appDir)}, port: ${port}, host: '127.0.0.1', quiet: true }).then(() => {
      console.log('COMPARE-READY')
    }, (error) => { console.error(error); process.exit(1) })
    process.on('SIGTERM', () => sandbox.end().then(() => process.exit(0), () => process.exit(0)))
  `
  const child = spawn(process.execPath, ['-e', code], {
    cwd: appDir,
    env: { ...process.env, ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await waitFor(child, 'COMPARE-READY', 'sandbox')
  return child
}

/** The lines of the app's .gitignore that name generated files under public/. */
function generated(appDir) {
  const file = join(appDir, '.gitignore')
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim().replace(/^\//, '').replace(/\/$/, ''))
    .filter((line) => line.startsWith('public/'))
}

/** A copy of the app's app/ and public/ without Sandbox's build output, linking the app's node_modules. */
function cleanCopy(appDir) {
  const copy = mkdtempSync(join(tmpdir(), 'compare-express-'))
  const skip = generated(appDir)
  for (const folder of ['app', 'public']) {
    if (!existsSync(join(appDir, folder))) continue
    cpSync(join(appDir, folder), join(copy, folder), {
      recursive: true,
      filter: (source) => !skip.some((path) => relative(appDir, source) === path),
    })
  }
  symlinkSync(join(appDir, 'node_modules'), join(copy, 'node_modules'), 'dir')
  cpSync(join(appDir, 'package.json'), join(copy, 'package.json'))
  if (existsSync(join(appDir, '.arc'))) cpSync(join(appDir, '.arc'), join(copy, '.arc'))
  return copy
}

function usesBeginData(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.m?js$/.test(entry.name)) continue
    if (readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8').includes('@begin/data')) return true
  }
  return false
}

function usesPlugin(dir, name) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  return Boolean(manifest.dependencies?.[name] ?? manifest.devDependencies?.[name])
}

/** One pragma of the app's .arc file as Architect parses a simple one: { [pragma]: [[word, word], ...] }. */
function pragma(dir, name) {
  const file = join(dir, '.arc')
  const arc = { [name]: [] }
  if (!existsSync(file)) return {}
  let inside = false
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) continue
    if (line.startsWith('@')) inside = line.slice(1) === name
    else if (inside) arc[name].push(line.split(/\s+/))
  }
  return arc[name].length ? arc : {}
}

/** Our middleware on real Express, in a process of its own whose cwd is the app's copy. */
async function startOurs(copy, port, fallthrough) {
  const from = oursDir
    ? createRequire(join(resolve(oursDir), 'package.json'))
    : createRequire(join(repo, 'package.json'))
  const entry = oursDir ? from.resolve('express-enhance-routes') : join(repo, 'dist/esm/lib/index.js')
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`)
  const repoRequire = createRequire(join(repo, 'package.json'))
  const config = {
    entry: pathToFileURL(entry).href,
    express: pathToFileURL(from.resolve('express')).href,
    root: join(copy, 'app'),
    port,
    fallthrough,
    data: usesBeginData(join(copy, 'app')),
    styles: usesPlugin(copy, '@enhance/arc-plugin-styles') ? pragma(copy, 'enhance-styles') : null,
    dynalite: repoRequire.resolve('dynalite'),
    dynamodb: pathToFileURL(repoRequire.resolve('@aws-sdk/client-dynamodb')).href,
  }
  const server = `
    import { createRequire } from 'node:module'
    const config = JSON.parse(process.env.COMPARE_SERVER)
    if (config.data) {
      // @begin/data outside Sandbox: its table on a dynalite on loopback (see its _get-ports.js, _dynamo.js, _get-table-name.js).
      const dynalite = createRequire(import.meta.url)(config.dynalite)
      const db = dynalite({ createTableMs: 0 })
      await new Promise((done) => db.listen(0, '127.0.0.1', done))
      const tables = db.address().port
      const { DynamoDBClient, CreateTableCommand } = await import(config.dynamodb)
      const client = new DynamoDBClient({ endpoint: 'http://127.0.0.1:' + tables, region: 'us-west-2' })
      await client.send(new CreateTableCommand({
        TableName: 'compare-data',
        AttributeDefinitions: [{ AttributeName: 'scopeID', AttributeType: 'S' }, { AttributeName: 'dataID', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'scopeID', KeyType: 'HASH' }, { AttributeName: 'dataID', KeyType: 'RANGE' }],
        BillingMode: 'PAY_PER_REQUEST',
      }))
      process.env.ARC_ENV = 'testing'
      process.env.ARC_SANDBOX = JSON.stringify({ ports: { tables } })
      process.env.BEGIN_DATA_TABLE_NAME = 'compare-data'
    }
    if (config.styles) {
      // The README's start-up step for Enhance Styles ("Generate the CSS at start-up, with the plugin's own hook").
      const { cpSync } = await import('node:fs')
      const { join } = await import('node:path')
      const cwd = process.cwd()
      const stylesPlugin = createRequire(join(cwd, 'package.json'))('@enhance/arc-plugin-styles')
      await stylesPlugin.hydrate.copy({
        arc: config.styles,
        inventory: { inv: { _project: { cwd } } },
        copy: ({ source, target }) => cpSync(join(cwd, source), join(cwd, 'node_modules', target), { recursive: true }),
      })
    }
    const { default: express } = await import(config.express)
    const { enhanceRoutes } = await import(config.entry)
    const app = express()
    const middleware = enhanceRoutes({ root: config.root, fallthrough: config.fallthrough })
    app.use(middleware)
    await middleware.ready.catch((error) => console.error('ready rejected:', error.message))
    app.listen(config.port, '127.0.0.1', () => console.log('COMPARE-READY'))
  `
  const file = join(copy, `.compare-server-${port}.mjs`)
  writeFileSync(file, server)
  const child = spawn(process.execPath, [file], {
    cwd: copy,
    env: { ...process.env, ...ENV, COMPARE_SERVER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await waitFor(child, 'COMPARE-READY', `ours:${port}`)
  return child
}

// ---------------------------------------------------------------- requests
function ask(port, { method = 'GET', path, headers = {}, body }, jar) {
  return new Promise((resolvePromise, reject) => {
    const sent = { ...headers }
    if (jar.size) sent.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    let payload
    if (body !== undefined) {
      payload = Buffer.from(body)
      sent['content-length'] = String(payload.length)
    }
    const request = http.request({ host: '127.0.0.1', port, method, path, headers: sent, agent: false }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => {
        for (const line of [response.headers['set-cookie'] ?? []].flat()) {
          const [pair] = line.split(';')
          const at = pair.indexOf('=')
          const name = pair.slice(0, at).trim()
          const value = pair.slice(at + 1).trim()
          if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name)
          else jar.set(name, value)
        }
        resolvePromise({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) })
      })
      response.on('error', reject)
    })
    request.setTimeout(30000, () => request.destroy(new Error(`timeout: ${method} ${path}`)))
    request.on('error', reject)
    request.end(payload)
  })
}

const form = (fields) => ({
  headers: { accept: HTML, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
})
// As the todo app's worker.mjs sends it: Accept and Content-Type JSON.
const json = (value) => ({
  headers: { accept: JSON_ACCEPT, 'content-type': 'application/json' },
  body: value === undefined ? undefined : JSON.stringify(value),
})
const page = (path) => ({ method: 'GET', path, headers: { accept: HTML } })
const api = (path) => ({ method: 'GET', path, headers: { accept: JSON_ACCEPT } })
const file = (path) => ({ method: 'GET', path, headers: { accept: '*/*' } })

/**
 * The requests of each app. A step is a request (path and body may be
 * functions of the server's own state: the keys it handed out), with
 * `follow: true` to follow a redirect with the cookie, `learn` to read keys
 * from the answer, `kind` to say how to compare the body.
 */
const APPS = {
  starter: [
    { name: 'GET / (browser)', ...page('/') },
    { name: 'GET / (JSON client)', ...api('/'), pageOnly: true },
    { name: 'GET / (curl: Accept */*)', ...file('/') },
    { name: 'GET /?ref=docs (query string)', ...page('/?ref=docs') },
    {
      name: 'GET / (Content-Type JSON, no Accept, no body)',
      method: 'GET',
      path: '/',
      headers: { 'content-type': 'application/json' },
    },
    { name: 'HEAD / (browser)', ...page('/'), method: 'HEAD' },
    { name: 'OPTIONS /', method: 'OPTIONS', path: '/', headers: {} },
    { name: 'POST / form (page only, no API)', method: 'POST', path: '/', ...form({ q: 'x' }) },
    { name: 'GET /nope (browser)', ...page('/nope'), notFound: true },
    { name: 'GET /nope (JSON client)', ...api('/nope'), notFound: true },
    { name: 'GET /index (browser)', ...page('/index'), notFound: true },
    { name: 'GET /_public/favicon.svg', ...file('/_public/favicon.svg'), etag: true },
    { name: 'GET /_public/axol-welcome.svg', ...file('/_public/axol-welcome.svg') },
    { name: 'GET /_public/enhance-type.svg', ...file('/_public/enhance-type.svg') },
    { name: 'GET /_public/discord-logo.svg', ...file('/_public/discord-logo.svg') },
    { name: 'GET /_public/favicon.svg (If-None-Match)', ...file('/_public/favicon.svg'), conditional: true },
    { name: 'GET /_public/missing.png', ...file('/_public/missing.png'), notFound: true },
    { name: 'GET /_public/ (folder)', ...file('/_public/'), notFound: true },
    { name: 'GET /enhance-styles.css (arc-plugin-styles route)', ...file('/enhance-styles.css'), plugin: true },
    { name: 'GET /_styleguide (arc-plugin-styles route)', ...page('/_styleguide'), plugin: true },
    { name: 'GET /_styleguide/cribsheet (styles-cribsheet route)', ...page('/_styleguide/cribsheet'), plugin: true },
  ],
  todo: [
    { name: 'GET / (browser, empty list)', ...page('/') },
    { name: 'GET / (JSON client)', ...api('/') },
    { name: 'GET / (worker LIST: Accept + Content-Type JSON, no body)', method: 'GET', path: '/', ...json() },
    {
      name: 'GET / (Content-Type JSON, no Accept, no body)',
      method: 'GET',
      path: '/',
      headers: { 'content-type': 'application/json' },
    },
    { name: 'GET /?filter=active (browser)', ...page('/?filter=active') },
    { name: 'GET /?filter=completed (JSON client)', ...api('/?filter=completed') },
    { name: 'POST /todos form task=Buy milk', method: 'POST', path: '/todos', ...form({ task: 'Buy milk' }) },
    { name: '  ...follow the redirect (with cookie)', follow: true },
    {
      name: 'POST /todos JSON (worker CREATE)',
      method: 'POST',
      path: '/todos',
      ...json({ task: 'Walk <the> dog', completed: false, created: '2024-01-02T00:00:00.000Z' }),
    },
    { name: 'GET / (JSON client: two todos)', ...api('/') },
    { name: 'GET / (browser: two todos)', ...page('/') },
    {
      name: 'POST /todos/:key1 form (edit task, the fields the form has)',
      method: 'POST',
      path: (s) => `/todos/${s.keys[0]}`,
      ...form({}),
      body: (s) => new URLSearchParams({ task: 'Buy oat milk', key: s.keys[0] }).toString(),
    },
    {
      name: 'POST /todos/:key1 form (edit task, plus created as api.mjs adds it)',
      method: 'POST',
      path: (s) => `/todos/${s.keys[0]}`,
      ...form({}),
      body: (s) =>
        new URLSearchParams({ task: 'Buy oat milk', key: s.keys[0], created: '2024-01-01T00:00:00.000Z' }).toString(),
    },
    { name: '  ...follow the redirect (with cookie)', follow: true },
    {
      name: 'POST /todos/:key1?toggle form (toggle button, plus created)',
      method: 'POST',
      path: (s) => `/todos/${s.keys[0]}?toggle`,
      ...form({}),
      body: (s) =>
        new URLSearchParams({ task: 'Buy oat milk', key: s.keys[0], created: '2024-01-01T00:00:00.000Z' }).toString(),
    },
    { name: '  ...follow the redirect (with cookie)', follow: true },
    {
      name: 'POST /todos/:key2 JSON (worker UPDATE, completed)',
      method: 'POST',
      path: (s) => `/todos/${s.keys[1]}`,
      ...json({}),
      body: (s) =>
        JSON.stringify({
          task: 'Walk <the> dog',
          completed: true,
          key: s.keys[1],
          created: '2024-01-02T00:00:00.000Z',
        }),
    },
    { name: 'GET /?filter=completed (browser)', ...page('/?filter=completed') },
    { name: 'POST /todos/toggle form (mark all)', method: 'POST', path: '/todos/toggle', ...form({}) },
    { name: '  ...follow the redirect (with cookie)', follow: true },
    { name: 'POST /todos/toggle JSON (worker TOGGLE)', method: 'POST', path: '/todos/toggle', ...json() },
    {
      name: 'POST /todos/:key2/delete JSON (worker DESTROY)',
      method: 'POST',
      path: (s) => `/todos/${s.keys[1]}/delete`,
      ...json({}),
      body: (s) => JSON.stringify({ key: s.keys[1] }),
    },
    { name: 'POST /todos/completed/delete form', method: 'POST', path: '/todos/completed/delete', ...form({}) },
    { name: '  ...follow the redirect (with cookie)', follow: true },
    {
      name: 'POST /todos/completed/delete JSON (worker CLEAR)',
      method: 'POST',
      path: '/todos/completed/delete',
      ...json(),
    },
    { name: 'GET / (JSON client: what is left)', ...api('/') },
    {
      name: 'POST /todos/:key1/delete form',
      method: 'POST',
      path: (s) => `/todos/${s.keys[0]}/delete`,
      ...form({}),
      body: (s) => new URLSearchParams({ key: s.keys[0] }).toString(),
    },
    { name: '  ...follow the redirect (with cookie)', follow: true },
    {
      name: 'POST /todos JSON that is not JSON',
      method: 'POST',
      path: '/todos',
      headers: { accept: JSON_ACCEPT, 'content-type': 'application/json' },
      body: '{"task": ',
    },
    { name: 'GET /todos (browser; todos.mjs has only post)', ...page('/todos') },
    { name: 'GET /todos (JSON client)', ...api('/todos') },
    { name: 'GET /todos?filter=active (footer link)', ...page('/todos?filter=active') },
    { name: 'GET /todos/abc (browser; $id.mjs has only post)', ...page('/todos/abc') },
    { name: 'DELETE /todos/abc (JSON client)', method: 'DELETE', path: '/todos/abc', headers: { accept: JSON_ACCEPT } },
    { name: 'HEAD / (browser)', ...page('/'), method: 'HEAD' },
    { name: 'OPTIONS /', method: 'OPTIONS', path: '/', headers: {} },
    { name: 'GET /nope (browser)', ...page('/nope'), notFound: true },
    { name: 'GET /nope (JSON client)', ...api('/nope'), notFound: true },
    { name: 'GET /_public/index.css', ...file('/_public/index.css'), etag: true },
    { name: 'GET /_public/index.css (If-None-Match)', ...file('/_public/index.css'), conditional: true },
    { name: 'GET /_public/favicon.svg', ...file('/_public/favicon.svg') },
    { name: 'GET /_public/browser/todo-page.mjs', ...file('/_public/browser/todo-page.mjs'), kind: 'bundle' },
    { name: 'GET /_public/browser/api.mjs', ...file('/_public/browser/api.mjs'), kind: 'bundle' },
    { name: 'GET /_public/browser/worker.mjs', ...file('/_public/browser/worker.mjs'), kind: 'bundle' },
    { name: 'GET /_public/browser/nope.mjs', ...file('/_public/browser/nope.mjs'), notFound: true },
    { name: 'GET /_public/missing.css', ...file('/_public/missing.css'), notFound: true },
    { name: 'GET /_styleguide/cribsheet (styles-cribsheet route)', ...page('/_styleguide/cribsheet'), plugin: true },
    {
      name: "POST /todos JSON body, Accept */* (fetch's default)",
      method: 'POST',
      path: '/todos',
      headers: { accept: '*/*', 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'From fetch', completed: false, created: '2024-01-03T00:00:00.000Z' }),
    },
    {
      name: 'POST /todos JSON body, no Accept',
      method: 'POST',
      path: '/todos',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'From curl', completed: false, created: '2024-01-04T00:00:00.000Z' }),
    },
    {
      name: 'POST /todos form from another site (Origin)',
      method: 'POST',
      path: '/todos',
      ...form({ task: 'planted' }),
      headers: { ...form({}).headers, origin: 'http://evil.example' },
    },
  ],
}

// ---------------------------------------------------------------- normalizing and comparing
/**
 * The keys @begin/data hands out (hashids of the time and a counter: never the
 * same twice) in the order this server first showed them: `key` fields of JSON
 * answers and `key="..."` attributes of pages. Steps address records by them,
 * and bodies are compared with them replaced by <key1>, <key2>...
 */
function learnKeys(server, answer) {
  const type = String(answer.headers['content-type'] ?? '')
  const text = answer.body.toString('utf8')
  const found = []
  if (/json/.test(type)) {
    const walk = (value) => {
      if (Array.isArray(value)) value.forEach(walk)
      else if (value && typeof value === 'object') {
        if (typeof value.key === 'string') found.push(value.key)
        Object.values(value).forEach(walk)
      }
    }
    try {
      walk(JSON.parse(text))
    } catch {}
  } else if (/html/.test(type)) {
    for (const match of text.matchAll(/\bkey="([A-Za-z0-9]{6,})"/g)) found.push(match[1])
  }
  for (const key of found) if (!server.keys.includes(key)) server.keys.push(key)
}

const LIVE_RELOAD = /<script>\s*\(\(\) => \{\s*const url = 'ws:\/\/localhost:\d+'[\s\S]*?<\/script>/g
const ISO_DATE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g

function normalizeText(text, state) {
  let out = text.replace(LIVE_RELOAD, '').replace(ISO_DATE, '<date>')
  state.keys.forEach((key, index) => {
    out = out.split(key).join(`<key${index + 1}>`)
  })
  return out
}

function normalizeHtml(text, state) {
  return normalizeText(text, state).replace(/\s+/g, ' ').replace(/>\s+</g, '><').replace(/\s+>/g, '>').trim()
}

/** What two bundlers agree on: the custom elements a bundle defines and the URLs it names. */
function bundleShape(text) {
  const defines = [...text.matchAll(/customElements\.define\(\s*['"]([\w-]+)['"]/g)].map((m) => m[1]).sort()
  const urls = [...new Set([...text.matchAll(/['"`](\/[\w/._-]*)['"`]/g)].map((m) => m[1]))].sort()
  return JSON.stringify({ defines, urls })
}

function comparableBody(answer, step, state) {
  if (!answer.body.length) return ''
  const type = String(answer.headers['content-type'] ?? '')
  const text = answer.body.toString('utf8')
  if (step.kind === 'bundle' && answer.status === 200) return bundleShape(text)
  if (/json/.test(type)) {
    try {
      return JSON.stringify(sortKeys(JSON.parse(normalizeText(text, state))))
    } catch {
      return normalizeText(text, state)
    }
  }
  if (/html/.test(type)) return normalizeHtml(text, state)
  return normalizeText(text, state)
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    )
  }
  return value
}

const mediaType = (answer) =>
  String(answer.headers['content-type'] ?? '')
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace('charset=utf8', 'charset=utf-8')
    .replace(/;$/, '')

/** The parts of an answer that are compared. */
function facts(answer, step, state) {
  const header = (name) => {
    const value = answer.headers[name]
    return value === undefined ? '' : String(value)
  }
  return {
    status: answer.status,
    type: mediaType(answer),
    location: normalizeText(header('location'), state),
    'cache-control': header('cache-control'),
    vary: header('vary'),
    allow: header('allow'),
    'content-encoding': header('content-encoding'),
    'set-cookie': answer.headers['set-cookie'] ? 'yes' : 'no',
    etag: header('etag') ? 'yes' : 'no',
    'server-timing': header('server-timing') ? 'yes' : 'no',
    body: comparableBody(answer, step, state),
  }
}

// The CSS that @enhance/arc-plugin-styles' getStyles.styleTag() puts in the head (or its placeholder when it finds none).
const ENHANCE_STYLES = /<style>(\/\*\* \* ENHANCE STYLES[\s\S]*?|\/\* enhance-styles placeholder \*\/)<\/style>/g

/**
 * The parts that differ; `styles-css` instead of `body` when the bodies are the
 * same apart from Enhance Styles' generated CSS (so that other differences show).
 */
function differences(enhance, ours) {
  const keys = Object.keys(enhance).filter((key) => enhance[key] !== ours[key])
  if (keys.includes('body')) {
    const rest = (body) => body.replace(ENHANCE_STYLES, '<style>[enhance styles]</style>')
    if (rest(enhance.body) === rest(ours.body)) keys[keys.indexOf('body')] = 'styles-css'
  }
  return keys
}

/**
 * A difference that SPEC.md / the README documents: which section, when every
 * differing part is explained by it. Kept conservative: anything it does not
 * recognise is reported as DIFFERENT.
 */
function documented(step, enhance, ours, diff) {
  const reasons = []
  const rest = new Set(diff)
  const method = step.method ?? 'GET'
  const explain = (keys, why) => {
    if (!keys.some((key) => diff.includes(key))) return
    for (const key of keys) rest.delete(key)
    reasons.push(why)
  }
  if (rest.has('vary') && enhance.vary === '' && /\baccept\b/i.test(ours.vary)) {
    explain(['vary'], 'SPEC 6: every negotiated answer carries Vary: Accept')
  }
  if (rest.has('etag') && enhance.etag === 'no' && ours.etag === 'yes' && !step.path?.startsWith?.('/_public/')) {
    explain(['etag'], "SPEC 9: Express's etag setting, as res.send honours it")
  }
  if (/json/.test(step.headers?.accept ?? '') && /html/.test(enhance.type) && /json/.test(ours.type) && step.pageOnly) {
    explain(['type', 'body', 'server-timing'], 'SPEC 6: JSON clients get the json ({} when none)')
  }
  if (method === 'POST' && enhance.status === 302 && ours.status === 303 && enhance.location === ours.location) {
    explain(['status', 'body', 'type'], 'SPEC 6: 303 after a form POST')
  }
  if (ours.status === 405 && ours.allow) {
    explain(
      ['status', 'type', 'body', 'allow', 'cache-control', 'server-timing', 'set-cookie'],
      'SPEC 3: 405 with Allow',
    )
  }
  if (method === 'OPTIONS' && ours.status === 204 && ours.allow) {
    explain(
      ['status', 'type', 'body', 'allow', 'cache-control', 'server-timing'],
      'SPEC 3: OPTIONS answers 204 with Allow',
    )
  }
  if (step.fellThrough && ours.status === 404) {
    explain(
      ['type', 'body', 'cache-control', 'server-timing', 'vary'],
      'SPEC 1: unmatched requests fall through to next()',
    )
  }
  if (rest.has('location') && enhance.location === '' && ours.location && /json/.test(ours.type)) {
    explain(['location'], 'SPEC 6: JSON clients get a location as a Location header only')
  }
  if (step.headers?.origin && ours.status === 403) {
    explain(
      ['status', 'type', 'body', 'location', 'cache-control', 'server-timing', 'set-cookie'],
      'SPEC 9: cross-site refused',
    )
  }
  if (/json/.test(step.headers?.['content-type'] ?? '') && ours.status === 400) {
    explain(['status', 'type', 'body'], 'SPEC 4: a body not valid for its content type is a 400')
  }
  if (enhance.status === 500 && ours.status === 500 && /Lambda error/.test(enhance.body)) {
    explain(['type', 'body'], "SPEC 7: our 500 page, no stack trace (Sandbox shows the handler's stack)")
  }
  if (enhance.status === 304 && ours.status === 304) {
    explain(['type'], 'SPEC 9: a 304 has no Content-Type')
  }
  if (step.plugin && ours.status === 404) {
    explain(['status', 'type', 'body', 'cache-control', 'server-timing', 'etag'], "an Architect plugin's own route")
  }
  return { reasons, unexplained: [...rest] }
}

function short(facts) {
  const parts = [String(facts.status), facts.type.split(';')[0] || '-']
  if (facts.location) parts.push(`→${facts.location}`)
  return parts.join(' ')
}

function excerpt(a, b) {
  let at = 0
  while (at < a.length && a[at] === b[at]) at++
  const from = Math.max(0, at - 60)
  return [a.slice(from, at + 140), b.slice(from, at + 140)]
}

// ---------------------------------------------------------------- running
async function compareApp(name) {
  const appDir = join(appsDir, name)
  const steps = APPS[name]
  if (!existsSync(join(appDir, 'node_modules', '@architect', 'sandbox'))) {
    throw new Error(`${appDir}: install the app and @architect/sandbox@8 first (see the top of this script)`)
  }
  const copy = cleanCopy(appDir)
  const ports = { enhance: 3333, ours: 3444, strict: 3445 }
  const children = []
  const rows = []
  try {
    children.push(await startSandbox(appDir, ports.enhance))
    children.push(await startOurs(copy, ports.ours, true))
    children.push(await startOurs(copy, ports.strict, false))
    const servers = {
      enhance: { port: ports.enhance, jar: new Map(), keys: [], last: null, etag: '' },
      ours: { port: ports.ours, jar: new Map(), keys: [], last: null, etag: '' },
      strict: { port: ports.strict, jar: new Map(), keys: [], last: null, etag: '' },
    }
    for (const step of steps) {
      const answers = {}
      for (const [label, server] of Object.entries(servers)) {
        // The strict server (fallthrough: false) is only asked where the default one falls through.
        if (label === 'strict' && !step.notFound && !step.plugin) continue
        let request
        if (step.follow) {
          const location = server.last?.headers.location
          if (!location) {
            answers[label] = { status: 0, headers: {}, body: Buffer.from('(no redirect to follow)') }
            continue
          }
          const target = new URL(location, 'http://127.0.0.1')
          request = { method: 'GET', path: target.pathname + target.search, headers: { accept: HTML } }
        } else {
          request = {
            method: step.method,
            path: typeof step.path === 'function' ? step.path(server) : step.path,
            headers: { ...step.headers },
            body: typeof step.body === 'function' ? step.body(server) : step.body,
          }
          if (step.conditional && server.etag) request.headers['if-none-match'] = server.etag
        }
        const answer = await ask(server.port, request, server.jar)
        answers[label] = answer
        server.last = answer
        if (step.etag && answer.headers.etag) server.etag = answer.headers.etag
        learnKeys(server, answer)
      }
      const enhance = facts(answers.enhance, step, servers.enhance)
      const ours = facts(answers.ours, step, servers.ours)
      const fellThrough = /Cannot (GET|POST|HEAD)/.test(answers.ours.body.toString())
      const diff = differences(enhance, ours)
      const { reasons, unexplained } = documented({ ...step, fellThrough }, enhance, ours, diff)
      const row = {
        request: step.name,
        enhance,
        ours,
        differs: diff,
        reasons,
        unexplained,
        verdict: diff.length === 0 ? 'same' : unexplained.length === 0 ? 'documented' : 'DIFFERENT',
      }
      if (answers.strict) {
        const strict = facts(answers.strict, step, servers.strict)
        const strictDiff = differences(enhance, strict)
        row.strict = strict
        row.strictDiffers = strictDiff
      }
      rows.push(row)
    }
  } finally {
    for (const child of children.reverse()) await stop(child)
    rmSync(copy, { recursive: true, force: true })
  }
  return rows
}

function print(name, rows) {
  const width = Math.max(...rows.map((row) => row.request.length), 10)
  console.log(`\n## ${name}\n`)
  console.log(`| # | ${'request'.padEnd(width)} | Enhance | ours | verdict |`)
  console.log(`|---|${'-'.repeat(width + 2)}|---|---|---|`)
  rows.forEach((row, index) => {
    const verdict = row.verdict === 'same' ? 'same' : `${row.verdict} (${row.differs.join(', ')})`
    console.log(
      `| ${index + 1} | ${row.request.padEnd(width)} | ${short(row.enhance)} | ${short(row.ours)} | ${verdict} |`,
    )
  })
  const same = rows.filter((row) => row.verdict === 'same').length
  const doc = rows.filter((row) => row.verdict === 'documented').length
  const headersOnly = rows.filter(
    (row) => row.verdict === 'documented' && row.differs.every((key) => key === 'vary' || key === 'etag'),
  ).length
  console.log(
    `\n${name}: ${rows.length} requests, ${same} the same, ${doc} documented differences` +
      ` (${headersOnly} of them only Vary: Accept / ETag), ${rows.length - same - doc} other differences\n`,
  )
  rows.forEach((row, index) => {
    if (row.verdict === 'same' && !verbose) return
    console.log(`### ${index + 1}. ${row.request}: ${row.verdict}`)
    for (const why of row.reasons) console.log(`  documented: ${why}`)
    for (const key of row.differs) {
      if (key === 'body' || key === 'styles-css') {
        const [a, b] = excerpt(row.enhance.body, row.ours.body)
        console.log(`  body: Enhance …${JSON.stringify(a)}…\n        ours    …${JSON.stringify(b)}…`)
      } else {
        console.log(`  ${key}: Enhance ${JSON.stringify(row.enhance[key])}, ours ${JSON.stringify(row.ours[key])}`)
      }
    }
    if (row.strict) {
      const tail = row.strictDiffers.length ? `differs in ${row.strictDiffers.join(', ')}` : 'the same as Enhance'
      console.log(`  with fallthrough: false: ${short(row.strict)}, ${tail}`)
      if (row.strictDiffers.includes('body')) {
        const [a, b] = excerpt(row.enhance.body, row.strict.body)
        console.log(`  body: Enhance …${JSON.stringify(a)}…\n        ours    …${JSON.stringify(b)}…`)
      }
    }
  })
}

const results = {}
for (const name of Object.keys(APPS)) {
  if (only.length && !only.includes(name)) continue
  if (!existsSync(join(appsDir, name))) {
    console.log(`(skipped ${name}: ${join(appsDir, name)} is missing)`)
    continue
  }
  results[name] = await compareApp(name)
  print(name, results[name])
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2))
