import type { ServerResponse } from 'node:http'
import type { ExpressViewsOptions, PageRenderer, RenderContext } from '../../types/index.js'
import { isErrorPage, pageSegments } from '../routes/group.js'
import { patternOf } from '../routes/scan.js'

type RenderCallback = (error: Error | null, html?: string) => void
type ExpressRes = ServerResponse & {
  render?: (view: string, locals: object, callback: RenderCallback) => void
}
type ExpressReq = { app?: { enabled(setting: string): boolean } }

/** The default view of a route pattern: `/` is `index`, `/shop/$product` is `shop/$product`. */
function viewName(pattern: string): string {
  const name = pattern.replace(/^\/+|\/+$/g, '')
  return name === '' ? 'index' : name
}

/** Express's own error for a view it cannot find (Express 4 and 5 both set `view`). */
const isMissingView = (error: Error) =>
  (error as { view?: unknown }).view !== undefined && error.message.startsWith('Failed to lookup view')

/**
 * Renders pages through `res.render()`, so an app's own template engine (EJS,
 * Pug, Handlebars...) serves the HTML side. A route whose view does not exist
 * answers JSON, as a route without a page does.
 */
export function expressViews(options: ExpressViewsOptions = {}): PageRenderer {
  if (options === null || typeof options !== 'object')
    throw new TypeError('expressViews(options): options must be an object')
  /** The views that `options.views` names, by their pattern as written (error pages as `/404`, as they are asked for). */
  const mapped = new Map<string, string>()
  const explicit = new Set<string>()
  const patterns: string[] = []
  for (const [pattern, view] of Object.entries(options.views ?? {})) {
    const segments = pageSegments(pattern)
    if (typeof segments === 'string') throw new TypeError(`expressViews(options): views["${pattern}"]: ${segments}`)
    if (typeof view !== 'string' || view === '') {
      throw new TypeError(`expressViews(options): views["${pattern}"] must be a view name`)
    }
    explicit.add(view)
    if (isErrorPage(segments)) {
      mapped.set(patternOf(segments), view)
    } else {
      mapped.set(pattern, view)
      patterns.push(pattern)
    }
  }
  /** Views that do not exist, per app, remembered only when the app caches views (`view cache`). */
  const missing = new WeakMap<object, Set<string>>()

  function render(context: RenderContext): Promise<string | undefined> | undefined {
    const res = context.res as ExpressRes
    if (typeof res.render !== 'function') {
      throw new Error(
        'expressViews() renders through Express: res.render is missing (mount enhanceRoutes() on an Express app)',
      )
    }
    const view = mapped.get(context.pattern) ?? viewName(context.pattern)
    const app = (context.req as ExpressReq).app
    const cached = app?.enabled('view cache') ? missing.get(app) : undefined
    if (cached?.has(view)) return undefined
    return new Promise((resolve, reject) => {
      // A copy: Express writes `_locals` into the object it is given.
      res.render?.(view, { ...context.state.store }, (error, html) => {
        if (!error) {
          resolve(html ?? '')
        } else if (isMissingView(error) && !explicit.has(view)) {
          if (app?.enabled('view cache')) {
            const set = missing.get(app) ?? new Set<string>()
            set.add(view)
            missing.set(app, set)
          }
          resolve(undefined)
        } else {
          reject(new Error(`view "${view}" failed to render: ${error.message}`, { cause: error }))
        }
      })
    })
  }

  return {
    pages: () => patterns,
    render,
  }
}
