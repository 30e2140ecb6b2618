import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import type { BuildContext, BuildOptions, BuildResult, Message } from 'esbuild'
import type { EnhanceError } from '../../types/index.js'
import { httpError } from '../errors.js'
import { nameOf } from '../modules.js'
import type { ResolvedOptions } from '../options.js'

/** The files of `app/browser/` that are bundled (each one as Enhance bundles it: its imports inlined, ES module out). */
const MODULE = /^[^.].*\.m?js$/

/** A built bundle, or why it did not build. */
export type Bundle = { code: Uint8Array; etag: string } | { error: EnhanceError }

interface Entry {
  file: string
  /** Watch mode: esbuild's incremental build of this entry. */
  context?: BuildContext
  /** Absolute paths of the files its last build read (or that its last errors name). */
  inputs: Set<string>
}

/** The bundles of `app/browser/`, served at `/_public/browser/<name>`. */
export interface BrowserBundles {
  /** Settles once the start-up build is done; rejects with one error naming every module that did not build. */
  readonly ready: Promise<void>
  /** For the watcher: a change to this path needs a rebuild (a file under `app/browser/`, or one a bundle reads). */
  affects(path: string): boolean
  /** Builds every bundle again (modules added to or removed from `app/browser/` too); rejects as `ready` does. */
  rebuild(): Promise<void>
  /** The bundle of `app/browser/<name>`, once the build under way (if any) is done; undefined when none. */
  get(name: string): Bundle | undefined | Promise<Bundle | undefined>
  /** Waits for a build under way and stops esbuild's incremental builds. */
  close(): Promise<void>
}

/** One line per esbuild error: `file:line:column: text`, as esbuild reports them. */
function describe(thrown: unknown): string {
  const errors = (thrown as { errors?: Message[] }).errors
  if (!Array.isArray(errors) || errors.length === 0) return thrown instanceof Error ? thrown.message : String(thrown)
  return errors.map(({ text, location: at }) => (at ? `${at.file}:${at.line}:${at.column}: ${text}` : text)).join('; ')
}

/** A strong ETag of the bundle's bytes (length and SHA-1, as the `etag` package makes them). */
function etagOf(code: Uint8Array): string {
  return `"${code.byteLength.toString(16)}-${createHash('sha1').update(code).digest('base64').slice(0, 27)}"`
}

/**
 * Bundles each module of `<root>/browser/` with esbuild, as Enhance bundles
 * them with rollup (node-resolve and commonjs: bare and relative imports
 * inlined, one ES module out), and keeps the bundles in memory. Undefined when
 * the folder does not exist (watch mode: it may be made later).
 */
export function browserBundles(opts: ResolvedOptions): BrowserBundles | undefined {
  const dir = opts.browserDir
  if (!opts.watch && !existsSync(dir)) return undefined
  const cwd = process.cwd()
  const entries = new Map<string, Entry>()
  let built = new Map<string, Bundle>()
  let queue: Promise<unknown> = Promise.resolve()
  let pending: Promise<unknown> | undefined
  let closed = false

  async function buildOne(entry: Entry): Promise<Bundle> {
    const options: BuildOptions = {
      entryPoints: [entry.file],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: cwd,
    }
    try {
      // esbuild is imported only when there is something to bundle.
      const esbuild = await import('esbuild')
      let result: BuildResult<{ write: false; metafile: true }>
      if (opts.watch) {
        entry.context ??= await esbuild.context(options)
        result = await entry.context.rebuild()
      } else result = await esbuild.build(options)
      entry.inputs = new Set(Object.keys(result.metafile.inputs).map((input) => resolve(cwd, input)))
      const code = result.outputFiles[0]?.contents ?? new Uint8Array()
      return { code, etag: etagOf(code) }
    } catch (thrown) {
      for (const { location } of (thrown as { errors?: Message[] }).errors ?? []) {
        if (location) entry.inputs.add(resolve(cwd, location.file))
      }
      return { error: httpError(500, `${nameOf(entry.file)} cannot be bundled: ${describe(thrown)}`, thrown) }
    }
  }

  /** Lists the folder, forgets the modules that are gone, builds every bundle and swaps them in at once. */
  async function buildAll(): Promise<void> {
    if (closed) return
    const names = existsSync(dir)
      ? (await readdir(dir, { withFileTypes: true }))
          .filter((f) => f.isFile() && MODULE.test(f.name))
          .map((f) => f.name)
      : []
    for (const [name, entry] of entries) {
      if (names.includes(name)) continue
      entries.delete(name)
      await entry.context?.dispose()
    }
    for (const name of names) if (!entries.has(name)) entries.set(name, { file: join(dir, name), inputs: new Set() })
    const results = await Promise.all(names.map(async (name) => [name, await buildOne(entries.get(name) as Entry)]))
    built = new Map(results as [string, Bundle][])
    const failures = [...built.values()].flatMap((bundle) => ('error' in bundle ? [bundle.error.message] : []))
    if (failures.length > 0) {
      throw new Error(`express-enhance-routes: ${failures.length} bad browser module(s):\n  ${failures.join('\n  ')}`)
    }
  }

  /** One build at a time; requests for a bundle wait for the last one queued. */
  function build(): Promise<void> {
    const run = queue.then(buildAll)
    const settled = run.catch(() => {})
    queue = settled
    pending = settled
    void settled.then(() => {
      if (pending === settled) pending = undefined
    })
    return run
  }

  const ready = build()
  // A bad module is reported here at start-up; `ready` still rejects for whoever awaits it.
  ready.catch((error: Error) => console.error(error.message))

  const broken = () => [...built.values()].some((bundle) => 'error' in bundle)
  const inDir = (path: string) => path === dir || path.startsWith(dir + sep)

  return {
    ready,
    // While a bundle is broken, any change may be its fix (a file it imports that did not exist).
    affects: (path) => inDir(path) || broken() || [...entries.values()].some((entry) => entry.inputs.has(path)),
    rebuild: build,
    get: (name) => (pending === undefined ? built.get(name) : pending.then(() => built.get(name))),
    async close() {
      closed = true
      await queue
      await Promise.all([...entries.values()].map((entry) => entry.context?.dispose()))
    },
  }
}

/** The middleware's `ready`: the route table's and the bundles', one error naming every bad file. */
export function readyTogether(routes: Promise<void>, bundles: BrowserBundles | undefined): Promise<void> {
  if (bundles === undefined) return routes
  const both = Promise.allSettled([routes, bundles.ready]).then((results) => {
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []))
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new Error(errors.map((error) => error.message).join('\n'))
  })
  both.catch(() => {})
  return both
}
