// The package as users get it (issue 20 item 7), from the built tree: `npm pack`,
// then a new project that installs the tarball and express from npm, and both
// imports (ESM) and requires (CommonJS) it. `.ci/run` does the same from a clean
// clone, where `prepack` must build dist/ first.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { tryTarball } from './fixtures/package-install/try.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))

function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      args,
      { cwd, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } },
      (error, stdout, stderr) => (error ? reject(new Error(`npm ${args.join(' ')}: ${stderr}`)) : resolve(stdout)),
    )
  })
}

describe('the package as users install it (npm pack, then a new project)', function () {
  this.timeout(90_000)
  let dir: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'eer-pack-'))
  })
  after(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('builds before it packs (prepack), so `npm pack` and `npm publish` on a clean clone ship dist/', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'))
    expect(pkg.scripts.prepack).to.equal('npm run build')
    expect(pkg.files).to.include('dist')
  })

  it('installs from its tarball with express, and both import and require answer requests', async () => {
    // The tree is built (npm test builds first): pack it as it is.
    const [packed] = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], repo))
    const files = (packed.files as { path: string }[]).map((file) => file.path)
    expect(files).to.include.members(['dist/esm/lib/index.js', 'dist/cjs/lib/index.js', 'dist/esm/lib/index.d.ts'])
    expect(files.some((file) => file.startsWith('lib/') || file.startsWith('test/'))).to.equal(false)
    const results = await tryTarball(join(dir, packed.filename))
    expect(results.esm.answers.json.body).to.equal('{"hello":"esm"}')
    expect(results.cjs.answers.json.body).to.equal('{"hello":"cjs"}')
  })
})
