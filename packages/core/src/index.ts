/**
 * `@org/rs-core`: protect an HTTP API with OAuth 2.0, on any runtime.
 *
 * @example
 * ```ts
 * import { createResourceServer, toErrorResponse } from '@org/rs-core'
 *
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', clientId: 'api', clientSecret: process.env.SECRET })
 *
 * export default {
 *   async fetch(request: Request) {
 *     try {
 *       const auth = await rs.authenticate(request.headers.get('authorization'), { scopes: ['read'] })
 *       return Response.json({ hello: auth.sub })
 *     } catch (err) {
 *       const { status, headers, body } = toErrorResponse(err)
 *       return Response.json(body, { status, headers })
 *     }
 *   },
 * }
 * ```
 *
 * @packageDocumentation
 */
export { createJwtResourceServer, createResourceServer, wellKnownMetadataUrl } from './resource-server/index.js'
export type {
  AuthenticateOptions,
  DocumentResponse,
  IssuerOptions,
  ProtectedResourceMetadata,
  ResourceServer,
  ResourceServerOptions,
} from './resource-server/index.js'
export type { CacheOptions, IntrospectionOptions, IssuerFields, JwtOptions, SigningAlgorithm } from './resource-server/index.js'
export type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from './introspection/index.js'
export { protectRoute, setDefaultSignatureVerifier, useNodeCrypto } from './resource-server/index.js'
export { nodeSignatureVerifier, webCryptoSignatureVerifier } from './jwt/index.js'
export type { NodeCryptoLike, SignatureVerifier } from './jwt/index.js'
export type { ClaimCondition, HeadersLike, HttpRequestInput, ProtectedRoute, RouteAnswer, RouteOptions } from './resource-server/index.js'
export { getClaim, rolesOf } from './claims.js'
export type { AccessTokenInfo, ScopeRequirement } from './token-info.js'
export { extractBearerToken } from './bearer.js'
export type { BearerOptions } from './bearer.js'
export {
  AuthorizationServerError,
  BearerError,
  ConfigurationError,
  ReplayCacheError,
  ResourceServerSdkError,
  TokenEndpointError,
} from './errors.js'
export { toErrorResponse } from './error-response.js'
export type {
  AuthorizationServerFailure,
  BearerErrorCode,
  RefusalReason,
  SdkErrorCode,
  BearerErrorOptions,
  ConfigurationIssue,
  ErrorResponse,
} from './errors.js'
export type {
  AuthenticatedEvent,
  AuthorizationServerErrorEvent,
  ConfigurationProblemEvent,
  JwksRefreshedEvent,
  Logger,
  MetadataDiscoveredEvent,
  RejectedEvent,
  ResourceServerEvent,
  StoreErrorEvent,
} from './events/index.js'
export { SenderConstraintError } from './sender-constraint/index.js'
export type { DpopOptions, MtlsOptions, SenderConstraintMode } from './sender-constraint/index.js'
export { certificateThumbprint, clientCertificateOf } from './mtls/index.js'
export type { DpopAlgorithm } from './dpop/index.js'
export { asHttpError } from './http-error.js'
export type { HttpErrorFields } from './http-error.js'
export { MemoryCache } from './cache/index.js'
export type { CacheStore, Clock } from './cache/index.js'
export type { IntrospectionClaims } from './introspection/index.js'
export type { PrivateKeyInput } from './keys/index.js'
export type { ClientAuthMethod } from './client-auth.js'
export type { FetchLike } from './http.js'
export { proConnect, PROCONNECT_ENVIRONMENTS } from './presets/proconnect.js'
export type { ProConnectEnvironment, ProConnectOptions } from './presets/proconnect.js'
export { auth0 } from './presets/auth0.js'
export type { Auth0Options } from './presets/auth0.js'
export { cognito } from './presets/cognito.js'
export type { CognitoOptions } from './presets/cognito.js'
export { entraId } from './presets/entra-id.js'
export type { EntraIdOptions } from './presets/entra-id.js'
export { identityServer } from './presets/identity-server.js'
export type { IdentityServerOptions } from './presets/identity-server.js'
export { keycloak } from './presets/keycloak.js'
export type { KeycloakOptions } from './presets/keycloak.js'
export { okta } from './presets/okta.js'
export type { OktaOptions } from './presets/okta.js'
export { createClientCredentials } from './client-credentials/index.js'
export type {
  ClientCredentials,
  ClientCredentialsOptions,
  ClientCredentialsToken,
  TokenRequestOptions,
} from './client-credentials/index.js'
