// Several instances on one machine, with Node's cluster module: one worker process
// per CPU (or WEB_CONCURRENCY), all answering on PORT. Each worker is the whole app
// (server.mjs); the primary only starts them, starts a new one when one dies, and
// passes SIGINT/SIGTERM on.
//
// The workers share nothing but what the README's "Several instances" section names:
// the session secret (SESSION_SECRET) and one DynamoDB table (DYNAMODB_ENDPOINT and
// DYNAMODB_TABLE). Without DYNAMODB_ENDPOINT each worker would start its own embedded
// dynalite, so the cluster refuses to start.
//
//   DYNAMODB_ENDPOINT=http://127.0.0.1:8000 SESSION_SECRET=... node --import tsx cluster.mjs
import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'

if (cluster.isPrimary) {
  if (!process.env.DYNAMODB_ENDPOINT) {
    console.error(
      'task board cluster could not start: set DYNAMODB_ENDPOINT (every worker must use the same database; the embedded one is one per process)',
    )
    process.exit(1)
  }
  const count = Number(process.env.WEB_CONCURRENCY) || availableParallelism()
  let stopping = false
  for (let i = 0; i < count; i++) cluster.fork()
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    if (code === 1 && !worker.exitedAfterDisconnect && !worker.listening) {
      // It could not start (its own message says why): starting it again would fail the same way.
      stopping = true
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM')
      process.exitCode = 1
      return
    }
    console.error(`task board worker ${worker.process.pid} stopped (${signal ?? code}): starting another`)
    cluster.fork()
  })
  cluster.on('listening', (worker) => {
    worker.listening = true
  })
  // Ctrl-C's SIGINT reaches every process of the terminal's group, the workers too;
  // a SIGTERM (from a process manager, say) is sent to the primary alone: pass it on.
  process.on('SIGINT', () => {
    stopping = true
  })
  process.on('SIGTERM', () => {
    stopping = true
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
  })
} else {
  const { main } = await import('./server.mjs')
  await main()
}
