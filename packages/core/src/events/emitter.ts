/**
 * Where events go: the `onEvent` listener and the `logger`, with log lines limited to one per
 * distinct cause per minute (no log storm when the AS is down). A listener or logger that throws
 * never changes an answer.
 *
 * @module events/emitter
 */
import type { Clock } from '../cache/index.js'
import type { Logger, ResourceServerEvent } from './types.js'

const LOG_INTERVAL_MS = 60_000
const MAX_CAUSES = 1000
/** Failures that make every request fail until the set-up is fixed: logged even without a logger, once a minute. */
const SET_UP_FAILURES: ReadonlySet<string> = new Set(['client_rejected', 'issuer_mismatch'])

export interface EventSinkOptions {
  onEvent: ((event: ResourceServerEvent) => void) | undefined
  /** A logger; `undefined`: only set-up problems are logged, once, on the console; `false`: nothing. */
  logger: Logger | false | undefined
  clock: Clock
}

export class EventSink {
  readonly #onEvent: ((event: ResourceServerEvent) => void) | undefined
  readonly #logger: Logger | undefined
  readonly #defaultLogger: boolean
  readonly #clock: Clock
  readonly #lastLogged = new Map<string, number>()
  /** Does anything listen to per-request events? When not, the hot path does not even build them. */
  readonly active: boolean

  constructor(options: EventSinkOptions) {
    this.#onEvent = options.onEvent
    this.#defaultLogger = options.logger === undefined
    this.#logger = options.logger === false ? undefined : (options.logger ?? (typeof console === 'undefined' ? undefined : console))
    this.#clock = options.clock
    this.active = this.#onEvent !== undefined || (options.logger !== undefined && options.logger !== false)
  }

  emit(event: ResourceServerEvent): void {
    if (this.#onEvent !== undefined) {
      try {
        this.#onEvent(event)
      } catch {
        // A listener's bug must not change an answer.
      }
    }
    this.#log(event)
  }

  #log(event: ResourceServerEvent): void {
    const logger = this.#logger
    if (logger === undefined) return
    switch (event.type) {
      case 'configuration_problem':
        return this.#limited('error', `config:${event.message}`, `rs: set-up problem: ${event.message}`, {})
      case 'authorization_server_error':
        if (this.#defaultLogger && !SET_UP_FAILURES.has(event.failure)) return
        return this.#limited(
          SET_UP_FAILURES.has(event.failure) ? 'error' : 'warn',
          `as:${event.failure}:${event.message}`,
          `rs: authorization server error (${event.failure}): ${event.message}`,
          {
            failure: event.failure,
            upstreamStatus: event.upstreamStatus,
          },
        )
      case 'store_error':
        if (this.#defaultLogger) return
        return this.#limited(
          'warn',
          `store:${event.operation}:${event.message}`,
          `rs: cache store failed (${event.operation}): ${event.message}; answering without it`,
          { operation: event.operation },
        )
      case 'rejected':
        if (this.#defaultLogger) return
        if (event.detail !== undefined)
          return this.#limited('warn', `detail:${event.detail}`, `rs: request refused (${event.reason}): ${event.detail}`, {
            reason: event.reason,
          })
        return call(logger.debug, logger, `rs: request refused (${event.reason}): ${event.description}`, {
          reason: event.reason,
          status: event.status,
        })
      default:
        if (this.#defaultLogger) return
        return call(logger.debug, logger, `rs: ${event.type}`, { ...event })
    }
  }

  /** Logs at most once per `cause` per minute. */
  #limited(level: 'warn' | 'error', cause: string, message: string, fields: Record<string, unknown>): void {
    const now = this.#clock()
    const last = this.#lastLogged.get(cause)
    if (last !== undefined && now - last < LOG_INTERVAL_MS) return
    if (this.#lastLogged.size >= MAX_CAUSES) this.#lastLogged.clear()
    this.#lastLogged.set(cause, now)
    const logger = this.#logger!
    call(level === 'error' ? (logger.error ?? logger.warn) : (logger.warn ?? logger.error), logger, message, fields)
  }
}

/**
 * pino's methods take `(fields, message)`, console's and winston's `(message, fields)`: a pino logger
 * (recognised by its numeric `levels.values`) gets its order, so no field is dropped silently.
 */
function isPino(logger: Logger): boolean {
  const levels = (logger as { levels?: { values?: unknown } }).levels
  return (
    typeof levels === 'object' &&
    levels !== null &&
    typeof levels.values === 'object' &&
    typeof (logger as { child?: unknown }).child === 'function'
  )
}

function call(fn: Logger['warn'], logger: Logger, message: string, fields: Record<string, unknown>): void {
  if (fn === undefined) return
  try {
    if (isPino(logger)) (fn as unknown as (f: Record<string, unknown>, m: string) => void).call(logger, fields, message)
    else if (Object.keys(fields).length === 0) fn.call(logger, message)
    else fn.call(logger, message, fields)
  } catch {
    // A logger's failure must not change an answer.
  }
}
