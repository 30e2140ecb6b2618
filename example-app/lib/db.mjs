// The task board's data, in one DynamoDB table (AWS SDK v3, @aws-sdk/lib-dynamodb).
//
// Where the data lives:
// - DYNAMODB_ENDPOINT unset: an embedded dynalite (a DynamoDB-compatible server, in
//   memory) on 127.0.0.1, so that `npm start` needs nothing else. Data is lost on exit.
// - DYNAMODB_ENDPOINT=aws: real DynamoDB, at the SDK's endpoint for AWS_REGION, with the
//   SDK's usual credentials (environment, profile, instance role...).
// - DYNAMODB_ENDPOINT=<url>: that endpoint (DynamoDB Local, dynalite, a VPC endpoint).
// DYNAMODB_TABLE names the table (default `example-tasks`); it is created when missing.
// DYNAMODB_TIMEOUT_MS bounds each call (default 2000): a DynamoDB that does not answer
// costs the request a 503 after a few seconds, never a request that hangs.
//
// One table, two kinds of items, both under the user's partition:
//   pk USER#<name>  sk PROFILE        the user (password hash)
//   pk USER#<name>  sk TASK#<id>      one task; ids sort by creation time
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import dynalite from 'dynalite'
import { httpError } from 'express-enhance-routes'

// On Node 20 the AWS SDK warns at every start that its versions published after the
// first week of January 2027 will need Node 22. The versions this app locks run on
// Node 20.19+, the version the README promises, so the app turns that notice off the
// way the SDK documents (aws/aws-sdk-js-v3#7983), unless you set the variable yourself.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
}

const scryptAsync = promisify(scrypt)

/** DYNAMODB_TIMEOUT_MS, or the default; a setting that is not a positive number is named. */
function timeoutSetting(value = process.env.DYNAMODB_TIMEOUT_MS) {
  if (value === undefined || value === '') return 2000
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(`DYNAMODB_TIMEOUT_MS must be a whole number of milliseconds above 0, not "${value}"`)
  }
  return ms
}

/**
 * The SDK's HTTP settings: each attempt may take `timeoutMs` to answer (and a
 * second to connect), after which it fails as a TimeoutError, which the SDK
 * retries (3 attempts in all, its default) before the call fails.
 */
const requestHandler = (timeoutMs) => ({
  connectionTimeout: Math.min(1000, timeoutMs),
  requestTimeout: timeoutMs,
  throwOnRequestTimeout: true,
})

/** A DynamoDB call that ran out of time is a 503 the client can retry, not a 500. */
function unavailable(error) {
  if (error?.name === 'TimeoutError' || error?.code === 'ETIMEDOUT') {
    throw httpError(503, 'The database did not answer in time: try again in a moment')
  }
  throw error
}

/** Sends one command with the request's signal; a timeout becomes a 503. */
const send = (command, signal) => open().doc.send(command, { abortSignal: signal }).catch(unavailable)

/** @type {{ doc: DynamoDBDocumentClient, client: DynamoDBClient, table: string, close: () => Promise<void> } | undefined} */
let current

function open() {
  if (!current) throw new Error('the database is not open: call openDatabase() first')
  return current
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve(server.address().port)
    })
  })
}

async function ensureTable(client, table) {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }))
    return false
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error
  }
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  )
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: table })
  return true
}

/**
 * Opens the database (starting the embedded one unless told otherwise) and creates
 * the table when it is missing. Returns where the data is, for the start-up message.
 */
export async function openDatabase({
  endpoint = process.env.DYNAMODB_ENDPOINT,
  table = process.env.DYNAMODB_TABLE || 'example-tasks',
  region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION,
  timeoutMs = timeoutSetting(),
} = {}) {
  if (current) await closeDatabase()
  if (table.length < 3) throw new Error(`DYNAMODB_TABLE must have at least 3 characters, not "${table}"`)
  let embedded
  let config
  if (!endpoint) {
    embedded = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
    const port = await listen(embedded)
    endpoint = `http://127.0.0.1:${port}`
    // dynalite checks nothing, but the SDK wants a region and credentials.
    config = { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
  } else if (endpoint === 'aws') {
    if (!region) throw new Error('DYNAMODB_ENDPOINT=aws needs AWS_REGION')
    config = { region }
  } else {
    let url
    try {
      url = new URL(endpoint)
    } catch {
      throw new Error(`DYNAMODB_ENDPOINT must be a URL or "aws", not "${endpoint}"`)
    }
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
    config = { endpoint, region: region || 'us-east-1' }
    if (local && !process.env.AWS_ACCESS_KEY_ID) {
      config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
    }
  }
  const client = new DynamoDBClient({ ...config, requestHandler: requestHandler(timeoutMs) })
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } })
  const close = async () => {
    client.destroy()
    if (embedded) await new Promise((resolve) => embedded.close(() => resolve(undefined)))
  }
  try {
    await ensureTable(client, table)
  } catch (error) {
    await close()
    throw new Error(`could not reach DynamoDB at ${endpoint ?? `AWS ${region}`}: ${error.message}`, { cause: error })
  }
  current = { doc, client, table, close }
  return { endpoint: endpoint === 'aws' ? `AWS DynamoDB (${region})` : endpoint, table, embedded: Boolean(embedded) }
}

export async function closeDatabase() {
  const db = current
  current = undefined
  if (db) await db.close()
}

// Users

const userKey = (name) => ({ pk: `USER#${name}`, sk: 'PROFILE' })

async function hashPassword(password, salt = randomBytes(16)) {
  const hash = await scryptAsync(password, salt, 32)
  return `${salt.toString('hex')}:${hash.toString('hex')}`
}

/** Creates a user, or changes the password of an existing one. */
export async function saveUser(name, password, { signal } = {}) {
  const { table } = open()
  const hash = await hashPassword(password)
  await send(new PutCommand({ TableName: table, Item: { ...userKey(name), name, password: hash } }), signal)
}

/** The user's name when the password is right, otherwise undefined. */
export async function checkPassword(name, password, { signal } = {}) {
  const { table } = open()
  const { Item } = await send(new GetCommand({ TableName: table, Key: userKey(name) }), signal)
  // Hash anyway for unknown users, so timing does not tell which names exist.
  const stored = Item?.password ?? `${'0'.repeat(32)}:${'0'.repeat(64)}`
  const [salt, expected] = stored.split(':')
  const actual = (await hashPassword(password, Buffer.from(salt, 'hex'))).split(':')[1]
  const same = timingSafeEqual(Buffer.from(actual, 'hex'), Buffer.from(expected, 'hex'))
  return Item && same ? Item.name : undefined
}

// Tasks
// Every call takes the request's signal: a request the client gave up on (or that ran past
// its deadline) sends nothing more to the database, so a retry cannot make a duplicate.

const TASK_ID = /^[0-9a-z]{9}[0-9a-f]{8}$/

/** True for a string shaped like a task id (anything else cannot name a task). */
export const isTaskId = (id) => typeof id === 'string' && TASK_ID.test(id)

const newTaskId = () => Date.now().toString(36).padStart(9, '0') + randomBytes(4).toString('hex')
const taskKey = (user, id) => ({ pk: `USER#${user}`, sk: `TASK#${id}` })
const toTask = (item) => ({ id: item.id, title: item.title, done: item.done, createdAt: item.createdAt })

/** The user's tasks, oldest first. */
export async function listTasks(user, { signal } = {}) {
  const { table } = open()
  const tasks = []
  let start
  do {
    const page = await send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
        ExpressionAttributeValues: { ':pk': `USER#${user}`, ':task': 'TASK#' },
        ExclusiveStartKey: start,
      }),
      signal,
    )
    tasks.push(...(page.Items ?? []).map(toTask))
    start = page.LastEvaluatedKey
  } while (start)
  return tasks
}

export async function getTask(user, id, { signal } = {}) {
  if (!isTaskId(id)) return undefined
  const { table } = open()
  const { Item } = await send(new GetCommand({ TableName: table, Key: taskKey(user, id) }), signal)
  return Item ? toTask(Item) : undefined
}

export async function createTask(user, { title }, { signal } = {}) {
  const { table } = open()
  const task = { id: newTaskId(), title, done: false, createdAt: new Date().toISOString() }
  await send(new PutCommand({ TableName: table, Item: { ...taskKey(user, task.id), ...task } }), signal)
  return task
}

/** Updates a task's title and done flag; undefined when the user has no such task. */
export async function updateTask(user, id, { title, done }, { signal } = {}) {
  if (!isTaskId(id)) return undefined
  const { table } = open()
  try {
    const { Attributes } = await send(
      new UpdateCommand({
        TableName: table,
        Key: taskKey(user, id),
        UpdateExpression: 'SET title = :title, done = :done',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':title': title, ':done': done },
        ReturnValues: 'ALL_NEW',
      }),
      signal,
    )
    return Attributes ? toTask(Attributes) : undefined
  } catch (error) {
    if (error.name === 'ConditionalCheckFailedException') return undefined
    throw error
  }
}

/** Deletes a task; false when the user had no such task. */
export async function deleteTask(user, id, { signal } = {}) {
  if (!isTaskId(id)) return false
  const { table } = open()
  const { Attributes } = await send(
    new DeleteCommand({ TableName: table, Key: taskKey(user, id), ReturnValues: 'ALL_OLD' }),
    signal,
  )
  return Attributes !== undefined
}

/** Counts for the /stats endpoint: a full scan, fine for an example's table. */
export async function countAll({ signal } = {}) {
  const { table } = open()
  const counts = { users: 0, tasks: 0, done: 0 }
  let start
  do {
    const page = await send(
      new ScanCommand({ TableName: table, ProjectionExpression: 'sk, done', ExclusiveStartKey: start }),
      signal,
    )
    for (const item of page.Items ?? []) {
      if (item.sk === 'PROFILE') counts.users++
      else if (item.sk.startsWith('TASK#')) {
        counts.tasks++
        if (item.done) counts.done++
      }
    }
    start = page.LastEvaluatedKey
  } while (start)
  return counts
}
