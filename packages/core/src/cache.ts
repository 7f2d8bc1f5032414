/**
 * Caching: the {@link CacheStore} interface a shared store (Redis, …) implements, a bounded
 * in-memory LRU implementation, token hashing for keys and request coalescing (single-flight).
 *
 * @module cache
 */
import { sha256HexSync } from './sha256.js'

/** Milliseconds since the epoch. Injected in tests; defaults to `Date.now`. */
export type Clock = () => number

/**
 * A key-value store with per-entry lifetime. Values are JSON-serialisable. Keys never contain a
 * token or a secret: they are SHA-256 hashes. Methods may be synchronous or return promises.
 *
 * @example A Redis store (node-redis v4+)
 * ```ts
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
}

interface Entry<V> {
  value: V
  expiresAt: number
}

/**
 * A bounded in-memory LRU cache with per-entry lifetime. Synchronous, so a warm hit costs no I/O.
 *
 * @example
 * ```ts
 * const cache = new MemoryCache({ maxEntries: 10_000 })
 * cache.set('k', { active: true }, 60_000)
 * ```
 */
export class MemoryCache<V = unknown> implements CacheStore<V> {
  readonly maxEntries: number
  readonly #clock: Clock
  readonly #map = new Map<string, Entry<V>>()

  constructor(options: { maxEntries?: number; clock?: Clock } = {}) {
    this.maxEntries = options.maxEntries ?? 10_000
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
    this.#clock = options.clock ?? Date.now
  }

  /** Number of entries held (expired ones included until they are evicted or read). */
  get size(): number {
    return this.#map.size
  }

  get(key: string): V | undefined {
    const entry = this.#map.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.#clock()) {
      this.#map.delete(key)
      return undefined
    }
    // Refresh recency: a Map iterates in insertion order, so the first key is the least recent.
    this.#map.delete(key)
    this.#map.set(key, entry)
    return entry.value
  }

  set(key: string, value: V, ttlMs: number): void {
    if (!(ttlMs > 0)) {
      this.#map.delete(key)
      return
    }
    this.#map.delete(key)
    this.#map.set(key, { value, expiresAt: this.#clock() + ttlMs })
    if (this.#map.size > this.maxEntries) this.#evict()
  }

  delete(key: string): void {
    this.#map.delete(key)
  }

  clear(): void {
    this.#map.clear()
  }

  #evict(): void {
    // A Map iterates in insertion (here: recency) order, so the first keys are the least recently used.
    for (const key of this.#map.keys()) {
      if (this.#map.size <= this.maxEntries) return
      this.#map.delete(key)
    }
  }
}

/** Lowercase hex SHA-256 of a string, after an optional ASCII prefix: the cache key of a token. Synchronous (see {@link sha256HexSync}). */
export const sha256Hex = sha256HexSync

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
