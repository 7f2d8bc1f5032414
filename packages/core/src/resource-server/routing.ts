/**
 * Token routing: which path judges a token. `introspection` sends every token to the AS; `jwt`
 * verifies it locally; `auto` verifies JWTs of a configured issuer locally and introspects the rest.
 *
 * @module resource-server/routing
 */
import { BearerError } from '../errors.js'
import { nearMissOfAny } from '../events/index.js'
import { looksLikeJws, peekJwt } from '../jwt/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { IntrospectionPath } from './introspection-path.js'
import type { IssuerRuntime } from './issuer-runtime.js'
import type { JwtPath } from './jwt-path.js'
import type { TokenFormat } from './options.js'

export class TokenRouter {
  readonly #format: TokenFormat
  readonly #byIssuer: ReadonlyMap<string, IssuerRuntime>
  readonly #jwt: JwtPath
  readonly #introspection: IntrospectionPath

  constructor(format: TokenFormat, issuers: readonly IssuerRuntime[], jwt: JwtPath, introspection: IntrospectionPath) {
    this.#format = format
    this.#byIssuer = new Map(issuers.map((r) => [r.issuer, r]))
    this.#jwt = jwt
    this.#introspection = introspection
  }

  /**
   * The answer for a token already judged, found without waiting (the in-memory caches), or
   * `undefined`: then {@link route} decides, with all its I/O. Saves the promise machinery of the
   * full path on the hot path.
   */
  cached(token: string): AccessTokenInfo | undefined {
    const format = this.#format
    if (format !== 'introspection' && looksLikeJws(token)) {
      const hit = this.#jwt.cached(token)
      if (hit !== undefined || format === 'jwt') return hit
    }
    return format === 'jwt' ? undefined : this.#introspection.cached(token)
  }

  /** The full path, for a token {@link cached} did not find: verification, introspection, I/O. */
  async route(token: string): Promise<AccessTokenInfo> {
    if (this.#format === 'introspection') return this.#introspection.verify(token)
    const claims = peekJwt(token)
    const runtime = claims !== undefined && typeof claims.iss === 'string' ? this.#byIssuer.get(claims.iss) : undefined
    if (runtime?.jwtSettings !== undefined) return this.#jwt.verify(runtime, token)
    if (this.#format === 'auto' && this.#introspection.enabled) return this.#introspection.verify(token)
    if (claims === undefined) throw new BearerError('invalid_token', 'The access token is not a JWT', { reason: 'not_a_jwt' })
    const detail = nearMissOfAny(claims.iss, [...this.#byIssuer.keys()])
    throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer', { reason: 'wrong_issuer', ...(detail ? { detail } : {}) })
  }
}
