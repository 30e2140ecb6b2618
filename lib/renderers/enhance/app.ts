import { join } from 'node:path'
import type { EnhanceTransform, RendererFolders } from '../../../types/index.js'
import { type Elements, readComponentFolder, readElementFolder, readElementMap } from './elements.js'
import { ERROR_ELEMENTS } from './error-pages.js'
import { type Hooks, readHooks } from './hooks.js'
import { type Page, readPages } from './pages.js'
import { Reading } from './problems.js'

type Enhancer = typeof import('@enhance/ssr').default

/** Everything read from the app folder at start-up (and again on reload): nothing of it is built per request. */
export interface EnhanceApp extends Hooks {
  patterns: string[]
  /** Each pattern of `patterns`, and each error page (`/404`...), to its page. */
  pages: Map<string, Page>
  elements: Elements
  enhancer: Enhancer
  /** Enhance's style scoping (unless turned off), then the app's own transforms. */
  styleTransforms: readonly EnhanceTransform[]
  problems: string[]
}

/** How the renderer's options shape what is read. */
export interface AppSettings {
  styleScoping: boolean
  styleTransforms: readonly EnhanceTransform[]
}

// Dynamic imports: both packages are ESM only, and the CommonJS build must load them too.
let libraries: Promise<[Enhancer, EnhanceTransform]> | undefined
const importLibraries = () => {
  libraries ??= Promise.all([
    import('@enhance/ssr').then((mod) => mod.default),
    import('@enhance/enhance-style-transform').then((mod) => mod.default as EnhanceTransform),
  ])
  return libraries
}

/** Reads the app folder; `version` 0 imports its modules once, a later one afresh (watch mode). */
export async function readApp(folders: RendererFolders, version: number, settings: AppSettings): Promise<EnhanceApp> {
  const reading = new Reading(version)
  const [[enhancer, scopeStyles], map, pages, components, folder, hooks] = await Promise.all([
    importLibraries(),
    readElementMap(folders.root, reading),
    readPages(folders.pagesDir, reading),
    readComponentFolder(join(folders.root, 'components'), reading),
    readElementFolder(folders.elementsDir, reading),
    readHooks(folders.root, reading),
  ])
  // Later ones win, as in Enhance (_get-elements.mjs): app/elements.mjs, page elements,
  // app/components/, app/elements/; Enhance's page-404 and page-500 only where none of them has one.
  const elements = { ...ERROR_ELEMENTS, ...map, ...pages.elements, ...components, ...folder }
  const styleTransforms = settings.styleScoping ? [scopeStyles, ...settings.styleTransforms] : settings.styleTransforms
  const problems = reading.problems.sort()
  for (const warning of reading.warnings.sort()) console.warn(`express-enhance-routes: ${warning}`)
  return { patterns: pages.patterns, pages: pages.pages, elements, ...hooks, enhancer, styleTransforms, problems }
}
