import { basename, dirname, isAbsolute, relative, sep } from 'node:path'
import type { PageRenderer } from '../../types/index.js'
import { disposeModules, type LoadedModule, nextVersion } from '../modules.js'
import type { Folders } from '../options.js'
import { API_EXTENSIONS, isIgnored } from '../routes/scan.js'
import type { Trace } from './debug.js'

/** The folders watch mode looks at. */
type WatchTargets = Folders

/** What changed in one burst of file events. */
export interface ChangeSet {
  /** Files under apiDir that were added, changed or deleted. */
  apiFiles: Set<string>
  /** Something the renderer reads changed: pagesDir, elementsDir, or a file at the root (head.mjs, preflight.mjs, elements.mjs). */
  pages: boolean
  /** A file the browser bundles read (or one under `app/browser/`) changed. */
  browser: boolean
}

/** What watch mode asks of the browser bundles (lib/http/browser.ts). */
export interface WatchedBundles {
  affects(path: string): boolean
  rebuild(): Promise<void>
}

export interface RouteWatcher {
  /** Settles once the watcher watches every folder (changes made earlier may be missed). */
  readonly ready: Promise<void>
  /** Settles once the reloads for the events seen so far are done; `undefined` when none is pending. */
  readonly pending: Promise<void> | undefined
  /** Stops watching; waits for a reload under way. */
  close(): Promise<void>
}

/** Quiet time after the last event of a burst, and the longest a burst may delay its reload. */
const DEBOUNCE_MS = 60
const MAX_WAIT_MS = 600

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

/** Editors' swap, backup and lock files. */
function isEditorNoise(path: string): boolean {
  const name = basename(path)
  return name.startsWith('.') || name.endsWith('~') || name.endsWith('.swp') || name.endsWith('.tmp')
}

/** Which part of the app a path belongs to, or undefined when none of ours. */
function classify(targets: WatchTargets, path: string): 'api' | 'pages' | undefined {
  if (isEditorNoise(path)) return undefined
  if (inside(targets.apiDir, path)) return 'api'
  if (inside(targets.pagesDir, path) || inside(targets.elementsDir, path)) return 'pages'
  if (path === targets.pagesDir || path === targets.elementsDir) return 'pages'
  if (path === targets.apiDir) return 'api'
  if (dirname(path) === targets.root) return 'pages'
  return undefined
}

/**
 * True for a path under apiDir that scanning could make a route of: no part of
 * it ignored (`_helper.mjs`, `.hidden/`, `x.test.mjs`) and, for a file, a route
 * module's extension. Other files there are imported by routes, if at all, and
 * Node keeps them cached: reloading for them would change nothing.
 */
function isRouteFile(apiDir: string, path: string, isFolder: boolean): boolean {
  const parts = relative(apiDir, path).split(sep)
  if (parts.some(isIgnored)) return false
  const name = parts[parts.length - 1] as string
  return isFolder || API_EXTENSIONS.some((ext) => name.endsWith(ext) && name.length > ext.length)
}

/** Folders to give the watcher: the root and any folder outside it, without duplicates. */
function watchedFolders(targets: WatchTargets): string[] {
  const all = [targets.root, targets.apiDir, targets.pagesDir, targets.elementsDir]
  return all.filter((dir, i) => all.indexOf(dir) === i && !all.some((other) => other !== dir && inside(other, dir)))
}

/**
 * Watches the app's folders and calls `reload` with each debounced burst of
 * changes, one reload at a time.
 */
export function watchRoutes(
  targets: WatchTargets,
  reload: (changes: ChangeSet) => Promise<void>,
  trace: Trace | undefined,
  bundles?: WatchedBundles,
): RouteWatcher {
  const noChanges = (): ChangeSet => ({ apiFiles: new Set(), pages: false, browser: false })
  let changes = noChanges()
  let timer: NodeJS.Timeout | undefined
  let burstStart = 0
  let queued = 0
  let queue: Promise<void> = Promise.resolve()
  let pending: { promise: Promise<void>; resolve: () => void } | undefined
  let closed = false
  const rel = (file: string) => relative(targets.root, file) || file

  const settle = () => {
    if (queued > 0 || timer !== undefined || pending === undefined) return
    const done = pending
    pending = undefined
    done.resolve()
  }

  const flush = () => {
    timer = undefined
    const batch = changes
    changes = noChanges()
    queued += 1
    queue = queue
      .then(() => {
        if (closed) return
        const what = [...batch.apiFiles].map(rel)
        if (batch.pages) what.push('pages')
        if (batch.browser) what.push('browser bundles')
        trace?.('watch: reloading (%s)', what.join(', '))
        return reload(batch)
      })
      .catch((error: Error) => console.error(`express-enhance-routes: reload failed: ${error.message}`))
      .finally(() => {
        queued -= 1
        settle()
      })
  }

  const onEvent = (event: string, path: string) => {
    if (closed) return
    const browser = !isEditorNoise(path) && bundles?.affects(path) === true
    if (browser) changes.browser = true
    const kind = classify(targets, path)
    if (kind === undefined && !browser) return
    if (kind === 'api') {
      const folderGone = event === 'unlinkDir'
      const fileEvent = event === 'add' || event === 'change' || event === 'unlink'
      if (!fileEvent && !folderGone && !browser) return
      if (!isRouteFile(targets.apiDir, path, folderGone)) {
        trace?.(
          'watch: %s is not a route file: no reload (restart to load a change to a file that routes import)',
          rel(path),
        )
        if (!browser) return
      } else if (fileEvent || folderGone) changes.apiFiles.add(path)
    } else if (kind === 'pages') {
      changes.pages = true
    }
    const now = Date.now()
    if (pending === undefined) {
      let resolve = () => {}
      const promise = new Promise<void>((r) => {
        resolve = r
      })
      pending = { promise, resolve }
    }
    if (timer === undefined) burstStart = now
    else clearTimeout(timer)
    timer = setTimeout(flush, Math.max(0, Math.min(DEBOUNCE_MS, burstStart + MAX_WAIT_MS - now)))
  }

  // chokidar is imported only in watch mode: production never loads it.
  const watcher = import('chokidar').then(async ({ watch }) => {
    const instance = watch(watchedFolders(targets), {
      ignoreInitial: true,
      ignored: (path) => {
        const name = basename(path)
        return name === 'node_modules' || name === '.git'
      },
    })
    instance.on('all', onEvent)
    instance.on('error', (error) => console.error(`express-enhance-routes: watch error: ${(error as Error).message}`))
    await new Promise<void>((resolve) => instance.once('ready', () => resolve()))
    return instance
  })
  const ready = watcher.then(
    () => {},
    (error: Error) => console.error(`express-enhance-routes: cannot watch: ${error.message}`),
  )

  return {
    ready,
    get pending() {
      return pending?.promise
    },
    async close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      await ready
      await (await watcher.catch(() => undefined))?.close()
      await queue
      settle()
    },
  }
}

/** What a reload needs from the route table. */
export interface ReloadParts {
  /** Loaded route modules by file: the ones removed from it are imported again by `load`. */
  modules: Map<string, LoadedModule>
  renderer: PageRenderer | undefined
  /** Scans the folders, imports the modules missing from `modules` at `version`, swaps the route table in. */
  build: (version: number) => Promise<void>
  /** The start-up load, which a reload waits for. */
  started: () => Promise<unknown>
  /** The API files of the current route table. */
  liveFiles: () => Iterable<string | undefined>
  /** The browser bundles: rebuilt when a file they read changed. */
  bundles?: WatchedBundles
}

/**
 * One reload: dispose and forget the changed modules (before their new
 * versions run), reload the renderer when pages changed, load again, then
 * dispose the modules whose files are gone.
 */
export function reloader(parts: ReloadParts): (changes: ChangeSet) => Promise<void> {
  const { modules, renderer } = parts
  return async (changes) => {
    await parts.started().catch(() => {})
    await disposeModules(modules, changes.apiFiles)
    if (changes.pages && renderer?.reload) {
      // A renderer that cannot reload keeps its old pages; the API routes reload all the same.
      await Promise.resolve()
        .then(() => renderer.reload?.())
        .catch((error: Error) => console.error(`express-enhance-routes: page renderer reload: ${error.message}`))
    }
    await parts.build(nextVersion()).catch((error: Error) => console.error(error.message))
    if (changes.browser) await parts.bundles?.rebuild().catch((error: Error) => console.error(error.message))
    const live = new Set(parts.liveFiles())
    await disposeModules(
      modules,
      [...modules.keys()].filter((file) => !live.has(file)),
    )
  }
}
