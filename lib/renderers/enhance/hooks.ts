import { join } from 'node:path'
import type { EnhanceApiReq, EnhanceHeadArgs } from '../../../types/index.js'
import { failing, htmlFrom, named, nameOf, type Reading } from './problems.js'

type Hook<Args> = (args: Args) => unknown
type Head = Hook<EnhanceHeadArgs>
type Preflight = Hook<{ req: EnhanceApiReq }>

/** The app's `head.mjs` and `preflight.mjs`, or what stands in for them. */
export interface Hooks {
  head: Head
  preflight: Preflight | undefined
}

const DEFAULT_HEAD: Head = () =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>'

/** A hook file's default export function; `undefined` when the app has no such file. */
async function readHook<Args>(file: string, reading: Reading, wrongExport: string): Promise<Hook<Args> | undefined> {
  const imported = await reading.importOptional(file)
  if (imported === undefined) return undefined
  if ('error' in imported) return failing(imported.error)
  if (typeof imported.value === 'function') return imported.value as Hook<Args>
  return failing(reading.problem(`${nameOf(file)}: ${wrongExport}`))
}

export async function readHooks(root: string, reading: Reading): Promise<Hooks> {
  const [head, preflight] = await Promise.all([
    readHook<EnhanceHeadArgs>(
      join(root, 'head.mjs'),
      reading,
      'its default export must be a function that returns the head',
    ),
    readHook<{ req: EnhanceApiReq }>(join(root, 'preflight.mjs'), reading, 'its default export must be a function'),
  ])
  return { head: head ?? DEFAULT_HEAD, preflight }
}

/** The store a page renders with: what preflight adds, under the API's json (which wins). */
export async function storeWith(
  preflight: Preflight | undefined,
  req: EnhanceApiReq,
  store: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (!preflight) return store
  let extra: unknown
  try {
    extra = await preflight({ req })
  } catch (error) {
    throw named(error, 'preflight.mjs threw')
  }
  return extra !== null && typeof extra === 'object' ? { ...(extra as Record<string, unknown>), ...store } : store
}

/** The document head, from `head.mjs` (or the default head). */
export const headOf = (head: Head, args: EnhanceHeadArgs): string => htmlFrom(head, args, 'head.mjs', 'head.mjs threw')
