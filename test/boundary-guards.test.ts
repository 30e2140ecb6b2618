/**
 * A guard the app mounts in front (`app.use('/admin', guard)`) is never walked
 * around: a request reaches a route below a prefix only when Express's own
 * matching of that mount path would have shown it to the guard (SPEC section 9).
 */
import { expect } from 'chai'
import express from 'express'
import fc from 'fast-check'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const root = new URL('./fixtures/boundary/', import.meta.url)
const PREFIXES = ['/admin', '/key', '/admin/secret']

type Guarded = express.Request & { guarded?: boolean }

/** The README's pattern: guards at prefixes in front, then our routes. */
function guardedApp(caseSensitive: boolean) {
  const app = express()
  app.set('case sensitive routing', caseSensitive)
  for (const prefix of PREFIXES) {
    app.use(prefix, (req, _res, next) => {
      ;(req as Guarded).guarded = true
      next()
    })
  }
  app.use(enhanceRoutes({ root, session: false, onError: () => {} }))
  return app
}

/** Is `route` below `prefix`, segment by segment (`/admin/secret` is below `/admin`)? */
const below = (route: string, prefix: string) => route === prefix || route.startsWith(`${prefix}/`)

const hex = (char: string) => [...Buffer.from(char)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')

/** One character of a path as an attacker may spell it. */
const spelling = (char: string) =>
  fc.oneof(
    // Mostly plain, so that many generated paths do reach the routes.
    { arbitrary: fc.constant(char), weight: 12 },
    fc.constant(char.toUpperCase()),
    fc.constant(hex(char)),
    fc.constant(hex(char).toUpperCase()),
    // Letters that lower-case (Unicode rules) to an ASCII one: the Kelvin sign, the long s, dotless i's capital.
    fc.constant(char === 'k' ? '%E2%84%AA' : char === 's' ? '%C5%BF' : char === 'i' ? '%C4%B0' : char),
  )

const attackPath = fc
  .constantFrom('/admin/secret', '/admin', '/key', '/admin/secret/')
  .chain((path) =>
    fc
      .tuple(...[...path].map((char) => (char === '/' ? fc.constant('/') : spelling(char))))
      .map((parts) => parts.join('')),
  )

describe('the boundary: guards mounted in front', function () {
  this.timeout(60_000)

  for (const caseSensitive of [false, true]) {
    describe(`case sensitive routing ${caseSensitive ? 'on' : 'off'}`, () => {
      const app = guardedApp(caseSensitive)

      it('a request reaches a route below a guarded prefix only when the guard saw it (generated spellings)', async () => {
        let reachedRoutes = 0
        await fc.assert(
          fc.asyncProperty(attackPath, async (path) => {
            const answer = await request(app).get(path).set('Accept', 'application/json')
            const route = answer.body?.route as string | undefined
            if (answer.status === 200 && route !== undefined && PREFIXES.some((prefix) => below(route, prefix))) {
              reachedRoutes += 1
              expect(answer.body.guarded, `${path} reached ${route}`).to.equal(true)
            }
          }),
          { numRuns: 300 },
        )
        // The generator does find the routes (plain spellings): the property is not vacuous.
        expect(reachedRoutes).to.be.greaterThan(10)
      })

      it('the spellings from the report answer as plain Express would: not the guarded routes', async () => {
        for (const path of ['/%61dmin/secret', '/adm%69n/secret', '/%41DMIN/secret', '/%E2%84%AAey']) {
          const answer = await request(app).get(path).set('Accept', 'application/json')
          expect(answer.body.guarded, path).to.not.equal(false)
          expect(answer.body.route, path).to.not.be.oneOf(['/admin/secret', '/key'])
        }
        // `/%61dmin` is a top-level param route's value, decoded; it never reaches /admin.
        const param = await request(app).get('/%61dmin').set('Accept', 'application/json')
        expect(param.body).to.deep.equal({ route: '/$page', page: 'admin' })
      })

      it('the plain spelling meets the guard', async () => {
        const answer = await request(app).get('/admin/secret').set('Accept', 'application/json')
        expect(answer.body).to.deep.equal({ route: '/admin/secret', guarded: true })
        const upper = await request(app).get('/ADMIN/secret').set('Accept', 'application/json')
        if (caseSensitive) expect(upper.body.route).to.not.equal('/admin/secret')
        else expect(upper.body).to.deep.equal({ route: '/admin/secret', guarded: true })
      })
    })
  }
})
