import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { PageRenderer } from '../types/index.js'
import type { Trace } from './dev/debug.js'
import type { RouteWatcher, WatchedBundles } from './dev/watch.js'
import { reloader, watchRoutes } from './dev/watch.js'
import { disposeModules, type LoadedModule, loadModule, nameOf } from './modules.js'
import type { ResolvedOptions } from './options.js'
import { type BAD_URL, type Match, Matcher } from './routes/match.js'
import { API_EXTENSIONS, scanRoutes } from './routes/scan.js'
import { planRoutes, type Route, toRoute } from './routes/table.js'

/** The route table over its life: loaded at start-up, reloaded in watch mode, closed with the app. */
export interface RouteTable {
  /** Resolves once every route module is imported and checked; rejects with one error naming every bad file. */
  readonly ready: Promise<void>
  /** Settles when start-up, or a reload under way, is done: requests wait for it. Undefined when none is. */
  readonly pending: Promise<void> | undefined
  /** The routes in match order. */
  readonly routes: readonly Route[]
  match(path: string, caseSensitive: boolean, strict: boolean): Match<Route> | null | typeof BAD_URL
  /** Every route that matches the path, in match order (for DEBUG). */
  matchingRoutes(path: string, caseSensitive: boolean, strict: boolean): readonly Route[]
  /** Stops watching and calls every loaded module's `dispose` export. */
  close(): Promise<void>
}

const PREFIX = 'express-enhance-routes: '
/** One error for every problem at start-up, each on its own line. */
const startupError = (problems: readonly string[]) => new Error(problems.map((problem) => PREFIX + problem).join('\n'))

/** The renderer's page patterns; a renderer that fails costs its pages, not the API routes. */
async function pagePatterns(opts: ResolvedOptions, renderer: PageRenderer, messages: string[]) {
  try {
    const pages = await renderer.pages({ root: opts.root, pagesDir: opts.pagesDir, elementsDir: opts.elementsDir })
    messages.push(...(renderer.problems?.() ?? []))
    return pages
  } catch (error) {
    messages.push(`page renderer: ${(error as Error).message}`)
    return []
  }
}

/**
 * The folders that must exist, checked at start-up, so that a mistyped path
 * fails `ready` rather than serving nothing:
 * - the app folder (`root`), unless `apiDir` or `pagesDir` is placed elsewhere
 *   and `root` is left at its default (then the app lives in those folders);
 * - `apiDir`, `pagesDir` and `elementsDir` when they are named (placed
 *   anywhere but their default under `root`).
 * Missing default folders inside an existing root are fine: an app may have
 * only pages, or only API routes.
 */
async function folderProblems(opts: ResolvedOptions): Promise<string[]> {
  const cwd = process.cwd()
  const named = (dir: string, name: string) => dir !== join(opts.root, name)
  const rootNamed = opts.root !== resolve(cwd, 'app')
  const wanted: [string, string, string][] = []
  if (rootNamed || !(named(opts.apiDir, 'api') || named(opts.pagesDir, 'pages'))) {
    wanted.push(['root', opts.root, `resolved against the working directory ${cwd}`])
  }
  for (const [option, dir, name] of [
    ['apiDir', opts.apiDir, 'api'],
    ['pagesDir', opts.pagesDir, 'pages'],
    ['elementsDir', opts.elementsDir, 'elements'],
  ] as const) {
    if (named(dir, name)) {
      wanted.push([
        option,
        dir,
        `a relative ${option} is resolved against root, ${opts.root}; working directory ${cwd}`,
      ])
    }
  }
  const problems = await Promise.all(
    wanted.map(async ([option, dir, how]) => {
      const found = await stat(dir).catch(() => undefined)
      if (found === undefined) return `${option} folder not found: ${dir} (${how})`
      return found.isDirectory() ? undefined : `${option} is not a folder: ${dir}`
    }),
  )
  return problems.filter((problem) => problem !== undefined)
}

export function routeTable(opts: ResolvedOptions, trace: Trace | undefined, bundles?: WatchedBundles): RouteTable {
  // Loaded route modules by file; a reload forgets the changed ones so that they are imported again.
  const modules = new Map<string, LoadedModule>()
  let matcher = new Matcher<Route>([])
  let settled = false

  async function imported(file: string, version: number): Promise<LoadedModule | Error> {
    const known = modules.get(file)
    if (known !== undefined) return known
    try {
      const loaded = await loadModule(file, version)
      modules.set(file, loaded)
      return loaded
    } catch (error) {
      return error as Error
    }
  }

  /** Scans the folders, imports the modules not loaded yet (at `version`), and swaps the new table in. */
  async function build(version: number, folders: readonly string[] = []): Promise<void> {
    const messages: string[] = []
    const [scan, pages] = await Promise.all([
      scanRoutes(opts.apiDir, API_EXTENSIONS),
      opts.renderer ? pagePatterns(opts, opts.renderer, messages) : [],
    ])
    const { planned, problems } = planRoutes(scan.files, pages, nameOf)
    messages.push(...problems, ...scan.problems.map((p) => `${nameOf(p.file)}: ${p.message}`))
    const routes = await Promise.all(
      planned.map(async (plan) => {
        const loaded = plan.api && !plan.conflict ? await imported(plan.api.file, version) : undefined
        const route = toRoute(plan, loaded, nameOf)
        if (loaded instanceof Error && route.kind === 'broken') messages.push(`${route.name} ${loaded.message}`)
        return route
      }),
    )
    matcher = new Matcher(routes)
    const files = messages.length > 0 ? [`${messages.length} bad route file(s):\n  ${messages.join('\n  ')}`] : []
    if (folders.length + files.length > 0) throw startupError([...folders, ...files])
  }

  /** The start-up load: a folder that is missing (or a file) is named, whatever else fails because of it. */
  async function start(): Promise<void> {
    const folders = await folderProblems(opts)
    try {
      await build(0, folders)
    } catch (error) {
      throw folders.length > 0 && !(error as Error).message.startsWith(PREFIX) ? startupError(folders) : error
    }
  }

  // Watch mode: requests that arrive during a reload wait for it (see dev/watch.ts).
  const watcher: RouteWatcher | undefined = opts.watch
    ? watchRoutes(
        opts,
        reloader({
          modules,
          renderer: opts.renderer,
          build,
          started: (): Promise<void> => ready,
          liveFiles: () => matcher.routes.map((route) => (route.kind === 'page' ? undefined : route.file)),
          bundles,
        }),
        trace,
        bundles,
      )
    : undefined

  // In watch mode, ready also waits for the watcher, so that no change made after it is missed.
  const ready: Promise<void> = Promise.allSettled([start(), watcher?.ready])
    .then(([loaded]) => {
      if (loaded.status === 'rejected') throw loaded.reason
    })
    .finally(() => {
      settled = true
    })
  // A bad file is reported here at start-up; `ready` still rejects for whoever awaits it.
  ready.catch((error: Error) => console.error(error.message))
  const settledReady = ready.catch(() => {})

  return {
    ready,
    get pending() {
      return settled ? watcher?.pending : settledReady
    },
    get routes() {
      return matcher.routes
    },
    match: (path, caseSensitive, strict) => matcher.match(path, caseSensitive, strict),
    matchingRoutes: (path, caseSensitive, strict) => matcher.matchingRoutes(path, caseSensitive, strict),
    async close() {
      await watcher?.close()
      await settledReady
      await disposeModules(modules, [...modules.keys()])
    },
  }
}
