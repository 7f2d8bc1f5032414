/**
 * JWT access tokens (RFC 9068): the shape check used for routing, and local verification.
 *
 * @module jwt
 */
export { isCanonicalBase64url, jwtShape, type JwtShape, looksLikeJws } from './shape.js'
export { checkJwtHeader, type JwsSettings } from './jws.js'
export { type NodeCryptoLike, nodeSignatureVerifier } from './node-signature.js'
export { type SignatureVerifier, webCryptoSignatureVerifier } from './signature.js'
export {
  DEFAULT_JWT_ALGS,
  type JwtVerifierSettings,
  matchesTenantTemplate,
  TENANT_PLACEHOLDER,
  type TenantIssuer,
  tenantIssuer,
  type VerifiedJwt,
  verifyAccessTokenJwt,
} from './verify.js'
