/**
 * The resource server: an `Authorization` header in, a validated token or an RFC 6750 error out.
 *
 * @module resource-server
 */
export { createJwtResourceServer, createResourceServer } from './create.js'
export { wellKnownMetadataUrl } from './documents.js'
export type { IssuerOptions, ResourceServerOptions } from './options.js'
export type { IntrospectionOptions, IssuerFields, JwtOptions, SigningAlgorithm } from './issuer-options.js'
export type { CacheOptions } from './option-types.js'
export type { AuthenticateOptions, DocumentResponse, ProtectedResourceMetadata, ResourceServer } from './types.js'
export type { HeadersLike, HttpRequestInput } from './request.js'
export { type ClaimCondition, parseRouteOptions, type ProtectedRoute, protectRoute, type RouteAnswer, type RouteOptions } from './route.js'
export { setDefaultSignatureVerifier, useNodeCrypto } from './signature-choice.js'
