/**
 * The two signature verifiers agree: node:crypto (`nodeSignatureVerifier`) and WebCrypto (the
 * default), on real keys of every supported alg, for valid signatures, tampered ones, and random
 * bytes of any length (property-based, fast-check). Both answer a boolean, never throw.
 */
import * as nodeCrypto from 'node:crypto'
import fc from 'fast-check'
import * as jose from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { nodeSignatureVerifier, type SignatureVerifier, webCryptoSignatureVerifier } from '../../src/index.js'
import { SIGNING_ALGS } from '../../src/resource-server/issuer-options.js'

// Every algorithm core accepts (the asymmetric defaults and HS*).
const ALGS = SIGNING_ALGS
const node = nodeSignatureVerifier(nodeCrypto)
const web = webCryptoSignatureVerifier

interface Keys {
  sign: CryptoKey | Uint8Array
  /** What core hands the verifier: the public key as jose imports it from a JWK for this alg, or the secret. */
  verify: CryptoKey | Uint8Array
}
const keys = new Map<string, Keys>()

beforeAll(async () => {
  for (const alg of ALGS) {
    if (alg.startsWith('HS')) {
      const secret = crypto.getRandomValues(new Uint8Array(48))
      keys.set(alg, { sign: secret, verify: secret })
      continue
    }
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true })
    keys.set(alg, { sign: privateKey, verify: (await jose.importJWK(await jose.exportJWK(publicKey), alg)) as CryptoKey })
  }
}, 60_000)

/** A real JWS signature of `data` (jose signs the JWS; its signature is over the signing input). */
async function sign(alg: string, data: Uint8Array): Promise<{ input: Uint8Array; signature: Uint8Array }> {
  const jws = await new jose.FlattenedSign(data).setProtectedHeader({ alg }).sign(keys.get(alg)!.sign)
  return { input: new TextEncoder().encode(`${jws.protected}.${jws.payload}`), signature: jose.base64url.decode(jws.signature) }
}

async function both(alg: string, signature: Uint8Array, data: Uint8Array): Promise<[unknown, unknown]> {
  const key = keys.get(alg)!.verify
  const answer = async (v: SignatureVerifier) => v(alg, key, signature, data)
  return [await answer(web), await answer(node)]
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('valid' as const) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), by: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 600 }) }),
  fc.record({ kind: fc.constant('data' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
)

describe('nodeSignatureVerifier and the WebCrypto default agree (fast-check)', () => {
  for (const alg of ALGS) {
    it(alg, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), mutation, async (payload, m) => {
          const { input, signature } = await sign(alg, payload)
          let sig = signature
          let data = input
          if (m.kind === 'flip') {
            sig = signature.slice()
            sig[m.at % sig.length]! ^= 1 << m.bit
          } else if (m.kind === 'truncate') sig = signature.slice(0, Math.max(0, signature.length - m.by))
          else if (m.kind === 'extend') sig = new Uint8Array([...signature, ...m.extra])
          else if (m.kind === 'random') sig = m.bytes
          else if (m.kind === 'data') {
            data = input.slice()
            data[m.at % data.length]! ^= 1 << m.bit
          }
          const [w, n] = await both(alg, sig, data)
          expect(typeof w).toBe('boolean')
          expect(n, `${alg} ${m.kind}`).toBe(w)
          if (m.kind === 'valid') expect(w).toBe(true)
          if (m.kind !== 'valid' && m.kind !== 'random') expect(w).toBe(false)
        }),
        { numRuns: alg.startsWith('RS') || alg.startsWith('PS') ? 60 : 120 },
      )
    })
  }

  it('a DER-encoded ECDSA signature (not the JWS form) is false for both', async () => {
    const data = new TextEncoder().encode('eyJhbGciOiJFUzI1NiJ9.e30')
    const der = new Uint8Array(
      nodeCrypto.sign('sha256', data, { key: nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }),
    )
    expect(await both('ES256', der, data)).toEqual([false, false])
  })

  it('an unknown alg, or a key of the wrong kind, is false for both (the pipeline refuses them before anyway)', async () => {
    const data = new Uint8Array([1, 2, 3])
    const ec = keys.get('ES256')!.verify
    const secret = keys.get('HS256')!.verify
    for (const v of [web, node]) {
      expect(await v('none', ec, new Uint8Array(), data)).toBe(false)
      expect(await v('RS0256', ec, new Uint8Array(64), data)).toBe(false)
    }
    expect(await node('HS256', ec, new Uint8Array(32), data)).toBe(false)
    expect(await node('ES256', secret, new Uint8Array(64), data)).toBe(false)
  })
})
