/**
 * The introspection path of a token: a cached verdict, or one introspection (coalesced across
 * concurrent requests) whose verdict is cached; then the audience check when one applies.
 *
 * @module resource-server/introspection-path
 */
import type { Clock } from '../cache/index.js'
import { BearerError } from '../errors.js'
import { introspectToken } from '../introspection/index.js'
import { type AccessTokenInfo, checkAudience, toTokenInfo } from '../token-info.js'
import type { IssuerRuntime } from './issuer-runtime.js'
import type { CachedVerdict, IntrospectionVerdicts, VerdictLifetimes } from './verdict-cache.js'

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
    const verdict = this.#s.verdicts.peek(this.#s.verdicts.key(runtime, token))
    return verdict === undefined ? undefined : this.#accept(runtime, verdict)
  }

  async verify(token: string): Promise<AccessTokenInfo> {
    const { runtimes, tryAll, verdicts } = this.#s
    for (const runtime of tryAll ? runtimes : runtimes.slice(0, 1)) {
      const key = verdicts.key(runtime, token)
      const verdict = (await verdicts.read(key)) ?? (await verdicts.coalesce(key, () => this.#introspect(runtime, token, key)))
      const info = this.#accept(runtime, verdict)
      if (info !== undefined) return info
    }
    throw new BearerError('invalid_token', 'The access token is not active')
  }

  /** Introspects at one AS and caches the verdict (never a failure). */
  async #introspect(runtime: IssuerRuntime, token: string, key: string): Promise<CachedVerdict> {
    await runtime.resolve()
    let claims: Awaited<ReturnType<typeof introspectToken>>
    try {
      claims = await introspectToken(runtime.introspector!, token)
    } catch (err) {
      // The AS said (with a 400) that this is not a token it knows: as good as `active: false`.
      if (!(err instanceof BearerError)) throw err
      claims = { active: false }
    }
    const { maxTtlMs, inactiveTtlMs } = this.#s.lifetimes
    let verdict: CachedVerdict
    let ttl: number
    if (claims.active !== true || (typeof claims.iss === 'string' && claims.iss !== runtime.issuer)) {
      verdict = { active: false }
      ttl = inactiveTtlMs
    } else {
      const info = toTokenInfo(claims, 'introspection', runtime.issuer)
      verdict = info
      ttl = info.exp === undefined ? maxTtlMs : Math.min(maxTtlMs, info.exp * 1000 - this.#s.clock())
    }
    await this.#s.verdicts.write(key, verdict, ttl)
    return verdict
  }

  /** An active verdict, after the audience check when one applies. */
  #accept(runtime: IssuerRuntime, verdict: CachedVerdict): AccessTokenInfo | undefined {
    if (!verdict.active) return undefined
    if (this.#s.audienceClaim !== undefined) checkAudience(verdict, runtime.audience, this.#s.audienceClaim)
    return verdict
  }
}
