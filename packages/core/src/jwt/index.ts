/**
 * JWT access tokens (RFC 9068): the shape check used for routing, and local verification.
 *
 * @module jwt
 */
export { looksLikeJws, peekJwt } from './shape.js'
export { DEFAULT_JWT_ALGS, type JwtVerifierSettings, type VerifiedJwt, verifyAccessTokenJwt } from './verify.js'
