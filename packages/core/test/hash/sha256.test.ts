import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hmacSha256, sha256, sha256Hex, sha256Key } from '../../src/hash/index.js'

const hex = (bytes: ArrayBuffer | Uint8Array) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')
const webDigest = async (bytes: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)))
const webHmac = async (key: Uint8Array, message: Uint8Array) => {
  const k = await crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, new Uint8Array(message)))
}

describe('sha256 (bytes) matches WebCrypto', () => {
  it('on every length around the block boundaries', async () => {
    for (let n = 0; n < 200; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff)
      expect(hex(sha256(bytes))).toBe(hex(await webDigest(bytes)))
    }
  })

  it('on any bytes, long ones included (property), one hash after another', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 10_000 }), fc.uint8Array({ maxLength: 300 }), async (a, b) => {
        // A long message grows the shared buffer; the next, shorter one must not see its leftovers.
        const [ha, hb] = [sha256(a), sha256(b)]
        return hex(ha) === hex(await webDigest(a)) && hex(hb) === hex(await webDigest(b))
      }),
    )
  })

  it('returns fresh bytes the caller may keep', () => {
    const first = sha256(new Uint8Array([1]))
    const copy = first.slice()
    sha256(new Uint8Array([2]))
    expect(first).toEqual(copy)
  })
})

describe('sha256Hex and sha256 agree, strings hashed as UTF-8', () => {
  it('on any string, with or without a prefix (property)', async () => {
    const encoder = new TextEncoder()
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', maxLength: 2000 }),
        fc.string({ unit: 'grapheme-ascii', maxLength: 100 }), // longer than the 64 spare codes: its own buffer
        async (s, prefix) => {
          const expected = hex(await webDigest(encoder.encode(s)))
          return sha256Hex(s) === expected && sha256Hex(s, prefix) === prefix + expected && hex(sha256(encoder.encode(s))) === expected
        },
      ),
    )
  })
})

describe('messages around and past the reused buffer (4096 bytes), then short ones again', () => {
  it('every length from 4020 to 4120 bytes, then 10 KB and 70 KB, as bytes and as strings', async () => {
    const encoder = new TextEncoder()
    const lengths = [...Array.from({ length: 101 }, (_, i) => 4020 + i), 10_000, 70_000, 5, 64]
    for (const n of lengths) {
      const text = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + n) % 26))).join('')
      const expected = hex(await webDigest(encoder.encode(text)))
      expect(sha256Hex(text), `string of ${n}`).toBe(expected)
      expect(hex(sha256(encoder.encode(text))), `bytes of ${n}`).toBe(expected)
    }
  })
})

describe('sha256Hex with long prefixes', () => {
  it('a prefix of 0 to 200 characters is kept whole before the digest', async () => {
    const expected = hex(await webDigest(new TextEncoder().encode('token')))
    for (let n = 0; n <= 200; n += 8) {
      const prefix = 'p'.repeat(n)
      expect(sha256Hex('token', prefix)).toBe(prefix + expected)
    }
  })
})

describe('sha256Key: the same digest as 16 characters of 16 bits', () => {
  // Code unit by code unit (a key may hold lone surrogates, which Array.from(key) would merge or split).
  const units = (key: string) => Array.from({ length: key.length }, (_, i) => key.charCodeAt(i).toString(16).padStart(4, '0')).join('')

  it('on any string, one after another, ASCII or not (property)', async () => {
    const encoder = new TextEncoder()
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 2000 }), fc.string({ maxLength: 100 }), async (a, b) => {
        const [ka, kb] = [sha256Key(a), sha256Key(b)]
        return (
          ka.length === 16 &&
          units(ka) === hex(await webDigest(encoder.encode(a))) &&
          units(kb) === hex(await webDigest(encoder.encode(b))) &&
          units(ka) === sha256Hex(a)
        )
      }),
    )
    expect(units(sha256Key(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('tells apart strings that differ by one character (signatures of 86 characters)', () => {
    const signature = 'a'.repeat(86)
    const keys = new Set(
      [signature, ...Array.from({ length: 86 }, (_, i) => signature.slice(0, i) + 'b' + signature.slice(i + 1))].map(sha256Key),
    )
    expect(keys.size).toBe(87)
  })
})

describe('hmacSha256 matches WebCrypto', () => {
  it('RFC 4231 test case 2', () => {
    const enc = new TextEncoder()
    expect(hex(hmacSha256(enc.encode('Jefe'), enc.encode('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
  })

  it('on any key (one block, longer than a block) and any message (property)', async () => {
    const key = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 200 }),
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.uint8Array({ minLength: 65, maxLength: 300 }),
    )
    await fc.assert(
      fc.asyncProperty(key, fc.uint8Array({ maxLength: 2000 }), async (k, m) => hex(hmacSha256(k, m)) === hex(await webHmac(k, m))),
    )
  })

  it('with an empty key, which is zero-padded like a one-zero-byte key (WebCrypto refuses empty HMAC keys)', async () => {
    const message = new TextEncoder().encode('dpop-nonce:1')
    expect(hex(hmacSha256(new Uint8Array(0), message))).toBe(hex(await webHmac(new Uint8Array(1), message)))
  })
})
