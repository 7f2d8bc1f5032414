/**
 * HMAC-SHA-256 (RFC 2104) over {@link sha256}: the DPoP nonce's MAC. A one-shot function (the
 * message is copied once after the padded key): nonces are computed once per rotation period.
 *
 * @module hash/hmac
 */
import { sha256 } from './sha256.js'

const BLOCK = 64

/** HMAC-SHA-256 of `message` under `key` (any length: a key longer than a block is hashed first). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const padded = new Uint8Array(BLOCK)
  padded.set(key.length > BLOCK ? sha256(key) : key)
  const inner = new Uint8Array(BLOCK + message.length)
  const outer = new Uint8Array(BLOCK + 32)
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = padded[i]! ^ 0x36
    outer[i] = padded[i]! ^ 0x5c
  }
  inner.set(message, BLOCK)
  outer.set(sha256(inner), BLOCK)
  return sha256(outer)
}
