import type { ServerResponse } from 'node:http'
import type { EnhanceApiReq, EnhanceError, PageRenderer } from '../../types/index.js'
import type { Run } from '../core/dispatch.js'
import type { Failing } from '../core/failure.js'
import type { Exchange, ExpressPair } from '../core/respond.js'
import type { AnswerSettings } from '../core/settings.js'
import { EXPORT_OF, methodOf } from '../methods.js'
import type { SessionAccess } from '../session/index.js'
import { buildRequest, type Client, type ExpressReq, settingsOf } from './incoming.js'
import { RequestLife } from './lifetime.js'

/** What every request of one middleware shares. */
export interface Shared {
  renderer: PageRenderer | undefined
  errors: 'respond' | 'next'
  report: (error: EnhanceError, request: EnhanceApiReq | undefined) => void
  sessions: SessionAccess
  /** The options' part of the answer settings; the app's JSON settings are read per request. */
  settings: AnswerSettings
}

/** What serving one request needs in the core's terms: one object per request, which error answers share. */
export class Handling implements Failing {
  request: EnhanceApiReq | undefined = undefined
  /** Set once an answer is delivered: any later one (a handler past its deadline) is dropped. */
  answered = false
  /** The deadline's timer, while the answer waits. */
  deadline: NodeJS.Timeout | undefined = undefined
  /** The route and method being run, once the handler's request object exists. */
  run: Run | undefined = undefined
  readonly json: boolean
  readonly vary: readonly string[]

  constructor(
    readonly req: ExpressReq,
    readonly res: ServerResponse,
    client: Client,
    readonly shared: Shared,
  ) {
    this.json = client.json
    this.vary = client.vary
  }

  get renderer(): PageRenderer | undefined {
    return this.shared.renderer
  }

  get errors(): 'respond' | 'next' {
    return this.shared.errors
  }

  get report(): Shared['report'] {
    return this.shared.report
  }

  get settings(): AnswerSettings {
    return settingsOf(this.req, this.shared.settings)
  }

  /** The handler that was running, for `errors: 'next'`: derived only when an error is handed over. */
  get where(): Failing['where'] {
    const route = this.run?.route
    if (route?.kind !== 'api' || this.run === undefined) return undefined
    return { file: route.name, method: EXPORT_OF[this.run.method], pattern: route.pattern }
  }

  get express(): ExpressPair {
    return { req: this.req, res: this.res }
  }

  /** A request object for an error page, when the failure came before the handler's. */
  pageRequest(): EnhanceApiReq {
    const { req, res } = this
    let session = {}
    try {
      session = this.shared.sessions.read(req, res)
    } catch {
      // An unreadable session is an empty one on an error page.
    }
    return buildRequest(req, res, methodOf(req.method) ?? 'GET', {}, {}, session, new RequestLife(res))
  }

  exchange(run: Run, request: EnhanceApiReq): Exchange {
    this.request = request
    this.run = run
    const { json, vary, renderer, express, settings } = this
    return { run, request, json, vary, renderer, express, settings }
  }
}
