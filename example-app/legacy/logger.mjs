// The app's request logger, from before the migration: one line per request.
export function requestLogger({ quiet = false } = {}) {
  return (req, res, next) => {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      if (quiet) return
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      console.log(`${req.method} ${req.originalUrl} ${res.statusCode} ${ms.toFixed(1)} ms`)
    })
    next()
  }
}
