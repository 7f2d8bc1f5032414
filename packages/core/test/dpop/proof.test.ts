/**
 * DPoP proof verification (RFC 9449 §4.3): the one `DPoP` header (none, several, blank, oversized),
 * the header (`typ`, allow-listed `alg`, a public signing `jwk` matching `alg`), every required
 * claim, `jti` length, the `iat` window at both boundaries, `htm`, `htu` after normalisation, `ath`,
 * the server nonce, and what a verified proof returns (key thumbprint, `jti`, `iat`).
 */
import * as jose from 'jose'
import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { NonceSource } from '../../src/dpop/nonce.js'
import { DEFAULT_DPOP_ALGS, DPOP_ALGS, ProofVerifier, singleProof, type ProofSettings } from '../../src/dpop/proof.js'
import { publicBase } from '../../src/dpop/htu.js'
import { BearerError } from '../../src/errors.js'
import { rejection, testClock, thrown } from '../support/index.js'

const TOKEN = 'the-access-token'
const ATH = createHash('sha256').update(TOKEN).digest('base64url')
const URL_ = 'https://api.example/resource'
const request = { method: 'GET', url: '/resource', href: URL_ }
const clock = testClock()
const NOW = clock.seconds()

let keys: jose.GenerateKeyPairResult
let jwk: jose.JWK
beforeAll(async () => {
  keys = await jose.generateKeyPair('ES256', { extractable: true })
  jwk = await jose.exportJWK(keys.publicKey)
})

function settings(over: Partial<ProofSettings> = {}): ProofSettings {
  return {
    algorithms: DEFAULT_DPOP_ALGS,
    maxAge: 300,
    clockTolerance: 5,
    clock: clock.now,
    publicBase: undefined,
    nonces: undefined,
    ...over,
  }
}

interface ProofParts {
  claims?: Record<string, unknown>
  header?: Record<string, unknown>
  alg?: string
  key?: jose.CryptoKey
}
async function proof({ claims = {}, header = {}, alg = 'ES256', key }: ProofParts = {}): Promise<string> {
  const payload = { jti: 'jti-1', htm: 'GET', htu: URL_, iat: NOW, ath: ATH, ...claims }
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete (payload as Record<string, unknown>)[k]
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk, ...header } as jose.JWTHeaderParameters)
    .sign(key ?? keys.privateKey)
}

const refused = (
  verifier: ProofVerifier,
  value: string | readonly string[] | undefined,
  req: object = request,
  code = 'invalid_dpop_proof',
) => rejection(() => verifier.verify(req, value, TOKEN), BearerError, 401, code)

describe('singleProof', () => {
  it('returns the one value, trimmed, from a string or a one-element list', () => {
    expect(singleProof(' a.b.c ')).toBe('a.b.c')
    expect(singleProof(['a.b.c'])).toBe('a.b.c')
  })

  it('refuses none, blank, several, joined and oversized values with invalid_dpop_proof', () => {
    for (const value of [undefined, '', '   ', [], ['a.b.c', 'd.e.f'], 'a.b.c, d.e.f', 'a.b.c,d.e.f', 'a.b.c d.e.f', 'x'.repeat(8193)]) {
      const err = thrown(() => singleProof(value), BearerError)
      expect(err.code).toBe('invalid_dpop_proof')
      expect(err.status).toBe(401)
    }
    expect(singleProof('x'.repeat(8192))).toHaveLength(8192)
  })
})

describe('the algorithm lists', () => {
  it('allows asymmetric algorithms only; the default list', () => {
    expect([...DPOP_ALGS]).toEqual(['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'])
    expect([...DEFAULT_DPOP_ALGS]).toEqual(['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'Ed25519'])
    expect(new ProofVerifier(settings({ algorithms: ['ES384'] })).algorithms).toEqual(['ES384'])
  })
})

describe('ProofVerifier.verify', () => {
  it('returns the RFC 7638 thumbprint of the proof key, the jti and the iat', async () => {
    const verifier = new ProofVerifier(settings())
    const result = await verifier.verify(request, await proof(), TOKEN)
    expect(result).toEqual({ jkt: await jose.calculateJwkThumbprint(jwk, 'sha256'), jti: 'jti-1', iat: NOW })
    // The same key again (from the key cache) gives the same thumbprint.
    expect((await verifier.verify(request, [await proof({ claims: { jti: 'jti-2' } })], TOKEN)).jkt).toBe(result.jkt)
  })

  it('refuses a missing or malformed header', async () => {
    const verifier = new ProofVerifier(settings())
    await refused(verifier, undefined)
    await refused(verifier, 'not-a-jwt')
    await refused(verifier, [await proof(), await proof()])
  })

  it('refuses another typ and an algorithm not allowed', async () => {
    const verifier = new ProofVerifier(settings())
    await refused(verifier, await proof({ header: { typ: 'JWT' } }))
    const es512 = await jose.generateKeyPair('ES512', { extractable: true })
    const es512Proof = await proof({ alg: 'ES512', key: es512.privateKey, header: { jwk: await jose.exportJWK(es512.publicKey) } })
    await refused(verifier, es512Proof)
    expect((await new ProofVerifier(settings({ algorithms: ['ES512'] })).verify(request, es512Proof, TOKEN)).jti).toBe('jti-1')
    await refused(new ProofVerifier(settings({ algorithms: ['ES384'] })), await proof())
  })

  it('refuses a header without a jwk object', async () => {
    const verifier = new ProofVerifier(settings())
    for (const bad of [undefined, null, 'jwk', [jwk]]) await refused(verifier, await proof({ header: { jwk: bad } }))
  })

  it('refuses a jwk with any private or symmetric member', async () => {
    const verifier = new ProofVerifier(settings())
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      await refused(verifier, await proof({ header: { jwk: { ...jwk, [member]: 'AQAB' } } }))
    }
  })

  it('refuses a jwk for encryption or for another algorithm; takes one for signing with the same alg', async () => {
    const verifier = new ProofVerifier(settings())
    await refused(verifier, await proof({ header: { jwk: { ...jwk, use: 'enc' } } }))
    await refused(verifier, await proof({ header: { jwk: { ...jwk, alg: 'ES384' } } }))
    await verifier.verify(request, await proof({ header: { jwk: { ...jwk, use: 'sig', alg: 'ES256' } } }), TOKEN)
  })

  it('refuses a jwk that cannot be imported or that is not the signing key', async () => {
    const verifier = new ProofVerifier(settings())
    await refused(verifier, await proof({ header: { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } } }))
    const other = await jose.generateKeyPair('ES256')
    await refused(verifier, await proof({ key: other.privateKey }))
  })

  it('refuses a proof missing any required claim', async () => {
    const verifier = new ProofVerifier(settings())
    for (const claim of ['jti', 'htm', 'htu', 'iat']) await refused(verifier, await proof({ claims: { [claim]: undefined } }))
  })

  it('takes a jti of up to 256 characters, not an empty, longer or non-string one', async () => {
    const verifier = new ProofVerifier(settings())
    expect((await verifier.verify(request, await proof({ claims: { jti: 'j'.repeat(256) } }), TOKEN)).jti).toHaveLength(256)
    for (const jti of ['', 'j'.repeat(257), 42]) await refused(verifier, await proof({ claims: { jti } }))
  })

  it('takes an iat from now − maxAge − clockTolerance to now + clockTolerance, both included', async () => {
    const verifier = new ProofVerifier(settings({ maxAge: 300, clockTolerance: 5 }))
    for (const iat of [NOW + 5, NOW - 305]) expect((await verifier.verify(request, await proof({ claims: { iat } }), TOKEN)).iat).toBe(iat)
    await refused(verifier, await proof({ claims: { iat: NOW + 6 } }))
    await refused(verifier, await proof({ claims: { iat: NOW - 306 } }))
    const strict = new ProofVerifier(settings({ maxAge: 10, clockTolerance: 0 }))
    await strict.verify(request, await proof({ claims: { iat: NOW - 10 } }), TOKEN)
    await refused(strict, await proof({ claims: { iat: NOW + 1 } }))
    await refused(strict, await proof({ claims: { iat: NOW - 11 } }))
  })

  it('reads the clock in milliseconds', async () => {
    const later = testClock(clock.now() + 400)
    const verifier = new ProofVerifier(settings({ clock: later.now, maxAge: 0, clockTolerance: 0 }))
    await refused(verifier, await proof({ claims: { iat: NOW } })) // 0.4 s old, maxAge 0
    await verifier.verify(request, await proof({ claims: { iat: NOW + 0.4 } }), TOKEN)
  })

  it('refuses an iat that is not a number', async () => {
    await refused(new ProofVerifier(settings()), await proof({ claims: { iat: String(NOW) } }))
  })

  it('refuses another method, case included', async () => {
    const verifier = new ProofVerifier(settings())
    await refused(verifier, await proof({ claims: { htm: 'POST' } }))
    await refused(verifier, await proof({ claims: { htm: 'get' } }))
    await refused(verifier, await proof({ claims: { htm: 1 } }))
  })

  it('compares htu after normalisation, and refuses another or a non-string one', async () => {
    const verifier = new ProofVerifier(settings())
    await verifier.verify(request, await proof({ claims: { htu: 'HTTPS://API.example:443/./resource?x#y' } }), TOKEN)
    await refused(verifier, await proof({ claims: { htu: 'https://api.example/other' } }))
    await refused(verifier, await proof({ claims: { htu: 'https://other.example/resource' } }))
    await refused(verifier, await proof({ claims: { htu: 7 } }))
  })

  it('compares htu with the public URL when one is declared', async () => {
    const verifier = new ProofVerifier(settings({ publicBase: publicBase('https://public.example/api') }))
    const req = { method: 'GET', url: '/resource', href: 'http://internal:8080/resource' }
    await verifier.verify(req, await proof({ claims: { htu: 'https://public.example/api/resource' } }), TOKEN)
    await refused(verifier, await proof({ claims: { htu: 'http://internal:8080/resource' } }), req)
  })

  it('refuses a missing, non-string or wrong ath', async () => {
    const verifier = new ProofVerifier(settings())
    for (const ath of [undefined, 1, createHash('sha256').update('another').digest('base64url'), ATH + '=']) {
      await refused(verifier, await proof({ claims: { ath } }))
    }
  })

  it('without server nonces, ignores a nonce claim', async () => {
    await new ProofVerifier(settings()).verify(request, await proof({ claims: { nonce: 'anything' } }), TOKEN)
  })

  it('with server nonces, asks for one (use_dpop_nonce) when it is missing, stale or unknown', async () => {
    const nonces = new NonceSource('secret', 60, clock.now)
    const verifier = new ProofVerifier(settings({ nonces }))
    await verifier.verify(request, await proof({ claims: { nonce: nonces.current() } }), TOKEN)
    await refused(verifier, await proof({ claims: { jti: 'n1' } }), request, 'use_dpop_nonce')
    await refused(verifier, await proof({ claims: { nonce: 'stale' } }), request, 'use_dpop_nonce')
  })

  it('checks everything else before the nonce', async () => {
    const nonces = new NonceSource('secret', 60, clock.now)
    const verifier = new ProofVerifier(settings({ nonces }))
    await refused(verifier, await proof({ claims: { ath: 'wrong' } }))
  })
})
