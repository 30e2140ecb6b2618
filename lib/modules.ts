import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { EnhanceApiFn, EnhanceMethod } from '../types/index.js'
import { allowHeader, METHOD_EXPORTS } from './methods.js'
import { safeImport } from './safe-import.js'

/** A checked route module: a chain of functions for each method it answers. */
export interface LoadedModule {
  handlers: Partial<Record<EnhanceMethod, readonly EnhanceApiFn[]>>
  /** The `Allow` header's value, with the methods in the order of `routes()`; one string shared by modules that answer the same methods. */
  allow: string
  /** The module's optional `dispose` export (watch mode and `close()`). */
  dispose: (() => unknown) | undefined
}

function asChain(value: unknown, name: string): EnhanceApiFn[] {
  if (typeof value === 'function') return [value as EnhanceApiFn]
  if (Array.isArray(value) && value.length > 0 && value.every((fn) => typeof fn === 'function')) {
    return value as EnhanceApiFn[]
  }
  throw new Error(`export "${name}" must be a function or a non-empty array of functions`)
}

/** Checks a module's exports and turns them into chains; throws a message that says what is wrong. */
export function checkModule(mod: Record<string, unknown>): LoadedModule {
  // CommonJS modules whose exports the loader could not name arrive as `default`.
  let source = mod
  const fallback = mod.default
  if (!METHOD_EXPORTS.some(([name]) => name in mod) && fallback !== null && typeof fallback === 'object') {
    source = fallback as Record<string, unknown>
  }
  if (source.destroy !== undefined && source.delete !== undefined) {
    throw new Error('exports both "destroy" and "delete": keep one')
  }
  const handlers: LoadedModule['handlers'] = {}
  for (const [name, method] of METHOD_EXPORTS) {
    const value = source[name]
    if (value !== undefined) handlers[method] = asChain(value, name)
  }
  const methods = Object.keys(handlers) as EnhanceMethod[]
  if (methods.length === 0) {
    throw new Error('exports no handler: export get, post, put, patch or destroy')
  }
  const dispose = source.dispose
  if (dispose !== undefined && typeof dispose !== 'function') throw new Error('export "dispose" must be a function')
  return { handlers, allow: allowHeader(methods), dispose: dispose as (() => unknown) | undefined }
}

const TS_FILE = /\.[cm]?ts$/

let lastVersion = 0
/**
 * Cache-busting versions (`?v=N`) are unique in the process, so two
 * middlewares or renderers over one folder never share a stale module URL.
 */
export function nextVersion(): number {
  lastVersion += 1
  return lastVersion
}

/** Imports a file; a `version` above 0 (from nextVersion()) gets a fresh copy rather than the cached one. */
export async function importVersion(file: string, version: number): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file)
  if (version > 0) {
    // A new URL makes a new ES module; a CommonJS one (or TypeScript compiled
    // to CommonJS by a loader) is also cached by `require`, keyed by its path.
    url.search = `?v=${version}`
    delete createRequire(file).cache[file]
  }
  return safeImport(url.href)
}

/** Imports a route module; the error message names what went wrong in words a user can act on. */
export async function loadModule(file: string, version = 0): Promise<LoadedModule> {
  let mod: Record<string, unknown>
  try {
    mod = await importVersion(file, version)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (TS_FILE.test(file) && code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new Error(
        'is a TypeScript file, and this process has no TypeScript loader: run it with `node --import tsx` (or `tsx`), or compile the route to JavaScript',
        { cause: error },
      )
    }
    throw new Error(`failed to load: ${await loadFailure(error, file)}`, { cause: error })
  }
  return checkModule(mod)
}

// Where a load failed: `file:line:column` (1-based, the file relative to the
// working folder), so that an editor can jump there.

/** A file as messages name it: relative to the working folder. */
export const nameOf = (file: string) => relative(process.cwd(), file) || file

/** A path, or a file URL (with a cache-busting `?v=N`), as a path. */
function pathOf(where: string): string {
  if (!where.startsWith('file:')) return where
  try {
    const url = new URL(where)
    url.search = ''
    return fileURLToPath(url)
  } catch {
    return where
  }
}

const place = (file: string, line: string | number, column?: number) =>
  `${nameOf(pathOf(file))}:${line}${column === undefined ? '' : `:${column}`}`

/**
 * The place that Node writes above a syntax error's stack: `FILE:LINE`, the
 * source line, a caret under the column, an empty line, then `SyntaxError: ...`.
 * CommonJS errors carry it; ES module errors do from Node 22 on.
 */
function decoratedPlace(stack: string, name: string): string | undefined {
  const lines = stack.split('\n')
  const header = /^(.+):(\d+)$/.exec(lines[0] ?? '')
  if (!header || lines[3] !== '' || !lines[4]?.startsWith(name)) return undefined
  const source = lines[1] ?? ''
  const caret = (lines[2] ?? '').indexOf('^')
  // The end of the input is the start of the (empty) line after the last one.
  const column = caret >= 0 ? caret + 1 : source === '' ? 1 : undefined
  return place(header[1] as string, header[2] as string, column)
}

/** A syntax error that compiling a module threw: its stack has no frame outside Node itself. */
const isCompileError = (error: Error) =>
  error.name === 'SyntaxError' &&
  (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .every((line) => /\(node:|\bat node:|<anonymous>/.test(line))

/**
 * The place of a syntax error in an ES module, for Node versions that do not
 * put it on the error (Node 20): `node --check` of the source as a module
 * prints it. `parses` when the source parses (the error is then in a module
 * that it imports); undefined when the check cannot run.
 */
async function checkedPlace(file: string): Promise<string | 'parses' | undefined> {
  let source: string
  try {
    source = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  const stderr = await new Promise<string | 0 | undefined>((resolve) => {
    let out = ''
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(process.execPath, ['--input-type=module', '--check'], {
        // No loaders or preloads: a plain syntax check of JavaScript.
        env: { ...process.env, NODE_OPTIONS: '' },
        stdio: ['pipe', 'ignore', 'pipe'],
        timeout: 10_000,
      })
    } catch {
      resolve(undefined)
      return
    }
    child.on('error', () => resolve(undefined))
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    child.on('close', (code) => resolve(code === 0 ? 0 : out))
    child.stdin?.on('error', () => {})
    child.stdin?.end(source)
  })
  if (stderr === 0) return 'parses'
  return stderr === undefined ? undefined : decoratedPlace(stderr.replace(/^\[stdin\]:/, `${file}:`), 'SyntaxError')
}

/** esbuild's error (TypeScript under tsx): `Transform failed with 1 error:\nFILE:LINE:COLUMN: ERROR: text`, its column 0-based. */
function transformFailure(error: Error, file: string): string | undefined {
  const found = /^(.+):(\d+):(\d+): ERROR: (.*)$/m.exec(error.message)
  if (!found) return undefined
  const [, reported = '', line = '', column = '', text = ''] = found
  // tsx may name a .cts or .mts file by its .ts name: the file of the route it is then.
  const stem = (path: string) => path.replace(/\.[cm]?[jt]s$/, '')
  const where = stem(reported) === stem(file) ? file : reported
  return `${place(where, line, Number(column) + 1)}: ${text}`
}

/** The first stack frame in the file itself, for an error that its top-level code threw. */
function framePlace(stack: string, file: string): string | undefined {
  for (const found of stack.matchAll(/^\s+at (?:.*\()?(.+?):(\d+):(\d+)\)?$/gm)) {
    const [, where = '', line = '', column = ''] = found
    if (pathOf(where) === file) return place(file, line, Number(column))
  }
  return undefined
}

/** What went wrong when importing a route module, with the file, line and column where Node knows them. */
async function loadFailure(thrown: unknown, file: string): Promise<string> {
  if (!(thrown instanceof Error)) return String(thrown)
  const stack = thrown.stack ?? ''
  if (thrown.name === 'TransformError') return transformFailure(thrown, file) ?? thrown.message
  if (thrown.name === 'SyntaxError') {
    const what = `SyntaxError: ${thrown.message}`
    const decorated = decoratedPlace(stack, 'SyntaxError')
    if (decorated !== undefined) return `${decorated}: ${what}`
    if (isCompileError(thrown) && /\.m?js$/.test(file)) {
      const checked = await checkedPlace(file)
      if (checked === 'parses') return `${what} (in a module that it imports)`
      if (checked !== undefined) return `${checked}: ${what}`
    }
  }
  const frame = framePlace(stack, file)
  return frame === undefined ? thrown.message : `${frame}: ${thrown.message}`
}

/** Calls the modules' `dispose` exports and forgets them, so that the next load imports them afresh. */
export async function disposeModules(modules: Map<string, LoadedModule>, files: Iterable<string>): Promise<void> {
  const jobs: Promise<unknown>[] = []
  for (const file of files) {
    const module = modules.get(file)
    if (module === undefined) continue
    modules.delete(file)
    if (module.dispose === undefined) continue
    const dispose = module.dispose
    jobs.push(
      Promise.resolve()
        .then(() => dispose())
        .catch((error: Error) => console.error(`express-enhance-routes: dispose() of ${file} threw: ${error.message}`)),
    )
  }
  await Promise.all(jobs)
}
