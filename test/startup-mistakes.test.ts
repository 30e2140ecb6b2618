// Mistakes named at start-up (issue 20 item 5): a folder that does not exist,
// a route file with a syntax error (its file, line and column), and watch
// mode's log, which names only the reloads it does. Real files in a temp
// folder, real Express, the real `debug` logger.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { format } from 'node:util'
import { expect } from 'chai'
import createDebug from 'debug'
import express from 'express'
import request from 'supertest'
import { enhanceRoutes } from '../lib/index.js'

const quiet = () => {}
const nameOf = (file: string) => relative(process.cwd(), file)

function write(file: string, text: string) {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}

/** `ready`'s rejection message, or 'resolved'. */
const outcome = (mw: { ready: Promise<void> }) =>
  mw.ready.then(
    () => 'resolved',
    (error: Error) => error.message,
  )

/** Start-up errors are printed to stderr as well: keep the test output readable. */
function silenceStderr(): () => void {
  const original = console.error
  console.error = () => {}
  return () => {
    console.error = original
  }
}

describe('start-up mistakes are named', function () {
  this.timeout(20000)
  let root: string
  let restore: () => void
  const made: { close(): Promise<void> }[] = []
  const routes = (options: Parameters<typeof enhanceRoutes>[0]) => {
    const mw = enhanceRoutes({ session: false, onError: quiet, ...options })
    made.push(mw)
    return mw
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'eer-mistakes-'))
    restore = silenceStderr()
  })
  afterEach(async () => {
    for (const mw of made.splice(0)) await mw.close()
    restore()
    rmSync(root, { recursive: true, force: true })
  })

  describe('folders that do not exist', () => {
    it('a root that does not exist rejects ready with the resolved path and the working directory', async () => {
      const mw = routes({ root: 'no-such-app-folder' })
      const message = await outcome(mw)
      expect(message).to.equal(
        `express-enhance-routes: root folder not found: ${resolve('no-such-app-folder')} (resolved against the working directory ${process.cwd()})`,
      )
      // The app still runs: requests fall through, as they do for any unmatched path.
      const app = express().use(mw)
      app.use((_req, res) => {
        res.json({ fellThrough: true })
      })
      expect((await request(app).get('/anything')).body).to.deep.equal({ fellThrough: true })
    })

    it('so does the default root (<cwd>/app) when it is missing and no folder is named', async () => {
      expect(await outcome(routes({}))).to.include(`root folder not found: ${resolve('app')} (`)
    })

    it('a root given as a file URL, or a root that is a file, is named too', async () => {
      const missing = new URL(`file://${join(root, 'gone')}/`)
      expect(await outcome(routes({ root: missing }))).to.include(`root folder not found: ${join(root, 'gone')}`)
      write(join(root, 'file.txt'), 'not a folder')
      expect(await outcome(routes({ root: join(root, 'file.txt') }))).to.equal(
        `express-enhance-routes: root is not a folder: ${join(root, 'file.txt')}`,
      )
    })

    it('apiDir, pagesDir and elementsDir that are named but missing are each named, relative to root', async () => {
      write(join(root, 'api', 'hello.mjs'), 'export const get = () => ({ json: { hello: true } })\n')
      const mw = routes({ root, apiDir: 'src/api', pagesDir: join(root, 'views'), elementsDir: 'parts' })
      const lines = (await outcome(mw)).split('\n')
      expect(lines).to.deep.equal([
        `express-enhance-routes: apiDir folder not found: ${join(root, 'src', 'api')} (a relative apiDir is resolved against root, ${root}; working directory ${process.cwd()})`,
        `express-enhance-routes: pagesDir folder not found: ${join(root, 'views')} (a relative pagesDir is resolved against root, ${root}; working directory ${process.cwd()})`,
        `express-enhance-routes: elementsDir folder not found: ${join(root, 'parts')} (a relative elementsDir is resolved against root, ${root}; working directory ${process.cwd()})`,
      ])
    })

    it('an app folder with pages and no api/, or an api/ and no pages/, starts', async () => {
      write(join(root, 'pages', 'index.html'), '<p>home</p>\n')
      const pagesOnly = routes({ root })
      expect(await outcome(pagesOnly)).to.equal('resolved')
      expect(pagesOnly.routes().map((r) => r.pattern)).to.deep.equal(['/'])
      const other = mkdtempSync(join(tmpdir(), 'eer-mistakes-api-'))
      try {
        write(join(other, 'api', 'hello.mjs'), 'export const get = () => ({ json: {} })\n')
        const apiOnly = routes({ root: other })
        expect(await outcome(apiOnly)).to.equal('resolved')
        expect(apiOnly.routes().map((r) => r.pattern)).to.deep.equal(['/hello'])
      } finally {
        rmSync(other, { recursive: true, force: true })
      }
    })

    it('an apiDir placed elsewhere needs no app folder at the default root', async () => {
      write(join(root, 'routes', 'hello.mjs'), 'export const get = () => ({ json: {} })\n')
      const mw = routes({ apiDir: join(root, 'routes') })
      expect(await outcome(mw)).to.equal('resolved')
      expect(mw.routes().map((r) => r.pattern)).to.deep.equal(['/hello'])
    })

    it('names a missing folder and the bad route files in one error', async () => {
      write(join(root, 'api', 'broken.mjs'), 'export const get = () => {\n')
      const lines = (await outcome(routes({ root, pagesDir: 'nowhere' }))).split('\n')
      expect(lines[0]).to.match(/^express-enhance-routes: pagesDir folder not found: /)
      expect(lines[1]).to.equal('express-enhance-routes: 1 bad route file(s):')
      expect(lines[2]).to.include(
        `${nameOf(join(root, 'api', 'broken.mjs'))}:2:1: SyntaxError: Unexpected end of input`,
      )
    })
  })

  describe('a route file with a syntax error names its file, line and column', () => {
    /** The one bad file's line of the `ready` error, and the 500 that its route answers. */
    async function broken(file: string, text: string, extra: Record<string, string> = {}) {
      write(join(root, 'api', file), text)
      for (const [name, content] of Object.entries(extra)) write(join(root, 'api', name), content)
      write(join(root, 'api', 'fine.mjs'), 'export const get = () => ({ json: { fine: true } })\n')
      const mw = routes({ root })
      const message = await outcome(mw)
      const app = express().use(mw)
      const answer = await request(app)
        .get(`/${file.replace(/\.[a-z]+$/, '')}`)
        .set('Accept', 'application/json')
      const fine = await request(app).get('/fine').set('Accept', 'application/json')
      expect(fine.body, 'the other routes answer').to.deep.equal({ fine: true })
      const lines = message.split('\n')
      expect(lines[0]).to.equal('express-enhance-routes: 1 bad route file(s):')
      expect(lines, 'no stack').to.have.length(2)
      return { line: (lines[1] as string).trim(), status: answer.status, error: String(answer.body.error?.message) }
    }
    const at = (file: string) => nameOf(join(root, 'api', file))

    it('an ES module (.mjs): the end of the input, and an unexpected token with its column', async () => {
      const eof = await broken('eof.mjs', 'export const get = () => {\n  return { json: {} }\n')
      expect(eof.line).to.equal(
        `${at('eof.mjs')} failed to load: ${at('eof.mjs')}:3:1: SyntaxError: Unexpected end of input`,
      )
      expect(eof.status).to.equal(500)
      expect(eof.error).to.include(`${at('eof.mjs')}:3:1: SyntaxError: Unexpected end of input`)
      rmSync(join(root, 'api'), { recursive: true })
      const token = await broken('token.mjs', 'export const get = () => {\n  const x = = 1\n}\n')
      expect(token.line).to.equal(
        `${at('token.mjs')} failed to load: ${at('token.mjs')}:2:13: SyntaxError: Unexpected token '='`,
      )
    })

    it('a CommonJS module (.cjs)', async () => {
      const { line } = await broken('old.cjs', 'exports.get = () => {\n  return { json: { a: 1 }\n}\n')
      expect(line).to.equal(
        `${at('old.cjs')} failed to load: ${at('old.cjs')}:4:1: SyntaxError: Unexpected end of input`,
      )
    })

    it('a TypeScript module (.ts, under tsx)', async () => {
      const { line } = await broken('typed.ts', 'export const get = () => {\n  const x: number = = 1\n}\n')
      expect(line).to.equal(`${at('typed.ts')} failed to load: ${at('typed.ts')}:2:21: Unexpected "="`)
    })

    it('a file that the route imports: the CommonJS one by its place, an ES module as "a module that it imports"', async () => {
      const viaCjs = await broken('via-cjs.cjs', "exports.get = require('./_helper.cjs').get\n", {
        '_helper.cjs': 'exports.get = )\n',
      })
      expect(viaCjs.line).to.equal(
        `${at('via-cjs.cjs')} failed to load: ${at('_helper.cjs')}:1:15: SyntaxError: Unexpected token ')'`,
      )
      rmSync(join(root, 'api'), { recursive: true })
      const viaEsm = await broken('via-esm.mjs', "export { get } from './_helper.mjs'\n", {
        '_helper.mjs': 'export const get = (\n',
      })
      expect(viaEsm.line).to.match(
        /failed to load: SyntaxError: Unexpected (end of input|token).* \(in a module that it imports\)$/,
      )
    })

    it('an error thrown while the module loads names the line that threw', async () => {
      const { line } = await broken(
        'throws.mjs',
        'export const get = () => ({ json: {} })\nthrow new Error("no config")\n',
      )
      expect(line).to.equal(`${at('throws.mjs')} failed to load: ${at('throws.mjs')}:2:7: no config`)
    })
  })

  describe('watch mode', () => {
    let logged: string[]
    let previous: string
    const originalLog = createDebug.log

    beforeEach(() => {
      logged = []
      previous = createDebug.disable()
      createDebug.enable('express-enhance-routes')
      createDebug.log = (...args: unknown[]) => {
        logged.push(format(...args))
      }
    })
    afterEach(() => {
      createDebug.log = originalLog
      createDebug.disable()
      if (previous) createDebug.enable(previous)
    })

    async function eventually(what: string, ok: () => boolean) {
      const deadline = Date.now() + 8000
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; logged:\n${logged.join('\n')}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    }

    it('logs only the reloads it does: a change to _helper.mjs is named as needing a restart, not reloaded', async () => {
      write(
        join(root, 'api', 'hello.mjs'),
        "import { word } from './_helper.mjs'\nexport const get = () => ({ json: { word } })\n",
      )
      write(join(root, 'api', '_helper.mjs'), "export const word = 'one'\n")
      write(join(root, 'api', 'notes.md'), 'notes\n')
      const mw = routes({ root, watch: true })
      expect(await outcome(mw)).to.equal('resolved')
      const reloads = () => logged.filter((line) => line.includes('watch: reloading'))

      write(join(root, 'api', '_helper.mjs'), "export const word = 'two'\n")
      write(join(root, 'api', 'notes.md'), 'more notes\n')
      await eventually('the helper change', () =>
        logged.some((line) => line.includes('_helper.mjs is not a route file')),
      )
      await eventually('the notes change', () => logged.some((line) => line.includes('notes.md is not a route file')))
      expect(logged.find((line) => line.includes('_helper.mjs'))).to.include(
        'watch: api/_helper.mjs is not a route file: no reload (restart to load a change to a file that routes import)',
      )

      write(join(root, 'api', 'added.mjs'), 'export const get = () => ({ json: { added: true } })\n')
      await eventually('the reload of added.mjs', () => reloads().length > 0)
      expect(reloads()).to.have.length(1)
      expect(reloads()[0]).to.include('watch: reloading (api/added.mjs)')
      const app = express().use(mw)
      expect((await request(app).get('/added').set('Accept', 'application/json')).body).to.deep.equal({ added: true })
    })
  })
})
