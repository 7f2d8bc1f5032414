/**
 * Retries of transient token-endpoint failures (network, timeout, 408, 429, 5xx): exponential
 * backoff with full jitter, honouring `Retry-After`.
 *
 * @module client-credentials/retry
 */

/** Errors worth retrying, and the Retry-After (ms) the AS sent with them. Never holds a secret. */
const transient = new WeakSet<object>()
const retryAfterOf = new WeakMap<object, number>()

/** Marks `err` as worth retrying, with the `Retry-After` the AS sent (milliseconds), if any. */
export function markTransient(err: object, retryAfterMs?: number): void {
  transient.add(err)
  if (retryAfterMs !== undefined) retryAfterOf.set(err, retryAfterMs)
}

/** The `Retry-After` (milliseconds) the AS sent with this error, if any. */
export function retryAfterMsOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? retryAfterOf.get(err) : undefined
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number
  /** Milliseconds (the `retry.baseDelay` option is seconds). */
  baseDelayMs: number
  /** Milliseconds (the `retry.maxDelay` option is seconds). */
  maxDelayMs: number
}

export type Sleep = (ms: number) => Promise<void>

export const sleep: Sleep = (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve())

/**
 * Internal test seam, not public API (the package index does not export it): an options object of
 * `createClientCredentials` carrying a function under this symbol waits between retries with it
 * instead of {@link sleep}, so a test of a 1 s `Retry-After` neither waits 1 s nor depends on timing.
 * (The options schema ignores symbol keys; an application cannot name this one.)
 */
export const SLEEP: unique symbol = Symbol('client-credentials retry sleep (tests)')

/** The sleep a test injected under {@link SLEEP}, else {@link sleep}. */
export function sleepOf(options: object): Sleep {
  const injected = (options as { [SLEEP]?: unknown })[SLEEP]
  return typeof injected === 'function' ? (injected as Sleep) : sleep
}

/** Runs `call`, retrying transient failures per `policy`; a `Retry-After` longer than `maxDelay` ends the retries. */
export async function withRetry<T>(policy: RetryPolicy, call: () => Promise<T>, wait: Sleep = sleep): Promise<T> {
  const { attempts, baseDelayMs: baseDelay, maxDelayMs: maxDelay } = policy
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (err) {
      if (typeof err !== 'object' || err === null || !transient.has(err) || attempt >= attempts) throw err
      // Full jitter: a random delay in [0, min(maxDelay, baseDelay · 2^(attempt-1))).
      let delay = Math.random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1))
      const retryAfter = retryAfterOf.get(err)
      if (retryAfter !== undefined) {
        if (retryAfter > maxDelay) throw err // the AS asked for a longer wait than we may spend here
        delay = Math.max(delay, retryAfter)
      }
      await wait(delay)
    }
  }
}
