/**
 * Hostile JWTs against BOTH signature verifiers (WebCrypto, the default; node:crypto), through a
 * real resource server and a real local JWKS holding keys of every kind: alg none, key confusion
 * (HS256 keyed with the AS's RSA public key), wrong typ, crit, signatures of every wrong length,
 * a key too weak or of another kind than the alg. The verifier only ever answers for a token whose
 * header, key and alg have passed every check; a verifier that throws or answers anything but a
 * boolean refuses the token, with a typed error.
 */
import * as nodeCrypto from 'node:crypto'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TestHttpServer } from '@org/rs-testing'
import {
  BearerError,
  ConfigurationError,
  createResourceServer,
  nodeSignatureVerifier,
  type ResourceServerOptions,
  setDefaultSignatureVerifier,
  type SignatureVerifier,
  webCryptoSignatureVerifier,
} from '../../src/index.js'
import { reasonOf } from '../../src/events/index.js'
import { DEFAULT_JWT_ALGS } from '../../src/jwt/index.js'
import { SIGNING_ALGS } from '../../src/resource-server/issuer-options.js'
import { rejection } from '../support/index.js'

const API = 'api'
const SECRET = 'a-shared-secret-of-at-least-32-characters!'
// Every algorithm core accepts: the asymmetric defaults, and with HS* those keyed by a secret.
const ASYMMETRIC = DEFAULT_JWT_ALGS
const ALL = SIGNING_ALGS

let jwks: TestHttpServer
const signing = new Map<string, { key: CryptoKey | nodeCrypto.KeyObject | Uint8Array; kid?: string }>()
let rsaPublicJwk: jose.JWK
const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  const published: jose.JWK[] = []
  const add = async (alg: string, kid: string) => {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true })
    published.push({ ...(await jose.exportJWK(publicKey)), kid, use: 'sig' }) // no "alg": one RSA key serves RS* and PS*
    return privateKey
  }
  const rsa = nodeCrypto.KeyObject.from(await add('RS256', 'rsa')) // a KeyObject: jose signs with it under any RS*/PS* alg
  // jose will not make (nor sign with) an RSA key under 2048 bits: WebCrypto will.
  const rsa1024 = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
  const { privateKey: weak, publicKey: weakPublic } = (await crypto.subtle.generateKey(rsa1024, true, ['sign', 'verify'])) as CryptoKeyPair
  published.push({ ...(await jose.exportJWK(weakPublic)), kid: 'rsa-1024', use: 'sig' })
  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) signing.set(alg, { key: rsa, kid: 'rsa' })
  signing.set('weak', { key: weak, kid: 'rsa-1024' })
  for (const [alg, kid] of [
    ['ES256', 'p256'],
    ['ES384', 'p384'],
    ['ES512', 'p521'],
    ['EdDSA', 'ed'],
  ] as const)
    signing.set(alg, { key: await add(alg, kid), kid })
  signing.set('Ed25519', { key: signing.get('EdDSA')!.key, kid: 'ed' })
  for (const alg of ['HS256', 'HS384', 'HS512']) signing.set(alg, { key: new TextEncoder().encode(SECRET) })
  rsaPublicJwk = published[0]!
  jwks = await startHttpServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }))
  })
}, 60_000)
afterAll(() => jwks?.close())

const claims = () => ({ iss: 'https://as.example', aud: API, sub: 'user-1', client_id: 'app', scope: 'read', iat: now(), exp: now() + 300 })
async function token(alg: string, header: Record<string, unknown> = {}, payload: Record<string, unknown> = claims(), key = alg) {
  const { key: k, kid } = signing.get(key)!
  if (key === 'weak') {
    const input = `${b64({ alg, typ: 'at+jwt', kid, ...header })}.${b64(payload)}`
    const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', k as CryptoKey, new TextEncoder().encode(input))
    return `${input}.${jose.base64url.encode(new Uint8Array(sig))}`
  }
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'at+jwt', ...(kid === undefined ? {} : { kid }), ...header } as jose.JWTHeaderParameters)
    .sign(k, { crit: { 'x-ext': true, exp: true } })
}
const b64 = (o: unknown) => jose.base64url.encode(JSON.stringify(o))
const withSignature = (jwt: string, signature: Uint8Array) => `${jwt.slice(0, jwt.lastIndexOf('.'))}.${jose.base64url.encode(signature)}`

function counted(verifier: SignatureVerifier): SignatureVerifier & { calls: number } {
  const wrapped = Object.assign((...args: Parameters<SignatureVerifier>) => (wrapped.calls++, verifier(...args)), { calls: 0 })
  return wrapped
}

const VERIFIERS = [
  ['WebCrypto (the default)', () => counted(webCryptoSignatureVerifier)],
  ['node:crypto', () => counted(nodeSignatureVerifier(nodeCrypto))],
] as const

describe.each(VERIFIERS)('hostile JWTs, verified with %s', (_name, make) => {
  const verifier = make()
  const rs = (extra: Partial<ResourceServerOptions> = {}) =>
    createResourceServer({
      issuer: 'https://as.example',
      jwksUri: `${jwks.url}/jwks`,
      audience: API,
      tokenFormat: 'jwt',
      cache: false,
      allowInsecureRequests: true,
      signatureVerifier: verifier,
      ...extra,
    })
  const all = () => rs({ jwt: { algorithms: [...ALL], secret: SECRET } })
  const asymmetric = () => rs()
  const refused = async (jwt: string, reason: string, server = all()) => {
    const err = await rejection(() => server.authenticate(`Bearer ${jwt}`), BearerError, 401, 'invalid_token')
    expect(reasonOf(err), `${jwt.slice(0, 60)}… ${err.description}`).toBe(reason)
    expect(JSON.stringify(err)).not.toContain(jwt)
    return err
  }

  it('accepts a valid token of every alg, through this verifier', async () => {
    const server = all()
    for (const alg of ALL) {
      const before = verifier.calls
      expect(await server.authenticate(`Bearer ${await token(alg)}`), alg).toMatchObject({ sub: 'user-1', source: 'jwt' })
      expect(verifier.calls, alg).toBe(before + 1)
    }
  })

  it('without jwt.algorithms: every asymmetric alg is accepted, HS* is not', async () => {
    const server = asymmetric()
    for (const alg of ASYMMETRIC) expect(await server.authenticate(`Bearer ${await token(alg)}`), alg).toMatchObject({ sub: 'user-1' })
    for (const alg of ['HS256', 'HS384', 'HS512']) await refused(await token(alg), 'alg_not_allowed', server)
  })

  it('alg none, in any spelling, with or without a signature: refused before any verifier call', async () => {
    const payload = b64(claims())
    const before = verifier.calls
    for (const alg of ['none', 'None', 'NONE'])
      for (const sig of ['', 'c2ln']) await refused(`${b64({ alg, typ: 'at+jwt' })}.${payload}.${sig}`, 'alg_not_allowed')
    expect(verifier.calls).toBe(before)
  })

  it('key confusion: HS256 keyed with the AS public RSA key (PEM or JWK) is refused', async () => {
    const publicKey = (await jose.importJWK({ kty: 'RSA', n: rsaPublicJwk.n!, e: rsaPublicJwk.e! }, 'RS256', {
      extractable: true,
    })) as CryptoKey
    for (const secret of [await jose.exportSPKI(publicKey), JSON.stringify({ kty: 'RSA', n: rsaPublicJwk.n, e: rsaPublicJwk.e })]) {
      const jwt = await new jose.SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'rsa' })
        .sign(new TextEncoder().encode(secret))
      await refused(jwt, 'alg_not_allowed', asymmetric()) // no secret configured: HS* is not allowed at all
      await refused(jwt, 'bad_signature', all()) // a secret configured: the RSA key is never the HMAC key
    }
  })

  it('wrong typ', async () => {
    for (const typ of ['JWT', 'token-introspection+jwt', 'dpop+jwt']) await refused(await token('ES256', { typ }), 'wrong_type')
    await refused(await token('ES256', { typ: 7 }), 'malformed_token')
  })

  it('any crit is refused: unknown, registered, b64, malformed', async () => {
    for (const header of [
      { crit: ['x-ext'], 'x-ext': true },
      { crit: ['exp'], exp: 1 },
      { crit: ['b64'], b64: true },
      { crit: ['b64'], b64: false },
      { crit: [] },
      { crit: 'x-ext' },
    ]) {
      const h = { alg: 'ES256', typ: 'at+jwt', kid: 'p256', ...header }
      const input = `${b64(h)}.${b64(claims())}`
      const sig = nodeCrypto.sign('sha256', Buffer.from(input), {
        key: nodeCrypto.KeyObject.from(signing.get('ES256')!.key as CryptoKey),
        dsaEncoding: 'ieee-p1363',
      })
      await refused(`${input}.${jose.base64url.encode(sig)}`, 'malformed_token')
    }
  })

  it('signatures of every wrong length, and tampered ones, are bad signatures for every alg', async () => {
    for (const alg of ALL) {
      const jwt = await token(alg)
      const sig = jose.base64url.decode(jwt.slice(jwt.lastIndexOf('.') + 1))
      const flipped = sig.slice()
      flipped[sig.length >> 1]! ^= 0x01
      for (const bad of [
        new Uint8Array(),
        sig.slice(0, 1),
        sig.slice(0, -1),
        new Uint8Array([...sig, 0]),
        new Uint8Array([...sig, ...sig]),
        flipped,
      ])
        await refused(withSignature(jwt, bad), 'bad_signature')
      const [h, , s] = jwt.split('.')
      await refused(`${h}.${b64({ ...claims(), sub: 'admin' })}.${s}`, 'bad_signature')
    }
  })

  it('a DER-encoded ECDSA signature (not the JWS r‖s form) is refused', async () => {
    const jwt = await token('ES256')
    const input = jwt.slice(0, jwt.lastIndexOf('.'))
    const der = nodeCrypto.sign('sha256', Buffer.from(input), nodeCrypto.KeyObject.from(signing.get('ES256')!.key as CryptoKey))
    await refused(withSignature(jwt, der), 'bad_signature')
  })

  it('a key of another kind than the alg, or an RSA key under 2048 bits, is refused before the verifier is called', async () => {
    const before = verifier.calls
    await refused(await token('ES384', { kid: 'p256' }), 'unknown_kid') // the JWKS has no P-384 key "p256"
    await refused(await token('ES256', { kid: 'rsa' }), 'unknown_kid')
    await refused(await token('RS256', {}, claims(), 'weak'), 'malformed_token')
    expect(verifier.calls).toBe(before)
  })
})

describe('a signature verifier that fails is a refusal, never an acceptance nor an untyped error', () => {
  const base = { issuer: 'https://as.example', audience: API, tokenFormat: 'jwt', cache: false, allowInsecureRequests: true } as const
  const broken: [string, SignatureVerifier][] = [
    [
      'throws',
      () => {
        throw new TypeError('boom')
      },
    ],
    ['rejects', () => Promise.reject(new Error('boom'))],
    ...(['true', 1, undefined, null, {}, Promise.resolve('yes')] as unknown[]).map((v): [string, SignatureVerifier] => [
      `returns ${String(v)}`,
      () => v as boolean,
    ]),
  ]
  it.each(broken)('a verifier that %s', async (_what, verifier) => {
    const rs = createResourceServer({ ...base, jwksUri: `${jwks.url}/jwks`, signatureVerifier: verifier })
    const jwt = await token('ES256')
    const err = await rejection(() => rs.authenticate(`Bearer ${jwt}`), BearerError, 401, 'invalid_token')
    expect(reasonOf(err)).toBe('bad_signature')
    expect(err.description).toBe('The access token signature is invalid')
    // what went wrong stays reachable for the operator: jose's error, caused by the verifier's own
    const failure = err.cause as Error & { cause?: unknown }
    expect(failure).toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed)
    if (_what === 'throws' || _what === 'rejects') expect((failure.cause as Error).message).toBe('boom')
  })

  it('the option is validated as a function; setDefaultSignatureVerifier never overrides it', async () => {
    expect(() => createResourceServer({ ...base, jwksUri: `${jwks.url}/jwks`, signatureVerifier: 'node' as never })).toThrow(
      ConfigurationError,
    )
    const chosen = counted(webCryptoSignatureVerifier)
    const offered = counted(nodeSignatureVerifier(nodeCrypto))
    const rs = createResourceServer({ ...base, jwksUri: `${jwks.url}/jwks`, signatureVerifier: chosen })
    setDefaultSignatureVerifier(rs, offered)
    await rs.authenticate(`Bearer ${await token('ES256')}`)
    expect([chosen.calls, offered.calls]).toEqual([1, 0])
    // without the option, the default set is used
    const plain = createResourceServer({ ...base, jwksUri: `${jwks.url}/jwks` })
    setDefaultSignatureVerifier(plain, offered)
    await plain.authenticate(`Bearer ${await token('ES256')}`)
    expect(offered.calls).toBe(1)
    expect(() => setDefaultSignatureVerifier(plain, 'x' as never)).toThrow(ConfigurationError)
  })
})
