/**
 * The introspection path of a token: a cached verdict (memory, then the shared store), or one
 * introspection (coalesced across concurrent requests, and across instances with a shared store
 * that offers `add`) whose verdict is cached; then the audience check when one applies.
 *
 * @module resource-server/introspection-path
 */
import type { Clock } from '../cache/index.js'
import { BearerError } from '../errors.js'
import { type AccessTokenInfo, checkAudience, toTokenInfo } from '../token-info.js'
import type { IssuerRuntime } from './issuer-runtime.js'
import { type CachedVerdict, type FreshVerdict, INACTIVE, type IntrospectionVerdicts, type VerdictLifetimes } from './verdict-cache.js'

export interface IntrospectionPathSettings {
  /** The issuers that introspect, in order. */
  runtimes: readonly IssuerRuntime[]
  /** Try every introspection endpoint in turn (several issuers), not only the first. */
  tryAll: boolean
  /** Which claim the configured audience is checked against, if any. */
  audienceClaim: 'aud' | 'client_id' | undefined
  lifetimes: VerdictLifetimes
  verdicts: IntrospectionVerdicts
  clock: Clock
}

export class IntrospectionPath {
  readonly #s: IntrospectionPathSettings

  constructor(settings: IntrospectionPathSettings) {
    this.#s = settings
  }

  get enabled(): boolean {
    return this.#s.runtimes.length > 0
  }

  /** The answer from the in-memory cache, without waiting, or `undefined`. */
  cached(token: string): AccessTokenInfo | undefined {
    const runtime = this.#s.runtimes[0]
    if (runtime === undefined) return undefined
    const verdict = this.#s.verdicts.peek(runtime, this.#s.verdicts.key(runtime, token))
    return verdict === undefined ? undefined : this.#accept(runtime, verdict)
  }

  async verify(token: string): Promise<AccessTokenInfo> {
    const { runtimes, tryAll, verdicts } = this.#s
    for (const runtime of tryAll ? runtimes : runtimes.slice(0, 1)) {
      const key = verdicts.key(runtime, token)
      const verdict = await verdicts.obtain(runtime, key, () => this.#introspect(runtime, token))
      const info = this.#accept(runtime, verdict)
      if (info !== undefined) return info
    }
    throw new BearerError('invalid_token', 'The access token is not active', { reason: 'inactive' })
  }

  /** Introspects at one AS: the verdict and how long it may be cached (never a failure of the AS: that throws). */
  async #introspect(runtime: IssuerRuntime, token: string): Promise<FreshVerdict> {
    await runtime.resolve()
    const { maxTtlMs, inactiveTtlMs } = this.#s.lifetimes
    let verdict: CachedVerdict = INACTIVE
    try {
      const claims = await runtime.introspect(token)
      // Claims of the wrong type, a foreign issuer or a refresh token make the token invalid (toTokenInfo throws).
      if (claims.active === true) verdict = toTokenInfo(claims, 'introspection', runtime.issuer)
    } catch (err) {
      // A BearerError here is the AS saying (400) the token is not one it knows, or a claim of the
      // wrong type: as good as `active: false`. Anything else (the AS failed) is not cached.
      if (!(err instanceof BearerError)) throw err
    }
    if ('inactive' in verdict) return { verdict, ttlMs: inactiveTtlMs }
    // A verdict with huge claims is used for this request but not kept: the cache's entry bound stays a memory bound.
    if (claimsSize(verdict.claims) > MAX_CACHED_CLAIMS_CHARS) return { verdict, ttlMs: 0 }
    return { verdict, ttlMs: verdict.exp === undefined ? maxTtlMs : Math.min(maxTtlMs, verdict.exp * 1000 - this.#s.clock()) }
  }

  /** An active verdict, re-checked against this resource server on every read: issuer, then audience when one applies. */
  #accept(runtime: IssuerRuntime, verdict: CachedVerdict): AccessTokenInfo | undefined {
    if ('inactive' in verdict) return undefined
    if (verdict.iss !== runtime.issuer) return undefined
    if (this.#s.audienceClaim !== undefined) checkAudience(verdict, runtime.audience, this.#s.audienceClaim)
    return verdict
  }
}

/** Largest claims object (in JSON characters) kept in the verdict cache: 64 KB. */
export const MAX_CACHED_CLAIMS_CHARS = 64 * 1024

function claimsSize(claims: Readonly<Record<string, unknown>>): number {
  try {
    return JSON.stringify(claims).length
  } catch {
    return Infinity
  }
}
