import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { expect } from 'chai'
import { enhancePages } from '../../lib/renderers/enhance/index.js'
import { type PageSet, readPages } from '../../lib/renderers/enhance/pages.js'
import { Reading } from '../../lib/renderers/enhance/problems.js'
import { contextFor } from './values.js'

// The Enhance renderer's pages without a server: how files group into pages,
// the tags of page elements, what conflicts, and (with the real @enhance/ssr)
// what a page renders as. Each test writes its own small app folder.

/** Writes `files` (path below the folder -> text) into a fresh app folder. */
async function appFolder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'enhance-pages-'))
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, text)
  }
  folders.push(root)
  return root
}
const folders: string[] = []
after(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
})

/** A file as the renderer's messages name it. */
const named = (root: string, path: string) => relative(process.cwd(), join(root, path))

async function pagesOf(files: Record<string, string>): Promise<{ root: string; set: PageSet; problems: string[] }> {
  const root = await appFolder(files)
  const reading = new Reading(0)
  const set = await readPages(join(root, 'pages'), reading)
  return { root, set, problems: reading.problems.sort() }
}

const element = (text: string) => `export default function ({ html, state }) { return html\`${text}\` }\n`

describe('Enhance pages (no server)', () => {
  describe('grouping files into pages', () => {
    it('gives each page its pattern; index files are their folder', async () => {
      const { set, problems } = await pagesOf({
        'pages/index.html': '<h1>home</h1>',
        'pages/about.html': '<h1>about</h1>',
        'pages/users/index.mjs': element('<p>users</p>'),
        'pages/users/$id.mjs': element('<p>user</p>'),
        'pages/docs/$$.html': '<p>docs</p>',
      })
      expect(problems).to.deep.equal([])
      expect(set.patterns).to.deep.equal(['/', '/about', '/docs/$$', '/users', '/users/$id'])
      expect([...set.pages.keys()].sort()).to.deep.equal(set.patterns)
      expect(set.pages.get('/')?.markup).to.equal('<h1>home</h1>')
      expect(set.pages.get('/users/$id')).to.include({ markup: '<page-users--id></page-users--id>', broken: undefined })
    })

    it('keys each page by its own pattern, param names and all', async () => {
      const { set } = await pagesOf({ 'pages/shop/$item.html': '<p>item</p>' })
      expect(set.patterns).to.deep.equal(['/shop/$item'])
      expect(set.pages.has('/shop/$item')).to.equal(true)
      expect(set.pages.has('/shop/$product')).to.equal(false)
    })

    it('with both about.html and about.mjs, the .html is the page and the .mjs its element page-about', async () => {
      const { root, set, problems } = await pagesOf({
        'pages/about.html': '<section><page-about></page-about></section>',
        'pages/about.mjs': element('<p>from the mjs</p>'),
      })
      expect(problems).to.deep.equal([])
      expect(set.patterns).to.deep.equal(['/about'])
      expect(set.pages.get('/about')).to.deep.equal({
        file: join(root, 'pages/about.html'),
        markup: '<section><page-about></page-about></section>',
        tag: undefined,
        broken: undefined,
      })
      expect(Object.keys(set.elements)).to.deep.equal(['page-about'])
    })

    it('keeps error pages (404, 500) out of the patterns but among the pages, as /404 and /500', async () => {
      const { set } = await pagesOf({
        'pages/404.html': '<h1>not here</h1>',
        'pages/500.mjs': element('<p>oops</p>'),
        'pages/errors/404.html': '<p>a route, not an error page</p>',
      })
      expect(set.patterns).to.deep.equal(['/errors/404'])
      expect(set.pages.get('/404')?.markup).to.equal('<h1>not here</h1>')
      expect(set.pages.get('/500')).to.include({ markup: '<page-500></page-500>', tag: 'page-500' })
    })

    it('lists a file whose name cannot be a URL pattern as a problem, and leaves it out', async () => {
      const { root, set, problems } = await pagesOf({
        'pages/ok.html': 'ok',
        'pages/a/$$/b.html': 'no',
      })
      expect(set.patterns).to.deep.equal(['/ok'])
      expect(problems).to.deep.equal([
        `${named(root, 'pages/a/$$/b.html')}: a catch-all ($$) must be the last part of the path`,
      ])
    })
  })

  describe('page element tags', () => {
    it('names them as Enhance does: folders and $ become dashes, index is its folder, lower case', async () => {
      const { set } = await pagesOf({
        'pages/notes.mjs': element('a'),
        'pages/Users/$id.mjs': element('b'),
        'pages/docs/$$.mjs': element('c'),
        'pages/blog/index.mjs': element('d'),
      })
      expect(Object.keys(set.elements).sort()).to.deep.equal([
        'page-blog',
        'page-docs---',
        'page-notes',
        'page-users--id',
      ])
      expect(set.pages.get('/Users/$id')?.tag).to.equal('page-users--id')
    })

    it('a tag that is not a valid custom element name breaks that page, with the reason', async () => {
      const { root, set, problems } = await pagesOf({ 'pages/café.mjs': element('x') })
      const message = `${named(root, 'pages/café.mjs')}: "page-café" is not a valid custom element name for the page`
      expect(problems).to.deep.equal([message])
      expect(set.pages.get('/café')?.broken?.message).to.equal(message)
      expect(set.elements).to.deep.equal({})
    })

    it('two pages that make one tag: the first in file order keeps it, the other is broken', async () => {
      const { root, set, problems } = await pagesOf({
        'pages/a-b.mjs': element('<p>first</p>'),
        'pages/a/b.mjs': element('<p>second</p>'),
      })
      const message = `${named(root, 'pages/a-b.mjs')} and ${named(root, 'pages/a/b.mjs')} make the same page element page-a-b`
      expect(problems).to.deep.equal([message])
      expect(set.pages.get('/a-b')?.broken).to.equal(undefined)
      expect(set.pages.get('/a/b')?.broken?.message).to.equal(message)
      expect(Object.keys(set.elements)).to.deep.equal(['page-a-b'])
    })

    it('a page .mjs without an element export is a problem, and its page and element throw it', async () => {
      const { root, set, problems } = await pagesOf({ 'pages/bad.mjs': 'export default 42\n' })
      const message = `${named(root, 'pages/bad.mjs')}: a page .mjs must export default an element function`
      expect(problems).to.deep.equal([message])
      expect(set.pages.get('/bad')?.broken?.message).to.equal(message)
      expect(() => set.elements['page-bad']?.({} as never)).to.throw(message)
    })
  })

  describe('conflicts', () => {
    it('two .html files for one URL (param names do not matter) break the page, naming both', async () => {
      const { root, set, problems } = await pagesOf({
        'pages/shop/$item.html': 'item',
        'pages/shop/$product.html': 'product',
      })
      const message = `${named(root, 'pages/shop/$item.html')} and ${named(root, 'pages/shop/$product.html')} map to the same URL pattern /shop/$item`
      expect(problems).to.deep.equal([message])
      expect(set.patterns).to.deep.equal(['/shop/$item'])
      expect(set.pages.get('/shop/$item')?.broken?.message).to.equal(message)
    })

    it('about.mjs and about/index.mjs conflict too; the .html beside them is still the page file', async () => {
      const { root, set, problems } = await pagesOf({
        'pages/about.html': 'about',
        'pages/about.mjs': element('one'),
        'pages/about/index.mjs': element('two'),
      })
      const message = `${named(root, 'pages/about.mjs')} and ${named(root, 'pages/about/index.mjs')} map to the same URL pattern /about`
      expect(problems).to.deep.equal([message])
      expect(set.pages.get('/about')).to.include({ file: join(root, 'pages/about.html') })
      expect(set.pages.get('/about')?.broken?.message).to.equal(message)
    })
  })

  describe('rendering (real @enhance/ssr)', () => {
    it('renders a .mjs page as its element inside the default head, with the store as state', async () => {
      const root = await appFolder({
        'pages/users/$id.mjs': element(`<p>user \${state.store.name}</p>`),
      })
      const renderer = enhancePages({ root })
      expect(await renderer.pages()).to.deep.equal(['/users/$id'])
      const html = await renderer.render(contextFor('/users/$id', { state: { store: { name: 'Ada' } } }))
      expect(html).to.include('<head><meta charset="utf-8"><meta name="viewport"')
      expect(html).to.include('<page-users--id enhanced="✨"><p>user Ada</p></page-users--id>')
    })

    it('answers undefined for a pattern it was not given, even one that matches the same URLs', async () => {
      const root = await appFolder({ 'pages/shop/$item.html': '<p>item</p>' })
      const renderer = enhancePages({ root })
      await renderer.pages()
      expect(await renderer.render(contextFor('/shop/$item'))).to.include('<p>item</p>')
      expect(await renderer.render(contextFor('/shop/$product'))).to.equal(undefined)
      expect(await renderer.render(contextFor('/other'))).to.equal(undefined)
    })

    it('an error page element gets the message as its error attribute, whole', async () => {
      const root = await appFolder({ 'pages/404.mjs': element(`<p>\${encodeURIComponent(state.attrs.error)}</p>`) })
      const renderer = enhancePages({ root })
      expect(await renderer.pages()).to.deep.equal([])
      const message = 'No "<page>" & no \'quote\' here'
      const html = await renderer.render(contextFor('/404', { status: 404, error: { status: 404, message } }))
      expect(html).to.include(`<p>${encodeURIComponent(message)}</p>`)
    })

    it('a page broken by a conflict throws the conflict when rendered; the other pages render', async () => {
      const root = await appFolder({
        'pages/a.html': 'one',
        'pages/a/index.html': 'two',
        'pages/b.html': '<p>b</p>',
      })
      const renderer = enhancePages({ root })
      await renderer.pages()
      expect(renderer.problems?.()).to.have.length(1)
      let thrown: unknown
      try {
        await renderer.render(contextFor('/a'))
      } catch (error) {
        thrown = error
      }
      expect((thrown as Error).message).to.equal(
        `${named(root, 'pages/a.html')} and ${named(root, 'pages/a/index.html')} map to the same URL pattern /a`,
      )
      expect(await renderer.render(contextFor('/b'))).to.include('<p>b</p>')
    })
  })
})
