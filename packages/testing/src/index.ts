/**
 * `@org/rs-testing`: test an API protected with `@org/rs-core` against a real local authorization
 * server — {@link createTestAuthorizationServer} (discovery, JWKS, token endpoint, JSON / signed /
 * encrypted introspection, JWT access tokens; `jose` only) and its `mintAccessToken()` and
 * `resourceServerOptions()`.
 *
 * Also the fixtures the SDK's own suites use: a real oidc-provider 9 authorization server
 * ({@link startTestAS}; needs the optional peer `oidc-provider`), vendor-shaped authorization servers
 * ({@link startVendorAS}), oauth2-mock-server ({@link startMockOAuth2Server}; optional peer
 * `oauth2-mock-server`), tiny misbehaving HTTP servers ({@link startHttpServer}, {@link faults}) and a real
 * `redis-server` for shared-store tests ({@link startRedisServer}).
 * Everything listens on 127.0.0.1 with an ephemeral port.
 *
 * @packageDocumentation
 */
export { createTestAuthorizationServer } from './authorization-server.js'
export type {
  MintAccessTokenOptions,
  TestAuthorizationServer,
  TestAuthorizationServerOptions,
  TestResourceServerOptions,
  TestResourceServerOptionsRequest,
  TestSigningAlgorithm,
} from './authorization-server.js'
export {
  startTestAS,
  TEST_CLIENT_SECRETS,
  RS_JSON_SECRET,
  RS_RS256_SECRET,
  RS_ES256_SECRET,
  RS_PS256_SECRET,
  RS_EDDSA_SECRET,
  RS_HS256_SECRET,
  RS_BASIC_SECRET,
  RS_CSJWT_SECRET,
  APP_SECRET,
  APP_BASIC_SECRET,
  dpopProof,
} from './as.js'
export type {
  TestAS,
  TestASOptions,
  TestASEndpoints,
  TestClient,
  TestResource,
  IssueTokenOptions,
  DefaultClientId,
  DpopProofOptions,
} from './as.js'
export { generateCertificates } from './certs.js'
export type { TestCertificates, TestCertificate } from './certs.js'
export { startHttpServer, readBody, faults } from './http.js'
export type { Handler, TestHttpServer } from './http.js'
export { startVendorAS, VENDORS, atHash } from './vendors.js'
export type { Vendor, VendorAS, VendorASOptions, ClientCredentials, ClaimOverrides, MintOptions } from './vendors.js'
export { startMockOAuth2Server } from './mock-oauth2.js'
export { redisServerInstalled, startRedisServer } from './redis.js'
export type { StartRedisServerOptions, TestRedisServer } from './redis.js'
export type { MockOAuth2Server, MockTokenOptions } from './mock-oauth2.js'
