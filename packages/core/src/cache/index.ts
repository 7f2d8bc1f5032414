/**
 * Caching building blocks: the {@link CacheStore} contract, the in-memory LRU, token hashing for
 * keys, request coalescing (single-flight, in one process and across instances), and the guard
 * every shared-store call goes through (timeout, cooldown after a failure).
 *
 * @module cache
 */
export {
  GuardedStore,
  type GuardedStoreOptions,
  STORE_COOLDOWN_MS,
  STORE_FAILED,
  type StoreFailed,
  type StoreOperation,
} from './guarded-store.js'
export { sha256Hex } from '../hash/index.js'
export { MemoryCache } from './memory-cache.js'
export { instanceId, sharedFlight, type SharedFlightSettings } from './shared-flight.js'
export { SingleFlight } from './single-flight.js'
export { type CacheStore, type Clock, DEFAULT_STORE_TIMEOUT, isCacheStore } from './store.js'
