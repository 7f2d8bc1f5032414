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
  get(key: string): V | undefined | Promise<V | undefined>
  set(key: string, value: V, ttlMs: number): void | Promise<void>
  delete(key: string): void | Promise<void>
  /**
   * Optional: stores `value` under `key` only if no live entry holds it (Redis `SET NX PX`), and says
   * whether it did. Atomic across instances, this is what detects a replayed DPoP proof. A store
   * without it is used through `get` then `set`, which two instances can race.
   */
  add?(key: string, value: V, ttlMs: number): boolean | Promise<boolean>
}

/** Is `value` an object with the three {@link CacheStore} methods? */
export function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.get === 'function' && typeof v.set === 'function' && typeof v.delete === 'function'
}
