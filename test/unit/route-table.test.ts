/**
 * SPEC section 2, "Files and URLs": the route table `planRoutes()` builds from
 * the scanned API files and the renderer's page patterns (match order,
 * conflicts, pages merged with API routes), and the routes `toRoute()` makes
 * of it once modules are imported, with no file system and no server.
 */
import { expect } from 'chai'
import { checkModule } from '../../lib/modules.js'
import { patternOf, type ScannedFile, segmentsOf } from '../../lib/routes/scan.js'
import { planRoutes, toRoute } from '../../lib/routes/table.js'

const API_DIR = '/srv/app/api'
/** Names files as messages do: relative to the working folder. */
const nameOf = (file: string) => file.replace('/srv/', '')

/** A scanned API file, from its path under the API folder without extension (`shop/$product`). */
function apiFile(rel: string): ScannedFile {
  const segments = segmentsOf(rel)
  if (typeof segments === 'string') throw new Error(`${rel}: ${segments}`)
  return { file: `${API_DIR}/${rel}.mjs`, rel: `${rel}.mjs`, segments, pattern: patternOf(segments) }
}

/** A deterministic shuffle (a small linear congruential generator), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

const patterns = (files: readonly ScannedFile[], pages: readonly string[] = []) =>
  planRoutes(files, pages, nameOf).planned.map((plan) => plan.pattern)

const module = () => checkModule({ get: () => ({ json: {} }) })

describe('unit: the route table (SPEC section 2)', () => {
  describe('match order', () => {
    // In match order, as SPEC section 2 ranks them: segment by segment from
    // the left, a static segment before a $param before a $$ catch-all.
    const ORDERED = [
      '/',
      '/about',
      '/about/team',
      '/docs',
      '/docs/intro',
      '/docs/$$',
      '/shop/featured',
      '/shop/$product',
      '/shop/$product/reviews',
      '/shop/$product/$rest',
      '/shop/$product/$$',
      '/$page',
      '/$page/edit',
      '/$$',
    ]
    const FILES = [
      'index',
      'about',
      'about/team',
      'docs/index',
      'docs/intro',
      'docs/$$',
      'shop/featured',
      'shop/$product',
      'shop/$product/reviews',
      'shop/$product/$rest',
      'shop/$product/$$',
      '$page',
      '$page/edit',
      '$$',
    ]

    it('static before $param before $$, compared segment by segment from the left', () => {
      expect(patterns(FILES.map(apiFile))).to.deep.equal(ORDERED)
    })

    it('never depends on the order the files come in (reversed and 25 shuffles)', () => {
      const files = FILES.map(apiFile)
      expect(patterns([...files].reverse())).to.deep.equal(ORDERED)
      for (let seed = 1; seed <= 25; seed++) {
        expect(patterns(shuffled(files, seed)), `seed ${seed}`).to.deep.equal(ORDERED)
      }
    })

    it('nor on whether a pattern came from an API file or a page', () => {
      const api = ['about', 'shop/$product', 'docs/$$'].map(apiFile)
      const pages = ['/', '/shop/featured', '/$page', '/docs/intro']
      const expected = ['/', '/about', '/docs/intro', '/docs/$$', '/shop/featured', '/shop/$product', '/$page']
      for (let seed = 1; seed <= 10; seed++) {
        expect(patterns(shuffled(api, seed), shuffled(pages, seed + 100)), `seed ${seed}`).to.deep.equal(expected)
      }
    })

    it('the first segment decides before later ones: /a/$x/z comes before /$y/b/c', () => {
      expect(patterns([apiFile('$y/b/c'), apiFile('a/$x/z')])).to.deep.equal(['/a/$x/z', '/$y/b/c'])
    })

    it('a catch-all comes after every longer route that shares its prefix', () => {
      expect(patterns([apiFile('docs/$$'), apiFile('docs/a/b/c/d'), apiFile('docs/$x/y')])).to.deep.equal([
        '/docs/a/b/c/d',
        '/docs/$x/y',
        '/docs/$$',
      ])
    })
  })

  describe('conflicts: two files that map to one pattern', () => {
    it('about.mjs and about/index.mjs: one problem naming both, and one route that carries the conflict', () => {
      for (const files of [
        [apiFile('about'), apiFile('about/index')],
        [apiFile('about/index'), apiFile('about')],
      ]) {
        const { planned, problems } = planRoutes(files, [], nameOf)
        expect(problems).to.have.length(1)
        expect(problems[0]).to.include('app/api/about.mjs').and.include('app/api/about/index.mjs')
        expect(problems[0]).to.include('/about')
        expect(planned.map((plan) => [plan.pattern, plan.conflict])).to.deep.equal([['/about', problems[0]]])
      }
    })

    it('$a.mjs and $b.mjs in one folder conflict (param names do not matter)', () => {
      const { planned, problems } = planRoutes(
        [apiFile('shop/$a'), apiFile('shop/$b'), apiFile('shop/new')],
        [],
        nameOf,
      )
      expect(problems).to.have.length(1)
      expect(problems[0]).to.include('app/api/shop/$a.mjs').and.include('app/api/shop/$b.mjs')
      expect(planned.map((plan) => plan.pattern)).to.have.length(2)
      const conflicted = planned.filter((plan) => plan.conflict !== undefined)
      expect(conflicted.map((plan) => plan.conflict)).to.deep.equal([problems[0]])
      expect(planned.find((plan) => plan.pattern === '/shop/new')?.conflict).to.equal(undefined)
    })

    it('a conflicted route becomes a broken route whose 500 names both files, even with a module loaded', () => {
      const { planned } = planRoutes([apiFile('about'), apiFile('about/index')], [], nameOf)
      const route = toRoute(planned[0] as (typeof planned)[number], module(), nameOf)
      if (route.kind !== 'broken') throw new Error(`expected a broken route, got ${route.kind}`)
      expect(route.error.status).to.equal(500)
      expect(route.error.message).to.include('app/api/about.mjs').and.include('app/api/about/index.mjs')
    })

    it('different param positions are not a conflict: /$a/x and /x/$b are two routes', () => {
      const { planned, problems } = planRoutes([apiFile('$a/x'), apiFile('x/$b')], [], nameOf)
      expect(problems).to.deep.equal([])
      expect(planned.map((plan) => plan.pattern)).to.deep.equal(['/x/$b', '/$a/x'])
    })
  })

  describe('pages', () => {
    it('a page pattern is merged with the API route of the same URLs, whatever its param names', () => {
      const { planned, problems } = planRoutes([apiFile('shop/$product')], ['/shop/$item'], nameOf)
      expect(problems).to.deep.equal([])
      expect(planned).to.have.length(1)
      const plan = planned[0]
      // The route keeps the API's pattern; `page` keeps the renderer's own pattern string.
      expect([plan?.pattern, plan?.page, plan?.api?.file]).to.deep.equal([
        '/shop/$product',
        '/shop/$item',
        `${API_DIR}/shop/$product.mjs`,
      ])
    })

    it('page patterns are read with or without slashes around them, and / is the index', () => {
      const { planned } = planRoutes([apiFile('index'), apiFile('about')], ['/', 'about/'], nameOf)
      expect(planned.map((plan) => [plan.pattern, plan.page])).to.deep.equal([
        ['/', '/'],
        ['/about', 'about/'],
      ])
    })

    it('a page with no API file is a page-only route', () => {
      const { planned, problems } = planRoutes([], ['/shop/$item'], nameOf)
      expect(problems).to.deep.equal([])
      expect(planned.map((plan) => [plan.pattern, plan.page, plan.api, plan.conflict])).to.deep.equal([
        ['/shop/$item', '/shop/$item', undefined, undefined],
      ])
    })

    it('a page pattern that cannot be a route is a problem naming it, and no route', () => {
      const { planned, problems } = planRoutes(
        [apiFile('about')],
        ['/docs/$$/more', '/shop/$1st', '/ok', '/a*b'],
        nameOf,
      )
      expect(problems).to.deep.equal([
        'page /docs/$$/more: a catch-all ($$) must be the last part of the path',
        'page /shop/$1st: "$1st" is not a valid param name (letters, digits and _)',
        'page /a*b: "a*b" cannot be part of a URL pattern',
      ])
      expect(planned.map((plan) => plan.pattern)).to.deep.equal(['/about', '/ok'])
    })
  })

  describe('toRoute: the kinds of route', () => {
    it('an API file with its checked module is an api route (with its page, if any)', () => {
      const { planned } = planRoutes([apiFile('shop/$product')], ['/shop/$item'], nameOf)
      const loaded = module()
      const route = toRoute(planned[0] as (typeof planned)[number], loaded, nameOf)
      expect(route).to.deep.include({
        kind: 'api',
        pattern: '/shop/$product',
        page: '/shop/$item',
        name: 'app/api/shop/$product.mjs',
        file: `${API_DIR}/shop/$product.mjs`,
      })
      if (route.kind !== 'api') throw new Error(route.kind)
      expect(route.module).to.equal(loaded)
      expect(route.segments).to.deep.equal([
        { kind: 'static', value: 'shop' },
        { kind: 'param', name: 'product' },
      ])
    })

    it('a page with no API file is a page route', () => {
      const { planned } = planRoutes([], ['/about'], nameOf)
      expect(toRoute(planned[0] as (typeof planned)[number], undefined, nameOf)).to.deep.equal({
        kind: 'page',
        pattern: '/about',
        segments: [{ kind: 'static', value: 'about' }],
        page: '/about',
      })
    })

    it('an import Error makes a broken route whose 500 names the file and keeps the cause', () => {
      const { planned } = planRoutes([apiFile('notes')], [], nameOf)
      const cause = new Error("failed to load: Unexpected token '=>'")
      const route = toRoute(planned[0] as (typeof planned)[number], cause, nameOf)
      if (route.kind !== 'broken') throw new Error(`expected a broken route, got ${route.kind}`)
      expect([route.error.status, route.error.message, route.error.cause]).to.deep.equal([
        500,
        "route module app/api/notes.mjs failed to load: Unexpected token '=>'",
        cause,
      ])
      expect([route.name, route.file, route.pattern]).to.deep.equal([
        'app/api/notes.mjs',
        `${API_DIR}/notes.mjs`,
        '/notes',
      ])
    })

    it('a module checkModule refuses (no handler) is an import Error like any other: a broken route', () => {
      const { planned } = planRoutes([apiFile('empty')], [], nameOf)
      let refused: Error | undefined
      try {
        checkModule({ helper: () => 1 })
      } catch (error) {
        refused = error as Error
      }
      expect(refused?.message).to.equal('exports no handler: export get, post, put, patch or destroy')
      const route = toRoute(planned[0] as (typeof planned)[number], refused, nameOf)
      if (route.kind !== 'broken') throw new Error(`expected a broken route, got ${route.kind}`)
      expect(route.error.message).to.equal(
        'route module app/api/empty.mjs exports no handler: export get, post, put, patch or destroy',
      )
    })

    it('an API file whose module was never loaded is a broken route saying so', () => {
      const { planned } = planRoutes([apiFile('notes')], [], nameOf)
      const route = toRoute(planned[0] as (typeof planned)[number], undefined, nameOf)
      if (route.kind !== 'broken') throw new Error(`expected a broken route, got ${route.kind}`)
      expect([route.error.status, route.error.message]).to.deep.equal([
        500,
        'route module app/api/notes.mjs was not loaded',
      ])
    })
  })
})
