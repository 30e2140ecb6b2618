import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

/** One segment of a route pattern. */
export type Segment = { kind: 'static'; value: string } | { kind: 'param'; name: string } | { kind: 'catchall' }

/** A file that maps to a URL pattern. */
export interface ScannedFile {
  /** Absolute path. */
  file: string
  /** Path relative to the scanned folder, with forward slashes. */
  rel: string
  segments: Segment[]
  /** The pattern in the file conventions: `/shop/$product`, `/docs/$$`. */
  pattern: string
}

export interface ScanResult {
  files: ScannedFile[]
  /** Files whose names cannot be a route, with the reason. */
  problems: { file: string; message: string }[]
}

export const API_EXTENSIONS = ['.mjs', '.js', '.cjs', '.ts', '.mts', '.cts']
export const PAGE_EXTENSIONS = ['.html', '.mjs']

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Names that never become routes: private, hidden, tests and declarations. */
export function isIgnored(name: string): boolean {
  return (
    name.startsWith('_') ||
    // Hidden names are no routes, but for `.well-known` (RFC 8615: webfinger, security.txt), as in Enhance.
    (name.startsWith('.') && name !== '.well-known') ||
    name === 'node_modules' ||
    /\.(test|spec)\./.test(name) ||
    /\.d\.[cm]?ts$/.test(name)
  )
}

function extensionOf(name: string, extensions: readonly string[]): string | undefined {
  return extensions.find((ext) => name.endsWith(ext) && name.length > ext.length)
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  await Promise.all(
    entries.map(async (entry) => {
      if (isIgnored(entry.name)) return
      const full = join(dir, entry.name)
      if (entry.isDirectory()) await walk(full, out)
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(full)
    }),
  )
}

/** Turns a relative path without extension (`shop/$product`) into segments, or a reason it cannot be one. */
export function segmentsOf(relNoExt: string): Segment[] | string {
  const parts = relNoExt.split('/')
  if (parts[parts.length - 1] === 'index') parts.pop()
  const segments: Segment[] = []
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string
    if (part === '$$') {
      if (i !== parts.length - 1) return 'a catch-all ($$) must be the last part of the path'
      segments.push({ kind: 'catchall' })
    } else if (part.startsWith('$')) {
      const name = part.slice(1)
      if (!PARAM_NAME.test(name)) return `"${part}" is not a valid param name (letters, digits and _)`
      segments.push({ kind: 'param', name })
    } else if (part === '' || part.includes('*') || part.includes('$')) {
      return `"${part}" cannot be part of a URL pattern`
    } else {
      segments.push({ kind: 'static', value: part })
    }
  }
  // An exact-size copy: an array grown by push keeps spare capacity, and a route table keeps one per route.
  return segments.slice()
}

export function patternOf(segments: readonly Segment[]): string {
  const parts = segments.map((s) => (s.kind === 'static' ? s.value : s.kind === 'param' ? `$${s.name}` : '$$'))
  return `/${parts.join('/')}`
}

/** Lists the route files below `dir` with their URL patterns; a missing folder has none. */
export async function scanRoutes(dir: string, extensions: readonly string[]): Promise<ScanResult> {
  const found: string[] = []
  await walk(dir, found)
  found.sort()
  const result: ScanResult = { files: [], problems: [] }
  for (const file of found) {
    const rel = relative(dir, file).split(sep).join('/')
    const ext = extensionOf(rel, extensions)
    if (ext === undefined) continue
    const segments = segmentsOf(rel.slice(0, -ext.length))
    if (typeof segments === 'string') result.problems.push({ file, message: segments })
    else result.files.push({ file, rel, segments, pattern: patternOf(segments) })
  }
  return result
}
