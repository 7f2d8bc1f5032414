/**
 * The verdict caches and their keys: introspection verdicts (in memory, or in a shared
 * {@link CacheStore}) and verified JWTs (in memory only, tied to the key that verified them).
 *
 * @module resource-server/verdict-cache
 */
import { type CacheStore, type Clock, MemoryCache, sha256Hex, SingleFlight } from '../cache/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { IssuerRuntime } from './issuer-runtime.js'

/** What is cached per introspected token: the validated token, or the fact that it is not active. */
export type CachedVerdict = AccessTokenInfo | { active: false }

/** How long verdicts are kept, in milliseconds. */
export interface VerdictLifetimes {
  /** An active token: at most this, and never past its `exp`. */
  maxTtlMs: number
  /** A token the AS said is not active. */
  inactiveTtlMs: number
}

/** Introspection verdicts, keyed by the SHA-256 of issuer and token; one introspection per token in flight. */
export class IntrospectionVerdicts {
  readonly #store: CacheStore<CachedVerdict> | undefined
  readonly #flights = new SingleFlight<CachedVerdict>()

  constructor(store: CacheStore<CachedVerdict> | undefined) {
    this.#store = store
  }

  key(runtime: IssuerRuntime, token: string): string {
    return sha256Hex(`${runtime.issuer}\n${token}`, 'rs:introspection:')
  }

  /** A verdict found without waiting: only the in-memory store can answer synchronously. */
  peek(key: string): CachedVerdict | undefined {
    return this.#store instanceof MemoryCache ? this.#store.get(key) : undefined
  }

  /** A cached verdict; a shared store that fails (Redis down…) counts as a miss: the AS is asked. */
  async read(key: string): Promise<CachedVerdict | undefined> {
    if (this.#store === undefined) return undefined
    try {
      return await this.#store.get(key)
    } catch {
      return undefined
    }
  }

  /** Keeps a verdict for `ttlMs`; a shared store that fails costs a later introspection, never this answer. */
  async write(key: string, verdict: CachedVerdict, ttlMs: number): Promise<void> {
    if (this.#store === undefined || !(ttlMs > 0)) return
    try {
      await this.#store.set(key, verdict, ttlMs)
    } catch {
      // ignored: see above
    }
  }

  /** Runs `introspect` once for all concurrent callers of one key. */
  coalesce(key: string, introspect: () => Promise<CachedVerdict>): Promise<CachedVerdict> {
    return this.#flights.run(key, introspect)
  }

  clear(): void {
    if (this.#store instanceof MemoryCache) this.#store.clear()
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
 * A JWT's cache handle: the SHA-256 of its signature, and its signing input (header.payload, which
 * holds nothing the verdict does not already show). A hit needs both to match: that is the very
 * token verified before, for the cost of hashing ~86 characters instead of the whole token.
 */
export interface JwtHandle {
  key: string
  signingInput: string
}

export function jwtHandle(token: string): JwtHandle {
  const dot = token.lastIndexOf('.')
  return { key: sha256Hex(token.slice(dot + 1), 'rs:jwt:'), signingInput: token.slice(0, dot) }
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()
/** A fresh, flat copy of a string (not a slice that would keep its parent alive). */
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
