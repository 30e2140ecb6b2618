// Routes the app had before it used express-enhance-routes. They stay as they are:
// unmatched requests fall through enhanceRoutes() to them.
import { readFileSync } from 'node:fs'
import express from 'express'
import Head from '../app/head.mjs'
import { SITE_HEADER_SCRIPT, siteHeader } from '../lib/layout.mjs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

export function legacyRoutes() {
  const router = express.Router()
  // A legacy JSON endpoint.
  router.get('/api/version', (_req, res) => {
    res.json({ name: pkg.name, version: pkg.version, node: process.version })
  })
  // A legacy EJS page (views/about.ejs), with the head and header of the other pages
  // (res.locals.user: who is logged in, set in server.mjs).
  router.get('/about', (req, res) => {
    res.render('about', {
      version: pkg.version,
      moved: ['/', '/login', '/logout', '/tasks', '/holidays', '/stats'],
      head: Head({ req: { path: req.path } }),
      header: siteHeader(res.locals.user),
      headerScript: SITE_HEADER_SCRIPT,
    })
  })
  return router
}
