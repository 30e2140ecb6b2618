import type { EnhanceError } from '../../types/index.js'

export type HeaderValue = string | number | readonly string[]
export type Headers = Readonly<Record<string, HeaderValue>>

/** A session a handler returned, to be saved with its answer; `label` names the handler if it cannot be. */
export interface SessionChange {
  data: unknown
  label: string
}

interface Common {
  status: number
  /** Response headers beside the ones the kind implies (the handler's own, `Cache-Control`, `Allow`...). */
  headers: Headers
  /** The request headers the answer depended on, for `Vary`. */
  vary: readonly string[]
  /** Headers sent only when neither the app nor the handler set them (Enhance's default `Cache-Control`). */
  defaults?: Headers
}

interface Content extends Common {
  body: string
  session: SessionChange | undefined
}

/**
 * One answer, decided and complete, before anything is written: the pure core
 * returns it, and only lib/http/write.ts turns it into a response.
 */
export type Outgoing =
  /** `location`: sent as a header only (JSON clients are never redirected). */
  | (Content & { kind: 'json'; location: string | undefined })
  | (Content & { kind: 'page' })
  /** A body the handler gave as it is (`html`, `text`, `xml`, `js`, `css`, `body`), with its type. */
  | (Common & {
      kind: 'body'
      type: string
      body: string | Buffer
      location: string | undefined
      session: SessionChange | undefined
    })
  | (Common & { kind: 'redirect'; location: string; session: SessionChange | undefined })
  /** OPTIONS: 204 with `Allow` in the headers. */
  | (Common & { kind: 'options' })
  /** A negotiated error answer: JSON or an HTML page. */
  | (Common & { kind: 'error'; error: EnhanceError; type: 'json' | 'html'; body: string })
  /** `errors: 'next'`: the error goes to Express's error chain. */
  | { kind: 'handoff'; error: EnhanceError }

export const NO_HEADERS: Headers = Object.freeze({})
