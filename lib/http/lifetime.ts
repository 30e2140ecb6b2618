import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * One request's life once its answer has to wait: it ends when the answer is
 * written, when the client leaves, or when the deadline passes. `signal` is
 * made only when a handler asks for it.
 */
export class RequestLife {
  #controller: AbortController | undefined
  #reason: unknown

  /** The handler's `request.signal`: aborted when the client leaves or the deadline passes. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController()
    if (this.#reason !== undefined) this.#controller.abort(this.#reason)
    return this.#controller.signal
  }

  abort(reason: unknown): void {
    this.#reason ??= reason
    this.#controller?.abort(this.#reason)
  }
}

/** The deadline of a handler: the `timeout` option, else the server's own `requestTimeout` (0: none). */
export function deadlineOf(req: IncomingMessage, timeout: number | undefined): number {
  if (timeout !== undefined) return timeout
  const server = (req.socket as { server?: { requestTimeout?: unknown } } | undefined)?.server
  const requestTimeout = server?.requestTimeout
  return typeof requestTimeout === 'number' && requestTimeout > 0 ? requestTimeout : 0
}

/**
 * Races a pending answer against the deadline and the client leaving: the
 * first to come ends the request's life (the signal aborts), and an answer
 * that comes later is dropped. `late` makes the answer for a deadline passed.
 */
export function watchLife<T>(
  answer: Promise<T>,
  life: RequestLife,
  res: ServerResponse,
  deadline: number,
  late: () => T | Promise<T>,
): Promise<T> {
  const onClose = () => {
    if (!res.writableFinished) life.abort(new DOMException('The client closed the connection', 'AbortError'))
  }
  res.once('close', onClose)
  let timer: NodeJS.Timeout | undefined
  const timedOut =
    deadline > 0
      ? new Promise<T>((resolve) => {
          timer = setTimeout(() => {
            life.abort(new DOMException(`The request did not finish within ${deadline} ms`, 'TimeoutError'))
            resolve(late())
          }, deadline)
        })
      : undefined
  const raced = timedOut === undefined ? answer : Promise.race([answer, timedOut])
  return raced.finally(() => {
    clearTimeout(timer)
    res.off('close', onClose)
  })
}
