/**
 * The verdict caches and their keys: introspection verdicts (in memory, then in a shared
 * `CacheStore` when one is given) and verified JWTs (in memory only, tied to the key that verified them).
 *
 * @module resource-server/verdict-cache
 */
import {
  type Clock,
  type GuardedStore,
  instanceId,
  MemoryCache,
  sha256Hex,
  sharedFlight,
  SingleFlight,
  STORE_FAILED,
  type StoreFailed,
} from '../cache/index.js'
import { type AccessTokenInfo, toTokenInfo } from '../token-info.js'
import type { IssuerRuntime } from './issuer-runtime.js'

/** The verdict of a token the AS said is not active (one shared, frozen value). */
export const INACTIVE = Object.freeze({ inactive: true as const })

/** What a verdict read from a cache says: the validated token, or {@link INACTIVE}. */
export type CachedVerdict = AccessTokenInfo | typeof INACTIVE

/**
 * The stored form of a verdict: a versioned record, validated on every read from any store. `until`
 * is when it stops being usable, by the SDK's clock, whatever TTL the store honoured. An active
 * verdict keeps the AS's claims and the issuer that vouched for them; the token itself is never stored.
 */
export type StoredVerdict =
  | { readonly v: 1; readonly active: false; readonly until: number }
  | {
      readonly v: 1
      readonly active: true
      readonly until: number
      readonly iss: string
      readonly claims: Readonly<Record<string, unknown>>
    }

/** How long verdicts are kept, in milliseconds. */
export interface VerdictLifetimes {
  /** An active token: at most this, and never past its `exp`. */
  maxTtlMs: number
  /** A token the AS said is not active. */
  inactiveTtlMs: number
}

/** Where verdicts are kept, and for how long at most. */
export interface VerdictStores {
  /** The first level, in memory: answers without waiting. Absent with `cache: false`. */
  memory: MemoryCache<StoredVerdict> | undefined
  /** The second level, shared by several instances (Redis…), every call guarded. */
  shared: GuardedStore | undefined
  /** How long other instances wait for the one introspecting a token (the lock's lifetime), in ms. */
  lockTtlMs: number
  /** The longest a verdict read from the shared store is kept in memory, in ms. */
  maxTtlMs: number
  clock: Clock
  /**
   * SHA-256 as lowercase hex after `prefix` (core's own by default; `useNodeCrypto` gives node:crypto's,
   * the same digest): the verdict keys, which the shared store sees, are the same whichever computes them.
   */
  hexDigest?: ((value: string, prefix: string) => string) | undefined
}

/** What an introspection gives: the verdict, and how long it may be kept (0: not kept). */
export interface FreshVerdict {
  verdict: CachedVerdict
  ttlMs: number
}

/**
 * Introspection verdicts, keyed by the SHA-256 of everything that changes the verdict (the issuer
 * runtime's scope: issuer, client id, response format and decryption settings) and the token.
 * Two levels: memory first (synchronous), then the shared store, whose verdicts are validated and
 * kept in memory for at most their remaining lifetime. One introspection per token in flight in
 * this instance and, with a store that offers `add`, across the instances sharing it.
 */
export class IntrospectionVerdicts {
  readonly #s: VerdictStores
  readonly #flights = new SingleFlight<CachedVerdict>()
  readonly #owner = instanceId()
  /** Bumped by every clear: a flight that started before it keeps nothing. */
  #epoch = 0
  /** Records built here (frozen), with the verdict they were built from: decoding them again is not needed. */
  readonly #ours = new WeakMap<object, CachedVerdict>()

  constructor(stores: VerdictStores) {
    this.#s = stores
  }

  key(runtime: IssuerRuntime, token: string): string {
    return (this.#s.hexDigest ?? sha256Hex)(`${runtime.verdictScope}\n${token}`, 'rs:introspection:')
  }

  /** A verdict found without waiting: the in-memory first level. */
  peek(runtime: IssuerRuntime, key: string): CachedVerdict | undefined {
    const memory = this.#s.memory
    return memory === undefined ? undefined : this.decode(runtime, memory.get(key))
  }

  /**
   * The verdict for `key`: in memory, in the shared store, or from `introspect` (then kept in both).
   * A store that fails, hangs or holds a bad value counts as a miss: the AS is asked.
   */
  obtain(runtime: IssuerRuntime, key: string, introspect: () => Promise<FreshVerdict>): Promise<CachedVerdict> {
    const hit = this.peek(runtime, key)
    if (hit !== undefined) return Promise.resolve(hit)
    return this.#flights.run(key, () => this.#fill(runtime, key, introspect))
  }

  async #fill(runtime: IssuerRuntime, key: string, introspect: () => Promise<FreshVerdict>): Promise<CachedVerdict> {
    const epoch = this.#epoch
    const shared = this.#s.shared
    const fresh = async () => {
      const { verdict, ttlMs } = await introspect()
      await this.#keep(key, verdict, ttlMs, epoch)
      return verdict
    }
    if (shared === undefined) return fresh()
    const found = await this.#readShared(runtime, key, epoch)
    if (found === STORE_FAILED) return fresh() // the store is down: as without one
    if (found !== undefined) return found
    if (!shared.canLock) return fresh()
    return sharedFlight({
      store: shared,
      lockKey: `rs:introspection-lock:${key.slice(key.lastIndexOf(':') + 1)}`,
      lockTtlMs: this.#s.lockTtlMs,
      owner: this.#owner,
      read: () => this.#readShared(runtime, key, epoch),
      compute: fresh,
    })
  }

  /** A verdict from the shared store, validated, then kept in memory for at most its remaining lifetime. */
  async #readShared(runtime: IssuerRuntime, key: string, epoch: number): Promise<CachedVerdict | undefined | StoreFailed> {
    const value = await this.#s.shared!.get(key)
    if (value === STORE_FAILED) return value
    const verdict = this.decode(runtime, value)
    if (verdict !== undefined && epoch === this.#epoch && this.#s.memory !== undefined) {
      const now = this.#s.clock()
      const until = Math.min((value as { until: number }).until, now + this.#s.maxTtlMs)
      this.#s.memory.set(key, this.encode(verdict, until), until - now)
    }
    return verdict
  }

  /**
   * A stored value, validated as the untrusted input it is: the record's version and shape, its
   * `until` against our clock, the issuer against this runtime's, and every claim's type (through
   * {@link toTokenInfo}). Anything wrong is a miss (`undefined`), never an error.
   */
  decode(runtime: IssuerRuntime, value: unknown): CachedVerdict | undefined {
    if (typeof value !== 'object' || value === null) return undefined
    const r = value as Record<string, unknown>
    if (r.v !== 1 || typeof r.until !== 'number' || !(r.until > this.#s.clock())) return undefined
    const ours = this.#ours.get(value)
    if (ours !== undefined) return !('inactive' in ours) && ours.iss !== runtime.issuer ? undefined : ours
    if (r.active === false) return INACTIVE
    if (r.active !== true || r.iss !== runtime.issuer) return undefined
    const claims = r.claims
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined
    const copy: Record<string, unknown> = { ...(claims as Record<string, unknown>) }
    if (copy.active !== true) return undefined
    try {
      return toTokenInfo(copy, 'introspection', runtime.issuer)
    } catch {
      return undefined
    }
  }

  /** The stored form of a verdict usable until `until` (ms since the epoch). */
  encode(verdict: CachedVerdict, until: number): StoredVerdict {
    const record: StoredVerdict = !('inactive' in verdict)
      ? Object.freeze({ v: 1 as const, active: true as const, until, iss: verdict.iss, claims: verdict.claims })
      : Object.freeze({ v: 1 as const, active: false as const, until })
    this.#ours.set(record, verdict)
    return record
  }

  /**
   * Keeps a fresh verdict for `ttlMs` in memory and in the shared store (bounded: a store that
   * fails or hangs costs a later introspection, never this answer).
   */
  async #keep(key: string, verdict: CachedVerdict, ttlMs: number, epoch: number): Promise<void> {
    if (!(ttlMs > 0) || epoch !== this.#epoch) return
    const record = this.encode(verdict, this.#s.clock() + ttlMs)
    this.#s.memory?.set(key, record, ttlMs)
    await this.#s.shared?.set(key, record, ttlMs)
  }

  /** Forgets every verdict: this instance's memory, and the shared store's entries when it offers `clear()` (bounded). */
  async clear(): Promise<void> {
    this.dropMemory()
    await this.#s.shared?.clear()
    this.dropMemory() // what a concurrent request read from the store meanwhile
  }

  /** Forgets the in-memory verdicts (another instance cleared the shared store). */
  dropMemory(): void {
    this.#epoch++
    this.#s.memory?.clear()
  }
}

/** A verified JWT as cached: the verdict, the key that verified it, and the exact signed content. */
export interface CachedJwt {
  info: AccessTokenInfo
  kid: string | undefined
  /** Index of the issuer runtime that verified it. */
  issuer: number
  /** header.payload of the verified token: a cache hit must match it exactly. */
  signingInput: string
}

/**
 * A JWT's cache handle: the SHA-256 of its signature (as a compact in-memory key: this cache is never
 * shared), and its signing input (header.payload, which holds nothing the verdict does not already
 * show). A hit needs both to match: that is the very token verified before, for the cost of hashing
 * ~86 characters instead of the whole token.
 */
export interface JwtHandle {
  key: string
  signingInput: string
}

export function jwtHandle(token: string, keyOf: (signature: string) => string): JwtHandle {
  const dot = token.lastIndexOf('.')
  return { key: keyOf(token.slice(dot + 1)), signingInput: token.slice(0, dot) }
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()
/**
 * A fresh, flat copy of a string (not a slice that would keep its parent alive). Measured with
 * `node --expose-gc` on 20,000 entries of a 200-character signing input cut from an 800-character
 * token: slices keep 17.3 MB alive (each holds its whole token), copies 4.2–4.7 MB.
 */
function copyString(value: string): string {
  return decoder.decode(encoder.encode(value))
}

/** Verified JWTs, in memory; an entry never outlives the key that verified it. */
export class VerifiedJwtCache {
  readonly #cache: MemoryCache<CachedJwt> | undefined
  readonly #issuers: readonly IssuerRuntime[]
  readonly #clock: Clock
  readonly #maxTtlMs: number

  constructor(maxEntries: number, issuers: readonly IssuerRuntime[], clock: Clock, maxTtlMs: number) {
    this.#cache = maxEntries > 0 ? new MemoryCache<CachedJwt>({ maxEntries, clock }) : undefined
    this.#issuers = issuers
    this.#clock = clock
    this.#maxTtlMs = maxTtlMs
  }

  /** A verdict, if this exact token was verified and its key is still published. */
  get(handle: JwtHandle): AccessTokenInfo | undefined {
    const cached = this.#cache?.get(handle.key)
    if (cached === undefined || cached.signingInput !== handle.signingInput) return undefined
    const runtime = this.#issuers[cached.issuer]!
    // Never outlive the key that signed it: if the AS stopped publishing it, verify again.
    if (runtime.jwtSettings!.secret !== undefined || runtime.currentKeySet?.hasKid(cached.kid)) return cached.info
    this.#cache!.delete(handle.key)
    return undefined
  }

  /** The entry for a token just verified; kept when it expires and was verified with a known key. */
  remember(runtime: IssuerRuntime, handle: JwtHandle, info: AccessTokenInfo, kid: string | undefined, keep: boolean): CachedJwt {
    // A copy, so the entry does not keep the whole token (signature included) alive through a slice of it.
    const entry: CachedJwt = { info, kid, issuer: runtime.index, signingInput: copyString(handle.signingInput) }
    if (keep && this.#cache !== undefined && info.exp !== undefined) {
      // Only tokens verified with a published key are cached, so the entry can be tied to that key.
      if (runtime.currentKeySet?.hasKid(kid) || runtime.jwtSettings!.secret !== undefined) {
        this.#cache.set(handle.key, entry, Math.min(this.#maxTtlMs, info.exp * 1000 - this.#clock()))
      }
    }
    return entry
  }

  clear(): void {
    this.#cache?.clear()
  }
}
