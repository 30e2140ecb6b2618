// The task board: an ordinary Express app in the middle of a migration. It had a
// request logger, a JSON endpoint and EJS pages; it now mounts enhanceRoutes()
// beside them, and new (and moved) routes live in app/api and app/pages.
//
// Run: npm start (from the repository root), or `node --import tsx server.mjs` here.
// tsx is needed because one route (app/api/stats.ts) is TypeScript.
import { fileURLToPath } from 'node:url'
import cookieSession from 'cookie-session'
import express from 'express'
import { enhanceRoutes } from 'express-enhance-routes'
import Head from './app/head.mjs'
import { requestLogger } from './legacy/logger.mjs'
import { legacyRoutes } from './legacy/routes.mjs'
import { closeDatabase, openDatabase, saveUser } from './lib/db.mjs'
import { errorBox, page } from './lib/layout.mjs'

export const DEMO_USER = { name: 'demo', password: 'demo-password' }

/**
 * The session key: SESSION_SECRET when set. Outside production the example falls
 * back to a fixed, public development key, so logins survive a restart of `npm start`;
 * in production it refuses to start without SESSION_SECRET.
 */
function sessionKeys() {
  if (process.env.SESSION_SECRET) return { keys: [process.env.SESSION_SECRET], fixedDevKey: false }
  if (process.env.NODE_ENV === 'production') {
    throw new Error('Set SESSION_SECRET: the example app will not use its development session key in production')
  }
  return { keys: ['example-app development key: not a secret'], fixedDevKey: true }
}

/** The Express app (the database must be open: see openDatabase). */
export function createApp({ quiet = false, routesOptions = {} } = {}) {
  const app = express()
  app.set('views', fileURLToPath(new URL('./views/', import.meta.url)))
  app.set('view engine', 'ejs')
  app.disable('x-powered-by')

  // Legacy middleware, as before the migration.
  app.use(requestLogger({ quiet }))
  app.use('/_public', express.static(fileURLToPath(new URL('./public/', import.meta.url)), { maxAge: '1h' }))

  // The session: a signed cookie that holds only the user's name, so any instance of the
  // app can answer any request (see the README: several instances). It is the app's own
  // cookie-session, so that the legacy routes and the app's own error pages know who is
  // logged in too; enhanceRoutes() reads and writes it through req.session.
  app.use(cookieSession({ name: 'taskboard', keys: sessionKeys().keys, httpOnly: true, sameSite: 'lax' }))
  // Who is logged in, for every view: the EJS view, the app's own 404 and 500, and the
  // Enhance pages, whose store starts from res.locals (an API's json still wins).
  app.use((req, res, next) => {
    const user = req.session?.user
    res.locals.user = typeof user === 'string' && user !== '' ? user : null
    next()
  })

  // The new routes: app/api (handlers) and app/pages, app/elements (HTML).
  const routes = enhanceRoutes({ root: new URL('./app/', import.meta.url), ...routesOptions })
  app.use(routes)

  // Legacy routes: reached because unmatched requests fall through enhanceRoutes().
  app.use(legacyRoutes())

  // The app's own last stops: a 404 for what nothing answered, and an error handler
  // that logs the cause and never shows a stack trace (Express's default would).
  app.use((req, res) => {
    res.status(404)
    if (req.accepts(['html', 'json']) === 'json') res.json({ error: { status: 404, message: 'Not Found' } })
    else res.type('html').send(errorPage(req, res, 404, `Nothing here: ${req.path}`))
  })
  app.use((error, req, res, next) => {
    const status = Number.isInteger(error.status) && error.status >= 400 && error.status < 600 ? error.status : 500
    if (status >= 500) console.error(`${req.method} ${req.originalUrl}:`, error)
    if (res.headersSent) return next(error)
    const message = status >= 500 ? 'Something went wrong on our side' : String(error.message)
    res.status(status)
    if (req.accepts(['html', 'json']) === 'json') res.json({ error: { status, message } })
    else res.type('html').send(errorPage(req, res, status, message))
  })
  app.locals.routes = routes
  return app
}

/** The app's own error page: the head, header and error box of the Enhance pages (lib/layout.mjs). */
function errorPage(req, res, status, message) {
  const head = Head({ req: { path: req.path }, status })
  return page({ head, user: res.locals.user, main: errorBox({ status, message }) })
}

/** `PORT` as a number, or an error that names the setting. */
function portSetting(value = process.env.PORT || '3000') {
  const port = Number(value)
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number from 0 to 65535, not "${value}"`)
  }
  return port
}

/** Opens the database, seeds the demo user outside production, and listens. */
export async function start({
  port = portSetting(),
  host = '127.0.0.1',
  quiet = false,
  database: databaseOptions = {},
  routesOptions = {},
} = {}) {
  const database = await openDatabase(databaseOptions)
  if (process.env.NODE_ENV !== 'production') await saveUser(DEMO_USER.name, DEMO_USER.password)
  const app = createApp({ quiet, routesOptions })
  await app.locals.routes.ready
  let server
  try {
    server = await new Promise((resolve, reject) => {
      // Express 5 hands a listen error (a port in use, say) to this callback.
      const listening = app.listen(port, host, (error) => (error ? reject(error) : resolve(listening)))
    })
  } catch (error) {
    await closeDatabase()
    if (error.code === 'EADDRINUSE') {
      throw new Error(`port ${port} on ${host} is in use: stop what holds it, or set PORT to another port`)
    }
    throw error
  }
  const address = server.address()
  const url = `http://${host}:${address.port}/`
  const stop = async () => {
    await new Promise((resolve) => server.close(() => resolve(undefined)))
    await closeDatabase()
  }
  return { url, server, database, stop }
}

/**
 * Runs the app as `npm start` does: starts it, says where the data is and where it
 * listens, and stops cleanly on SIGINT or SIGTERM. A start-up problem is one line on
 * stderr and exit code 1. `cluster.mjs` runs this in each worker.
 */
export async function main() {
  try {
    const { url, database, stop } = await start()
    const where = database.embedded
      ? `embedded dynalite at ${database.endpoint} (in memory: lost on exit; set DYNAMODB_ENDPOINT for a real DynamoDB)`
      : `DynamoDB at ${database.endpoint}`
    console.log(`data: table ${database.table} in ${where}`)
    if (sessionKeys().fixedDevKey) console.log('sessions: fixed development key (set SESSION_SECRET in production)')
    if (process.env.NODE_ENV !== 'production') {
      console.log(`log in as ${DEMO_USER.name} / ${DEMO_USER.password}`)
    }
    console.log(`task board listening on ${url}`)
    let stopping = false
    for (const signal of ['SIGINT', 'SIGTERM']) {
      process.on(signal, () => {
        if (stopping) process.exit(1)
        stopping = true
        stop().then(() => process.exit(0), () => process.exit(1))
      })
    }
  } catch (error) {
    console.error(`task board could not start: ${error.message}`)
    process.exit(1)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
