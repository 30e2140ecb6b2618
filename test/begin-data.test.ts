/**
 * @begin/data, the DynamoDB client of Enhance apps, in an app served by
 * enhanceRoutes() with no Architect around it: a dynalite on loopback holds the
 * table @begin/data expects, the app (test/fixtures/begin-data) is run through
 * real Express, and the environment is the one docs/recipe-begin-data.md gives.
 *
 * Two ways @begin/data finds its table and endpoint outside Architect:
 * - local, as under Sandbox: ARC_ENV=testing and ARC_SANDBOX's `ports.tables`
 *   (it then talks to http://localhost:<port>), in this process;
 * - hosted: ARC_ENV=production and AWS_ENDPOINT_URL (or AWS's own endpoint for
 *   AWS_REGION), in a process of its own, because @begin/data keeps the client,
 *   the table name and the ports it found for the life of the process.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const JSON_ACCEPT = 'application/json'
const fixture = (path: string) => fileURLToPath(new URL(`./fixtures/begin-data/${path}`, import.meta.url))

// dynalite has no types.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server

/** Every variable @begin/data (and the aws-lite client under it) reads: saved, set and restored by the tests. */
const VARIABLES = [
  'ARC_ENV',
  'ARC_SANDBOX',
  'ARC_LOCAL',
  'ARC_APP_NAME',
  'ARC_STACK_NAME',
  'BEGIN_DATA_TABLE_NAME',
  'BEGIN_DATA_SCOPE_ID',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_ENDPOINT_URL',
  'AWS_EC2_METADATA_DISABLED',
] as const
type Variables = Partial<Record<(typeof VARIABLES)[number], string>>

/** The environment with every variable above taken out, then `set` put in. */
function environment(set: Variables): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of VARIABLES) delete env[key]
  return { ...env, ...set }
}

const DUMMY_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_EC2_METADATA_DISABLED: 'true',
}

/** The table @begin/data expects (Architect's `@tables data`): scopeID and dataID, both strings. */
async function createDataTable(client: DynamoDBClient, TableName: string) {
  await client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [
        { AttributeName: 'scopeID', AttributeType: 'S' },
        { AttributeName: 'dataID', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'scopeID', KeyType: 'HASH' },
        { AttributeName: 'dataID', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  )
}

/** The table's items as { scopeID, dataID } pairs, sorted. */
async function keysIn(client: DynamoDBClient, TableName: string) {
  const { Items = [] } = await client.send(new ScanCommand({ TableName }))
  return Items.map((item) => ({ scopeID: item.scopeID?.S, dataID: item.dataID?.S })).sort((a, b) =>
    `${a.scopeID}${a.dataID}`.localeCompare(`${b.scopeID}${b.dataID}`),
  )
}

type Target = Parameters<typeof request>[0]

/**
 * The whole flow of the notes app, as a browser does it: add two notes with form
 * posts (each a 303 to /notes), list them (as a page and as JSON), delete one.
 * Answers the keys @begin/data gave the two notes.
 */
async function addListDelete(app: Target): Promise<{ deleted: string; kept: string }> {
  for (const text of ['Buy oat milk', 'Call <the> dentist']) {
    const added = await request(app).post('/notes').set('Accept', HTML_ACCEPT).type('form').send({ text })
    expect(added.status, text).to.equal(303)
    expect(added.headers.location).to.equal('/notes')
  }

  const listed = await request(app).get('/notes').set('Accept', JSON_ACCEPT).expect(200)
  const notes = listed.body.notes as [{ key: string; text: string }, { key: string; text: string }]
  expect(notes.map((note) => note.text)).to.deep.equal(['Buy oat milk', 'Call <the> dentist'])
  const [first, second] = notes
  expect(first.key).to.be.a('string').and.not.equal(second.key)

  const page = await request(app).get('/notes').set('Accept', HTML_ACCEPT).expect(200)
  expect(page.headers['content-type']).to.match(/^text\/html/)
  expect(page.text).to.include('<title>Notes</title>')
  expect(page.text).to.include(`<li data-key="${first.key}">Buy oat milk`)
  expect(page.text).to.include(`<li data-key="${second.key}">Call &lt;the&gt; dentist`)
  expect(page.text).to.include(`action="/notes/${first.key}/delete"`)

  const deleted = await request(app).post(`/notes/${first.key}/delete`).set('Accept', HTML_ACCEPT).type('form').send({})
  expect(deleted.status).to.equal(303)
  expect(deleted.headers.location).to.equal('/notes')

  const after = await request(app).get('/notes').set('Accept', JSON_ACCEPT).expect(200)
  expect(after.body).to.deep.equal({ notes: [{ key: second.key, text: 'Call <the> dentist' }] })
  const afterPage = await request(app).get('/notes').set('Accept', HTML_ACCEPT).expect(200)
  expect(afterPage.text).to.include('Call &lt;the&gt; dentist')
  expect(afterPage.text).to.not.include('Buy oat milk')
  return { deleted: first.key, kept: second.key }
}

describe('@begin/data (DynamoDB) in an app served by enhanceRoutes, against dynalite', function () {
  this.timeout(30000)
  let db: Server
  let port: number
  let client: DynamoDBClient

  before(async () => {
    db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
    await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve))
    port = (db.address() as AddressInfo).port
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
  })

  after(async () => {
    client?.destroy()
    db?.closeAllConnections?.()
    await new Promise((resolve) => db?.close(resolve))
  })

  describe('local, as under Sandbox: ARC_ENV=testing, ARC_SANDBOX with the tables port', () => {
    const TABLE = 'notes-app-local-data'
    const saved: Variables = {}
    let app: express.Express

    before(async () => {
      await createDataTable(client, TABLE)
      for (const key of VARIABLES) saved[key] = process.env[key]
      // Set before the app's modules (and with them @begin/data) are imported.
      const env = environment({
        ARC_ENV: 'testing',
        ARC_SANDBOX: JSON.stringify({ ports: { tables: port } }),
        BEGIN_DATA_TABLE_NAME: TABLE,
        AWS_REGION: 'us-west-2',
        ...DUMMY_CREDENTIALS,
      })
      for (const key of VARIABLES) {
        if (env[key] === undefined) delete process.env[key]
        else process.env[key] = env[key]
      }
      const middleware = enhanceRoutes({ root: fixture('app'), session: false })
      await middleware.ready
      app = express()
      app.use(middleware)
    })

    after(() => {
      for (const key of VARIABLES) {
        const value = saved[key]
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
    })

    it('adds two notes with data.set, lists them with data.get, deletes one with data.destroy', async () => {
      const { kept } = await addListDelete(app)
      // What is in the table: the note under scope "sandbox" (no ARC_APP_NAME or
      // BEGIN_DATA_SCOPE_ID), keyed staging#<table>#<key> (ARC_ENV=testing writes
      // as staging), and the counter @begin/data keeps to make keys.
      expect(await keysIn(client, TABLE)).to.deep.equal([
        { scopeID: 'sandbox', dataID: 'notes-seq' },
        { scopeID: 'sandbox', dataID: `staging#notes#${kept}` },
      ])
    })

    it('re-renders the page with the note that is left for an empty form (422)', async () => {
      const res = await request(app).post('/notes').set('Accept', HTML_ACCEPT).type('form').send({ text: ' ' })
      expect(res.status).to.equal(422)
      expect(res.text).to.include('Write something first').and.include('Call &lt;the&gt; dentist')
    })
  })

  describe('hosted: ARC_ENV=production, AWS_ENDPOINT_URL, the app in a process of its own', () => {
    const children: ChildProcess[] = []

    /** Starts test/fixtures/begin-data/server.mjs with `set` as its environment; answers its URL and its stderr so far. */
    async function serve(set: Variables) {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture('server.mjs')], {
        env: environment(set),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      const output = { stdout: '', stderr: '' }
      child.stderr?.on('data', (chunk) => {
        output.stderr += chunk
      })
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (chunk) => {
          output.stdout += chunk
          const line = output.stdout.split('\n').find((text) => text.startsWith('{'))
          if (line) resolve((JSON.parse(line) as { url: string }).url)
        })
        child.once('exit', (code) => reject(new Error(`server exited (${code}): ${output.stderr}`)))
      })
      return { url, output }
    }

    afterEach(async () => {
      for (const child of children.splice(0)) {
        if (child.exitCode !== null) continue
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
    })

    it('finds the table by BEGIN_DATA_TABLE_NAME and DynamoDB at AWS_ENDPOINT_URL; the scope is ARC_APP_NAME', async () => {
      const TABLE = 'notes-app-hosted-data'
      await createDataTable(client, TABLE)
      const { url } = await serve({
        ARC_ENV: 'production',
        ARC_APP_NAME: 'notes-app',
        BEGIN_DATA_TABLE_NAME: TABLE,
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        AWS_REGION: 'us-east-1',
        ...DUMMY_CREDENTIALS,
      })
      const { kept } = await addListDelete(url)
      expect(await keysIn(client, TABLE)).to.deep.equal([
        { scopeID: 'notes-app', dataID: 'notes-seq' },
        { scopeID: 'notes-app', dataID: `production#notes#${kept}` },
      ])
    })

    it('answers 500 naming what is missing when neither BEGIN_DATA_TABLE_NAME nor ARC_APP_NAME is set', async () => {
      const { url, output } = await serve({
        ARC_ENV: 'production',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
        AWS_REGION: 'us-east-1',
        ...DUMMY_CREDENTIALS,
      })
      const res = await request(url).get('/notes').set('Accept', JSON_ACCEPT)
      expect(res.status).to.equal(500)
      // The default onError logs the cause: @begin/data's own message.
      for (let tries = 0; tries < 50 && !output.stderr.includes('ARC_APP_NAME'); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(output.stderr).to.include('ARC_APP_NAME env var not found')
    })
  })
})
