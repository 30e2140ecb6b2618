/**
 * Enhance Styles (@enhance/arc-plugin-styles) in an app served by
 * enhanceRoutes(): the fixture's head.mjs calls getStyles as Enhance's starter
 * project does (a <link> under ARC_LOCAL, the CSS inline otherwise), with the
 * real plugin package, real Express and @enhance/ssr.
 *
 * What the plugin needs at run time, from its source: the CSS it generated,
 * at <cwd>/node_modules/@architect/shared/enhance-styles/generated.css, which
 * Architect puts there with the plugin's hydrate.copy hook before Sandbox
 * starts and at deploy. Outside Architect that is one start-up step
 * (test/fixtures/enhance-styles/generate-styles.mjs, docs/recipe-enhance-styles.md);
 * and getStyles.linkTag() links to /enhance-styles.css, a route the plugin adds
 * under Architect, which the app has as a route file of its own.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const project = fileURLToPath(new URL('./fixtures/enhance-styles/', import.meta.url))
const GENERATED = ['.enhance', 'node_modules']
const SHARED_CSS = join(project, 'node_modules', '@architect', 'shared', 'enhance-styles', 'generated.css')

/** The CSS Enhance serves for this config: @enhance/styles (the copy the plugin itself uses) on styleguide.json. */
async function enhanceCss(): Promise<string> {
  const plugin = createRequire(import.meta.url).resolve('@enhance/arc-plugin-styles')
  const styles = createRequire(plugin).resolve('@enhance/styles')
  const { default: enhanceStyles } = (await import(pathToFileURL(styles).href)) as {
    default: (config: string) => string
  }
  return enhanceStyles(readFileSync(join(project, 'styleguide.json'), 'utf8'))
}

/** Runs the start-up step as a "prestart" script would: `node generate-styles.mjs` in the project's folder. */
async function generateStyles() {
  const child = spawn(process.execPath, ['generate-styles.mjs'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const [code] = await once(child, 'exit')
  expect(code, stderr).to.equal(0)
}

describe('Enhance Styles (@enhance/arc-plugin-styles) in an app served by enhanceRoutes', function () {
  this.timeout(30000)
  const saved = { cwd: process.cwd(), ARC_LOCAL: process.env.ARC_LOCAL, debug: console.debug }
  let css: string
  let app: express.Express

  before(async () => {
    for (const dir of GENERATED) rmSync(join(project, dir), { recursive: true, force: true })
    css = await enhanceCss()
    // getStyles reads from the folder the server runs in, as a Lambda does.
    process.chdir(project)
    delete process.env.ARC_LOCAL
    const middleware = enhanceRoutes({ root: join(project, 'app'), session: false })
    await middleware.ready
    app = express()
    app.use(middleware)
  })

  after(() => {
    process.chdir(saved.cwd)
    console.debug = saved.debug
    if (saved.ARC_LOCAL === undefined) delete process.env.ARC_LOCAL
    else process.env.ARC_LOCAL = saved.ARC_LOCAL
    for (const dir of GENERATED) rmSync(join(project, dir), { recursive: true, force: true })
  })

  it('without the start-up step, styleTag() gives only its placeholder (no CSS was generated)', async () => {
    const said: unknown[] = []
    console.debug = (...args: unknown[]) => said.push(args.join(' '))
    try {
      const res = await request(app).get('/').set('Accept', HTML_ACCEPT).expect(200)
      expect(res.text).to.include('<style>/* enhance-styles placeholder */</style>')
    } finally {
      console.debug = saved.debug
    }
    expect(said).to.deep.equal(['Unable to read generated.css'])
  })

  it("the start-up step (the plugin's own hydrate.copy) writes the CSS Enhance generates for the app's config", async () => {
    await generateStyles()
    expect(readFileSync(join(project, '.enhance', 'generated.css'), 'utf8')).to.equal(css)
    expect(readFileSync(SHARED_CSS, 'utf8')).to.equal(css)
    expect(JSON.parse(readFileSync(join(project, '.enhance', 'config.json'), 'utf8'))).to.deep.equal(
      JSON.parse(readFileSync(join(project, 'styleguide.json'), 'utf8')),
    )
    // The app's own settings made it into the CSS.
    expect(css).to.include('--brand: #5b3cc4;').and.include('--note-gap:1.25rem;')
    expect(css).to.include('.text3{font-size:var(--text-3);}').and.include('.text3-md{')
  })

  it("puts the generated CSS inline in the page's head (getStyles.styleTag(), as deployed Enhance apps do)", async () => {
    const res = await request(app).get('/').set('Accept', HTML_ACCEPT).expect(200)
    expect(res.headers['content-type']).to.match(/^text\/html/)
    const head = res.text.slice(0, res.text.indexOf('</head>'))
    expect(head).to.include(`<style>${css}</style>`)
    expect(head).to.not.include('/enhance-styles.css')
    expect(res.text).to.include('<h1 class="text3 text3-md">Styled with Enhance Styles</h1>')
  })

  it('links to /enhance-styles.css under ARC_LOCAL (getStyles.linkTag()), and the route answers the same CSS', async () => {
    process.env.ARC_LOCAL = 'true'
    try {
      const page = await request(app).get('/').set('Accept', HTML_ACCEPT).expect(200)
      const head = page.text.slice(0, page.text.indexOf('</head>'))
      expect(head).to.include('<link rel="stylesheet" href="/enhance-styles.css">')
      expect(head).to.not.include('<style>/**\n * ENHANCE STYLES')
    } finally {
      delete process.env.ARC_LOCAL
    }
    // As a browser asks for a stylesheet.
    const sheet = await request(app).get('/enhance-styles.css').set('Accept', 'text/css,*/*;q=0.1').expect(200)
    expect(sheet.headers['content-type']).to.match(/^text\/css/)
    expect(sheet.headers['cache-control']).to.equal('no-cache, no-store, must-revalidate')
    expect(sheet.headers.expires).to.equal('0')
    expect(sheet.text).to.equal(css)
  })

  it("serves the head's other link, /_public/icon.svg, from public/ beside app/", async () => {
    const res = await request(app).get('/_public/icon.svg').expect(200)
    expect(res.headers['content-type']).to.match(/^image\/svg\+xml/)
    expect(res.body.toString()).to.equal(readFileSync(join(project, 'public', 'icon.svg'), 'utf8'))
  })
})
