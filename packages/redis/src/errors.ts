/**
 * Typed errors of the store. Every operation of a {@link SharedStore} either resolves or rejects
 * with one of these within its timeout; a caller (core) treats any rejection as a cache miss.
 * No error ever carries a key's value, a token or a secret.
 *
 * @module errors
 */

/** The store operations, as named in errors (`refresh`: the background read of the generation). */
export type StoreOperation = 'get' | 'set' | 'delete' | 'add' | 'clear' | 'ready' | 'refresh'

/**
 * The base of the store's errors: {@link StoreTimeoutError} and {@link StoreUnavailableError}.
 *
 * @example
 * ```ts
 * try {
 *   await store.get(key)
 * } catch (err) {
 *   if (err instanceof StoreError) metrics.increment(`cache.${err.code}`) // then: a miss
 * }
 * ```
 */
export abstract class StoreError extends Error {
  /** A stable, machine-readable code. */
  abstract readonly code: 'STORE_TIMEOUT' | 'STORE_UNAVAILABLE'
  /** The operation that failed. */
  readonly operation: StoreOperation

  constructor(operation: StoreOperation, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.operation = operation
  }
}

/**
 * The operation did not settle within the store's `timeout`: Redis is slow, stalled or unreachable.
 *
 * @example
 * ```ts
 * await store.get(key).catch((err) => {
 *   if (err instanceof StoreTimeoutError) console.warn(`${err.operation} took more than ${err.timeoutMs} ms`)
 *   return undefined
 * })
 * ```
 */
export class StoreTimeoutError extends StoreError {
  override readonly name = 'StoreTimeoutError'
  readonly code = 'STORE_TIMEOUT' as const
  /** The bound that was exceeded, in milliseconds. */
  readonly timeoutMs: number

  constructor(operation: StoreOperation, timeoutMs: number) {
    super(operation, `Redis store: ${operation} did not complete within ${timeoutMs} ms`)
    this.timeoutMs = timeoutMs
  }
}

/**
 * The operation could not run: the client is disconnected (it reconnects by itself), the store is
 * closed, or Redis answered with an error. `cause` holds the client's error when there is one.
 *
 * @example
 * ```ts
 * await store.set(key, value, 60_000).catch((err) => {
 *   if (err instanceof StoreUnavailableError) console.warn(err.message, err.cause)
 * })
 * ```
 */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError'
  readonly code = 'STORE_UNAVAILABLE' as const

  constructor(operation: StoreOperation, reason: string, options?: { cause?: unknown }) {
    super(operation, `Redis store: ${operation} failed: ${reason}`, options)
  }
}
