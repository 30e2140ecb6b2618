/**
 * SPEC section 3, "Handlers" (and the "not a response object" rule of section
 * 5): `runChain()` runs a handler or a chain of them on one request object,
 * sync or async, and turns what goes wrong into an HTTP error that names the
 * culprit, with no server.
 */
import { expect } from 'chai'
import createError from 'http-errors'
import { runChain } from '../../lib/core/chain.js'
import type { EnhanceApiFn, EnhanceApiReq, EnhanceApiRes, EnhanceError } from '../../types/index.js'
import { requestObject } from './values.js'

const LABEL = 'app/api/notes/$id.mjs get'

/** The chain's functions typed loosely: tests hand it what a route module could export. */
const chain = (...fns: ((request: EnhanceApiReq & Record<string, unknown>) => unknown)[]) =>
  fns as unknown as EnhanceApiFn[]

/** The error a sync chain throws. */
function thrownBy(run: () => unknown): EnhanceError {
  try {
    run()
  } catch (error) {
    return error as EnhanceError
  }
  throw new Error('expected the chain to throw')
}

/** The error an async chain rejects with. */
async function rejectionOf(result: unknown): Promise<EnhanceError> {
  expect(result).to.be.instanceOf(Promise)
  try {
    await result
  } catch (error) {
    return error as EnhanceError
  }
  throw new Error('expected the chain to reject')
}

describe('unit: runChain, handlers and chains (SPEC section 3)', () => {
  describe('a chain', () => {
    it('ends at the first function that returns a response: later ones are not called', () => {
      const calls: string[] = []
      const result = runChain(
        chain(
          () => {
            calls.push('first')
            return undefined
          },
          () => {
            calls.push('second')
            return { json: { from: 'second' } }
          },
          () => {
            calls.push('third')
            return { json: { from: 'third' } }
          },
        ),
        requestObject(),
        LABEL,
      )
      expect(result).to.deep.equal({ json: { from: 'second' } })
      expect(calls).to.deep.equal(['first', 'second'])
    })

    it('passes on past a function that returns undefined, in order', () => {
      const calls: number[] = []
      const result = runChain(
        chain(
          () => {
            calls.push(1)
          },
          () => {
            calls.push(2)
          },
          () => {
            calls.push(3)
            return { json: { n: 3 } }
          },
        ),
        requestObject(),
        LABEL,
      )
      expect(calls).to.deep.equal([1, 2, 3])
      expect(result).to.deep.equal({ json: { n: 3 } })
    })

    it('hands every function the same request object, so earlier ones can add to it (request.user = ...)', async () => {
      const request = requestObject()
      const seen: unknown[] = []
      const result = await runChain(
        chain(
          (req) => {
            seen.push(req)
            req.user = { name: 'ada' }
          },
          async (req) => {
            seen.push(req)
            req.role = 'admin'
          },
          (req) => {
            seen.push(req)
            return { json: { user: req.user, role: req.role } }
          },
        ),
        request,
        LABEL,
      )
      expect(seen).to.have.length(3)
      for (const req of seen) expect(req).to.equal(request)
      expect(result).to.deep.equal({ json: { user: { name: 'ada' }, role: 'admin' } })
      expect(request.user).to.deep.equal({ name: 'ada' })
    })

    it('that ends with no response answers { json: {} }, as Enhance does (sync and async)', async () => {
      expect(
        runChain(
          chain(() => undefined),
          requestObject(),
          LABEL,
        ),
      ).to.deep.equal({ json: {} })
      expect(
        runChain(
          chain(
            () => undefined,
            () => undefined,
          ),
          requestObject(),
          LABEL,
        ),
      ).to.deep.equal({ json: {} })
      expect(
        await runChain(
          chain(async () => undefined),
          requestObject(),
          LABEL,
        ),
      ).to.deep.equal({ json: {} })
      expect(
        await runChain(
          chain(
            async () => undefined,
            () => undefined,
          ),
          requestObject(),
          LABEL,
        ),
      ).to.deep.equal({ json: {} })
    })

    it('returns the response object the handler returned, not a copy', () => {
      const response: EnhanceApiRes = { json: { a: 1 }, statusCode: 201 }
      expect(
        runChain(
          chain(() => response),
          requestObject(),
          LABEL,
        ),
      ).to.equal(response)
    })
  })

  describe('sync and async', () => {
    it('a chain of sync functions returns the response itself, not a promise', () => {
      const result = runChain(
        chain(
          () => undefined,
          () => ({ json: { sync: true } }),
        ),
        requestObject(),
        LABEL,
      )
      expect(result).not.to.be.instanceOf(Promise)
      expect(result).to.deep.equal({ json: { sync: true } })
    })

    it('a chain with an async function returns a promise of the response', async () => {
      const result = runChain(
        chain(async () => ({ json: { async: true } })),
        requestObject(),
        LABEL,
      )
      expect(result).to.be.instanceOf(Promise)
      expect(await result).to.deep.equal({ json: { async: true } })
    })

    it('after an async function that passes on, the later sync functions still run in order', async () => {
      const calls: string[] = []
      const result = runChain(
        chain(
          () => {
            calls.push('sync')
          },
          async () => {
            calls.push('async')
          },
          () => {
            calls.push('sync again')
            return { json: { done: true } }
          },
        ),
        requestObject(),
        LABEL,
      )
      expect(result).to.be.instanceOf(Promise)
      expect(await result).to.deep.equal({ json: { done: true } })
      expect(calls).to.deep.equal(['sync', 'async', 'sync again'])
    })

    it('a thenable that is not a native promise is awaited too', async () => {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is what this test is about
      const thenable = { then: (resolve: (value: unknown) => void) => resolve({ json: { thenable: true } }) }
      const result = runChain(
        chain(() => thenable),
        requestObject(),
        LABEL,
      )
      expect(await result).to.deep.equal({ json: { thenable: true } })
    })
  })

  describe('failures become HTTP errors that name the file and method', () => {
    it('a sync throw is thrown as a 500 whose message names the label and the cause', () => {
      const boom = new Error('database is down')
      const error = thrownBy(() =>
        runChain(
          chain(() => {
            throw boom
          }),
          requestObject(),
          LABEL,
        ),
      )
      expect(error.status).to.equal(500)
      expect(error.message).to.equal(`${LABEL} threw: database is down`)
      expect(error.cause).to.equal(boom)
    })

    it('a rejection is a rejected promise of a 500 whose message names the label', async () => {
      const error = await rejectionOf(
        runChain(
          chain(async () => {
            throw new Error('timeout talking to S3')
          }),
          requestObject(),
          LABEL,
        ),
      )
      expect(error.status).to.equal(500)
      expect(error.message).to.equal(`${LABEL} threw: timeout talking to S3`)
    })

    it('a throw in a later function of an async chain is a rejection naming the label', async () => {
      const error = await rejectionOf(
        runChain(
          chain(
            async () => undefined,
            () => {
              throw new TypeError('cannot read user')
            },
          ),
          requestObject(),
          LABEL,
        ),
      )
      expect(error.status).to.equal(500)
      expect(error.message).to.equal(`${LABEL} threw: cannot read user`)
    })

    it('a thrown value that is not an Error is named in the message', () => {
      const error = thrownBy(() =>
        runChain(
          chain(() => {
            throw 'plain string'
          }),
          requestObject(),
          LABEL,
        ),
      )
      expect(error.status).to.equal(500)
      expect(error.message).to.equal(`${LABEL} threw: plain string`)
    })

    it('an http-errors error thrown on purpose keeps its status and message (sync and async)', async () => {
      const sync = thrownBy(() =>
        runChain(
          chain(() => {
            throw createError(404, 'no such note')
          }),
          requestObject(),
          LABEL,
        ),
      )
      expect([sync.status, sync.message]).to.deep.equal([404, 'no such note'])
      const rejected = await rejectionOf(
        runChain(
          chain(async () => {
            throw createError(409, 'already exists')
          }),
          requestObject(),
          LABEL,
        ),
      )
      expect([rejected.status, rejected.message]).to.deep.equal([409, 'already exists'])
      const unavailable = thrownBy(() =>
        runChain(
          chain(() => {
            throw createError(503, 'maintenance')
          }),
          requestObject(),
          LABEL,
        ),
      )
      expect([unavailable.status, unavailable.message]).to.deep.equal([503, 'maintenance'])
    })
  })

  describe('what a handler returns must be a response object (SPEC section 5)', () => {
    const cases: [string, unknown, string][] = [
      ['a string', 'hello', 'returned a string, not a response object'],
      ['a number', 42, 'returned a number, not a response object'],
      ['a boolean', true, 'returned a boolean, not a response object'],
      ['an array', [{ json: {} }], 'returned an array, not a response object'],
      ['null', null, 'returned null, not a response object'],
    ]
    for (const [kind, value, says] of cases) {
      it(`${kind} is a 500 naming the label (sync and async)`, async () => {
        const sync = thrownBy(() =>
          runChain(
            chain(() => value),
            requestObject(),
            LABEL,
          ),
        )
        expect([sync.status, sync.message]).to.deep.equal([500, `${LABEL} ${says}`])
        const rejected = await rejectionOf(
          runChain(
            chain(async () => value),
            requestObject(),
            LABEL,
          ),
        )
        expect([rejected.status, rejected.message]).to.deep.equal([500, `${LABEL} ${says}`])
      })
    }

    it('a location that is not a string is a 500 naming the label', async () => {
      for (const location of [42, { href: '/x' }, null]) {
        const error = thrownBy(() =>
          runChain(
            chain(() => ({ location })),
            requestObject(),
            LABEL,
          ),
        )
        expect([error.status, error.message], String(location)).to.deep.equal([
          500,
          `${LABEL} returned a location that is not a string`,
        ])
      }
      const rejected = await rejectionOf(
        runChain(
          chain(async () => ({ location: 7 })),
          requestObject(),
          LABEL,
        ),
      )
      expect(rejected.status).to.equal(500)
      expect(rejected.message).to.include(LABEL)
    })

    it('a status outside 200-599 (or not an integer) is a 500 naming the label and the status', () => {
      for (const statusCode of [0, 99, 100, 101, 199, 600, 999, -200, 200.5, Number.NaN]) {
        const error = thrownBy(() =>
          runChain(
            chain(() => ({ statusCode })),
            requestObject(),
            LABEL,
          ),
        )
        expect([error.status, error.message], String(statusCode)).to.deep.equal([
          500,
          `${LABEL} returned an invalid status ${String(statusCode)}`,
        ])
      }
    })

    it('the status checked is the one that wins: code and status are checked when statusCode is absent', () => {
      const byCode = thrownBy(() =>
        runChain(
          chain(() => ({ code: 700 })),
          requestObject(),
          LABEL,
        ),
      )
      expect([byCode.status, byCode.message]).to.deep.equal([500, `${LABEL} returned an invalid status 700`])
      const byStatus = thrownBy(() =>
        runChain(
          chain(() => ({ status: 150 })),
          requestObject(),
          LABEL,
        ),
      )
      expect([byStatus.status, byStatus.message]).to.deep.equal([500, `${LABEL} returned an invalid status 150`])
    })

    it('statuses at the edges of 200-599 are answers', () => {
      for (const statusCode of [200, 204, 301, 404, 599]) {
        expect(
          runChain(
            chain(() => ({ statusCode })),
            requestObject(),
            LABEL,
          ),
          String(statusCode),
        ).to.deep.equal({
          statusCode,
        })
      }
    })

    it('a status that is a numeric string is a 500 too (a status is a number)', () => {
      const error = thrownBy(() =>
        runChain(
          chain(() => ({ statusCode: '201' })),
          requestObject(),
          LABEL,
        ),
      )
      expect([error.status, error.message]).to.deep.equal([500, `${LABEL} returned an invalid status 201`])
    })
  })
})
