// What cleaning a parsed body costs (issue: "Safe at the Express boundary", point 3): a 1 MB
// JSON body parsed alone, against parsed and then cleaned of prototype keys and measured for
// depth (lib/clean.ts), in alternating rounds in one process. The A/A figure (JSON.parse
// against itself) shows how far a ratio moves with nothing changed.
//
//   npm run bench:clean
import { cleanAndMeasure } from '../lib/clean.js'

const rounds = Number(process.env.BENCH_ROUNDS ?? 41)
const perRound = Number(process.env.BENCH_PER_ROUND ?? 20)

/** About 1 MB: an array of records with nested objects and arrays, as an API body might be. */
function body(): string {
  const items = []
  for (let i = 0; i < 6000; i++) {
    items.push({
      id: i,
      name: `item ${i}`,
      tags: ['a', 'b', 'c'],
      nested: { price: i * 1.5, ok: true, note: 'x'.repeat(60) },
    })
  }
  return JSON.stringify({ items })
}

function time(run: () => void): number {
  const started = process.hrtime.bigint()
  for (let i = 0; i < perRound; i++) run()
  return Number(process.hrtime.bigint() - started) / 1e6 / perRound
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number

const text = body()
const parse = () => JSON.parse(text)
const parseAndClean = () => cleanAndMeasure(JSON.parse(text))
for (let i = 0; i < 5; i++) {
  parse()
  parseAndClean()
}
const parsed: number[] = []
const again: number[] = []
const cleaned: number[] = []
for (let r = 0; r < rounds; r++) {
  // Each round runs the three in a rotating order, so that no one always goes first.
  const order = [() => parsed.push(time(parse)), () => again.push(time(parse)), () => cleaned.push(time(parseAndClean))]
  for (let k = 0; k < 3; k++) (order[(r + k) % 3] as () => void)()
}
const ratio = median(cleaned) / median(parsed)
const aa = median(again) / median(parsed)
console.log(`body: ${(text.length / 1e6).toFixed(2)} MB; ${rounds} rounds of ${perRound} parses per contender`)
console.log(`JSON.parse alone: ${median(parsed).toFixed(2)} ms; parse + clean: ${median(cleaned).toFixed(2)} ms`)
console.log(`ratio (parse + clean) / parse: ${ratio.toFixed(3)}; A/A (parse / parse): ${aa.toFixed(3)}`)
