/**
 * The signature step's own guards, on real keys: `checkKeyForAlg` (src/jwt/signature.ts) refuses a
 * key that is not the alg's, as jose did before verifying (the resource server's key set only ever
 * hands it keys imported for the alg: these are the guards that hold if it did not); and what
 * `nodeSignatureVerifier` promises beyond a boolean: RSA-PSS with the hash-length salt only, `false`
 * for a key of the wrong kind, one `KeyObject` per `CryptoKey`.
 */
import * as nodeCrypto from 'node:crypto'
import * as jose from 'jose'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { nodeSignatureVerifier, webCryptoSignatureVerifier } from '../../src/index.js'
import { checkKeyForAlg } from '../../src/jwt/signature.js'
import { thrown } from '../support/index.js'

const subtle = crypto.subtle
const spki = async (key: CryptoKey) => subtle.exportKey('spki', key)
const rsaParams = (name: string, modulusLength: number, hash: string) => ({
  name,
  modulusLength,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash,
})

let rs256: CryptoKeyPair
let ps256: CryptoKeyPair
let p256: CryptoKeyPair
let p384: CryptoKeyPair
let ed: CryptoKeyPair
const keys: Record<string, CryptoKey> = {}

beforeAll(async () => {
  rs256 = (await subtle.generateKey(rsaParams('RSASSA-PKCS1-v1_5', 2048, 'SHA-256'), true, ['sign', 'verify'])) as CryptoKeyPair
  ps256 = (await subtle.generateKey(rsaParams('RSA-PSS', 2048, 'SHA-256'), true, ['sign', 'verify'])) as CryptoKeyPair
  p256 = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  p384 = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair
  ed = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const rsa = await spki(rs256.publicKey)
  keys.rs384 = await subtle.importKey('spki', rsa, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, false, ['verify'])
  keys.ecdh = ((await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair).publicKey
  // A key pair made for signing only: its public half has no usage at all.
  keys.rsNoVerify = ((await subtle.generateKey(rsaParams('RSASSA-PKCS1-v1_5', 2048, 'SHA-256'), true, ['sign'])) as CryptoKeyPair).publicKey
  keys.ecNoVerify = ((await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair).publicKey
  const weak = (await subtle.generateKey(rsaParams('RSASSA-PKCS1-v1_5', 1024, 'SHA-256'), true, ['sign', 'verify'])) as CryptoKeyPair
  keys.rsa1024 = weak.publicKey
  keys.rsa2040 = (
    (await subtle.generateKey(rsaParams('RSASSA-PKCS1-v1_5', 2040, 'SHA-256'), true, ['sign', 'verify'])) as CryptoKeyPair
  ).publicKey
  keys.hmac = await subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
}, 60_000)

const refused = (alg: string, key: unknown) => thrown(() => checkKeyForAlg(alg, key), jose.errors.JOSENotSupported)
const passes = (alg: string, key: unknown) => expect(() => checkKeyForAlg(alg, key)).not.toThrow()

describe('checkKeyForAlg: the key must be the alg’s', () => {
  it('an alg outside the table is refused, whatever the key', () => {
    for (const alg of ['none', 'RS0256', 'HS1', 'ES256K', 'A128KW', '']) refused(alg, rs256.publicKey)
  })

  it('HS*: the configured secret’s bytes, not empty; never a CryptoKey, a string or nothing', () => {
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      passes(alg, new Uint8Array(32))
      passes(alg, new Uint8Array(1))
      for (const key of [new Uint8Array(0), undefined, null, 'secret', keys.hmac, rs256.publicKey]) refused(alg, key)
    }
  })

  it('the public key of the right algorithm passes, for every asymmetric alg', () => {
    passes('RS256', rs256.publicKey)
    passes('PS256', ps256.publicKey)
    passes('ES256', p256.publicKey)
    passes('ES384', p384.publicKey)
    passes('EdDSA', ed.publicKey)
    passes('Ed25519', ed.publicKey)
  })

  it('not a CryptoKey: bytes, nothing, a look-alike object', () => {
    for (const key of [new Uint8Array(32), undefined, null, {}, { type: 'public', algorithm: { name: 'ECDSA', namedCurve: 'P-256' } }])
      refused('ES256', key)
  })

  it('a private key, even of the right algorithm', () => {
    refused('RS256', rs256.privateKey)
    refused('ES256', p256.privateKey)
    refused('EdDSA', ed.privateKey)
  })

  it('another algorithm name: PKCS#1 v1.5 for PS*, PSS for RS*, ECDH for ES*, EC for EdDSA, Ed25519 for ES*', () => {
    refused('PS256', rs256.publicKey)
    refused('RS256', ps256.publicKey)
    refused('ES256', keys.ecdh)
    refused('EdDSA', p256.publicKey)
    refused('ES256', ed.publicKey)
  })

  it('another hash, another curve', () => {
    refused('RS256', keys.rs384)
    passes('RS384', keys.rs384)
    refused('RS512', rs256.publicKey)
    refused('PS384', ps256.publicKey)
    refused('ES256', p384.publicKey)
    refused('ES384', p256.publicKey)
    refused('ES512', p384.publicKey)
  })

  it('a key not usable for verify', () => {
    expect(keys.rsNoVerify!.usages).toEqual([])
    refused('RS256', keys.rsNoVerify)
    refused('ES256', keys.ecNoVerify)
  })

  it('RSA under 2048 bits, to the bit', () => {
    refused('RS256', keys.rsa1024)
    refused('RS256', keys.rsa2040)
    passes('RS256', rs256.publicKey)
  })
})

describe('nodeSignatureVerifier', () => {
  const data = new TextEncoder().encode('eyJhbGciOiJQUzI1NiJ9.e30')

  it('RSA-PSS: only the hash-length salt (RFC 7518 §3.5); WebCrypto agrees', async () => {
    const node = nodeSignatureVerifier(nodeCrypto)
    const key = nodeCrypto.KeyObject.from(ps256.privateKey)
    const signed = (alg: 'sha256' | 'sha384', saltLength: number) =>
      nodeCrypto.sign(alg, data, { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength })
    expect(await node('PS256', ps256.publicKey, signed('sha256', 32), data)).toBe(true)
    expect(await webCryptoSignatureVerifier('PS256', ps256.publicKey, signed('sha256', 32), data)).toBe(true)
    for (const saltLength of [0, 20, 31, 33, 64, 222]) {
      const sig = signed('sha256', saltLength)
      expect(await node('PS256', ps256.publicKey, sig, data), `salt ${saltLength}`).toBe(false)
      expect(await webCryptoSignatureVerifier('PS256', ps256.publicKey, sig, data), `salt ${saltLength}`).toBe(false)
    }
  })

  it('RS*, PS*, ES*, EdDSA with bytes as the key (a secret) are false, never a throw', async () => {
    const node = nodeSignatureVerifier(nodeCrypto)
    for (const alg of ['RS256', 'PS384', 'ES512', 'EdDSA', 'Ed25519'])
      expect(await node(alg, new Uint8Array(32), new Uint8Array(64), data)).toBe(false)
  })

  it('one KeyObject per CryptoKey, kept across calls', async () => {
    let made = 0
    const counting = {
      ...nodeCrypto,
      KeyObject: {
        from: (key: CryptoKey) => {
          made++
          return nodeCrypto.KeyObject.from(key)
        },
      },
    }
    const node = nodeSignatureVerifier(counting)
    const sign = async (pair: CryptoKeyPair, params: AlgorithmIdentifier | EcdsaParams) =>
      new Uint8Array(await subtle.sign(params, pair.privateKey, data))
    const es = await sign(p256, { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams)
    for (let i = 0; i < 3; i++) expect(await node('ES256', p256.publicKey, es, data)).toBe(true)
    expect(made).toBe(1)
    const eds = await sign(ed, { name: 'Ed25519' })
    for (let i = 0; i < 2; i++) expect(await node('EdDSA', ed.publicKey, eds, data)).toBe(true)
    expect(made).toBe(2)
    // another verifier has its own
    const other = nodeSignatureVerifier(counting)
    expect(await other('ES256', p256.publicKey, es, data)).toBe(true)
    expect(made).toBe(3)
  })

  it('checks public-key signatures on the thread pool (crypto.verify with a callback), HMAC on the spot', async () => {
    const calls: number[] = []
    const recording = {
      ...nodeCrypto,
      verify: ((...args: Parameters<typeof nodeCrypto.verify>) => {
        calls.push(args.length)
        return (nodeCrypto.verify as (...a: unknown[]) => unknown)(...args)
      }) as typeof nodeCrypto.verify,
    }
    const node = nodeSignatureVerifier(recording)
    const es = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, p256.privateKey, data))
    const pending = node('ES256', p256.publicKey, es, data)
    expect(pending).toBeInstanceOf(Promise) // the event loop is free until the pool answers
    expect(await pending).toBe(true)
    expect(calls).toEqual([5])
    const secret = new Uint8Array(32).fill(7)
    const mac = nodeCrypto.createHmac('sha256', secret).update(data).digest()
    expect(node('HS256', secret, mac, data)).toBe(true)
    expect(calls).toEqual([5])
  })

  it('an error from crypto.verify is a rejection, which core turns into a refusal', async () => {
    const failing = {
      ...nodeCrypto,
      verify: ((...args: unknown[]) => {
        const callback = args[4] as (error: Error | null, valid: boolean) => void
        setImmediate(() => callback(new Error('pool failure'), true))
      }) as unknown as typeof nodeCrypto.verify,
    }
    const node = nodeSignatureVerifier(failing)
    const es = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, p256.privateKey, data))
    await expect(node('ES256', p256.publicKey, es, data)).rejects.toThrow('pool failure')
  })
})

describe('webCryptoSignatureVerifier', () => {
  it('imports the HMAC key once per secret and alg, not per verification', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const data = new TextEncoder().encode('eyJhbGciOiJIUzI1NiJ9.e30')
    const mac = (hash: string) => nodeCrypto.createHmac(hash, secret).update(data).digest()
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    try {
      for (let i = 0; i < 3; i++) expect(await webCryptoSignatureVerifier('HS256', secret, mac('sha256'), data)).toBe(true)
      expect(importKey).toHaveBeenCalledTimes(1)
      expect(await webCryptoSignatureVerifier('HS384', secret, mac('sha384'), data)).toBe(true)
      expect(await webCryptoSignatureVerifier('HS256', secret, mac('sha384'), data)).toBe(false)
      expect(importKey).toHaveBeenCalledTimes(2)
      // the same bytes in another array: another secret, as far as the cache knows
      expect(await webCryptoSignatureVerifier('HS256', secret.slice(), mac('sha256'), data)).toBe(true)
      expect(importKey).toHaveBeenCalledTimes(3)
    } finally {
      importKey.mockRestore()
    }
  })
})
