/**
 * The public shape of a resource server: {@link ResourceServer}, the per-call options and the
 * documents it publishes.
 *
 * @module resource-server/types
 */
import type { IntrospectionClaims } from '../introspection/index.js'
import type { SenderConstraintMode } from '../sender-constraint/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { HttpRequestInput } from './request.js'

/** A required claim value: equal to a value (or, for an array claim, containing it), one of several, or an array claim including all given. */
export type ClaimCondition =
  string | number | boolean | { oneOf: readonly (string | number | boolean)[] } | { includes: string | readonly string[] }

/**
 * What a route requires of a token, and whether a token is optional. Validated once (a typo is a
 * `ConfigurationError`). Scopes and claims failing give 403 `insufficient_scope`; `acr` and `maxAge`
 * failing give 401 `insufficient_user_authentication` with `acr_values` / `max_age` (RFC 9470 step-up).
 *
 * @example
 * ```ts
 * requireAuth(rs, { scopes: ['orders:write'], roles: ['billing'], claims: { 'realm_access.roles': { includes: 'admin' } }, acr: ['eidas2'], maxAge: 600 })
 * ```
 */
export interface RouteOptions {
  /** Every one of these scopes is required. */
  scopes?: readonly string[] | undefined
  /** At least one of these scopes is required. */
  anyScope?: readonly string[] | undefined
  /** Resolve `undefined` instead of refusing when the request carries no token. A bad token is still refused. */
  optional?: boolean | undefined
  /** Required claim values by path (`tid`, `realm_access.roles`, `https://example.com/tier`). */
  claims?: Readonly<Record<string, ClaimCondition>> | undefined
  /** Every one of these roles, groups or permissions is required (see `rolesOf`). */
  roles?: readonly string[] | undefined
  /** At least one of these roles, groups or permissions is required (see `rolesOf`). */
  anyRole?: readonly string[] | undefined
  /** The token's `acr` must be one of these (RFC 9470 step-up otherwise), e.g. `['eidas2', 'eidas3']`. */
  acr?: readonly string[] | undefined
  /** The user must have authenticated (`auth_time`) at most this many seconds ago (RFC 9470 step-up otherwise). */
  maxAge?: number | undefined
  /** Anything else: return `true` to accept the token (403 otherwise). Keep it synchronous and fast. */
  check?: ((auth: AccessTokenInfo) => boolean) | undefined
  /**
   * DPoP on this route, overriding the `dpop.mode` option: `none`, `allowed`, `required`. Takes
   * effect through `authenticateRequest` / `protectRoute` (a header alone carries no proof).
   */
  dpop?: SenderConstraintMode | undefined
  /** Certificate-bound tokens on this route, overriding the `mtls.mode` option. */
  mtls?: SenderConstraintMode | undefined
}

/** Per-call options of {@link ResourceServer.authenticate}: the route's requirements (see {@link RouteOptions}). */
export type AuthenticateOptions = RouteOptions

/** RFC 9728 protected resource metadata. */
export interface ProtectedResourceMetadata {
  resource: string
  authorization_servers: string[]
  bearer_methods_supported: ['header']
  scopes_supported?: string[]
  jwks_uri?: string
  resource_name?: string
  resource_documentation?: string
}

/**
 * A configured resource server. Create one per API, at start-up, and share it: it holds the caches.
 */
export interface ResourceServer {
  /**
   * Validates the `Authorization` header value of a request. Resolves with the token's
   * {@link AccessTokenInfo}; rejects with a {@link BearerError} (400/401/403) or an
   * {@link AuthorizationServerError} (503).
   */
  authenticate(
    authorization: string | readonly string[] | null | undefined,
    options?: AuthenticateOptions & { optional?: false },
  ): Promise<AccessTokenInfo>
  authenticate(
    authorization: string | readonly string[] | null | undefined,
    options: AuthenticateOptions,
  ): Promise<AccessTokenInfo | undefined>
  /**
   * Validates a whole request: today its `Authorization` header (a duplicated one is refused); the
   * entry point that sender-constrained tokens (DPoP proofs, client certificates) build on. Adapters
   * call this. `options` are validated on every call here; validate them once with `protectRoute`.
   *
   * @example
   * ```ts
   * const auth = await rs.authenticateRequest({ method: request.method, url: request.url, headers: request.headers }, { scopes: ['read'] })
   * ```
   */
  authenticateRequest(request: HttpRequestInput, options?: AuthenticateOptions & { optional?: false }): Promise<AccessTokenInfo>
  authenticateRequest(request: HttpRequestInput, options: AuthenticateOptions): Promise<AccessTokenInfo | undefined>
  /** Like {@link authenticate}, for a token already taken out of the request. */
  verifyToken(token: string, options?: Omit<RouteOptions, 'optional'>): Promise<AccessTokenInfo>
  /** Introspects a token at the (first) authorization server, uncached; resolves with the verified response members. */
  introspect(token: string): Promise<IntrospectionClaims>
  /**
   * This resource server's own public keys — those the AS encrypts introspection responses to
   * (`decryptionKeys`, public members only) — as a JWKS to serve at the `jwks_uri` registered at the AS.
   * Not the AS's keys (those are the `jwksUri` option).
   */
  encryptionJwks(): Promise<{ keys: Record<string, unknown>[] }>
  /** @deprecated renamed {@link encryptionJwks}: these are this resource server's keys, not the AS's. */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>
  /** RFC 9728 metadata (needs the `resource` option), to serve at {@link resourceMetadataUrl}. */
  protectedResourceMetadata(): ProtectedResourceMetadata | undefined
  /**
   * The whole HTTP answer for the JWKS route: 200 `application/jwk-set+json` with the public keys and
   * a cache lifetime, or the error answer if the keys cannot be loaded. Never rejects.
   */
  encryptionJwksResponse(): Promise<DocumentResponse>
  /** @deprecated renamed {@link encryptionJwksResponse}. */
  jwksResponse(): Promise<DocumentResponse>
  /** The whole HTTP answer for the RFC 9728 metadata route: 200 `application/json`, or 404 when `resource` is not set. */
  protectedResourceMetadataResponse(): DocumentResponse
  /** Where the RFC 9728 metadata is served, as announced in `WWW-Authenticate`. */
  readonly resourceMetadataUrl: string | undefined
  /** Path part of {@link resourceMetadataUrl}, for routing. */
  readonly resourceMetadataPath: string | undefined
  /** Imports keys and discovers the AS metadata now, so a problem shows at start-up. */
  ready(): Promise<void>
  /**
   * Forgets every cached result (e.g. after a key compromise or a revocation): verified JWTs, the
   * in-memory verdicts, and the entries of a custom `cache.store` when it offers the optional
   * `clear()` method (see `CacheStore.clear`; a store without it keeps its entries until they expire).
   */
  clearCache(): Promise<void>
}

/** The HTTP answer for a document the resource server publishes (see {@link ResourceServer.jwksResponse}). */
export interface DocumentResponse {
  status: number
  headers: Record<string, string>
  body: unknown
}
