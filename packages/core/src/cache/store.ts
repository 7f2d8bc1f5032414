/**
 * The {@link CacheStore} contract: what a shared store (Redis, …) implements so several instances
 * share verdicts and tokens.
 *
 * @module cache/store
 */

/** Milliseconds since the epoch. Injected in tests; defaults to `Date.now`. */
export type Clock = () => number

/**
 * A key-value store with per-entry lifetime. Values are JSON-serialisable. Keys never contain a
 * token or a secret: they are SHA-256 hashes. Methods may be synchronous or return promises.
 *
 * @example A Redis store (node-redis v4+)
 * ```ts
 * import type { CacheStore } from '@org/rs-core'
 *
 * const store: CacheStore = {
 *   async get(key) { const v = await redis.get(key); return v === null ? undefined : JSON.parse(v) },
 *   async set(key, value, ttlMs) { await redis.set(key, JSON.stringify(value), { PX: Math.max(1, ttlMs) }) },
 *   async delete(key) { await redis.del(key) },
 * }
 * ```
 */
export interface CacheStore<V = unknown> {
  /**
   * The value stored under `key`, or `undefined`. What a store returns is treated as untrusted
   * input: it is validated (shape, version, expiry by the SDK's own clock) and a bad value is a
   * miss. A call slower than the `storeTimeout` option (default 50 ms) is a miss too.
   */
  get(key: string): V | undefined | Promise<V | undefined>
  /** Stores `value` for `ttlMs` milliseconds. A call slower than `storeTimeout` is ignored (not awaited further). */
  set(key: string, value: V, ttlMs: number): void | Promise<void>
  delete(key: string): void | Promise<void>
  /**
   * Optional: forgets every entry this SDK wrote. Called by `ResourceServer.clearCache()` (which
   * "forgets every cached result"); without it a shared store keeps its entries until they expire,
   * so a revoked token may stay authorized until then. A shared store (Redis, …) typically
   * implements it as a generation bump: a counter that is part of every key, incremented here.
   */
  clear?(): void | Promise<void>
  /**
   * Optional: stores `value` under `key` only if no live entry holds it (Redis `SET NX PX`), and says
   * whether it did. Atomic across instances, this is what detects a replayed DPoP proof. A store
   * without it is used through `get` then `set`, which two instances can race.
   */
  add?(key: string, value: V, ttlMs: number): boolean | Promise<boolean>
}

/** Is `value` an object with the three {@link CacheStore} methods (and, if present, a `clear` function)? */
export function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.get === 'function' && typeof v.set === 'function' && typeof v.delete === 'function' && (v.clear === undefined || typeof v.clear === 'function')
}

/** Default bound on one store call, in milliseconds. */
export const DEFAULT_STORE_TIMEOUT = 50

/**
 * `call()`'s result, or `undefined` once `timeoutMs` has passed (a store that never answers cannot
 * hang a request). A synchronous result is returned as is; a throw or rejection propagates.
 */
export function withStoreTimeout<T>(call: () => T | Promise<T>, timeoutMs: number): T | undefined | Promise<T | undefined> {
  const result = call()
  if (typeof (result as { then?: unknown } | null)?.then !== 'function') return result as T
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs)
  })
  return Promise.race([Promise.resolve(result), timeout]).finally(() => clearTimeout(timer))
}
