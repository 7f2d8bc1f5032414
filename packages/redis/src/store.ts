/**
 * The Redis store: a {@link SharedStore} on a node-redis v5 client, namespaced by a prefix and a
 * generation, every operation bounded by a timeout.
 *
 * @module store
 */
import { createClient, type RedisClientType } from 'redis'
import { StoreError, type StoreOperation, StoreTimeoutError, StoreUnavailableError } from './errors.js'

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
export interface SharedStore<V = unknown> {
  /** The value under `key`, or `undefined` when absent, expired, or not readable. */
  get(key: string): Promise<V | undefined>
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set(key: string, value: V, ttlMs: number): Promise<void>
  /** Removes `key`. */
  delete(key: string): Promise<void>
  /** Sets only if absent (SET NX PX); resolves true when this call set it. Used for cross-instance locks and DPoP jti replay detection. */
  add(key: string, value: V, ttlMs: number): Promise<boolean>
  /** Invalidates every entry of this namespace for EVERY instance sharing it (generation bump), and notifies the others. */
  clear(): Promise<void>
  /** Registers a listener called when another instance (or this one) called clear(); returns an unsubscribe function. Lets core drop its in-memory first-level cache. */
  onClear(listener: () => void): () => void
  /** Releases what the store holds (connections, timers). */
  close(): Promise<void>
}

/**
 * A node-redis v5 client, as returned by `createClient()` of `redis` (or `@redis/client`).
 * Cluster and Sentinel clients are not supported, nor is ioredis.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any modules, functions, scripts, RESP version, type mapping
export type NodeRedisClient = RedisClientType<any, any, any, any, any>

/**
 * Where the store connects: `{ url }` (the store creates, connects and owns a client) or
 * `{ client }` (a node-redis v5 client the application created and owns).
 */
export type RedisStoreSource = { url: string; client?: undefined } | { client: NodeRedisClient; url?: undefined }

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * The namespace: every key the store touches starts with it. Two applications sharing one Redis
   * use different prefixes; instances of one application sharing a cache use the same. Default `rs:`.
   */
  prefix?: string
  /** The bound of every operation, in milliseconds: it settles (often rejects) within it. Default 50. */
  timeout?: number
  /**
   * How often the generation is re-read from Redis, in milliseconds: the bound of invalidation
   * latency when a pub/sub message is missed. Default 1000.
   */
  generationRefreshMs?: number
  /** The cap of the reconnection backoff of a client the store creates (`{ url }`), in milliseconds. Default 2000. */
  reconnectMaxDelayMs?: number
  /**
   * Called with the errors of the Redis connections (connection refused, reset, …) and of the
   * background generation reads, once per cause until the connection is ready again. They never
   * throw; operations still reject with a {@link StoreError}. Default: ignored.
   */
  onError?: (error: Error) => void
}

/**
 * The store returned by {@link createRedisStore}: a {@link SharedStore} plus introspection.
 */
export interface RedisStore<V = unknown> extends SharedStore<V> {
  /** The key prefix (namespace). */
  readonly prefix: string
  /** The generation of the namespace this instance reads and writes, once read from Redis. */
  readonly generation: number | undefined
  /**
   * Resolves once the client is connected and the generation read; rejects with a
   * {@link StoreTimeoutError} after `timeoutMs` (default 5000). Optional: operations before that reject, as misses.
   */
  ready(timeoutMs?: number): Promise<void>
}

/** The part of a node-redis v5 client the store uses. */
interface Connection {
  readonly isOpen: boolean
  readonly isReady: boolean
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
  connect(): Promise<unknown>
  destroy(): void
  duplicate(): Connection
  subscribe(channel: string, listener: (message: string) => void): Promise<void>
  unsubscribe(channel?: string): Promise<void>
}

/**
 * INCR the generation and PUBLISH the new one, atomically and in one round trip.
 * KEYS[1] = `{prefix}generation`, ARGV[1] = `{prefix}clear`.
 */
const CLEAR_SCRIPT = "local g = redis.call('INCR', KEYS[1]) redis.call('PUBLISH', ARGV[1], tostring(g)) return g"

const MAX_REPORTED_CAUSES = 100

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
export function createRedisStore<V = unknown>(source: RedisStoreSource, options: RedisStoreOptions = {}): RedisStore<V> {
  if (typeof source !== 'object' || source === null) throw new TypeError('createRedisStore: source must be { url } or { client }')
  const prefix = options.prefix ?? 'rs:'
  if (typeof prefix !== 'string' || prefix.length === 0) throw new TypeError('createRedisStore: prefix must be a non-empty string')
  const timeout = positive('timeout', options.timeout, 50)
  const generationRefreshMs = positive('generationRefreshMs', options.generationRefreshMs, 1000)
  const reconnectMaxDelayMs = positive('reconnectMaxDelayMs', options.reconnectMaxDelayMs, 2000)
  if (options.onError !== undefined && typeof options.onError !== 'function')
    throw new TypeError('createRedisStore: onError must be a function')
  const settings = { prefix, timeout, generationRefreshMs, onError: options.onError }

  if (source.url !== undefined && source.client !== undefined) throw new TypeError('createRedisStore: give either url or client, not both')
  if (source.url !== undefined) {
    if (typeof source.url !== 'string' || source.url.length === 0) throw new TypeError('createRedisStore: url must be a non-empty string')
    const client = createClient({
      url: source.url,
      // A command sent while disconnected rejects at once instead of waiting in a queue.
      disableOfflineQueue: true,
      socket: { reconnectStrategy: backoff(reconnectMaxDelayMs) },
    })
    return new RedisStoreImpl<V>(client as unknown as Connection, true, settings)
  }
  const client = source.client as unknown as Connection | undefined
  if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function' || typeof client.duplicate !== 'function') {
    throw new TypeError('createRedisStore: client must be a node-redis v5 client (createClient() of "redis")')
  }
  return new RedisStoreImpl<V>(client, false, settings)
}

/** Exponential backoff from 50 ms, capped, with jitter (75 to 100 % of the delay); never gives up. */
function backoff(capMs: number): (retries: number) => number {
  return (retries) => {
    const delay = Math.min(capMs, 50 * 2 ** Math.min(retries, 20))
    return Math.max(1, Math.round(delay * (0.75 + Math.random() * 0.25)))
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new RangeError(`createRedisStore: ${name} must be a positive number of milliseconds`)
  return value
}

interface Settings {
  prefix: string
  timeout: number
  generationRefreshMs: number
  onError: ((error: Error) => void) | undefined
}

class RedisStoreImpl<V> implements RedisStore<V> {
  readonly prefix: string
  readonly #client: Connection
  readonly #owned: boolean
  readonly #subscriber: Connection
  readonly #timeout: number
  readonly #onError: ((error: Error) => void) | undefined
  readonly #generationKey: string
  readonly #channel: string
  readonly #listeners = new Set<() => void>()
  readonly #waiters = new Set<(error?: Error) => void>()
  readonly #inFlight = new Set<Promise<unknown>>()
  readonly #reported = new Set<string>()
  readonly #timer: ReturnType<typeof setInterval>
  #generation: number | undefined
  /** The generation was read since the main connection last became ready. */
  #confirmed = false
  /** Bumped on every generation change: a read issued before a change is not adopted. */
  #version = 0
  /** Bumped on every (re)connection of the main client: a read issued before it is not adopted. */
  #epoch = 0
  #refreshing: Promise<void> | undefined
  #subscribed = false
  #subscribing = false
  #closed = false
  #closing: Promise<void> | undefined

  constructor(client: Connection, owned: boolean, settings: Settings) {
    this.prefix = settings.prefix
    this.#client = client
    this.#owned = owned
    this.#timeout = settings.timeout
    this.#onError = settings.onError
    this.#generationKey = `${settings.prefix}generation`
    this.#channel = `${settings.prefix}clear`

    // An 'error' event without a listener would crash the process.
    client.on('error', this.#onConnectionError)
    client.on('ready', this.#onReady)
    this.#subscriber = client.duplicate()
    this.#subscriber.on('error', this.#onConnectionError)
    this.#subscriber.on('ready', this.#onSubscriberReady)

    this.#timer = setInterval(() => void this.#refresh(), settings.generationRefreshMs)
    this.#timer.unref?.()

    if (owned) this.#client.connect().catch(this.#report)
    else if (client.isReady) void this.#refresh()
    // node-redis resubscribes by itself after a reconnection; 'ready' subscribes the first time.
    this.#subscriber.connect().catch(this.#report)
  }

  get generation(): number | undefined {
    return this.#generation
  }

  get(key: string): Promise<V | undefined> {
    return this.#run('get', (generation) => ['GET', this.#key(generation, key)], decode<V>)
  }

  set(key: string, value: V, ttlMs: number): Promise<void> {
    let args: (generation: number) => string[]
    try {
      const json = encode(value)
      const px = milliseconds(ttlMs)
      args = (generation) => ['SET', this.#key(generation, key), json, 'PX', px]
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#run('set', args, () => undefined)
  }

  delete(key: string): Promise<void> {
    return this.#run(
      'delete',
      (generation) => ['DEL', this.#key(generation, key)],
      () => undefined,
    )
  }

  add(key: string, value: V, ttlMs: number): Promise<boolean> {
    let args: (generation: number) => string[]
    try {
      const json = encode(value)
      const px = milliseconds(ttlMs)
      args = (generation) => ['SET', this.#key(generation, key), json, 'PX', px, 'NX']
    } catch (err) {
      return Promise.reject(err)
    }
    return this.#run('add', args, (reply) => reply !== null && reply !== undefined)
  }

  clear(): Promise<void> {
    return this.#track(
      this.#bounded('clear', async (signal) => {
        this.#assertUsable('clear')
        const reply = await this.#client.sendCommand(['EVAL', CLEAR_SCRIPT, '1', this.#generationKey, this.#channel], {
          abortSignal: signal,
        })
        const generation = parseGeneration(reply)
        if (generation === undefined) throw new StoreUnavailableError('clear', `${this.#generationKey} does not hold an integer`)
        // INCR's answer only moves forward: a later clear() by another instance may already be known.
        this.#adopt(generation, 'increase')
      }),
    )
  }

  onClear(listener: () => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onClear: listener must be a function')
    // A wrapper, so that one function registered twice is two registrations.
    const entry = () => listener()
    if (!this.#closed) this.#listeners.add(entry)
    return () => {
      this.#listeners.delete(entry)
    }
  }

  ready(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('ready', 'the store is closed'))
    if (this.#confirmed && this.#client.isReady) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter = (error?: Error) => {
        clearTimeout(timer)
        this.#waiters.delete(waiter)
        if (error === undefined) resolve()
        else reject(error)
      }
      const timer = setTimeout(() => waiter(new StoreTimeoutError('ready', timeoutMs)), timeoutMs)
      this.#waiters.add(waiter)
      void this.#refresh()
    })
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    this.#listeners.clear()
    for (const waiter of [...this.#waiters]) waiter(new StoreUnavailableError('ready', 'the store is closed'))
    // Every operation is bounded by the timeout: waiting for them is bounded too.
    await Promise.allSettled([...this.#inFlight])
    if (this.#subscriber.isReady) {
      await withTimeout(this.#subscriber.unsubscribe(this.#channel), this.#timeout).catch(() => {})
    }
    destroy(this.#subscriber)
    if (this.#owned) {
      destroy(this.#client)
    } else {
      this.#client.off('error', this.#onConnectionError)
      this.#client.off('ready', this.#onReady)
    }
  }

  #key(generation: number, key: string): string {
    return `${this.prefix}${generation}:${key}`
  }

  #assertUsable(operation: StoreOperation): void {
    if (this.#closed) throw new StoreUnavailableError(operation, 'the store is closed')
    // Checked here too for a client the application owns, which may queue commands while offline.
    if (!this.#client.isReady) throw new StoreUnavailableError(operation, 'not connected to Redis (reconnecting)')
  }

  /** One command in the current generation, the generation read first when needed, all within one timeout. */
  #run<T>(operation: StoreOperation, args: (generation: number) => string[], map: (reply: unknown) => T): Promise<T> {
    return this.#track(
      this.#bounded(operation, async (signal) => {
        this.#assertUsable(operation)
        if (!this.#confirmed) await this.#refresh()
        const generation = this.#generation
        if (!this.#confirmed || generation === undefined)
          throw new StoreUnavailableError(operation, 'the generation of the namespace could not be read')
        this.#assertUsable(operation)
        return map(await this.#client.sendCommand(args(generation), { abortSignal: signal }))
      }),
    )
  }

  /** Runs `work` with an abort signal; settles within the timeout, rejecting with a {@link StoreError}. */
  #bounded<T>(operation: StoreOperation, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<never>((_, reject) => {
      // One more turn of the event loop once the timer fired: an answer that already arrived (this
      // process was not scheduled for a while, or its event loop was busy) is read before giving up.
      timer = setTimeout(() => {
        timer = setTimeout(() => {
          // Aborting drops the command if it still waits to be written (a client with an offline queue).
          controller.abort()
          reject(new StoreTimeoutError(operation, this.#timeout))
        }, 0)
      }, this.#timeout)
    })
    const working = work(controller.signal)
    working.catch(() => {}) // it may settle after the timeout: nobody waits for it any more
    return Promise.race([working, timedOut])
      .catch((err: unknown) => {
        throw toStoreError(operation, err)
      })
      .finally(() => clearTimeout(timer))
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise)
    const untrack = () => this.#inFlight.delete(promise)
    promise.then(untrack, untrack)
    return promise
  }

  /** Reads the generation (one read at a time); settles within the timeout and never rejects. */
  #refresh(): Promise<void> {
    if (this.#refreshing !== undefined) return this.#refreshing
    if (this.#closed || !this.#client.isReady) return Promise.resolve()
    const version = this.#version
    const epoch = this.#epoch
    const refreshing: Promise<void> = this.#bounded('refresh', (signal) =>
      this.#client.sendCommand(['GET', this.#generationKey], { abortSignal: signal }),
    )
      .then((reply) => {
        if (epoch !== this.#epoch) return
        const generation = parseGeneration(reply)
        if (generation === undefined) throw new StoreUnavailableError('refresh', `${this.#generationKey} does not hold an integer`)
        // A clear() seen meanwhile (pub/sub, this instance) is newer than this read.
        if (version === this.#version) this.#adopt(generation, 'exact')
        this.#confirmed = true
        for (const waiter of [...this.#waiters]) waiter()
      })
      .catch(this.#report)
      .finally(() => {
        if (this.#refreshing === refreshing) this.#refreshing = undefined
      })
    this.#refreshing = refreshing
    return refreshing
  }

  /**
   * Takes a generation. `exact` (a read of the key) takes any different value: after Redis lost its
   * data the generation starts again from 0. `increase` (INCR's answer, pub/sub) only moves forward.
   */
  #adopt(generation: number, mode: 'exact' | 'increase'): void {
    const current = this.#generation
    if (generation === current) return
    if (current !== undefined && mode === 'increase' && generation < current) return
    this.#generation = generation
    this.#version++
    if (current === undefined) return // the first read: nothing was cached under another generation
    for (const listener of [...this.#listeners]) {
      try {
        listener()
      } catch (err) {
        this.#report(err)
      }
    }
  }

  readonly #onReady = (): void => {
    // A new connection: what was read before it may be stale (a missed pub/sub message, Redis restarted empty).
    this.#reported.clear()
    this.#epoch++
    this.#confirmed = false
    this.#refreshing = undefined
    void this.#refresh()
  }

  readonly #onSubscriberReady = (): void => {
    if (this.#closed) return
    // Messages published while the subscriber was disconnected are lost: read the generation.
    void this.#refresh()
    if (this.#subscribed || this.#subscribing) return
    this.#subscribing = true
    this.#subscriber
      .subscribe(this.#channel, this.#onMessage)
      .then(
        () => {
          this.#subscribed = true
        },
        (err: unknown) => this.#report(err),
      )
      .finally(() => {
        this.#subscribing = false
      })
  }

  readonly #onMessage = (message: string): void => {
    const generation = parseGeneration(message)
    if (generation === undefined || this.#generation === undefined) void this.#refresh()
    else this.#adopt(generation, 'increase')
  }

  readonly #onConnectionError = (err: unknown): void => {
    this.#report(err)
  }

  /** Reports an error to `onError`, once per cause until the next connection. Never throws. */
  readonly #report = (err: unknown): void => {
    if (this.#closed) return // what a closing connection says is noise
    const error = err instanceof Error ? err : new Error(String(err))
    const code = (error as { code?: unknown }).code
    const cause = `${error.name}:${typeof code === 'string' ? code : error.message}`
    if (this.#reported.has(cause)) return
    if (this.#reported.size >= MAX_REPORTED_CAUSES) this.#reported.clear()
    this.#reported.add(cause)
    try {
      this.#onError?.(error)
    } catch {
      // a failing reporter must not break the store
    }
  }
}

function destroy(connection: Connection): void {
  try {
    connection.destroy()
  } catch {
    // already closed
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(
    () => clearTimeout(timer),
  )
}

function toStoreError(operation: StoreOperation, err: unknown): StoreError {
  if (err instanceof StoreError) return err
  const name = err instanceof Error ? err.name : ''
  const message = err instanceof Error ? err.message : String(err)
  const reason =
    name === 'ClientOfflineError'
      ? 'not connected to Redis (reconnecting)'
      : name === 'ClientClosedError'
        ? 'the Redis client is closed'
        : name === 'DisconnectsClientError'
          ? 'the connection was closed'
          : `${name || 'Error'}: ${message}`
  return new StoreUnavailableError(operation, reason, { cause: err })
}

/** Compact JSON; throws a TypeError for a value JSON cannot represent. */
function encode(value: unknown): string {
  const json = JSON.stringify(value)
  if (json === undefined) throw new TypeError('Redis store: the value cannot be represented as JSON')
  return json
}

/** A lifetime in whole milliseconds, at least 1. */
function milliseconds(ttlMs: number): string {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs))
    throw new RangeError('Redis store: ttlMs must be a finite number of milliseconds')
  return String(Math.max(1, Math.ceil(ttlMs)))
}

/** Parses a value read back: anything that is not JSON is a miss. The result is untrusted. */
function decode<V>(reply: unknown): V | undefined {
  const text = typeof reply === 'string' ? reply : reply instanceof Uint8Array ? new TextDecoder().decode(reply) : undefined
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as V
  } catch {
    return undefined
  }
}

/** The generation from GET (null: never cleared, 0), EVAL (a number) or a pub/sub message. */
function parseGeneration(reply: unknown): number | undefined {
  if (reply === null) return 0
  if (typeof reply === 'number') return Number.isSafeInteger(reply) ? reply : undefined
  const text = typeof reply === 'string' ? reply : reply instanceof Uint8Array ? new TextDecoder().decode(reply) : undefined
  if (text === undefined || !/^-?\d{1,15}$/.test(text)) return undefined
  return Number(text)
}
