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
 * Ready-made: `MemoryCache` (in memory, per instance) and `createRedisStore` of `@org/rs-redis`
 * (shared by several instances, with `add`, `clear` and `onClear`).
 *
 * With a shared store, the resource server keeps an in-memory first level in front of it (a warm
 * token never waits on the store) and uses the optional members when present: `add` for a
 * cross-instance lock (one introspection, one client-credentials token request per key across
 * instances), `clear` for `clearCache()`, `onClear` to drop its first level when another instance
 * cleared the store.
 *
 * @example A minimal shared store (node-redis v4+); `@org/rs-redis` does this and more
 * ```ts
 * import type { CacheStore } from '@org/rs-core'
 * import { createClient } from 'redis'
 *
 * const redis = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * await redis.connect()
 * const store: CacheStore = {
 *   async get(key) { const v = await redis.get(key); return v === null ? undefined : JSON.parse(v) },
 *   async set(key, value, ttlMs) { await redis.set(key, JSON.stringify(value), { PX: Math.max(1, Math.ceil(ttlMs)) }) },
 *   async delete(key) { await redis.del(key) },
 *   async add(key, value, ttlMs) { return (await redis.set(key, JSON.stringify(value), { PX: Math.max(1, Math.ceil(ttlMs)), NX: true })) !== null },
 * }
 * ```
 */
export interface CacheStore<V = unknown> {
  /**
   * The value stored under `key`, or `undefined`. What a store returns is treated as untrusted
   * input: it is validated (shape, version, expiry by the SDK's own clock) and a bad value is a
   * miss. A call slower than the `storeTimeout` option (default 0.05 s) is a miss too.
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
   * Optional: stores `value` for `ttlMs` milliseconds only if `key` holds nothing (Redis `SET NX PX`);
   * `true` when this call stored it. Must be atomic across every instance sharing the store.
   *
   * Used to detect a replayed DPoP proof (the key is a hash of the proof key and its `jti`), and as a
   * short lock (the value is a random instance id, never a token): the instance that gets
   * it asks the authorization server, the others wait (bounded) for the result it writes, so one new
   * token costs one introspection, and one client-credentials key one token request, across instances.
   * A lock that fails, times out or is lost makes an instance ask the AS itself, never authorize.
   * Without `add`, concurrent requests are coalesced per instance only.
   */
  add?(key: string, value: V, ttlMs: number): boolean | Promise<boolean>
  /**
   * Optional: registers `listener`, called when any instance sharing the store (this one included)
   * cleared it; returns a function that unregisters it. The resource server drops its in-memory
   * first level then, so another instance's `clearCache()` reaches this one as soon as the store
   * tells (`@org/rs-redis`: at once by pub/sub, else within its `generationRefreshMs`). A listener
   * never throws.
   */
  onClear?(listener: () => void): () => void
}

/** Is `value` an object with the three {@link CacheStore} methods (and, if present, functions for the optional ones)? */
export function isCacheStore(value: unknown): value is CacheStore {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  const optional = (name: string) => v[name] === undefined || typeof v[name] === 'function'
  return (
    typeof v.get === 'function' &&
    typeof v.set === 'function' &&
    typeof v.delete === 'function' &&
    optional('clear') &&
    optional('add') &&
    optional('onClear')
  )
}

/** Default bound on one store call, in seconds (the `storeTimeout` options' unit). */
export const DEFAULT_STORE_TIMEOUT = 0.05
