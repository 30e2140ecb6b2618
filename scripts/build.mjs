// Builds the package twice from one source: ESM in dist/esm, CommonJS in dist/cjs.
// tsc decides a file's module format by the nearest package.json, so the CommonJS
// build compiles a copy of the sources that sits under {"type": "commonjs"}.
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'

const tsc = (project) => execFileSync('npx', ['tsc', '-p', project], { stdio: 'inherit' })
rmSync('dist', { recursive: true, force: true })
tsc('tsconfig.json')

const work = '.build-cjs'
rmSync(work, { recursive: true, force: true })
mkdirSync(work)
cpSync('lib', `${work}/lib`, { recursive: true })
cpSync('types', `${work}/types`, { recursive: true })
writeFileSync(`${work}/package.json`, '{ "type": "commonjs" }\n')
writeFileSync(
  `${work}/tsconfig.json`,
  JSON.stringify({
    extends: '../tsconfig.json',
    compilerOptions: { rootDir: '.', outDir: '../dist/cjs', typeRoots: ['../node_modules/@types'] },
    include: ['lib', 'types'],
  }),
)
tsc(`${work}/tsconfig.json`)
rmSync(work, { recursive: true, force: true })
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n')
// The `bin` (package.json) runs through its shebang: it must be executable.
chmodSync('dist/esm/lib/dev/cli.js', 0o755)
