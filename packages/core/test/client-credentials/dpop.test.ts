/**
 * The calling side of DPoP (RFC 9449) on its own: the algorithm chosen for each kind of key, the
 * public JWK in the proof header (never a private member), every claim of a proof (htm, htu, iat by
 * the injected clock, ath, jti, nonce), the resource servers' nonces (per origin, bounded, and when
 * they ask for a retry), and the token-cache key part (RFC 7638 thumbprint, or per instance).
 * Real keys from jose.
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { ClientDpop, type ClientDpopOptions, dpopKeyPart, jwkThumbprint } from '../../src/client-credentials/dpop.js'
import { testClock } from '../support/index.js'

const clock = testClock(Date.UTC(2030, 0, 1, 0, 0, 0) + 999)
const url = new URL('https://api.example:8443/v1/things?page=2#top')

async function proofOf(options: ClientDpopOptions, method = 'get', token = 'the-token', dpop = new ClientDpop(options, clock.now)) {
  const jws = await dpop.proof(method, url, token)
  return { header: jose.decodeProtectedHeader(jws), payload: jose.decodeJwt(jws), jws, dpop }
}

const privateJwk = async (alg: string, options: jose.GenerateKeyPairOptions = {}) => {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...options })
  return jose.exportJWK(privateKey)
}

describe('the algorithm of the proofs', () => {
  it.each([
    ['ES256', {}, 'ES256'],
    ['ES384', {}, 'ES384'],
    ['ES512', {}, 'ES512'],
    ['PS256', {}, 'PS256'],
    ['EdDSA', { crv: 'Ed25519' }, 'Ed25519'],
  ])('a private %s JWK without alg signs with %s', async (alg, options, expected) => {
    const jwk = await privateJwk(alg, options)
    delete jwk.alg
    const { header, jws } = await proofOf({ privateKey: jwk })
    expect(header.alg).toBe(expected)
    await jose.compactVerify(jws, await jose.importJWK(header.jwk!, expected))
  })

  it('a private JWK with alg signs with it', async () => {
    const jwk = { ...(await privateJwk('RS256')), alg: 'RS384' }
    expect((await proofOf({ privateKey: jwk })).header.alg).toBe('RS384')
  })

  it.each([
    ['ES256', {}, 'ES256'],
    ['ES384', {}, 'ES384'],
    ['RS256', {}, 'RS256'],
    ['PS256', {}, 'PS256'],
    ['EdDSA', { crv: 'Ed25519' }, 'Ed25519'],
  ])('a %s key pair signs with %s', async (alg, options, expected) => {
    const keyPair = await jose.generateKeyPair(alg, { extractable: true, ...options })
    const { header, jws } = await proofOf({ keyPair })
    expect(header.alg).toBe(expected)
    await jose.compactVerify(jws, keyPair.publicKey)
  })
})

describe('the public key in the proof header', () => {
  it('of a private JWK: kty and the public members only (no d, kid, alg, use, key_ops, ext)', async () => {
    const jwk = { ...(await privateJwk('ES256')), kid: 'k1', alg: 'ES256', use: 'sig', key_ops: ['sign'], ext: true }
    const { header } = await proofOf({ privateKey: jwk })
    expect(header).toEqual({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } })
  })

  it('of a private JWK as WebCrypto exports it (key_ops ["sign"], ext): the key is usable', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
    const exported = (await crypto.subtle.exportKey('jwk', privateKey)) as jose.JWK
    expect(exported).toMatchObject({ key_ops: ['sign'], ext: true })
    const dpop = new ClientDpop({ privateKey: exported }, clock.now)
    await dpop.handle()
    const { header, jws } = await proofOf({ privateKey: exported }, 'GET', 't', dpop)
    expect(header.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y })
    await jose.compactVerify(jws, publicKey)
  })

  it('of a private RSA JWK: n and e only', async () => {
    const jwk = await privateJwk('PS256')
    const { header } = await proofOf({ privateKey: jwk })
    expect(header.jwk).toEqual({ kty: 'RSA', n: jwk.n, e: jwk.e })
  })

  it('of a key pair: the exported public key', async () => {
    const keyPair = await jose.generateKeyPair('ES256', { extractable: true })
    const { header } = await proofOf({ keyPair })
    const pub = await jose.exportJWK(keyPair.publicKey)
    expect(header.jwk).toEqual({ kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y })
  })
})

describe('the claims of a proof', () => {
  it('htm upper-cased, htu without query or fragment, iat in whole seconds, ath, a fresh jti', async () => {
    const keyPair = await jose.generateKeyPair('ES256', { extractable: true })
    const dpop = new ClientDpop({ keyPair }, clock.now)
    const { payload } = await proofOf({ keyPair }, 'post', 'tok.en', dpop)
    const ath = jose.base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('tok.en'))))
    expect(payload).toEqual({
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      htm: 'POST',
      htu: 'https://api.example:8443/v1/things',
      iat: Date.UTC(2030, 0, 1) / 1000,
      ath,
    })
    const again = await proofOf({ keyPair }, 'post', 'tok.en', dpop)
    expect(again.payload.jti).not.toBe(payload.jti)
  })
})

describe('the resource servers’ nonces', () => {
  const answer = (status: number, headers: Record<string, string>) => new Response(null, { status, headers })
  const newDpop = async () => new ClientDpop({ keyPair: await jose.generateKeyPair('ES256', { extractable: true }) }, clock.now)
  const nonceIn = async (dpop: ClientDpop, at: URL) => jose.decodeJwt(await dpop.proof('GET', at, 't')).nonce

  it('a nonce is remembered per origin and put in the next proofs there', async () => {
    const dpop = await newDpop()
    expect(dpop.rememberNonce(url, answer(200, { 'dpop-nonce': 'n-1' }))).toBe(false)
    expect(await nonceIn(dpop, new URL('https://api.example:8443/other'))).toBe('n-1')
    expect(await nonceIn(dpop, new URL('https://api.example/v1/things'))).toBeUndefined()
    dpop.rememberNonce(url, answer(200, { 'dpop-nonce': 'n-2' }))
    expect(await nonceIn(dpop, url)).toBe('n-2')
  })

  it('no header, or an empty one, changes nothing', async () => {
    const dpop = await newDpop()
    expect(dpop.rememberNonce(url, answer(401, { 'www-authenticate': 'DPoP error="use_dpop_nonce"' }))).toBe(false)
    expect(dpop.rememberNonce(url, answer(401, { 'dpop-nonce': '', 'www-authenticate': 'DPoP error="use_dpop_nonce"' }))).toBe(false)
    expect(await nonceIn(dpop, url)).toBeUndefined()
  })

  it.each([
    [401, 'DPoP error="use_dpop_nonce"', true],
    [401, 'DPoP error=use_dpop_nonce', true],
    [401, 'Bearer realm="x", DPoP algs="ES256",error="use_dpop_nonce"', true],
    [401, 'DPoP ERROR = "use_dpop_nonce"', true],
    [401, 'error="use_dpop_nonce"', true],
    [401, 'DPoP error="invalid_token"', false],
    [401, 'DPoP my_error="use_dpop_nonce"', false],
    [401, '', false],
    [400, 'DPoP error="use_dpop_nonce"', false],
  ])('a %i with %j asks for a retry: %s', async (status, challenge, retry) => {
    const dpop = await newDpop()
    const headers: Record<string, string> = { 'dpop-nonce': 'n' }
    if (challenge !== '') headers['www-authenticate'] = challenge
    expect(dpop.rememberNonce(url, answer(status, headers))).toBe(retry)
    expect(await nonceIn(dpop, url)).toBe('n')
  })

  it('at most 100 origins are remembered: the oldest is dropped for a new one, not for a known one', async () => {
    const dpop = await newDpop()
    const origin = (i: number) => new URL(`https://rs${i}.example/`)
    for (let i = 0; i < 100; i++) dpop.rememberNonce(origin(i), answer(200, { 'dpop-nonce': `n${i}` }))
    dpop.rememberNonce(origin(99), answer(200, { 'dpop-nonce': 'n99-again' }))
    expect(await nonceIn(dpop, origin(0))).toBe('n0')
    dpop.rememberNonce(origin(100), answer(200, { 'dpop-nonce': 'n100' }))
    expect(await nonceIn(dpop, origin(0))).toBeUndefined()
    expect(await nonceIn(dpop, origin(1))).toBe('n1')
    expect(await nonceIn(dpop, origin(99))).toBe('n99-again')
    expect(await nonceIn(dpop, origin(100))).toBe('n100')
  })
})

describe('the handle for the token request', () => {
  it('is made once', async () => {
    const dpop = new ClientDpop({ keyPair: await jose.generateKeyPair('ES256', { extractable: true }) }, clock.now)
    expect(await dpop.handle()).toBe(await dpop.handle())
  })
})

describe('the token-cache key part', () => {
  it.each([
    ['ES256', {}],
    ['PS256', {}],
    ['EdDSA', { crv: 'Ed25519' }],
  ])('of a private %s JWK: dpop:<its RFC 7638 thumbprint>', async (alg, options) => {
    const jwk = { ...(await privateJwk(alg, options)), kid: 'k', alg: 'x' }
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk
    const expected = await jose.calculateJwkThumbprint(pub)
    expect(jwkThumbprint(pub)).toBe(expected)
    expect(dpopKeyPart({ privateKey: jwk })).toBe(`dpop:${expected}`)
  })

  it('of a key pair: an id of this instance; of no key: none', async () => {
    const keyPair = await jose.generateKeyPair('ES256', { extractable: true })
    const a = dpopKeyPart({ keyPair })
    expect(a).toMatch(/^dpop-instance:[0-9a-f-]{36}$/)
    expect(dpopKeyPart({ keyPair })).not.toBe(a)
    expect(dpopKeyPart(undefined)).toBeUndefined()
  })
})
