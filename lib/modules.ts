import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
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
    throw new Error(`failed to load: ${(error as Error).message}`, { cause: error })
  }
  return checkModule(mod)
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
