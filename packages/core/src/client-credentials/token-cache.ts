/**
 * Client-credentials tokens kept and refreshed: one per (scope, resource, audience) under a SHA-256
 * key, in memory or in a shared {@link CacheStore}; refreshed `refreshSkew` before expiry; one
 * request for all concurrent callers (of every instance, with a shared store that offers `add`);
 * on a failed refresh, the current token while it is valid.
 *
 * @module client-credentials/token-cache
 */
import {
  type CacheStore,
  type Clock,
  GuardedStore,
  instanceId,
  sha256Hex,
  sharedFlight,
  SingleFlight,
  STORE_FAILED,
  type StoreFailed,
} from '../cache/index.js'
import { AuthorizationServerError } from '../errors.js'
import type { NormalisedRequest } from './options.js'
import { retryAfterMsOf } from './retry.js'
import type { StoredToken } from './token-request.js'

/** Per-key memory of failed refreshes (never holds a secret or a token). */
interface FailureState {
  /** Consecutive failed refreshes. */
  count: number
  /** While a still-valid token exists: no refresh before this time. */
  retryAt: number
  /** Without a valid token: no request before this time (the AS sent Retry-After). */
  blockedUntil: number
  upstreamStatus: number | undefined
}

const MAX_FAILURE_BACKOFF = 30_000
/** Milliseconds without a new request after the AS sent an unusable token response. */
const FAILED_RESPONSE_FLOOR = 1_000

function isStoredToken(value: unknown): value is StoredToken {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<StoredToken>
  return (
    v.v === 1 &&
    typeof v.accessToken === 'string' &&
    v.accessToken !== '' &&
    typeof v.expiresAt === 'number' &&
    typeof v.refreshAt === 'number' &&
    (v.scope === null || typeof v.scope === 'string')
  )
}

export interface TokenCacheSettings {
  store: CacheStore
  /** Milliseconds a store call may take: a slower `get` is a miss, a slower `set`/`delete` is not waited for. */
  storeTimeoutMs: number
  clock: Clock
  /** What, besides the request, makes a token different: endpoint, client, audience, extra parameters. */
  keyParts: readonly unknown[]
  /** "The token endpoint of …", for messages. */
  describeEndpoint: string
  /** Obtains a new token (with retries). */
  fetchToken: (req: NormalisedRequest) => Promise<StoredToken>
  /** How long other instances wait for the one refreshing a token (the lock's lifetime), in ms. */
  lockTtlMs: number
}

export class TokenCache {
  readonly #s: TokenCacheSettings
  readonly #flights = new SingleFlight<StoredToken>()
  readonly #failures = new Map<string, FailureState>()
  readonly #keys = new Map<string, string>() // descriptor → cache key (neither holds a secret)
  readonly #usedKeys = new Set<string>()
  readonly #store: GuardedStore
  readonly #owner = instanceId()

  constructor(settings: TokenCacheSettings) {
    this.#s = settings
    this.#store = new GuardedStore(settings.store, { timeoutMs: settings.storeTimeoutMs })
  }

  keyFor(req: NormalisedRequest): string {
    const [endpoint, clientId, audience, extraParams, ...more] = this.#s.keyParts
    const descriptor = JSON.stringify([
      'cc/v1',
      endpoint,
      clientId,
      req.scope ?? null,
      req.resource,
      audience ?? null,
      extraParams,
      ...more,
    ])
    let key = this.#keys.get(descriptor)
    if (key === undefined) {
      if (this.#keys.size >= 1000) this.#keys.clear()
      key = `rs:cc:${sha256Hex(descriptor)}`
      this.#keys.set(descriptor, key)
    }
    return key
  }

  /** A valid token for `req`: cached, or refreshed (once for all concurrent callers). */
  async obtain(req: NormalisedRequest): Promise<StoredToken> {
    const key = this.keyFor(req)
    const read = await this.#read(key)
    const cached = read === STORE_FAILED ? undefined : read
    const now = this.#s.clock()
    if (cached !== undefined && now < cached.refreshAt) return cached
    const failure = this.#failures.get(key)
    if (failure !== undefined) {
      if (cached !== undefined && now < failure.retryAt) return cached
      if (cached === undefined && now < failure.blockedUntil) {
        const wait = Math.ceil((failure.blockedUntil - now) / 1000)
        throw new AuthorizationServerError(
          'http_status',
          `${this.#s.describeEndpoint} asked to wait (or failed just now); not asking again for ${wait} s`,
          {
            retryAfter: wait,
            upstreamStatus: failure.upstreamStatus,
          },
        )
      }
    }
    return this.#flights.run(key, () => this.#refresh(key, req, cached))
  }

  /** Drops the tokens of these requests, or every token this instance used. */
  async invalidate(req?: NormalisedRequest): Promise<void> {
    const targets = req === undefined ? [...this.#usedKeys] : [this.keyFor(req)]
    for (const key of targets) {
      this.#failures.delete(key)
      this.#usedKeys.delete(key)
      await this.#delete(key)
    }
  }

  /** Drops the token of `req` only if it is still `token` (a newer one obtained meanwhile is kept). */
  async invalidateIfCurrent(req: NormalisedRequest, token: string): Promise<void> {
    const key = this.keyFor(req)
    const cached = await this.#read(key)
    if (cached !== STORE_FAILED && cached !== undefined && cached.accessToken === token) {
      this.#failures.delete(key)
      await this.#delete(key)
    }
  }

  /**
   * A new token for `key`, asked for once across the instances sharing a store that offers `add`
   * (the others wait for it, or keep using the current token while it is valid); on failure the
   * current one while it is valid.
   */
  async #refresh(key: string, req: NormalisedRequest, current: StoredToken | undefined): Promise<StoredToken> {
    // Another caller (or another instance sharing the store) may have refreshed meanwhile.
    const read = await this.#read(key)
    const again = read === STORE_FAILED ? undefined : read
    if (again !== undefined && this.#s.clock() < again.refreshAt) return again
    const fallback = again ?? current
    const fetch = () => this.#fetch(key, req, fallback)
    if (read === STORE_FAILED || !this.#store.canLock) return fetch()
    return sharedFlight({
      store: this.#store,
      lockKey: `rs:cc-lock:${key.slice(key.lastIndexOf(':') + 1)}`,
      lockTtlMs: this.#s.lockTtlMs,
      owner: this.#owner,
      whileHeld: fallback !== undefined && this.#s.clock() < fallback.expiresAt ? fallback : undefined,
      read: async () => {
        const token = await this.#read(key)
        return token === STORE_FAILED || (token !== undefined && this.#s.clock() < token.refreshAt) ? token : undefined
      },
      compute: fetch,
    })
  }

  /** Asks the AS, keeps the token; on failure the current one while it is valid. */
  async #fetch(key: string, req: NormalisedRequest, fallback: StoredToken | undefined): Promise<StoredToken> {
    try {
      const token = await this.#s.fetchToken(req)
      await this.#write(key, token)
      this.#failures.delete(key)
      return token
    } catch (err) {
      const now = this.#s.clock()
      const count = (this.#failures.get(key)?.count ?? 0) + 1
      const retryAfter = retryAfterMsOf(err)
      const upstreamStatus = err instanceof AuthorizationServerError ? err.upstreamStatus : undefined
      if (fallback !== undefined && now < fallback.expiresAt) {
        const backoff = Math.max(Math.min(MAX_FAILURE_BACKOFF, 1000 * 2 ** (count - 1)), retryAfter ?? 0)
        this.#failures.set(key, { count, retryAt: now + backoff, blockedUntil: now + (retryAfter ?? 0), upstreamStatus })
        return fallback
      }
      // An AS that answers nonsense (expires_in: 0, a bad token…) is not asked again within a second.
      const floor = err instanceof AuthorizationServerError && err.failure === 'bad_response' ? FAILED_RESPONSE_FLOOR : 0
      this.#failures.set(key, { count, retryAt: now, blockedUntil: now + Math.max(retryAfter ?? 0, floor), upstreamStatus })
      throw err
    }
  }

  /** The valid token under `key`, `undefined`, or {@link STORE_FAILED} (a store outage is a miss: the token is fetched again). */
  async #read(key: string): Promise<StoredToken | undefined | StoreFailed> {
    const value = await this.#store.get(key)
    if (value === STORE_FAILED) return value
    if (!isStoredToken(value) || value.expiresAt <= this.#s.clock()) return undefined
    this.#usedKeys.add(key) // possibly written by another instance sharing the store
    return value
  }

  async #write(key: string, token: StoredToken): Promise<void> {
    this.#usedKeys.add(key)
    // A store that fails: the token is still returned; the next call asks the AS again.
    await this.#store.set(key, token, token.expiresAt - this.#s.clock())
  }

  async #delete(key: string): Promise<void> {
    await this.#store.delete(key)
  }
}
