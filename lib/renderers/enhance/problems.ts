import { stat } from 'node:fs/promises'
import { importVersion, nameOf } from '../../modules.js'

/** An error that already names its file; rendering passes it on untouched. */
class RenderFailure extends Error {}

export function failure(message: string, cause?: unknown): RenderFailure {
  if (cause === undefined) return new RenderFailure(message)
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new RenderFailure(`${message}: ${detail}`, { cause })
}

/** `thrown` as it is when it already names its file, else wrapped in `message`. */
export const named = (thrown: unknown, message: string): Error =>
  thrown instanceof RenderFailure ? thrown : failure(message, thrown)

/** A stand-in for a file that failed to load: calling it throws the load error. */
export const failing = (error: Error) => () => {
  throw error
}

/** The value's kind, for a message about an export or a return value of the wrong kind. */
function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return value === undefined ? 'undefined' : `a ${typeof value}`
}

/**
 * Calls a function of the app's that must return HTML: a throw is wrapped in
 * `threw` (unless it already names its file), anything but a string is named as
 * the fault of `what`.
 */
export function htmlFrom<A>(fn: (args: A) => unknown, args: A, what: string, threw: string): string {
  let out: unknown
  try {
    out = fn(args)
  } catch (error) {
    throw named(error, threw)
  }
  if (typeof out !== 'string') throw failure(`${what} returned ${describe(out)}, not a string of HTML`)
  return out
}

export { nameOf }

/** A file's default export, or the error that importing it failed with. */
export type Imported = { value: unknown } | { error: Error }

/** One reading of the app folder: the module version it imports at, and what it found wrong. */
export class Reading {
  readonly problems: string[] = []
  /** What Enhance lets pass (it warns, or silently picks one): said once per reading, never a failure. */
  readonly warnings: string[] = []

  constructor(readonly version: number) {}

  /** Records a problem; the failure returned is what rendering the file then throws. */
  problem(message: string, cause?: unknown): RenderFailure {
    this.problems.push(message)
    return failure(message, cause)
  }

  warn(message: string): void {
    this.warnings.push(message)
  }

  /** A file's default export, or the failure of importing it (recorded as a problem). */
  async importDefault(file: string): Promise<Imported> {
    try {
      return { value: (await importVersion(file, this.version)).default }
    } catch (error) {
      return { error: this.problem(`${nameOf(file)}: failed to load: ${(error as Error).message}`, error) }
    }
  }

  /** As importDefault, for a file the app may leave out: `undefined` when there is none. */
  async importOptional(file: string): Promise<Imported | undefined> {
    return (await isFile(file)) ? this.importDefault(file) : undefined
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}
