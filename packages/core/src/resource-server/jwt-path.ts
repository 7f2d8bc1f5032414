/**
 * The JWT path of a token: a cached verification, or one verification (coalesced across concurrent
 * requests for the same signature) that is cached when it may be.
 *
 * @module resource-server/jwt-path
 */
import { SingleFlight } from '../cache/index.js'
import { verifyAccessTokenJwt } from '../jwt/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { IssuerRuntime } from './issuer-runtime.js'
import { type CachedJwt, type JwtHandle, jwtHandle, type VerifiedJwtCache } from './verdict-cache.js'

export class JwtPath {
  readonly #cache: VerifiedJwtCache
  readonly #verifications = new SingleFlight<CachedJwt>()

  constructor(cache: VerifiedJwtCache) {
    this.#cache = cache
  }

  /** The answer from the verified-JWT cache, or `undefined`. */
  cached(token: string): AccessTokenInfo | undefined {
    return this.#cache.get(jwtHandle(token))
  }

  async verify(runtime: IssuerRuntime, token: string): Promise<AccessTokenInfo> {
    const handle = jwtHandle(token)
    const shared = await this.#verifications.run(handle.key, () => this.#verify(runtime, token, handle, true))
    if (shared.signingInput === handle.signingInput) return shared.info
    // Same signature, other content: not the token being verified concurrently. Checked on its own.
    return (await this.#verify(runtime, token, handle, false)).info
  }

  async #verify(runtime: IssuerRuntime, token: string, handle: JwtHandle, keep: boolean): Promise<CachedJwt> {
    await runtime.resolve()
    const { info, kid } = await verifyAccessTokenJwt(runtime.jwtSettings!, token)
    return this.#cache.remember(runtime, handle, info, kid, keep)
  }
}
