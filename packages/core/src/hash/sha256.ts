/**
 * SHA-256 in plain JavaScript, synchronous: token hashes for cache keys ({@link sha256Hex}) and the
 * digests the sender constraints need ({@link sha256}: DPoP `ath`, certificate and JWK thumbprints,
 * the DPoP nonce's HMAC). Checked against WebCrypto in the tests (test/hash/sha256.test.ts, with
 * fast-check).
 *
 * Cache keys are SHA-256 hashes of tokens, computed on every request: WebCrypto's `digest` is
 * asynchronous (on Node it hops to the thread pool, ~18 µs for a typical JWT) while this takes a few
 * microseconds on the calling thread.
 *
 * Measured against `@noble/hashes` (issue #9 asked to switch to it unless the warm path lost more
 * than 3 %): in isolation noble costs 1.7 µs per key against 1.0 µs here, and in a warm
 * `authenticate()` loop its allocations (TextEncoder output, hash state, DataView) made SHA-256 and
 * the GC about half of the time: 6.7 µs per warm call with noble, against 2.5 µs before it. Since
 * issue #14 this one also serves bytes, and noble is no longer a dependency (6.9 KB less in an edge
 * bundle).
 *
 * @module hash/sha256
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])
const W = new Int32Array(64)
const H = new Int32Array(8)
const encoder = new TextEncoder()
const HEX_CODES = new Uint8Array([...'0123456789abcdef'].map((c) => c.charCodeAt(0)))
const CODES = new Uint8Array(128)
/** Reused message buffer (grown on demand): no allocation per hash for ordinary token sizes. */
let buffer = new Uint8Array(4096)

/** Bytes of a `length`-byte message once padded: message + 0x80 + 64-bit length, to whole 64-byte blocks. */
function paddedSize(length: number): number {
  return ((length + 9 + 63) >> 6) * 64
}

/**
 * Pads the `length` message bytes at the start of `buffer` (which has room for the padding) and
 * leaves their SHA-256 in `H`.
 */
function digestBuffer(length: number): void {
  const data = buffer
  const end = paddedSize(length)
  // Message + 0x80 + zero padding + 64-bit big-endian bit length, to a whole number of blocks.
  data.fill(0, length, end)
  data[length] = 0x80
  const bits = length * 8
  data[end - 5] = bits / 0x100000000
  data[end - 4] = bits >>> 24
  data[end - 3] = bits >>> 16
  data[end - 2] = bits >>> 8
  data[end - 1] = bits

  // Every value stays a signed 32-bit integer (| 0, Int32Array) so V8 never boxes it as a double.
  let h0 = 0x6a09e667 | 0,
    h1 = 0xbb67ae85 | 0,
    h2 = 0x3c6ef372 | 0,
    h3 = 0xa54ff53a | 0
  let h4 = 0x510e527f | 0,
    h5 = 0x9b05688c | 0,
    h6 = 0x1f83d9ab | 0,
    h7 = 0x5be0cd19 | 0
  for (let offset = 0; offset < end; offset += 64) {
    for (let i = 0, j = offset; i < 16; i++, j += 4) {
      W[i] = (data[j]! << 24) | (data[j + 1]! << 16) | (data[j + 2]! << 8) | data[j + 3]!
    }
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15]!,
        w2 = W[i - 2]!
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
    }
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4,
      f = h5,
      g = h6,
      h = h7
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
    h5 = (h5 + f) | 0
    h6 = (h6 + g) | 0
    h7 = (h7 + h) | 0
  }
  H[0] = h0
  H[1] = h1
  H[2] = h2
  H[3] = h3
  H[4] = h4
  H[5] = h5
  H[6] = h6
  H[7] = h7
}

/** Grows `buffer` (to twice what is needed) when `length` message bytes and their padding do not fit. */
function reserve(length: number): void {
  const size = paddedSize(length)
  if (size > buffer.length) buffer = new Uint8Array(size * 2)
}

/** Copies the UTF-8 bytes of `value` to the start of `buffer` (grown when needed, with room for the padding): their length. */
function load(value: string): number {
  let length = value.length
  reserve(length)
  const data = buffer
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i)
    if (c > 0x7f) {
      const bytes = encoder.encode(value)
      length = bytes.length
      reserve(length)
      buffer.set(bytes)
      return length
    }
    data[i] = c
  }
  return length
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of `value`, after `prefix` (ASCII) when given. */
export function sha256Hex(value: string, prefix = ''): string {
  digestBuffer(load(value))
  // Built from char codes in one call: a flat string (a cache key lives long; a concatenation would
  // leave a chain of string fragments behind it, ~6x the memory).
  const prefixLength = prefix.length
  const codes = prefixLength + 64 <= CODES.length ? CODES : new Uint8Array(prefixLength + 64)
  for (let i = 0; i < prefixLength; i++) codes[i] = prefix.charCodeAt(i)
  for (let i = 0, j = prefixLength; i < 8; i++) {
    const word = H[i]!
    for (let shift = 28; shift >= 0; shift -= 4, j++) codes[j] = HEX_CODES[(word >>> shift) & 0xf]!
  }
  return String.fromCharCode.apply(null, codes.subarray(0, prefixLength + 64) as unknown as number[])
}

/**
 * SHA-256 of the UTF-8 bytes of `value` as a 16-character string (each character holds 16 bits of
 * the digest, lone surrogates included): a key for in-memory maps only, never for a shared store,
 * a log or JSON. A third cheaper than {@link sha256Hex} (no hex digits, no prefix) and a shorter key.
 */
export function sha256Key(value: string): string {
  digestBuffer(load(value))
  const h = H
  const h0 = h[0]!,
    h1 = h[1]!,
    h2 = h[2]!,
    h3 = h[3]!,
    h4 = h[4]!,
    h5 = h[5]!,
    h6 = h[6]!,
    h7 = h[7]!
  return String.fromCharCode(
    h0 >>> 16,
    h0 & 0xffff,
    h1 >>> 16,
    h1 & 0xffff,
    h2 >>> 16,
    h2 & 0xffff,
    h3 >>> 16,
    h3 & 0xffff,
    h4 >>> 16,
    h4 & 0xffff,
    h5 >>> 16,
    h5 & 0xffff,
    h6 >>> 16,
    h6 & 0xffff,
    h7 >>> 16,
    h7 & 0xffff,
  )
}

/** SHA-256 of `bytes`: 32 fresh bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const length = bytes.length
  reserve(length)
  buffer.set(bytes)
  digestBuffer(length)
  const out = new Uint8Array(32)
  for (let i = 0, j = 0; i < 8; i++, j += 4) {
    const word = H[i]!
    out[j] = word >>> 24
    out[j + 1] = word >>> 16
    out[j + 2] = word >>> 8
    out[j + 3] = word
  }
  return out
}
