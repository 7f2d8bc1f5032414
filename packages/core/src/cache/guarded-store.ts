/**
 * A shared store as core uses it: every call bounded by the store timeout; a failure or a timeout
 * is reported once per outage and makes the store skipped for a short cooldown, so a store that is
 * down or stalled costs at most one timeout per cooldown, not one per request.
 *
 * @module cache/guarded-store
 */
import type { CacheStore } from './store.js'

/** What a guarded call resolves with when the store failed, timed out, or is being skipped. */
export const STORE_FAILED: unique symbol = Symbol('store failed')
export type StoreFailed = typeof STORE_FAILED

export type StoreOperation = 'get' | 'set' | 'delete' | 'add' | 'clear'

/** How long a failing store is left alone before it is tried again, in milliseconds. */
export const STORE_COOLDOWN_MS = 1_000

export interface GuardedStoreOptions {
  /** The bound of one call, in milliseconds. */
  timeoutMs: number
  /** Called when the store starts failing: once per outage (not again until a call succeeds). Never throws into a request. */
  onFailure?: (operation: StoreOperation, error: unknown) => void
  /** Real time (not the injectable token clock): the cooldown is about the store, not tokens. */
  now?: () => number
  cooldownMs?: number
}

const TIMED_OUT: unique symbol = Symbol('timed out')

/**
 * The store's answers are `unknown`: untrusted input, validated by the caller. `get`/`add` resolve
 * with {@link STORE_FAILED} rather than reject; `set` resolves with whether the store confirmed it.
 */
export class GuardedStore {
  readonly store: CacheStore
  readonly #timeoutMs: number
  readonly #onFailure: GuardedStoreOptions['onFailure']
  readonly #now: () => number
  readonly #cooldownMs: number
  #skipUntil = 0
  #failing = false

  constructor(store: CacheStore, options: GuardedStoreOptions) {
    this.store = store
    this.#timeoutMs = options.timeoutMs
    this.#onFailure = options.onFailure
    this.#now = options.now ?? Date.now
    this.#cooldownMs = options.cooldownMs ?? STORE_COOLDOWN_MS
  }

  /** Does the store offer `add` (a cross-instance lock)? */
  get canLock(): boolean {
    return typeof this.store.add === 'function'
  }

  get(key: string): Promise<unknown> {
    return this.#call('get', () => this.store.get(key))
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    return (await this.#call('set', () => this.store.set(key, value, ttlMs))) !== STORE_FAILED
  }

  /** `true` when this call stored it, `false` when the key was taken, {@link STORE_FAILED} otherwise (or without `add`). */
  async add(key: string, value: unknown, ttlMs: number): Promise<boolean | StoreFailed> {
    const add = this.store.add
    if (add === undefined) return STORE_FAILED
    const result = await this.#call('add', () => add.call(this.store, key, value, ttlMs))
    return result === STORE_FAILED ? result : result === true
  }

  /** `always`: tried even while the store is being skipped (releasing a lock others wait on). */
  async delete(key: string, always = false): Promise<void> {
    await this.#call('delete', () => this.store.delete(key), always)
  }

  /** Always tried, even while the store is being skipped: it is an explicit request. `false` if it failed. */
  async clear(): Promise<boolean> {
    const clear = this.store.clear
    if (clear === undefined) return false
    return (await this.#call('clear', () => clear.call(this.store), true)) !== STORE_FAILED
  }

  async #call<T>(operation: StoreOperation, call: () => T | Promise<T>, always = false): Promise<T | StoreFailed> {
    if (!always && this.#failing && this.#now() < this.#skipUntil) return STORE_FAILED
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const result = call()
      let value: T | typeof TIMED_OUT
      if (typeof (result as { then?: unknown } | null)?.then !== 'function') value = result as T
      else {
        // When the timer fires, one more turn of the event loop lets an answer that already arrived (a
        // process that was not scheduled for a while, a busy event loop) be read before giving up.
        const timeout = new Promise<typeof TIMED_OUT>(
          (resolve) => (timer = setTimeout(() => (timer = setTimeout(() => resolve(TIMED_OUT), 0)), this.#timeoutMs)),
        )
        // race() subscribes to the store's promise: a rejection after the timeout is not unhandled.
        value = await Promise.race([Promise.resolve(result), timeout])
      }
      if (value === TIMED_OUT) return this.#fail(operation, new Error(`the store did not answer ${operation} within ${this.#timeoutMs} ms`))
      this.#failing = false
      return value
    } catch (err) {
      return this.#fail(operation, err)
    } finally {
      clearTimeout(timer)
    }
  }

  #fail(operation: StoreOperation, error: unknown): StoreFailed {
    this.#skipUntil = this.#now() + this.#cooldownMs
    if (!this.#failing) {
      this.#failing = true
      try {
        this.#onFailure?.(operation, error)
      } catch {
        // a reporter's failure must not change an answer
      }
    }
    return STORE_FAILED
  }
}
