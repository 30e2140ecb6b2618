import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EnhanceApiReq, EnhanceError, EnhanceRoutesOptions, PageRenderer, SessionOptions } from '../types/index.js'
import { logServerError } from './errors.js'

/** The app's folders, resolved to absolute paths. */
export interface Folders {
  root: string
  apiDir: string
  pagesDir: string
  elementsDir: string
}

export interface ResolvedOptions extends Folders {
  renderer: PageRenderer | undefined
  session: SessionOptions | false | undefined
  bodyLimit: string | number
  fallthrough: boolean
  errors: 'respond' | 'next'
  onError: (error: EnhanceError, request: EnhanceApiReq | undefined) => void
  watch: boolean
  /** Origins (scheme, host, port) whose unsafe requests are served though they are not this site's; `false`: no check. */
  csrf: { trustedOrigins: ReadonlySet<string> } | false
  /** The handler deadline in milliseconds; undefined: the server's `requestTimeout`. 0: none. */
  timeout: number | undefined
  /** The folder served at `/_public/`; `false`: none. */
  publicDir: string | false
  /** `<root>/browser`: each module in it is bundled and served at `/_public/browser/<name>`. */
  browserDir: string
  /** Enhance's default `Cache-Control` on answers whose handler set none. */
  defaultCacheControl: boolean
  /** Enhance's `Server-Timing` on rendered pages. */
  serverTiming: boolean
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new TypeError(`enhanceRoutes(options): ${name} must be true or false`)
  return value
}

/** `csrf: { trustedOrigins }` as origins: `https://app.example:8443/` is `https://app.example:8443`. */
function csrfOption(value: EnhanceRoutesOptions['csrf']): ResolvedOptions['csrf'] {
  if (value === false) return false
  if (value === undefined || value === true) return { trustedOrigins: new Set() }
  const list = (value as { trustedOrigins?: unknown }).trustedOrigins ?? []
  if (typeof value !== 'object' || !Array.isArray(list)) {
    throw new TypeError('enhanceRoutes(options): csrf must be true, false or { trustedOrigins: [origin, ...] }')
  }
  const origins = list.map((origin) => {
    const url = typeof origin === 'string' && URL.canParse(origin) ? new URL(origin) : undefined
    if (url === undefined || url.origin === 'null') {
      throw new TypeError(
        `enhanceRoutes(options): csrf.trustedOrigins: ${String(origin)} is not an origin (https://host[:port])`,
      )
    }
    return url.origin
  })
  return { trustedOrigins: new Set(origins) }
}

function timeoutOption(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError('enhanceRoutes(options): timeout must be a number of milliseconds (0 for none)')
  }
  return value
}

/** `publicDir`: a path (relative to the root's parent, where `public/` sits beside `app/`), or `false`. */
function publicDirOption(value: unknown, root: string): string | false {
  if (value === false) return false
  if (value === undefined) {
    const beside = resolve(root, '..', 'public')
    return existsSync(beside) ? beside : false
  }
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError('enhanceRoutes(options): publicDir must be a path (string or file URL) or false')
  }
  return toPath(value, dirname(root))
}

export function toPath(value: string | URL, base: string): string {
  if (value instanceof URL || value.startsWith('file:')) return fileURLToPath(value)
  return resolve(base, value)
}

/** Defaults and validation of the options, in one place (SPEC section 1). */
export function resolveOptions(
  options: EnhanceRoutesOptions = {},
  defaultRenderer?: (dirs: { root: string; pagesDir: string; elementsDir: string }) => PageRenderer,
): ResolvedOptions {
  if (options === null || typeof options !== 'object')
    throw new TypeError('enhanceRoutes(options): options must be an object')
  const root = toPath(options.root ?? 'app', process.cwd())
  const apiDir = toPath(options.apiDir ?? 'api', root)
  const pagesDir = toPath(options.pagesDir ?? 'pages', root)
  const elementsDir = toPath(options.elementsDir ?? 'elements', root)
  if (options.errors !== undefined && options.errors !== 'respond' && options.errors !== 'next') {
    throw new TypeError(`enhanceRoutes(options): errors must be 'respond' or 'next', not ${String(options.errors)}`)
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError('enhanceRoutes(options): onError must be a function')
  }
  const renderer = options.renderer
  if (renderer !== undefined && renderer !== false) {
    if (typeof renderer?.pages !== 'function' || typeof renderer?.render !== 'function') {
      throw new TypeError('enhanceRoutes(options): renderer must have pages() and render() methods, or be false')
    }
  }
  return {
    root,
    apiDir,
    pagesDir,
    elementsDir,
    renderer:
      renderer === false
        ? undefined
        : (renderer ??
          (defaultRenderer && existsSync(pagesDir) ? defaultRenderer({ root, pagesDir, elementsDir }) : undefined)),
    session: options.session,
    bodyLimit: options.bodyLimit ?? '1mb',
    fallthrough: options.fallthrough ?? true,
    errors: options.errors ?? 'respond',
    onError: options.onError ?? logServerError,
    watch: options.watch ?? false,
    csrf: csrfOption(options.csrf),
    timeout: timeoutOption(options.timeout),
    publicDir: publicDirOption(options.publicDir, root),
    browserDir: resolve(root, 'browser'),
    defaultCacheControl: booleanOption('defaultCacheControl', options.defaultCacheControl, true),
    serverTiming: booleanOption('serverTiming', options.serverTiming, true),
  }
}
