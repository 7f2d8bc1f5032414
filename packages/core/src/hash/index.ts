/**
 * Hashing: one synchronous SHA-256 (cache keys as hex or compact in-memory keys, digests as bytes) and HMAC-SHA-256 over it.
 *
 * @module hash
 */
export { hmacSha256 } from './hmac.js'
export { sha256, sha256Hex, sha256Key } from './sha256.js'
