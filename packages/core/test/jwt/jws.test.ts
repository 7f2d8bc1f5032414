/**
 * The compact JWS steps (src/jwt/jws.ts) and the claims set (src/jwt/claims-set.ts) on their own,
 * against a real local JWKS (a real RemoteKeySet) and real signatures. The resource server's router
 * refuses much of this before they are called (the shape, canonical segments, the header rules, an
 * `iss` that is not one of ours, a payload that is not an object): these tests hold them to the
 * checks they promise themselves, so that no caller depends on the router having looked first.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, webCryptoSignatureVerifier } from '../../src/index.js'
import { type ClaimsSetSettings, validateClaimsSet } from '../../src/jwt/claims-set.js'
import { checkJwtHeader, type JwsSettings, verifyCompactJws } from '../../src/jwt/jws.js'
import { verifyAccessTokenJwt } from '../../src/jwt/verify.js'
import { RemoteKeySet } from '../../src/keys/index.js'
import { type FakeAS, rejection, signJwt, startFakeAS, thrown } from '../support/index.js'

let as: FakeAS
let settings: JwsSettings

beforeAll(async () => {
  as = await startFakeAS()
  const keySet = new RemoteKeySet(as.jwksUri)
  settings = {
    algorithms: ['ES256', 'HS256'],
    secret: new TextEncoder().encode('a-shared-secret-of-at-least-32-characters!'),
    typ: 'strict',
    keySet: () => keySet,
    signatureVerifier: () => webCryptoSignatureVerifier,
  }
})
afterAll(() => as?.close())

const b64 = (text: string) => jose.base64url.encode(text)
const payload = { iss: 'https://as.example', sub: 'user-1', exp: 2_000_000_000 }

describe('verifyCompactJws', () => {
  it('a valid token: its header and its payload segment, as signed', async () => {
    const jwt = await signJwt(as, payload)
    const [h, p] = jwt.split('.') as [string, string]
    const verified = await verifyCompactJws(settings, jwt)
    expect(verified).toEqual({ header: { alg: 'ES256', kid: 'k1', typ: 'at+jwt' }, payload: p })
    expect(JSON.parse(new TextDecoder().decode(jose.base64url.decode(p)))).toEqual(payload)
    expect(h.length).toBeGreaterThan(0)
  })

  it('HS256 is verified with the configured secret, never with a key from the JWKS', async () => {
    const jwt = await new jose.SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' }).sign(settings.secret!)
    const before = as.server.requests
    expect((await verifyCompactJws(settings, jwt)).header.alg).toBe('HS256')
    expect(as.server.requests).toBe(before)
    const other = await new jose.SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode('another-secret-of-at-least-32-characters'))
    await rejection(() => verifyCompactJws(settings, other), jose.errors.JWSSignatureVerificationFailed)
  })

  it('not three segments', async () => {
    const [h, p, s] = (await signJwt(as, payload)).split('.') as [string, string, string]
    for (const jwt of [`${h}.${p}`, `${h}.${p}.${s}.`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s}.${p}.${s}`, h, ''])
      await rejection(() => verifyCompactJws(settings, jwt), jose.errors.JWSInvalid)
  })

  it('a non-canonical segment, whichever it is', async () => {
    const [h, p, s] = (await signJwt(as, payload)).split('.') as [string, string, string]
    for (const jwt of [`${h}=.${p}.${s}`, `${h}.${p}=.${s}`, `${h}.${p}.${s}=`, `${h}.${p}+.${s}`, `${h}.${p}.${s}/`])
      await rejection(() => verifyCompactJws(settings, jwt), jose.errors.JWSInvalid)
  })

  it('a header that is not a JSON object', async () => {
    const [, p, s] = (await signJwt(as, payload)).split('.') as [string, string, string]
    for (const header of ['[]', 'null', '"ES256"', '1', '{', '']) {
      await rejection(() => verifyCompactJws(settings, `${b64(header)}.${p}.${s}`), jose.errors.JWSInvalid)
    }
    // invalid UTF-8 in the header: refused, not read with U+FFFD
    const bytes = jose.base64url.encode(new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]))
    await rejection(() => verifyCompactJws(settings, `${bytes}.${p}.${s}`), jose.errors.JWSInvalid)
  })

  it('the header rules apply here too (alg allow-list, typ)', async () => {
    const jwt = await signJwt(as, payload)
    const err = await rejection(() => verifyCompactJws({ ...settings, algorithms: ['RS256'] }, jwt), BearerError, 401, 'invalid_token')
    expect(err.reason).toBe('alg_not_allowed')
    const typ = await rejection(async () => verifyCompactJws(settings, await signJwt(as, payload, { typ: 'JWT' })), BearerError)
    expect(typ.reason).toBe('wrong_type')
  })

  it('crit, in any form, before any key is fetched', async () => {
    const before = as.server.requests
    for (const crit of [['x'], [], 'x', null, 0])
      await rejection(async () => verifyCompactJws(settings, await signJwt(as, payload, { crit, x: 1 })), jose.errors.JOSENotSupported)
    expect(as.server.requests).toBe(before)
  })

  it('the signature covers exactly the header and the payload segments', async () => {
    const jwt = await signJwt(as, payload)
    const [h, p, s] = jwt.split('.') as [string, string, string]
    const other = (await signJwt(as, { ...payload, sub: 'admin' })).split('.')[1]!
    await rejection(() => verifyCompactJws(settings, `${h}.${other}.${s}`), jose.errors.JWSSignatureVerificationFailed)
    const header = b64(JSON.stringify({ alg: 'ES256', kid: 'k1', typ: 'application/at+jwt' }))
    await rejection(() => verifyCompactJws(settings, `${header}.${p}.${s}`), jose.errors.JWSSignatureVerificationFailed)
  })
})

describe('checkJwtHeader: never none, HS* only with a secret, whatever the allow-list says', () => {
  // The options never let an allow-list name "none", nor HS* without a secret: the header rules do not rely on it.
  const reason = (algorithms: string[], alg: unknown, secret?: Uint8Array) =>
    thrown(() => checkJwtHeader({ algorithms, secret, typ: 'strict' }, { alg, typ: 'at+jwt' }), BearerError).reason

  it('none, in any case, even when listed', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) expect(reason([alg], alg)).toBe('alg_not_allowed')
  })

  it('HS* without a secret, even when listed; with one, allowed', () => {
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      expect(reason([alg], alg)).toBe('alg_not_allowed')
      expect(() => checkJwtHeader({ algorithms: [alg], secret: new Uint8Array(32), typ: 'strict' }, { alg, typ: 'at+jwt' })).not.toThrow()
    }
    // an alg that merely ends in "HS" is not HMAC
    expect(() => checkJwtHeader({ algorithms: ['XHS'], secret: undefined, typ: 'strict' }, { alg: 'XHS', typ: 'at+jwt' })).not.toThrow()
  })

  it('alg not a string: a number, an array naming an allowed alg', () => {
    expect(reason(['ES256'], ['ES256'])).toBe('alg_not_allowed')
    expect(reason(['1'], 1)).toBe('alg_not_allowed')
    expect(reason(['ES256'], undefined)).toBe('alg_not_allowed')
  })
})

describe('validateClaimsSet', () => {
  const base: ClaimsSetSettings = { audience: [], maxTokenAge: undefined, clockTolerance: 0, clock: () => 1_900_000_000_000 }
  const validate = (claims: unknown, issuer = 'https://as.example', extra: Partial<ClaimsSetSettings> = {}) =>
    validateClaimsSet({ ...base, ...extra }, issuer, b64(typeof claims === 'string' ? claims : JSON.stringify(claims)))
  const failed = (call: () => unknown) => thrown(call, jose.errors.JWTClaimValidationFailed)

  it('returns the claims', () => {
    expect(validate(payload)).toEqual(payload)
  })

  it('iss: required and exact when an issuer is given; not looked at without one (a multi-tenant template)', () => {
    expect(failed(() => validate({ ...payload, iss: undefined })).claim).toBe('iss')
    expect(failed(() => validate({ ...payload, iss: undefined })).reason).toBe('missing')
    expect(failed(() => validate({ ...payload, iss: 'https://as.example/' })).claim).toBe('iss')
    expect(failed(() => validate({ ...payload, iss: 'https://as.example/' })).reason).toBe('check_failed')
    const anyIssuer = (claims: object) => validateClaimsSet(base, undefined, b64(JSON.stringify(claims)))
    expect(anyIssuer({ ...payload, iss: 'https://tenant.example' })).toMatchObject({ iss: 'https://tenant.example' })
    expect(anyIssuer({ sub: 'x', exp: payload.exp })).toEqual({ sub: 'x', exp: payload.exp })
  })

  it('the payload must be a JSON object (UTF-8)', () => {
    for (const text of ['[]', '[{"exp":1}]', 'null', '"x"', '1', '{', ''])
      thrown(() => validateClaimsSet(base, undefined, b64(text)), jose.errors.JWTInvalid)
    thrown(() => validateClaimsSet(base, undefined, jose.base64url.encode(new Uint8Array([0x7b, 0xff, 0x7d]))), jose.errors.JWTInvalid)
  })

  it('a missing claim is named: iss, then aud, then iat, then exp', () => {
    const some = { audience: ['api'], maxTokenAge: 60 }
    expect(failed(() => validate({}, 'https://as.example', some)).claim).toBe('iss')
    expect(failed(() => validate({ iss: 'https://as.example' }, 'https://as.example', some)).claim).toBe('aud')
    expect(failed(() => validate({ iss: 'https://as.example', aud: 'api' }, 'https://as.example', some)).claim).toBe('iat')
    expect(failed(() => validate({ iss: 'https://as.example', aud: 'api', iat: 1_900_000_000 }, 'https://as.example', some)).claim).toBe(
      'exp',
    )
    expect(validate({ iss: 'https://as.example', aud: 'api', iat: 1_900_000_000, exp: payload.exp }, 'https://as.example', some)).toEqual({
      iss: 'https://as.example',
      aud: 'api',
      iat: 1_900_000_000,
      exp: payload.exp,
    })
  })

  it('the lifetime, with the clock tolerance, at whole seconds of the clock', () => {
    const now = 1_900_000_000 // the clock is at now + 0.5 s
    const at = { clock: () => now * 1000 + 500, clockTolerance: 5 }
    const life = (claims: object, extra: Partial<ClaimsSetSettings> = {}) =>
      validate({ ...payload, ...claims }, undefined, { ...at, ...extra })
    expect(life({ exp: now - 4 })).toMatchObject({ exp: now - 4 })
    const expired = thrown(() => life({ exp: now - 5 }), jose.errors.JWTExpired)
    expect([expired.claim, expired.reason]).toEqual(['exp', 'check_failed'])
    expect(life({ nbf: now + 5 })).toMatchObject({ nbf: now + 5 })
    expect(failed(() => life({ nbf: now + 6 })).claim).toBe('nbf')
    expect(failed(() => life({ nbf: now + 6 })).reason).toBe('check_failed')
    const young = { maxTokenAge: 60 }
    expect(life({ iat: now - 65 }, young)).toMatchObject({ iat: now - 65 })
    const old = thrown(() => life({ iat: now - 66 }, young), jose.errors.JWTExpired)
    expect([old.claim, old.reason]).toEqual(['iat', 'check_failed'])
    // an iat in the future is not refused here: verifyAccessTokenJwt refuses it, as issued_in_future
    expect(life({ iat: now + 100 }, young)).toMatchObject({ iat: now + 100 })
  })

  it('a time claim that is not a number is invalid; a missing exp is missing', () => {
    for (const claim of ['exp', 'nbf', 'iat']) {
      const err = failed(() => validate({ ...payload, [claim]: '1900000000' }))
      expect([err.claim, err.reason]).toEqual([claim, 'invalid'])
    }
    const missing = failed(() => validate({ iss: payload.iss }))
    expect([missing.claim, missing.reason]).toEqual(['exp', 'missing'])
  })

  it('an inherited claim is not a claim', () => {
    // "exp" only on the prototype chain of a parsed object cannot happen from JSON; a "__proto__" member is an own member
    expect(failed(() => validate('{"__proto__":{"exp":2000000000},"iss":"https://as.example"}')).claim).toBe('exp')
  })
})

describe('verifyAccessTokenJwt: an iat in the future', () => {
  // A resource server checks it again on every request (requirements); verifyAccessTokenJwt refuses it on its own.
  it('is refused beyond the tolerance, with or without maxTokenAge, as issued_in_future', async () => {
    const now = 1_900_000_000
    const verifier = (maxTokenAge: number | undefined) => ({
      ...settings,
      issuer: payload.iss,
      audience: [],
      maxTokenAge,
      clockTolerance: 5,
      clock: () => now * 1000 + 500,
    })
    for (const maxTokenAge of [undefined, 60]) {
      const ok = await verifyAccessTokenJwt(verifier(maxTokenAge), await signJwt(as, { ...payload, iat: now + 5 }))
      expect(ok.info.iat).toBe(now + 5)
      expect(ok.kid).toBe('k1')
      const err = await rejection(
        async () => verifyAccessTokenJwt(verifier(maxTokenAge), await signJwt(as, { ...payload, iat: now + 6 })),
        BearerError,
        401,
        'invalid_token',
      )
      expect(err.reason).toBe('issued_in_future')
    }
  })
})
