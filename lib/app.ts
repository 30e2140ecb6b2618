import { relative } from 'node:path'
import type { PageRenderer } from '../types/index.js'
import type { Trace } from './dev/debug.js'
import type { RouteWatcher } from './dev/watch.js'
import { reloader, watchRoutes } from './dev/watch.js'
import { disposeModules, type LoadedModule, loadModule } from './modules.js'
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

export const nameOf = (file: string) => relative(process.cwd(), file) || file

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

export function routeTable(opts: ResolvedOptions, trace: Trace | undefined): RouteTable {
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
  async function build(version: number): Promise<void> {
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
    if (messages.length > 0) {
      throw new Error(`express-enhance-routes: ${messages.length} bad route file(s):\n  ${messages.join('\n  ')}`)
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
        }),
        trace,
      )
    : undefined

  // In watch mode, ready also waits for the watcher, so that no change made after it is missed.
  const ready: Promise<void> = Promise.allSettled([build(0), watcher?.ready])
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
