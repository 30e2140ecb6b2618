// An ordinary Express app with legacy routes, with enhanceRoutes() mounted beside them.
import { fileURLToPath } from 'node:url'
import express from 'express'
import { enhanceRoutes } from 'express-enhance-routes'

export function createApp() {
  const app = express()
  // Legacy middleware and routes the app already had.
  app.use((req, _res, next) => {
    if (process.env.NODE_ENV !== 'test') console.log(`${req.method} ${req.originalUrl}`)
    next()
  })
  app.get('/legacy/status', (_req, res) => {
    res.json({ ok: true, from: 'legacy' })
  })
  // The new routes: app/api (file-based, Enhance-style).
  app.use(enhanceRoutes({ root: new URL('./app/', import.meta.url) }))
  return app
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  createApp().listen(port, '127.0.0.1', () => {
    console.log(`example app listening on http://127.0.0.1:${port}/`)
  })
}
