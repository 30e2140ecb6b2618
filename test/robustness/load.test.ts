/**
 * A bounded load run in the suite (the 100k soak is `npm run soak`): the full
 * request mix over real HTTP, every answer checked, zero errors.
 */
import { expect } from 'chai'
import { serveSuite } from './helpers.js'
import { EXPECTED_STATUSES, LOAD_KEY, runMix, statusCounts } from './load-mix.js'

const AMOUNT = 10_000
const CONNECTIONS = 10

describe('robustness: load', function () {
  this.timeout(90_000)
  const suite = serveSuite({ session: { keys: [LOAD_KEY] } })
  const { unhandled } = suite

  it(`${AMOUNT} mixed requests (GET/POST, JSON/HTML, forms, redirects, sessions, 404s) on ${CONNECTIONS} connections: every answer as expected`, async () => {
    const { result, unexpected, byName } = await runMix(suite.served.port, AMOUNT, CONNECTIONS)
    expect(unexpected, 'answers that were not what their request must get').to.deep.equal([])
    expect(result.errors, 'errors').to.equal(0)
    expect(result.timeouts, 'timeouts').to.equal(0)
    expect(result.resets ?? 0, 'resets').to.equal(0)
    const counts = statusCounts(result)
    for (const status of Object.keys(counts)) expect(EXPECTED_STATUSES, `status ${status}`).to.include(Number(status))
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    expect(total).to.be.at.least(AMOUNT)
    // Every kind of request in the mix was sent and checked.
    expect(Object.keys(byName)).to.have.length(8)
    expect(unhandled.seen).to.deep.equal([])
  })
})
