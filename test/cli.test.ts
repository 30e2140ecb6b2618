import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { enhanceRoutes } from '../lib/index.js'

// The CLI as users run it: the built bin (npm test builds first) in a child process.
const repo = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> }
const bin = join(repo, pkg.bin['express-enhance-routes'] as string)

interface Run {
  code: number
  stdout: string
  stderr: string
}

function run(args: string[], options: { cwd?: string; nodeOptions?: string; direct?: boolean } = {}): Promise<Run> {
  const [file, argv] = options.direct ? [bin, args] : [process.execPath, [bin, ...args]]
  return new Promise((resolve) => {
    execFile(
      file,
      argv,
      { cwd: options.cwd ?? repo, timeout: 30000, env: { ...process.env, NODE_OPTIONS: options.nodeOptions ?? '' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

describe('CLI: express-enhance-routes routes', function () {
  this.timeout(40000)

  it('package.json names a bin that runs through its shebang', async () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).to.equal(true)
    const result = await run(['routes', 'test/fixtures/smoke'], { direct: true })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.include('/shop/$product')
  })

  it('prints the table (pattern, methods, API file, page) in match order', async () => {
    const result = await run(['routes', 'test/fixtures/smoke'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.equal(
      [
        'PATTERN         METHODS                API FILE                                   PAGE',
        '/               GET HEAD OPTIONS       test/fixtures/smoke/api/index.mjs          -',
        '/shop/$product  GET HEAD POST OPTIONS  test/fixtures/smoke/api/shop/$product.mjs  -',
        '',
      ].join('\n'),
    )
  })

  it('--json prints what routes() returns', async () => {
    const result = await run(['routes', 'test/fixtures/routing', '--json'], { nodeOptions: '--import tsx' })
    expect(result.code, result.stderr).to.equal(0)
    const middleware = enhanceRoutes({ root: new URL('./fixtures/routing/', import.meta.url), session: false })
    await middleware.ready
    expect(JSON.parse(result.stdout)).to.deep.equal(middleware.routes())
    await middleware.close()
  })

  it('lists routes in match order: static, then $param, then $$', async () => {
    const result = await run(['routes', 'test/fixtures/routing'], { nodeOptions: '--import tsx' })
    expect(result.code, result.stderr).to.equal(0)
    const patterns = result.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0])
    expect(patterns.indexOf('/shop/new')).to.be.lessThan(patterns.indexOf('/shop/$product'))
    expect(patterns.indexOf('/shop/$product')).to.be.lessThan(patterns.indexOf('/shop/$$'))
    expect(patterns[0]).to.equal('/')
    expect(result.stdout).to.match(/\/typed\s+GET HEAD OPTIONS\s+test\/fixtures\/routing\/api\/typed\.ts/)
  })

  it('without a TypeScript loader, lists the .ts route as failed, says what to do, and exits 1', async () => {
    const result = await run(['routes', 'test/fixtures/routing'])
    expect(result.code).to.equal(1)
    expect(result.stdout).to.match(/\/typed\s+failed to load\s+test\/fixtures\/routing\/api\/typed\.ts/)
    expect(result.stdout).to.match(/\/shop\/new\s+GET HEAD OPTIONS/)
    expect(result.stderr).to.include('typed.ts').and.to.include("NODE_OPTIONS='--import tsx'")
  })

  it('defaults to ./app in the working folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eer-cli-'))
    try {
      mkdirSync(join(dir, 'app', 'api', 'notes'), { recursive: true })
      writeFileSync(
        join(dir, 'app', 'api', 'notes', '$id.mjs'),
        'export const get = () => ({})\nexport const destroy = get\n',
      )
      const result = await run(['routes'], { cwd: dir })
      expect(result.code, result.stderr).to.equal(0)
      expect(result.stdout.split('\n')[1]).to.match(
        /^\/notes\/\$id\s+GET HEAD DELETE OPTIONS\s+app\/api\/notes\/\$id\.mjs\s+-$/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a missing folder, an unknown command and --help answer with their exit codes', async () => {
    const missing = await run(['routes', 'no/such/folder'])
    expect(missing.code).to.equal(1)
    expect(missing.stderr).to.include('no app folder at').and.to.include('no/such/folder')
    const unknown = await run(['serve'])
    expect(unknown.code).to.equal(2)
    expect(unknown.stderr).to.include('Unknown command: serve').and.to.include('Usage:')
    const help = await run(['--help'])
    expect(help.code).to.equal(0)
    expect(help.stdout).to.include('Usage: express-enhance-routes routes [root] [--json]')
  })
})
