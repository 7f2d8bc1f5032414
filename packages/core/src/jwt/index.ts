/**
 * JWT access tokens (RFC 9068): the shape check used for routing, and local verification.
 *
 * @module jwt
 */
export { isCanonicalBase64url, jwtShape, type JwtShape, looksLikeJws } from './shape.js'
export {
  checkJwtHeader,
  DEFAULT_JWT_ALGS,
  type JwtVerifierSettings,
  matchesTenantTemplate,
  TENANT_PLACEHOLDER,
  type TenantIssuer,
  tenantIssuer,
  type VerifiedJwt,
  verifyAccessTokenJwt,
} from './verify.js'
