/**
 * The in-memory store: a bounded LRU with per-entry lifetime, on `lru-cache`.
 *
 * @module cache/memory-cache
 */
import { LRUCache } from 'lru-cache'
import type { CacheStore, Clock } from './store.js'

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
  readonly #lru: LRUCache<string, Entry<V>>

  constructor(options: { maxEntries?: number; clock?: Clock } = {}) {
    this.maxEntries = options.maxEntries ?? 10_000
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
    this.#clock = options.clock ?? Date.now
    // lru-cache keeps the recency order and the bound; the lifetime is checked here, against the
    // injected clock, so an entry is gone exactly when its lifetime ends.
    this.#lru = new LRUCache<string, Entry<V>>({ max: this.maxEntries })
  }

  /** Number of entries held (expired ones included until they are evicted or read). */
  get size(): number {
    return this.#lru.size
  }

  get(key: string): V | undefined {
    const entry = this.#lru.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= this.#clock()) {
      this.#lru.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: V, ttlMs: number): void {
    if (!(ttlMs > 0)) {
      this.#lru.delete(key)
      return
    }
    this.#lru.set(key, { value, expiresAt: this.#clock() + ttlMs })
  }

  delete(key: string): void {
    this.#lru.delete(key)
  }

  /**
   * Stores `value` only if `key` has no live entry; `false` when it has one. Never evicts a live
   * entry to make room (that would forget a key whose uniqueness is being checked): when the cache is
   * full of live entries it throws a `RangeError`, so a replay check fails closed.
   */
  add(key: string, value: V, ttlMs: number): boolean {
    if (!(ttlMs > 0)) return false // nothing would be stored
    const now = this.#clock()
    const entry = this.#lru.peek(key)
    if (entry !== undefined && entry.expiresAt > now) return false
    if (entry === undefined && this.#lru.size >= this.maxEntries) {
      const oldest = this.#lru.rkeys().next()
      const oldestEntry = oldest.done ? undefined : this.#lru.peek(oldest.value)
      if (oldestEntry !== undefined && oldestEntry.expiresAt > now)
        throw new RangeError('MemoryCache is full of live entries: add() does not evict one')
      if (!oldest.done) this.#lru.delete(oldest.value)
    }
    this.#lru.set(key, { value, expiresAt: now + ttlMs })
    return true
  }

  clear(): void {
    this.#lru.clear()
  }
}
