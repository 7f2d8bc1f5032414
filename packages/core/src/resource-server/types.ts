/**
 * The public shape of a resource server: {@link ResourceServer}, the per-call options and the
 * documents it publishes.
 *
 * @module resource-server/types
 */
import type { IntrospectionClaims } from '../introspection/index.js'
import type { SenderConstraintMode } from '../sender-constraint/index.js'
import type { AccessTokenInfo, ScopeRequirement } from '../token-info.js'
import type { HttpRequestInput } from './request.js'

/** Per-call options of {@link ResourceServer.authenticate}. */
export interface AuthenticateOptions extends ScopeRequirement {
  /** Resolve `undefined` instead of rejecting when the request carries no bearer token. A bad token still rejects. */
  optional?: boolean
  /**
   * DPoP on this route, overriding the `dpop.mode` option: `none`, `allowed`, `required`. Takes
   * effect through `authenticateRequest` / `protectRoute` (a header alone carries no proof).
   */
  dpop?: SenderConstraintMode
  /** Certificate-bound tokens on this route, overriding the `mtls.mode` option. */
  mtls?: SenderConstraintMode
}

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
  authenticate(authorization: string | readonly string[] | null | undefined, options?: AuthenticateOptions & { optional?: false }): Promise<AccessTokenInfo>
  authenticate(authorization: string | readonly string[] | null | undefined, options: AuthenticateOptions): Promise<AccessTokenInfo | undefined>
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
  verifyToken(token: string, options?: ScopeRequirement): Promise<AccessTokenInfo>
  /** Introspects a token at the (first) authorization server, uncached; resolves with the verified response members. */
  introspect(token: string): Promise<IntrospectionClaims>
  /** The public keys the AS encrypts introspection responses to, as a JWKS to serve (public members only). */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>
  /** RFC 9728 metadata (needs the `resource` option), to serve at {@link resourceMetadataUrl}. */
  protectedResourceMetadata(): ProtectedResourceMetadata | undefined
  /**
   * The whole HTTP answer for the JWKS route: 200 `application/jwk-set+json` with the public keys and
   * a cache lifetime, or the error answer if the keys cannot be loaded. Never rejects.
   */
  jwksResponse(): Promise<DocumentResponse>
  /** The whole HTTP answer for the RFC 9728 metadata route: 200 `application/json`, or 404 when `resource` is not set. */
  protectedResourceMetadataResponse(): DocumentResponse
  /** Where the RFC 9728 metadata is served, as announced in `WWW-Authenticate`. */
  readonly resourceMetadataUrl: string | undefined
  /** Path part of {@link resourceMetadataUrl}, for routing. */
  readonly resourceMetadataPath: string | undefined
  /** Imports keys and discovers the AS metadata now, so a problem shows at start-up. */
  ready(): Promise<void>
  /** Forgets every cached result (e.g. after a key compromise). */
  clearCache(): Promise<void>
}

/** The HTTP answer for a document the resource server publishes (see {@link ResourceServer.jwksResponse}). */
export interface DocumentResponse {
  status: number
  headers: Record<string, string>
  body: unknown
}
