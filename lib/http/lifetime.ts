import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * One request's life once its answer has to wait: it ends when the answer is
 * written, when the client leaves, or when the deadline passes. The signal
 * (and the listener that aborts it when the client leaves) is made only when
 * a handler asks for `request.signal`.
 */
export class RequestLife {
  #controller: AbortController | undefined
  #reason: unknown
  readonly #res: ServerResponse

  constructor(res: ServerResponse) {
    this.#res = res
  }

  /** The handler's `request.signal`: aborted when the client leaves or the deadline passes. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController()
      this.#controller = controller
      const res = this.#res
      if (res.destroyed && !res.writableFinished) this.abort(clientLeft())
      else if (!res.writableFinished) {
        const onClose = () => {
          if (!res.writableFinished) this.abort(clientLeft())
        }
        res.once('close', onClose)
      }
    }
    if (this.#reason !== undefined) this.#controller.abort(this.#reason)
    return this.#controller.signal
  }

  abort(reason: unknown): void {
    this.#reason ??= reason
    this.#controller?.abort(this.#reason)
  }
}

const clientLeft = () => new DOMException('The client closed the connection', 'AbortError')

/** The deadline of a handler: the `timeout` option, else the server's own `requestTimeout` (0: none). */
export function deadlineOf(req: IncomingMessage, timeout: number | undefined): number {
  if (timeout !== undefined) return timeout
  const server = (req.socket as { server?: { requestTimeout?: unknown } } | undefined)?.server
  const requestTimeout = server?.requestTimeout
  return typeof requestTimeout === 'number' && requestTimeout > 0 ? requestTimeout : 0
}
