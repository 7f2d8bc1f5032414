/**
 * Hashing: one synchronous SHA-256 (cache keys as hex, digests as bytes) and HMAC-SHA-256 over it.
 *
 * @module hash
 */
export { hmacSha256 } from './hmac.js'
export { sha256, sha256Hex } from './sha256.js'
