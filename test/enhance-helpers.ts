import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import express from 'express'
import request from 'supertest'
import { type EnhanceError, type EnhanceRoutesOptions, enhanceRoutes } from '../lib/index.js'

// Small Enhance app folders written by the tests themselves, served by real
// Express and enhanceRoutes() (whose default renderer is enhancePages()).

const folders: string[] = []
after(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
})

/** Writes `files` (path below the app folder -> text) into a fresh app folder, removed after the run. */
export async function appFolder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'enhance-app-'))
  folders.push(root)
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, text)
  }
  return root
}

/** An element module whose template is `markup` (a template literal body: `${state...}` works). */
export const element = (markup: string) => `export default function ({ html, state }) { return html\`${markup}\` }\n`

/** Serves the app folder; `before` is middleware in front of us (to set res.locals, say). */
export async function serveApp(
  root: string,
  options: EnhanceRoutesOptions = {},
  before: express.RequestHandler[] = [],
): Promise<{ app: express.Express; errors: EnhanceError[] }> {
  const errors: EnhanceError[] = []
  const app = express()
  for (const handler of before) app.use(handler)
  const middleware = enhanceRoutes({ root, session: false, onError: (error) => errors.push(error), ...options })
  app.use(middleware)
  app.use((_req, res) => {
    res.status(418).send('fell through')
  })
  await middleware.ready
  return { app, errors }
}

/** A GET from a browser. */
export const page = (app: express.Express, path: string) => request(app).get(path).set('Accept', 'text/html')

/** The document's head, up to `</head>`. */
export const headOf = (html: string) => html.slice(0, html.indexOf('</head>'))
