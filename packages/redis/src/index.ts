/**
 * `@org/rs-redis`: a shared store on Redis (node-redis v5) for `@org/rs-core`. Instances of an
 * application share introspection verdicts and client-credentials tokens, invalidate them all at
 * once (`clear()`), and never wait on a Redis that is down: every operation settles within its timeout.
 *
 * @example
 * ```ts
 * import { createResourceServer } from '@org/rs-core'
 * import { createRedisStore } from '@org/rs-redis'
 *
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379' }, { prefix: 'orders-api:' })
 * const rs = createResourceServer({ issuer, clientId, clientSecret, cache: { store } })
 * ```
 *
 * @packageDocumentation
 */
export { createRedisStore } from './store.js'
export type { NodeRedisClient, RedisStore, RedisStoreOptions, RedisStoreSource, SharedStore } from './store.js'
export { StoreError, StoreTimeoutError, StoreUnavailableError } from './errors.js'
export type { StoreOperation } from './errors.js'
