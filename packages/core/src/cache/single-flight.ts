/**
 * Request coalescing inside one process: concurrent callers for one key share one call.
 *
 * @module cache/single-flight
 */

/**
 * Coalesces concurrent calls for one key into one: while a call for `key` is in flight, later
 * callers get the same promise. Nothing is remembered once it settles.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>()

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const pending = this.#inFlight.get(key)
    if (pending !== undefined) return pending
    const promise = fn().finally(() => this.#inFlight.delete(key))
    this.#inFlight.set(key, promise)
    return promise
  }

  get size(): number {
    return this.#inFlight.size
  }
}
