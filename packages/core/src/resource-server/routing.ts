/**
 * Token routing: which path judges a token. `introspection` sends every token to the AS; `jwt`
 * verifies it locally; `auto` verifies JWTs of a configured issuer locally and introspects the rest.
 *
 * @module resource-server/routing
 */
import { BearerError } from '../errors.js'
import { nearMissOfAny } from '../events/index.js'
import { checkJwtHeader, jwtShape, looksLikeJws, matchesTenantTemplate } from '../jwt/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { IntrospectionPath } from './introspection-path.js'
import type { IssuerRuntime } from './issuer-runtime.js'
import type { JwtPath } from './jwt-path.js'
import type { TokenFormat } from './options.js'

export class TokenRouter {
  readonly #format: TokenFormat
  readonly #byIssuer: ReadonlyMap<string, IssuerRuntime>
  /** Multi-tenant issuers (`…/{tenantid}/v2.0`), tried when no issuer is `iss` exactly. */
  readonly #templates: readonly IssuerRuntime[]
  readonly #jwt: JwtPath
  readonly #introspection: IntrospectionPath

  constructor(format: TokenFormat, issuers: readonly IssuerRuntime[], jwt: JwtPath, introspection: IntrospectionPath) {
    this.#format = format
    this.#templates = issuers.filter((r) => r.jwtSettings?.tenant !== undefined)
    this.#byIssuer = new Map(issuers.filter((r) => !this.#templates.includes(r)).map((r) => [r.issuer, r]))
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
    // Only verified JWTs are in the JWT cache: with JWTs only, no need to look at the token's shape first.
    if (format === 'jwt') return this.#jwt.cached(token)
    if (format === 'auto' && looksLikeJws(token)) {
      const hit = this.#jwt.cached(token)
      if (hit !== undefined) return hit
    }
    return this.#introspection.cached(token)
  }

  /**
   * The full path, for a token {@link cached} did not find. Whatever can be decided locally is
   * decided before any network call: a token that claims to be a JWT must be canonical; in `jwt` and
   * `auto` modes a JWE, a payload that is not an object, an `iss` that is not one of ours, or a
   * header that fails the allow-list is refused here (401), never sent to the AS.
   */
  async route(token: string): Promise<AccessTokenInfo> {
    const shape = jwtShape(token) // throws invalid_token for a non-canonical JWT, in every mode
    if (this.#format === 'introspection') return this.#introspection.verify(token)
    if (shape === undefined) {
      if (this.#format === 'auto' && this.#introspection.enabled) return this.#introspection.verify(token)
      throw new BearerError('invalid_token', 'The access token is not a JWT', { reason: 'not_a_jwt' })
    }
    if (shape.kind === 'jwe')
      throw new BearerError('invalid_token', 'Encrypted (JWE) access tokens are not accepted', { reason: 'malformed_token' })
    if (shape.payload === undefined)
      throw new BearerError('invalid_token', 'The access token payload is not a JSON object', { reason: 'malformed_token' })
    const iss = shape.payload.iss
    const runtime =
      typeof iss === 'string' ? (this.#byIssuer.get(iss) ?? this.#templates.find((r) => matchesTenantTemplate(r.issuer, iss))) : undefined
    if (runtime?.jwtSettings === undefined) {
      const detail = nearMissOfAny(iss, [...this.#byIssuer.keys()])
      throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer', {
        reason: 'wrong_issuer',
        ...(detail ? { detail } : {}),
      })
    }
    checkJwtHeader(runtime.jwtSettings, shape.header)
    return this.#jwt.verify(runtime, token)
  }
}
