/**
 * Caching building blocks: the {@link CacheStore} contract, the in-memory LRU, token hashing for
 * keys, and request coalescing (single-flight).
 *
 * @module cache
 */
export { sha256Hex } from './hash.js'
export { MemoryCache } from './memory-cache.js'
export { SingleFlight } from './single-flight.js'
export { type CacheStore, type Clock, DEFAULT_STORE_TIMEOUT, isCacheStore, withStoreTimeout } from './store.js'
