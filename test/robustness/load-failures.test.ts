/**
 * A route file that cannot load costs its own route, never the process: on
 * Node 20 a CommonJS dependency that throws while loading also leaves an
 * unhandled rejection behind, which ended the process at start-up.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

const repo = fileURLToPath(new URL('../..', import.meta.url))

// The built package, in a process of its own with Node's default handling of unhandled rejections.
const script = `
  import express from 'express'
  import { enhanceRoutes } from 'express-enhance-routes'
  const middleware = enhanceRoutes({ root: 'test/fixtures/load-failures', session: false, onError: () => {} })
  const app = express().use(middleware)
  const ready = await middleware.ready.then(() => 'resolved', (error) => error.message)
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const base = 'http://127.0.0.1:' + server.address().port
  const answers = {}
  for (const path of ['/needs-cjs', '/fine']) {
    const answer = await fetch(base + path, { headers: { accept: 'application/json' } })
    answers[path] = { status: answer.status, body: await answer.json() }
  }
  // Long enough for any late rejection to end the process, as it did.
  await new Promise((resolve) => setTimeout(resolve, 200))
  server.close()
  console.log(JSON.stringify({ ready, answers }))`

describe('robustness: a route module whose CommonJS dependency throws while loading', function () {
  this.timeout(30_000)

  it('fails ready and its own route (500 naming the file), while the process lives and the other routes answer', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          { cwd: repo, timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } },
          (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
        )
      },
    )
    expect(code, stderr).to.equal(0)
    const { ready, answers } = JSON.parse(stdout)
    expect(ready).to.include('needs-cjs.mjs failed to load: a CommonJS dependency failed while loading')
    expect(answers['/needs-cjs'].status).to.equal(500)
    expect(answers['/needs-cjs'].body.error.message).to.include('test/fixtures/load-failures/api/needs-cjs.mjs')
    expect(answers['/fine']).to.deep.equal({ status: 200, body: { fine: true } })
  })
})
