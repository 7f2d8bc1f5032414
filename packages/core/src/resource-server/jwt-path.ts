/**
 * The JWT path of a token: a cached verification, or one verification (coalesced across concurrent
 * requests for the same signature) that is cached when it may be.
 *
 * @module resource-server/jwt-path
 */
import { SingleFlight } from '../cache/index.js'
import { BearerError } from '../errors.js'
import { reasonOf } from '../events/index.js'
import { verifyAccessTokenJwt } from '../jwt/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { IssuerRuntime } from './issuer-runtime.js'
import type { SignatureChoice } from './signature-choice.js'
import { type CachedJwt, type JwtHandle, jwtHandle, type VerifiedJwtCache } from './verdict-cache.js'

const KEY_FAILURES = new Set(['unknown_kid', 'bad_signature'])

export class JwtPath {
  readonly #cache: VerifiedJwtCache
  readonly #verifications = new SingleFlight<CachedJwt>()
  readonly #crypto: SignatureChoice

  constructor(cache: VerifiedJwtCache, crypto: SignatureChoice) {
    this.#cache = cache
    this.#crypto = crypto
  }

  /** The answer from the verified-JWT cache, or `undefined`. */
  cached(token: string): AccessTokenInfo | undefined {
    return this.#cache.get(this.#handle(token))
  }

  async verify(runtime: IssuerRuntime, token: string): Promise<AccessTokenInfo> {
    const handle = this.#handle(token)
    const shared = await this.#verifications.run(handle.key, () => this.#verify(runtime, token, handle, true))
    if (shared.signingInput === handle.signingInput) return shared.info
    // Same signature, other content: not the token being verified concurrently. Checked on its own.
    return (await this.#verify(runtime, token, handle, false)).info
  }

  #handle(token: string): JwtHandle {
    return jwtHandle(token, this.#crypto.tokenKey)
  }

  async #verify(runtime: IssuerRuntime, token: string, handle: JwtHandle, keep: boolean): Promise<CachedJwt> {
    await runtime.resolve()
    let verified: Awaited<ReturnType<typeof verifyAccessTokenJwt>>
    try {
      verified = await verifyAccessTokenJwt(runtime.jwtSettings!, token)
    } catch (err) {
      // The AS may have moved its keys (a new jwks_uri): rediscover, at most once per metadata cooldown.
      if (err instanceof BearerError && KEY_FAILURES.has(reasonOf(err))) runtime.metadata.markStale()
      throw err
    }
    return this.#cache.remember(runtime, handle, verified.info, verified.kid, keep)
  }
}
