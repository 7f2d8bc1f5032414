import { RedisClientType } from 'redis';

/**
 * The Redis store: a {@link SharedStore} on a node-redis v5 client, namespaced by a prefix and a
 * generation, every operation bounded by a timeout.
 *
 * @module store
 */

/**
 * A key-value store shared by several instances of an application. `@org/rs-core`'s `CacheStore`
 * is the first three members; the others are optional there and used when present.
 *
 * Keys come from core already hashed (SHA-256 hex): a key never contains a token or a secret, and
 * values are never tokens of the caller (introspection verdicts, client-credentials tokens obtained
 * by the application itself). Values read back are untrusted: a store only parses them, core
 * validates their shape.
 *
 * @example
 * ```ts
 * const store: SharedStore = createRedisStore({ url: 'redis://127.0.0.1:6379' })
 * if (await store.add(`lock:${key}`, 1, 5_000)) {
 *   // this instance holds the lock for 5 s
 * }
 * ```
 */
interface SharedStore<V = unknown> {
    /** The value under `key`, or `undefined` when absent, expired, or not readable. */
    get(key: string): Promise<V | undefined>;
    /** Stores `value` under `key` for `ttlMs` milliseconds. */
    set(key: string, value: V, ttlMs: number): Promise<void>;
    /** Removes `key`. */
    delete(key: string): Promise<void>;
    /** Sets only if absent (SET NX PX); resolves true when this call set it. Used for cross-instance locks and DPoP jti replay detection. */
    add(key: string, value: V, ttlMs: number): Promise<boolean>;
    /** Invalidates every entry of this namespace for EVERY instance sharing it (generation bump), and notifies the others. */
    clear(): Promise<void>;
    /** Registers a listener called when another instance (or this one) called clear(); returns an unsubscribe function. Lets core drop its in-memory first-level cache. */
    onClear(listener: () => void): () => void;
    /** Releases what the store holds (connections, timers). */
    close(): Promise<void>;
}
/**
 * A node-redis v5 client, as returned by `createClient()` of `redis` (or `@redis/client`).
 * Cluster and Sentinel clients are not supported, nor is ioredis.
 */
type NodeRedisClient = RedisClientType<any, any, any, any, any>;
/**
 * Where the store connects: `{ url }` (the store creates, connects and owns a client) or
 * `{ client }` (a node-redis v5 client the application created and owns).
 */
type RedisStoreSource = {
    url: string;
    client?: undefined;
} | {
    client: NodeRedisClient;
    url?: undefined;
};
/** Options of {@link createRedisStore}. */
interface RedisStoreOptions {
    /**
     * The namespace: every key the store touches starts with it. Two applications sharing one Redis
     * use different prefixes; instances of one application sharing a cache use the same. Default `rs:`.
     */
    prefix?: string;
    /** The bound of every operation, in milliseconds: it settles (often rejects) within it. Default 50. */
    timeout?: number;
    /**
     * How often the generation is re-read from Redis, in milliseconds: the bound of invalidation
     * latency when a pub/sub message is missed. Default 1000.
     */
    generationRefreshMs?: number;
    /** The cap of the reconnection backoff of a client the store creates (`{ url }`), in milliseconds. Default 2000. */
    reconnectMaxDelayMs?: number;
    /**
     * Called with the errors of the Redis connections (connection refused, reset, …) and of the
     * background generation reads, once per cause until the connection is ready again. They never
     * throw; operations still reject with a {@link StoreError}. Default: ignored.
     */
    onError?: (error: Error) => void;
}
/**
 * The store returned by {@link createRedisStore}: a {@link SharedStore} plus introspection.
 */
interface RedisStore<V = unknown> extends SharedStore<V> {
    /** The key prefix (namespace). */
    readonly prefix: string;
    /** The generation of the namespace this instance reads and writes, once read from Redis. */
    readonly generation: number | undefined;
    /**
     * Resolves once the client is connected and the generation read; rejects with a
     * {@link StoreTimeoutError} after `timeoutMs` (default 5000). Optional: operations before that reject, as misses.
     */
    ready(timeoutMs?: number): Promise<void>;
}
/**
 * Creates a shared store on Redis (node-redis v5). Synchronous: the connection is made in the
 * background; until it is ready, operations reject (core treats that as a miss).
 *
 * Keys are `{prefix}{generation}:{key}`; the generation lives at `{prefix}generation`, and
 * `clear()` increments it and publishes the new one on `{prefix}clear`. Values are compact JSON,
 * with a lifetime in milliseconds (`PX`, at least 1).
 *
 * @example The store owns its client
 * ```ts
 * import { createResourceServer } from '@org/rs-core'
 * import { createRedisStore } from '@org/rs-redis'
 *
 * const store = createRedisStore({ url: process.env.REDIS_URL! }, { prefix: 'orders-api:', onError: (err) => log.warn(err) })
 * const rs = createResourceServer({ issuer, clientId, clientSecret, cache: { store } })
 * // on shutdown
 * await store.close()
 * ```
 *
 * @example The application owns the client
 * ```ts
 * import { createClient } from 'redis'
 *
 * const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: (n) => Math.min(50 * 2 ** n, 2000) } })
 * client.on('error', (err) => log.warn(err))
 * await client.connect()
 * const store = createRedisStore({ client })
 * ```
 *
 * @throws TypeError or RangeError when the source or an option is wrong.
 */
declare function createRedisStore<V = unknown>(source: RedisStoreSource, options?: RedisStoreOptions): RedisStore<V>;

/**
 * Typed errors of the store. Every operation of a {@link SharedStore} either resolves or rejects
 * with one of these within its timeout; a caller (core) treats any rejection as a cache miss.
 * No error ever carries a key's value, a token or a secret.
 *
 * @module errors
 */
/** The store operations, as named in errors (`refresh`: the background read of the generation). */
type StoreOperation = 'get' | 'set' | 'delete' | 'add' | 'clear' | 'ready' | 'refresh';
/**
 * The base of the store's errors: {@link StoreTimeoutError} and {@link StoreUnavailableError}.
 *
 * @example
 * ```ts
 * try {
 *   await store.get(key)
 * } catch (err) {
 *   if (err instanceof StoreError) metrics.increment(`cache.${err.code}`) // then: a miss
 * }
 * ```
 */
declare abstract class StoreError extends Error {
    /** A stable, machine-readable code. */
    abstract readonly code: 'STORE_TIMEOUT' | 'STORE_UNAVAILABLE';
    /** The operation that failed. */
    readonly operation: StoreOperation;
    constructor(operation: StoreOperation, message: string, options?: {
        cause?: unknown;
    });
}
/**
 * The operation did not settle within the store's `timeout`: Redis is slow, stalled or unreachable.
 *
 * @example
 * ```ts
 * await store.get(key).catch((err) => {
 *   if (err instanceof StoreTimeoutError) console.warn(`${err.operation} took more than ${err.timeoutMs} ms`)
 *   return undefined
 * })
 * ```
 */
declare class StoreTimeoutError extends StoreError {
    readonly name = "StoreTimeoutError";
    readonly code: "STORE_TIMEOUT";
    /** The bound that was exceeded, in milliseconds. */
    readonly timeoutMs: number;
    constructor(operation: StoreOperation, timeoutMs: number);
}
/**
 * The operation could not run: the client is disconnected (it reconnects by itself), the store is
 * closed, or Redis answered with an error. `cause` holds the client's error when there is one.
 *
 * @example
 * ```ts
 * await store.set(key, value, 60_000).catch((err) => {
 *   if (err instanceof StoreUnavailableError) console.warn(err.message, err.cause)
 * })
 * ```
 */
declare class StoreUnavailableError extends StoreError {
    readonly name = "StoreUnavailableError";
    readonly code: "STORE_UNAVAILABLE";
    constructor(operation: StoreOperation, reason: string, options?: {
        cause?: unknown;
    });
}

export { type NodeRedisClient, type RedisStore, type RedisStoreOptions, type RedisStoreSource, type SharedStore, StoreError, type StoreOperation, StoreTimeoutError, StoreUnavailableError, createRedisStore };
