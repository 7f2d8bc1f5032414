/**
 * The sender-constraint policy of a route: when it is active, a token alone on a server that requires
 * binding, the credentials and challenge of each mode, the DPoP binding (`cnf.jkt` = proof key), the
 * certificate binding (`cnf.x5t#S256`, from the TLS certificate or a trusted `Client-Cert` header),
 * every refusal (`invalid_token`, reason `sender_constraint`), and the replay check spent last, only
 * on a request about to be accepted, with its TTL covering the whole `iat` window.
 */
import * as jose from 'jose'
import { createHash, randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { type CacheStore } from '../../src/cache/index.js'
import { BearerError, ReplayCacheError } from '../../src/errors.js'
import { SenderConstraintError } from '../../src/sender-constraint/challenge.js'
import { dpopSettings, type DpopOptions } from '../../src/sender-constraint/options.js'
import { refuseUnproven, SenderConstraints, type RouteModes, type SenderConstraintSettings } from '../../src/sender-constraint/policy.js'
import type { SenderConstraintMode } from '../../src/sender-constraint/types.js'
import type { AccessTokenInfo } from '../../src/token-info.js'
import { rejection, testClock, thrown } from '../support/index.js'

const clock = testClock()
const URL_ = 'https://api.example/r'
const cert = Uint8Array.from([0x30, 1, 2, 3, 4])
const x5t = createHash('sha256').update(cert).digest('base64url')
let keys: jose.GenerateKeyPairResult
let jwk: jose.JWK
let jkt: string
beforeAll(async () => {
  keys = await jose.generateKeyPair('ES256', { extractable: true })
  jwk = await jose.exportJWK(keys.publicKey)
  jkt = await jose.calculateJwkThumbprint(jwk, 'sha256')
})

interface Setup {
  dpop?: DpopOptions
  mtls?: SenderConstraintMode
  trustProxyHeader?: boolean
  challenge?: SenderConstraintSettings['challenge']
}
function constraints({ dpop, mtls = 'none', trustProxyHeader = false, challenge }: Setup = {}): SenderConstraints {
  return new SenderConstraints({
    dpop: dpopSettings(dpop as never),
    mtls: { mode: mtls, trustProxyHeader },
    clock: clock.now,
    clockTolerance: 5,
    bearer: {},
    challenge,
  })
}

const info = (claims: Record<string, unknown>) => ({ claims, sub: 'u' }) as unknown as AccessTokenInfo
/** Tokens are `t.<base64url json of the cnf claim>` ('t.' alone: no cnf). */
const judge = (token: string) => {
  const cnf = token.slice(2)
  return info(cnf === '' ? {} : { cnf: JSON.parse(Buffer.from(cnf, 'base64url').toString()) })
}
const token = (cnf?: unknown) => `t.${cnf === undefined ? '' : Buffer.from(JSON.stringify(cnf)).toString('base64url')}`
const accept = (i: AccessTokenInfo) => i

async function proofFor(tok: string, claims: Record<string, unknown> = {}): Promise<string> {
  const ath = createHash('sha256').update(tok).digest('base64url')
  return new jose.SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: clock.seconds(), ath, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .sign(keys.privateKey)
}
const bearerRequest = (tok: string, extra: object = {}) => ({
  method: 'GET',
  href: URL_,
  headers: { authorization: `Bearer ${tok}` },
  ...extra,
})
async function dpopRequest(tok: string, extra: { headers?: Record<string, string>; clientCertificate?: Uint8Array } = {}) {
  return { method: 'GET', href: URL_, ...extra, headers: { authorization: `DPoP ${tok}`, dpop: await proofFor(tok), ...extra.headers } }
}

async function refused(sc: SenderConstraints, request: object, options: RouteModes = {}): Promise<SenderConstraintError> {
  const err = await rejection(() => sc.authenticate(request, options, judge, accept), SenderConstraintError, 401, 'invalid_token')
  expect(err.reason).toBe('sender_constraint')
  return err
}

describe('refuseUnproven', () => {
  it('returns a token without cnf, refuses one with cnf as bound_token', () => {
    const plain = info({})
    expect(refuseUnproven(plain)).toBe(plain)
    expect(thrown(() => refuseUnproven(info({ cnf: { jkt: 'x' } })), BearerError).reason).toBe('bound_token')
  })
})

describe('SenderConstraints.active and tokenOnly', () => {
  it('is active when DPoP or mTLS is not none, the route overriding the server', () => {
    expect(constraints().active({})).toBe(false)
    expect(constraints({ dpop: {} }).active({})).toBe(true)
    expect(constraints({ mtls: 'allowed' }).active({})).toBe(true)
    expect(constraints({ dpop: {} }).active({ dpop: 'none' })).toBe(false)
    expect(constraints({ mtls: 'required' }).active({ mtls: 'none' })).toBe(false)
    expect(constraints().active({ dpop: 'allowed' })).toBe(true)
    expect(constraints().active({ mtls: 'required' })).toBe(true)
  })

  it('refuses a token alone when the server requires DPoP or mTLS', () => {
    expect(constraints({ dpop: {}, mtls: 'allowed' }).tokenOnly()).toBeUndefined()
    for (const setup of [{ dpop: { mode: 'required' } }, { mtls: 'required' }] as Setup[]) {
      const err = thrown(() => constraints(setup).tokenOnly(), BearerError)
      expect([err.code, err.reason]).toEqual(['invalid_token', 'sender_constraint'])
    }
  })
})

describe('SenderConstraints.authenticate: credentials and challenge', () => {
  it('without credentials: missing_token with the route challenge, or undefined when optional', async () => {
    const sc = constraints({ dpop: { nonce: { secret: 'n'.repeat(32) } }, challenge: { realm: 'api' } })
    const err = await rejection(
      () => sc.authenticate({ method: 'GET', headers: {} }, {}, judge, accept),
      SenderConstraintError,
      401,
      'missing_token',
    )
    expect(err.wwwAuthenticate).toBe('Bearer realm="api", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA Ed25519"')
    expect(Object.keys(err.responseHeaders ?? {})).toEqual(['dpop-nonce'])
    expect(await sc.authenticate({ method: 'GET', headers: {} }, { optional: true }, judge, accept)).toBeUndefined()
  })

  it('lists DPoP only when the route accepts it, and no nonce then', async () => {
    const sc = constraints({ dpop: { nonce: { secret: 'n'.repeat(32) } }, mtls: 'allowed' })
    const err = await rejection(
      () => sc.authenticate({ headers: {} }, { dpop: 'none' }, judge, accept),
      SenderConstraintError,
      401,
      'missing_token',
    )
    expect(err.wwwAuthenticate).toBe('Bearer')
    expect(err.responseHeaders).toBeUndefined()
    const required = await rejection(() => sc.authenticate({ headers: {} }, { dpop: 'required' }, judge, accept), SenderConstraintError)
    expect(required.wwwAuthenticate).toMatch(/^DPoP algs=/)
  })

  it('takes the DPoP scheme as no credentials where DPoP is off', async () => {
    const sc = constraints({ mtls: 'allowed' })
    await rejection(async () => sc.authenticate(await dpopRequest(token()), {}, judge, accept), SenderConstraintError, 401, 'missing_token')
  })

  it('refuses a Bearer token where DPoP is required, the error in the DPoP challenge', async () => {
    const err = await refused(constraints({ dpop: { mode: 'required' } }), bearerRequest(token({ jkt: 'x' })))
    expect(err.wwwAuthenticate).toMatch(/^DPoP error="invalid_token"/)
    // Refused before the token is judged (no introspection spent on it).
    const judged: string[] = []
    const sc = constraints({ dpop: { mode: 'required' } })
    await rejection(() => sc.authenticate(bearerRequest('t.'), {}, (t) => (judged.push(t), judge(t)), accept), SenderConstraintError, 401)
    expect(judged).toEqual([])
  })

  it('passes an error of the judge through the route challenge; anything else as it is', async () => {
    const sc = constraints({ dpop: {} })
    const failing = () => {
      throw new BearerError('invalid_token', 'expired', { reason: 'expired' })
    }
    const err = await rejection(
      () => sc.authenticate(bearerRequest('t.'), {}, failing, accept),
      SenderConstraintError,
      401,
      'invalid_token',
    )
    expect(err.reason).toBe('expired')
    expect(err.wwwAuthenticate).toMatch(/^Bearer error="invalid_token"/)
    const boom = new TypeError('boom')
    expect(await sc.authenticate(bearerRequest('t.'), {}, () => Promise.reject(boom), accept).catch((e: unknown) => e)).toBe(boom)
  })

  it('returns what accept returns, called with the judged token and the route options', async () => {
    const sc = constraints({ dpop: {} })
    const seen: unknown[] = []
    const options = { dpop: 'allowed' as const, extra: 1 }
    const result = await sc.authenticate(bearerRequest('t.'), options, judge, (i, o) => (seen.push(i.claims, o), info({ accepted: true })))
    expect(result?.claims).toEqual({ accepted: true })
    expect(seen).toEqual([{}, options])
  })
})

describe('SenderConstraints.authenticate: unbound tokens', () => {
  it('accepts an unbound Bearer token unless a mechanism is required', async () => {
    expect((await constraints({ dpop: {}, mtls: 'allowed' }).authenticate(bearerRequest('t.'), {}, judge, accept))?.sub).toBe('u')
    await refused(constraints({ dpop: {} }), bearerRequest('t.'), { dpop: 'required' })
    await refused(constraints({ mtls: 'required' }), bearerRequest('t.'))
    await refused(constraints({ dpop: {} }), bearerRequest('t.'), { mtls: 'required' })
  })

  it('refuses an unbound token sent with the DPoP scheme and a valid proof', async () => {
    await refused(constraints({ dpop: {} }), await dpopRequest(token()))
  })
})

describe('SenderConstraints.authenticate: cnf', () => {
  it('refuses a malformed cnf, and one with a confirmation method it does not check', async () => {
    const sc = constraints({ dpop: {}, mtls: 'allowed' })
    for (const cnf of ['x', null, [], {}, 1, { jkt: 'a', other: 'b' }, { 'x5t#S256': 'a', kid: 'k' }]) {
      await refused(sc, bearerRequest(token(cnf)))
    }
  })
})

describe('SenderConstraints.authenticate: DPoP-bound tokens', () => {
  it('accepts the DPoP scheme with a proof by the key the token is bound to', async () => {
    const sc = constraints({ dpop: {} })
    expect(await sc.authenticate(await dpopRequest(token({ jkt })), {}, judge, accept)).toEqual(info({ cnf: { jkt } }))
    expect(await sc.authenticate(await dpopRequest(token({ jkt })), {}, judge, accept)).toBeDefined()
    await sc.authenticate(await dpopRequest(token({ jkt })), { dpop: 'required' }, judge, accept)
  })

  it('refuses it sent as Bearer, where DPoP is off, by another key, or with a non-string jkt', async () => {
    const sc = constraints({ dpop: {}, mtls: 'allowed' })
    await refused(sc, bearerRequest(token({ jkt })))
    await refused(sc, bearerRequest(token({ jkt })), { dpop: 'none' })
    await refused(sc, await dpopRequest(token({ jkt: 'another-thumbprint' })))
    await refused(sc, await dpopRequest(token({ jkt: 42 })))
  })

  it('refuses a DPoP-bound token without a certificate binding where mTLS is required', async () => {
    await refused(constraints({ dpop: {}, mtls: 'required' }), await dpopRequest(token({ jkt })))
  })

  it('refuses an invalid proof with invalid_dpop_proof', async () => {
    const sc = constraints({ dpop: {} })
    const request = await dpopRequest(token({ jkt }), { headers: { dpop: await proofFor('another token') } })
    const err = await rejection(() => sc.authenticate(request, {}, judge, accept), SenderConstraintError, 401, 'invalid_dpop_proof')
    expect(err.wwwAuthenticate).toMatch(/^Bearer, DPoP error="invalid_dpop_proof"/)
  })

  it('spends a proof once, and only when the request is accepted', async () => {
    const sc = constraints({ dpop: {} })
    const request = await dpopRequest(token({ jkt }))
    const refuse = () => {
      throw new BearerError('insufficient_scope', 'no', { scope: 'x' })
    }
    await rejection(() => sc.authenticate(request, {}, judge, refuse), SenderConstraintError, 403, 'insufficient_scope')
    await sc.authenticate(request, {}, judge, accept)
    await rejection(() => sc.authenticate(request, {}, judge, accept), SenderConstraintError, 401, 'invalid_dpop_proof')
  })

  it('keeps a jti for the whole iat window: proofMaxAge + 2 × clockTolerance + 1 s, in the store configured', async () => {
    const ttls: number[] = []
    const store: CacheStore<number> = {
      get: () => undefined,
      set: () => undefined,
      delete: () => undefined,
      add: (_k, _v, ttl) => (ttls.push(ttl), true),
    }
    const sc = constraints({ dpop: { proofMaxAge: 60, replay: { store } } })
    await sc.authenticate(await dpopRequest(token({ jkt })), {}, judge, accept)
    await sc.authenticate(await dpopRequest(token({ jkt })), {}, judge, accept)
    expect(ttls).toEqual([71_000, 71_000])
  })

  it('fails closed (503) when the replay store fails', async () => {
    const store: CacheStore<number> = {
      get: () => undefined,
      set: () => undefined,
      delete: () => undefined,
      add: () => Promise.reject(new Error('down')),
    }
    const sc = constraints({ dpop: { replay: { store } } })
    await rejection(async () => sc.authenticate(await dpopRequest(token({ jkt })), {}, judge, accept), ReplayCacheError, 503)
  })
})

describe('SenderConstraints.authenticate: certificate-bound tokens', () => {
  const bound = token({ 'x5t#S256': x5t })

  it('accepts the TLS certificate it is bound to, given as bytes or a function', async () => {
    const sc = constraints({ mtls: 'allowed' })
    expect(await sc.authenticate(bearerRequest(bound, { clientCertificate: cert }), {}, judge, accept)).toBeDefined()
    expect(
      await sc.authenticate(bearerRequest(bound, { clientCertificate: () => cert }), { mtls: 'required' }, judge, accept),
    ).toBeDefined()
  })

  it('refuses another, no or an empty certificate, and a route without mTLS', async () => {
    const sc = constraints({ mtls: 'allowed' })
    await refused(sc, bearerRequest(bound, { clientCertificate: Uint8Array.from([1]) }))
    await refused(sc, bearerRequest(bound))
    await refused(sc, bearerRequest(bound, { clientCertificate: () => undefined }))
    await refused(sc, bearerRequest(bound, { clientCertificate: new Uint8Array() }))
    const emptyThumbprint = createHash('sha256').update(new Uint8Array()).digest('base64url')
    await refused(sc, bearerRequest(token({ 'x5t#S256': emptyThumbprint }), { clientCertificate: new Uint8Array() }))
    await refused(sc, bearerRequest(token({ 'x5t#S256': 7 }), { clientCertificate: cert }))
    await refused(sc, bearerRequest(bound, { clientCertificate: cert }), { mtls: 'none' })
  })

  it('refuses it with the DPoP scheme, or where DPoP is required', async () => {
    const sc = constraints({ mtls: 'allowed', dpop: {} })
    await refused(sc, await dpopRequest(bound, { clientCertificate: cert }))
    await refused(sc, bearerRequest(bound, { clientCertificate: cert }), { dpop: 'required' })
  })

  it('reads the Client-Cert header only behind a trusted proxy, and then only it', async () => {
    const header = { authorization: `Bearer ${bound}`, 'client-cert': `:${Buffer.from(cert).toString('base64')}:` }
    const trusted = constraints({ mtls: 'allowed', trustProxyHeader: true })
    expect(await trusted.authenticate({ method: 'GET', headers: header }, {}, judge, accept)).toBeDefined()
    await refused(trusted, { method: 'GET', headers: { authorization: `Bearer ${bound}` }, clientCertificate: cert })
    await refused(constraints({ mtls: 'allowed' }), { method: 'GET', headers: header })
  })

  it('accepts a token bound both ways with its proof and its certificate', async () => {
    const sc = constraints({ mtls: 'allowed', dpop: {} })
    const both = token({ jkt, 'x5t#S256': x5t })
    expect(await sc.authenticate(await dpopRequest(both, { clientCertificate: cert }), {}, judge, accept)).toBeDefined()
    await refused(sc, await dpopRequest(both))
  })
})
