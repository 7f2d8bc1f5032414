/**
 * The resource server's own private keys: the algorithm a JWK is taken for (its own, or the default
 * per key type, curve and purpose), importing from a JWK or PKCS#8 PEM (kid given, or the RFC 7638
 * thumbprint), and the public JWK / JWKS derived from it (public members only, kid, use, alg).
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { importPrivateKey, jwkAlgorithm, publicJwks } from '../../src/keys/private-keys.js'
import { rejection } from '../support/index.js'

describe('jwkAlgorithm', () => {
  it('is the JWK alg when it has one', () => {
    expect(jwkAlgorithm({ kty: 'RSA', alg: 'PS384' }, 'sign')).toBe('PS384')
    expect(jwkAlgorithm({ kty: 'RSA', alg: 'RSA-OAEP' }, 'enc')).toBe('RSA-OAEP')
  })

  it('defaults by key type and curve for signing', () => {
    expect(jwkAlgorithm({ kty: 'RSA' }, 'sign')).toBe('RS256')
    expect(jwkAlgorithm({ kty: 'EC', crv: 'P-256' }, 'sign')).toBe('ES256')
    expect(jwkAlgorithm({ kty: 'EC', crv: 'P-384' }, 'sign')).toBe('ES384')
    expect(jwkAlgorithm({ kty: 'EC', crv: 'P-521' }, 'sign')).toBe('ES512')
    expect(jwkAlgorithm({ kty: 'OKP', crv: 'Ed25519' }, 'sign')).toBe('EdDSA')
    expect(jwkAlgorithm({ kty: 'EC', crv: 'secp256k1' }, 'sign')).toBeUndefined()
    expect(jwkAlgorithm({ kty: 'oct' }, 'sign')).toBeUndefined()
    expect(jwkAlgorithm({}, 'sign')).toBeUndefined()
  })

  it('defaults by key type for encryption', () => {
    expect(jwkAlgorithm({ kty: 'RSA' }, 'enc')).toBe('RSA-OAEP-256')
    expect(jwkAlgorithm({ kty: 'EC', crv: 'P-384' }, 'enc')).toBe('ECDH-ES')
    expect(jwkAlgorithm({ kty: 'OKP', crv: 'X25519' }, 'enc')).toBe('ECDH-ES')
    expect(jwkAlgorithm({ kty: 'oct' }, 'enc')).toBeUndefined()
    expect(jwkAlgorithm({}, 'enc')).toBeUndefined()
  })
})

describe('importPrivateKey', () => {
  it('imports a JWK with its kid and alg; the public JWK has public members only', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
    const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'k1', alg: 'ES256' }
    const imported = await importPrivateKey(jwk, 'sign')
    expect(imported.alg).toBe('ES256')
    expect(imported.kid).toBe('k1')
    expect(imported.key.type).toBe('private')
    expect(imported.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: 'k1', use: 'sign', alg: 'ES256' })
    // The key signs, and its public JWK verifies.
    const jws = await new jose.CompactSign(new TextEncoder().encode('x')).setProtectedHeader({ alg: 'ES256' }).sign(imported.key)
    await jose.compactVerify(jws, await jose.importJWK(imported.publicJwk, 'ES256'))
    // A `pem` member that is not a string (an options object spread with pem: undefined) leaves a JWK a JWK.
    expect((await importPrivateKey({ ...jwk, pem: undefined } as jose.JWK, 'sign')).kid).toBe('k1')
  })

  it('takes the default algorithm of the purpose and the RFC 7638 thumbprint as kid when the JWK has none', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('RSA-OAEP-256', { extractable: true })
    const pub = await jose.exportJWK(publicKey)
    const imported = await importPrivateKey(await jose.exportJWK(privateKey), 'enc')
    const thumbprint = await jose.calculateJwkThumbprint({ kty: 'RSA', n: pub.n, e: pub.e })
    expect(imported.alg).toBe('RSA-OAEP-256')
    expect(imported.kid).toBe(thumbprint)
    expect(imported.publicJwk).toEqual({ kty: 'RSA', n: pub.n, e: pub.e, kid: thumbprint, use: 'enc', alg: 'RSA-OAEP-256' })
  })

  it('imports an OKP key with only its public members kept', async () => {
    const { privateKey } = await jose.generateKeyPair('EdDSA', { extractable: true })
    const jwk = await jose.exportJWK(privateKey)
    const imported = await importPrivateKey(jwk, 'sign')
    expect(imported.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: imported.kid, use: 'sign', alg: 'EdDSA' })
    expect(imported.kid).toBe(await jose.calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }))
  })

  it('imports a PKCS#8 PEM with the alg and kid given, or the thumbprint', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES384', { extractable: true })
    const pem = await jose.exportPKCS8(privateKey)
    const pub = await jose.exportJWK(publicKey)
    const withKid = await importPrivateKey({ pem, alg: 'ES384', kid: 'pem-1' }, 'sign')
    expect(withKid.alg).toBe('ES384')
    expect(withKid.publicJwk).toEqual({ kty: 'EC', crv: 'P-384', x: pub.x, y: pub.y, kid: 'pem-1', use: 'sign', alg: 'ES384' })
    const withoutKid = await importPrivateKey({ pem, alg: 'ES384' }, 'enc')
    expect(withoutKid.kid).toBe(await jose.calculateJwkThumbprint(pub))
    expect(withoutKid.publicJwk.use).toBe('enc')
  })

  it('refuses a key that does not fit its algorithm', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
    const pem = await jose.exportPKCS8(privateKey)
    const jwk = await jose.exportJWK(privateKey)
    await rejection(() => importPrivateKey({ pem, alg: 'RS256' }, 'sign'), DOMException)
    await rejection(() => importPrivateKey({ ...jwk, alg: 'RS256' }, 'sign'), jose.errors.JOSENotSupported)
  })
})

describe('publicJwks', () => {
  it('publishes a copy of each public JWK, in order', async () => {
    const a = await importPrivateKey(await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).privateKey), 'sign')
    const b = await importPrivateKey(
      await jose.exportJWK((await jose.generateKeyPair('RSA-OAEP', { extractable: true })).privateKey),
      'enc',
    )
    const jwks = publicJwks([a, b])
    expect(jwks).toEqual({ keys: [a.publicJwk, b.publicJwk] })
    expect(jwks.keys[0]).not.toBe(a.publicJwk)
    expect(publicJwks([])).toEqual({ keys: [] })
  })
})
