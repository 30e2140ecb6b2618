/**
 * The 100k-request soak (`npm run soak`): the load mix against the fixture app
 * running in a child process, with the server's memory (after a full GC)
 * sampled every 10k requests. Fails when any answer is wrong, any request
 * errors, or memory keeps growing after the warm-up.
 *
 * SOAK_REQUESTS and SOAK_CONNECTIONS change the defaults (100000 and 16).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EXPECTED_STATUSES, runMix, statusCounts } from './load-mix.js'

const AMOUNT = Number(process.env.SOAK_REQUESTS ?? 100_000)
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 16)
const CHECKPOINT = Math.max(1000, Math.floor(AMOUNT / 10))
const WARM_UP = 2 * CHECKPOINT
const MB = 1024 * 1024
/** After the warm-up, memory may move by this much and still count as flat. */
const FLAT_HEAP = 8 * MB
const FLAT_RSS = 40 * MB

interface Sample {
  requests: number
  rss: number
  heapUsed: number
}

const child: ChildProcess = fork(fileURLToPath(new URL('./soak-server.ts', import.meta.url)), {
  execArgv: ['--import', 'tsx', '--expose-gc'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
})
const watchdog = setTimeout(
  () => {
    console.error('soak: gave up after 15 minutes')
    child.kill()
    process.exit(2)
  },
  15 * 60 * 1000,
)
watchdog.unref()

let unhandled = 0
const waiting: ((sample: { rss: number; heapUsed: number }) => void)[] = []
child.on('message', (message: { mem?: { rss: number; heapUsed: number }; unhandled?: number }) => {
  if (message.mem) {
    unhandled = message.unhandled ?? 0
    waiting.shift()?.(message.mem)
  }
})
const memory = () =>
  new Promise<{ rss: number; heapUsed: number }>((resolve) => {
    waiting.push(resolve)
    child.send({ mem: true })
  })

const port = await new Promise<number>((resolve, reject) => {
  child.once('message', (message: { port?: number }) => (message.port ? resolve(message.port) : reject(message)))
  child.once('exit', (code) => reject(new Error(`soak server exited with ${code}`)))
})

const samples: Sample[] = [{ requests: 0, ...(await memory()) }]
const pending: Promise<void>[] = []
const started = Date.now()
const { result, unexpected, byName } = await runMix(port, AMOUNT, CONNECTIONS, (done) => {
  if (done % CHECKPOINT === 0 && done < AMOUNT)
    pending.push(memory().then((m) => void samples.push({ requests: done, ...m })))
})
await Promise.all(pending)
const seconds = (Date.now() - started) / 1000
samples.push({ requests: AMOUNT, ...(await memory()) })
child.send({ stop: true })

const mb = (bytes: number) => (bytes / MB).toFixed(1)
const counts = statusCounts(result)
const total = Object.values(counts).reduce((a, b) => a + b, 0)
const wrongStatuses = Object.keys(counts).filter((status) => !EXPECTED_STATUSES.includes(Number(status)))
const afterWarmUp = samples.filter((s) => s.requests >= WARM_UP)
const base = afterWarmUp[0] ?? samples[0]
const last = samples[samples.length - 1] as Sample
const heapGrowth = base ? last.heapUsed - base.heapUsed : 0
const rssGrowth = base ? last.rss - base.rss : 0

console.log(
  `soak: ${total} answers in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} req/s), ${CONNECTIONS} connections`,
)
console.log(`  statuses: ${JSON.stringify(counts)}`)
console.log(`  by request: ${JSON.stringify(byName)}`)
console.log(
  `  errors ${result.errors}, timeouts ${result.timeouts}, resets ${result.resets ?? 0}, unexpected answers ${unexpected.length}, unhandled rejections ${unhandled}`,
)
console.log(`  latency ms: p50 ${result.latency.p50}, p99 ${result.latency.p99}, max ${result.latency.max}`)
console.log('  server memory after a full GC:')
for (const s of samples) {
  console.log(`    ${String(s.requests).padStart(7)} requests: rss ${mb(s.rss)} MB, heap ${mb(s.heapUsed)} MB`)
}
console.log(`  after the warm-up (${WARM_UP}): heap ${mb(heapGrowth)} MB, rss ${mb(rssGrowth)} MB`)

const failures: string[] = []
if (unexpected.length > 0) failures.push(`unexpected answers: ${unexpected.slice(0, 10).join(', ')}`)
if (result.errors > 0 || result.timeouts > 0 || (result.resets ?? 0) > 0) failures.push('request errors')
if (wrongStatuses.length > 0) failures.push(`statuses outside ${EXPECTED_STATUSES}: ${wrongStatuses}`)
if (total < AMOUNT) failures.push(`only ${total} of ${AMOUNT} answers`)
if (unhandled > 0) failures.push(`${unhandled} unhandled rejections in the server`)
if (heapGrowth > FLAT_HEAP) failures.push(`heap grew ${mb(heapGrowth)} MB after the warm-up`)
if (rssGrowth > FLAT_RSS) failures.push(`rss grew ${mb(rssGrowth)} MB after the warm-up`)
if (failures.length > 0) {
  console.error(`soak FAILED:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
console.log('soak passed')
