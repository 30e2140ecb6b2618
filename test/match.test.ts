import { expect } from 'chai'
import { BAD_URL, type Match, Matcher } from '../lib/routes/match.js'
import { patternOf, segmentsOf } from '../lib/routes/scan.js'
import { planRoutes, type Route, toRoute } from '../lib/routes/table.js'

/** A matcher over route files given by their paths in the file conventions (`shop/$product`). */
function matcherOf(...files: string[]): Matcher<Route> {
  const scanned = files.map((rel) => {
    const segments = segmentsOf(rel)
    if (typeof segments === 'string') throw new Error(segments)
    return { file: `/api/${rel}.mjs`, rel: `${rel}.mjs`, segments, pattern: patternOf(segments) }
  })
  const { planned } = planRoutes(scanned, [], String)
  return new Matcher(planned.map((plan) => toRoute(plan, new Error('not imported here'), String)))
}

function found(result: Match<Route> | null | typeof BAD_URL): { pattern: string; params: Record<string, string> } {
  if (result === null || result === BAD_URL) throw new Error(`no match: ${String(result)}`)
  return { pattern: result.route.pattern, params: result.params }
}

describe('the route matcher (segment trie)', () => {
  it('backs up out of a static branch that leads nowhere and tries the $param', () => {
    const matcher = matcherOf('a/static/end', 'a/$x/other')
    expect(found(matcher.match('/a/static/other', false))).to.deep.equal({
      pattern: '/a/$x/other',
      params: { x: 'static' },
    })
    expect(found(matcher.match('/a/static/end', false)).pattern).to.equal('/a/static/end')
  })

  it('backs up out of a $param branch to a $$ catch-all, which keeps the rest of the path', () => {
    const matcher = matcherOf('docs/$section/intro', 'docs/$$')
    expect(found(matcher.match('/docs/guide/intro', false)).params).to.deep.equal({ section: 'guide' })
    expect(found(matcher.match('/docs/guide/other/deep/', false))).to.deep.equal({
      pattern: '/docs/$$',
      params: { $$: 'guide/other/deep' },
    })
  })

  it('names params by each route’s own names, even where routes share a $param position', () => {
    const matcher = matcherOf('x/$id/bar', 'x/$name')
    expect(found(matcher.match('/x/7/bar', false)).params).to.deep.equal({ id: '7' })
    expect(found(matcher.match('/x/ada', false)).params).to.deep.equal({ name: 'ada' })
  })

  // Changed with the safe-boundary issue: static segments used to be decoded before matching, so that
  // `/%61dmin` reached `/admin` past a guard mounted at `/admin`; Express compares mount paths raw.
  it('compares static segments raw, as Express does; decodes param values, and a malformed one is BAD_URL only inside a route', () => {
    const matcher = matcherOf('admin/$item', 'files/$$')
    expect(found(matcher.match('/admin/a%20b', false)).params).to.deep.equal({ item: 'a b' })
    expect(matcher.match('/%61dmin/x', false)).to.equal(null)
    expect(matcher.match('/adm%69n/x', false)).to.equal(null)
    expect(found(matcher.match('/files/a%2Fb/c', false)).params).to.deep.equal({ $$: 'a/b/c' })
    expect(matcher.match('/admin/%E0%A4%A', false)).to.equal(BAD_URL)
    expect(matcher.match('/elsewhere/%E0%A4%A', false)).to.equal(null)
  })

  it('folds case as Express’s router does: ASCII letters, never a non-ASCII letter into an ASCII one', () => {
    const matcher = matcherOf('key', 'Straße')
    expect(found(matcher.match('/KEY', false)).pattern).to.equal('/key')
    // The Kelvin sign (U+212A) lower-cases to `k` under Unicode rules; Express's regexps do not fold it.
    expect(matcher.match('/\u212Aey', false)).to.equal(null)
    expect(matcher.match('/%E2%84%AAey', false)).to.equal(null)
    expect(matcher.match('/KEY', true)).to.equal(null)
    expect(found(matcher.match('/straße', false)).pattern).to.equal('/Straße')
  })

  it('keeps a trailing slash with strict routing', () => {
    const matcher = matcherOf('about')
    expect(found(matcher.match('/about/', false, false)).pattern).to.equal('/about')
    expect(matcher.match('/about/', false, true)).to.equal(null)
    expect(found(matcher.match('/about', false, true)).pattern).to.equal('/about')
  })

  it('lower-cases static segments only when routing is case-insensitive; params keep their case', () => {
    const matcher = matcherOf('Shop/$product')
    expect(found(matcher.match('/shop/Hat', false)).params).to.deep.equal({ product: 'Hat' })
    expect(matcher.match('/shop/Hat', true)).to.equal(null)
    expect(found(matcher.match('/Shop/Hat', true)).params).to.deep.equal({ product: 'Hat' })
  })

  it('matches one trailing slash, never empty segments, and no $param longer than 2048 characters', () => {
    const matcher = matcherOf('index', 'about', 'items/$id')
    expect(found(matcher.match('/', false)).pattern).to.equal('/')
    expect(found(matcher.match('/about/', false)).pattern).to.equal('/about')
    expect(matcher.match('/about//', false)).to.equal(null)
    expect(matcher.match('//about', false)).to.equal(null)
    expect(matcher.match('/items/', false)).to.equal(null)
    expect(found(matcher.match(`/items/${'a'.repeat(2048)}`, false)).params.id).to.have.length(2048)
    expect(matcher.match(`/items/${'a'.repeat(2049)}`, false)).to.equal(null)
  })

  it('does not take a $$ catch-all for its own folder: /docs is not /docs/$$', () => {
    const matcher = matcherOf('docs/$$')
    expect(matcher.match('/docs', false)).to.equal(null)
    expect(matcher.match('/docs/', false)).to.equal(null)
    expect(found(matcher.match('/docs/a', false)).params).to.deep.equal({ $$: 'a' })
  })
})
