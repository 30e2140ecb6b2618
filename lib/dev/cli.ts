#!/usr/bin/env node
// `express-enhance-routes routes [root] [--json]`: the route table of an app folder, in match order.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { RouteInfo } from '../../types/index.js'
import { enhanceRoutes } from '../index.js'

const USAGE = `Usage: express-enhance-routes routes [root] [--json]

Prints the routes of an app folder (default: ./app) in match order: the URL
pattern, the methods it answers, its API file and whether it has a page.

  root      the app folder holding api/, pages/, elements/ (default: app)
  --json    print the table as JSON
  --help    print this help

TypeScript route files need a loader:
  NODE_OPTIONS='--import tsx' npx express-enhance-routes routes`

/** The routes as an aligned text table. */
function formatTable(routes: readonly RouteInfo[]): string {
  const rows = [
    ['PATTERN', 'METHODS', 'API FILE', 'PAGE'],
    ...routes.map((r) => [
      r.pattern,
      r.error === undefined ? r.methods.join(' ') : 'failed to load',
      r.apiFile ?? '-',
      r.page ? 'yes' : '-',
    ]),
  ]
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] as string).length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

async function main(argv: string[]): Promise<number> {
  let parsed: { values: { json?: boolean | undefined; help?: boolean | undefined }; positionals: string[] }
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    })
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  const [command, root = 'app', ...extra] = parsed.positionals
  if (parsed.values.help) {
    console.log(USAGE)
    return 0
  }
  if (command !== 'routes' || extra.length > 0) {
    console.error(command === undefined ? USAGE : `Unknown command: ${[command, ...extra].join(' ')}\n\n${USAGE}`)
    return 2
  }
  if (!existsSync(root)) {
    console.error(`express-enhance-routes: no app folder at ${resolve(root)}`)
    return 1
  }
  // enhanceRoutes() prints the bad files itself; the table still lists every route.
  const middleware = enhanceRoutes({ root: resolve(root), session: false })
  const ok = await middleware.ready.then(
    () => true,
    (error: Error) => {
      if (error.message.includes('TypeScript loader')) {
        console.error("hint: run it with a loader: NODE_OPTIONS='--import tsx' npx express-enhance-routes routes")
      }
      return false
    },
  )
  const routes = middleware.routes()
  await middleware.close()
  const out = parsed.values.json ? JSON.stringify(routes, null, 2) : formatTable(routes)
  await new Promise<void>((done) => process.stdout.write(`${out}\n`, () => done()))
  return ok ? 0 : 1
}

// Route modules may hold timers or connections open: exit once the table is written.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error)
    process.exit(1)
  },
)
