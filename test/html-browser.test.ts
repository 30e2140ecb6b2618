import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import express from 'express'
import { type Browser, chromium } from 'playwright-core'
import { enhanceRoutes } from '../lib/index.js'
import { chromiumPath } from './browser.js'

// The README's form example, taken from the README itself, in a real browser
// with JavaScript off and on. Needs a Chromium: CHROMIUM_PATH, or a system one.

const executablePath = chromiumPath
// Inside the package folder, so that `import ... from 'express-enhance-routes'` resolves to this package.
const dir = new URL('../test-output/readme-form/', import.meta.url)

async function writeReadmeApp(): Promise<void> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  await rm(dir, { recursive: true, force: true })
  for (const kind of ['api', 'pages']) {
    const block = new RegExp(`\`\`\`js\\n(// app/${kind}/notes\\.mjs[\\s\\S]*?)\`\`\``).exec(readme)
    if (!block) throw new Error(`the README has no app/${kind}/notes.mjs example`)
    await mkdir(new URL(`app/${kind}/`, dir), { recursive: true })
    await writeFile(new URL(`app/${kind}/notes.mjs`, dir), block[1] as string)
  }
}

describe('the README form in a browser', function () {
  this.timeout(60_000)
  let browser: Browser | undefined
  let server: Server | undefined
  let base = ''

  before(async function () {
    if (!executablePath) this.skip()
    await writeReadmeApp()
    const app = express().use(enhanceRoutes({ root: new URL('app/', dir), session: false }))
    server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server?.once('listening', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
  })

  after(async () => {
    await browser?.close()
    server?.close()
    await rm(fileURLToPath(dir), { recursive: true, force: true })
  })

  for (const javaScriptEnabled of [false, true]) {
    it(`works with JavaScript ${javaScriptEnabled ? 'on (fetch, Accept: application/json)' : 'off (a plain form POST)'}`, async () => {
      const context = await (browser as Browser).newContext({ javaScriptEnabled })
      try {
        const page = await context.newPage()
        const posts: Promise<string>[] = []
        page.on('request', (req) => {
          if (req.method() === 'POST') posts.push(req.allHeaders().then((headers) => headers.accept ?? ''))
        })
        let documents = 0
        page.on('load', () => {
          documents += 1
        })
        await page.goto(`${base}/notes`)
        const text = `note with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`

        await page.click('button')
        await page.waitForFunction(() => document.getElementById('text-error')?.textContent === 'Write something first')

        await page.fill('input[name=text]', text)
        await page.click('button')
        await page.waitForFunction(
          (t) => [...document.querySelectorAll('#notes li')].some((li) => li.textContent === t),
          text,
        )
        expect(page.url()).to.equal(`${base}/notes`)
        expect(await page.textContent('#text-error')).to.equal('')
        const accepts = await Promise.all(posts)
        if (javaScriptEnabled) {
          expect(accepts).to.deep.equal(['application/json', 'application/json'])
          expect(documents).to.equal(1)
        } else {
          expect(accepts).to.have.length(2)
          expect(accepts.every((accept) => accept.startsWith('text/html'))).to.equal(true)
          expect(documents).to.equal(3)
        }
      } finally {
        await context.close()
      }
    })
  }
})
