/**
 * JWT access tokens verified locally (RFC 9068) against a real local JWKS: the header rules (alg
 * allow-list, typ strict or lenient, member types), the lifetime to the second with an injected
 * clock, the audience, and the one spelling of a token (canonical base64url).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AuthorizationServerError, BearerError, type ResourceServerOptions } from '../../src/index.js'
import { type FakeAS, goodClaims, jwtRs, rejection, signJwt, startFakeAS, type TestClock, testClock } from '../support/index.js'

let as: FakeAS
let clock: TestClock

beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as?.close())
beforeEach(() => {
  clock = testClock()
})

const rs = (extra: Partial<ResourceServerOptions> = {}) => jwtRs(as, { clock: clock.now, ...extra })
const claims = (patch: Record<string, unknown> = {}) => {
  const c: Record<string, unknown> = { ...goodClaims(as, clock.now()), ...patch }
  for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k]
  return c
}
const accepts = async (token: string, extra: Partial<ResourceServerOptions> = {}) =>
  expect(await rs(extra).authenticate(`Bearer ${token}`)).toMatchObject({ sub: 'user-1', source: 'jwt' })
/** Refused with 401 invalid_token, and (when given) the reason operators see in events and logs. */
const refuses = async (token: string, extra: Partial<ResourceServerOptions> = {}, reason?: string) => {
  const err = (await rejection(() => rs(extra).authenticate(`Bearer ${token}`), BearerError, 401, 'invalid_token')) as BearerError
  if (reason !== undefined) expect(err.reason, token).toBe(reason)
  return err
}

describe('typ: at+jwt in strict mode; lenient also takes JWT or no typ, never another type', () => {
  it('strict (the default)', async () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt']) await accepts(await signJwt(as, claims(), { typ }))
    for (const typ of ['JWT', 'application/jwt', 'token-introspection+jwt', undefined])
      await refuses(await signJwt(as, claims(), { typ }), {}, 'wrong_type')
  })

  it('lenient', async () => {
    const lenient = { jwt: { typ: 'lenient' as const } }
    for (const typ of ['at+jwt', 'JWT', 'jwt', 'application/jwt', undefined]) await accepts(await signJwt(as, claims(), { typ }), lenient)
    for (const typ of ['token-introspection+jwt', 'dpop+jwt', '']) await refuses(await signJwt(as, claims(), { typ }), lenient)
  })

  it('kid and cty may be absent, or strings', async () => {
    await accepts(await signJwt(as, claims(), { kid: undefined })) // the JWKS has one ES256 key
    await accepts(await signJwt(as, claims(), { cty: 'at+jwt' }))
  })

  it('typ, kid and cty must be strings when present', async () => {
    for (const header of [{ typ: 1 }, { kid: 1 }, { cty: {} }]) await refuses(await signJwt(as, claims(), header), {}, 'malformed_token')
  })
})

describe('alg: only the allowed algorithms', () => {
  it('an asymmetric alg not on jwt.algorithms is refused before any key is fetched', async () => {
    const token = await signJwt(as, claims())
    await accepts(token, { jwt: { algorithms: ['ES256'] } })
    const before = as.server.requests
    await refuses(token, { jwt: { algorithms: ['RS256', 'ES384'] } })
    expect(as.server.requests).toBe(before)
  })

  it('none is refused, whatever its spelling', async () => {
    const [, p] = (await signJwt(as, claims())).split('.')
    for (const alg of ['none', 'None', 'NONE']) {
      const header = btoa(JSON.stringify({ alg, typ: 'at+jwt' }))
        .replace(/=+$/, '')
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
      await refuses(`${header}.${p}.`)
    }
  })
})

describe('lifetime, to the second (clockTolerance 0, then the default 5 s)', () => {
  it('exp is required and excluded: valid until the second before exp', async () => {
    const s = clock.seconds()
    await accepts(await signJwt(as, claims({ exp: s + 1 })), { clockTolerance: 0 })
    await refuses(await signJwt(as, claims({ exp: s })), { clockTolerance: 0 })
    await refuses(await signJwt(as, claims({ exp: undefined })))
    await accepts(await signJwt(as, claims({ exp: s - 4 })))
    await refuses(await signJwt(as, claims({ exp: s - 5 })))
  })

  it('nbf and iat may not be in the future', async () => {
    const s = clock.seconds()
    await accepts(await signJwt(as, claims({ nbf: s, iat: s })), { clockTolerance: 0 })
    await refuses(await signJwt(as, claims({ nbf: s + 1 })), { clockTolerance: 0 })
    await refuses(await signJwt(as, claims({ iat: s + 1 })), { clockTolerance: 0 }, 'issued_in_future')
    await accepts(await signJwt(as, claims({ nbf: s + 5, iat: s + 5 })))
    await refuses(await signJwt(as, claims({ iat: s + 6 })))
    await refuses(await signJwt(as, claims({ nbf: s + 6 })))
  })

  it('jwt.maxTokenAge refuses a token issued longer ago', async () => {
    const s = clock.seconds()
    const young = { clockTolerance: 0, jwt: { maxTokenAge: 60 } }
    await accepts(await signJwt(as, claims({ iat: s - 60 })), young)
    await refuses(await signJwt(as, claims({ iat: s - 61 })), young)
  })
})

describe('for us, from our issuer', () => {
  it('aud must name one of our audiences; iss must be the issuer', async () => {
    await accepts(await signJwt(as, claims({ aud: ['other', 'api'] })))
    await refuses(await signJwt(as, claims({ aud: 'other' })))
    await refuses(await signJwt(as, claims({ aud: undefined })))
    await refuses(await signJwt(as, claims({ iss: 'https://evil.example' })))
  })

  it('registered claims of the wrong type, or a refresh token, are refused with the reason', async () => {
    for (const [patch, reason] of [
      [{ sub: 42 }, 'malformed_token'],
      [{ client_id: {} }, 'malformed_token'],
      [{ scope: ['read', 1] }, 'malformed_token'],
      [{ scope: undefined, scp: 1 }, 'malformed_token'],
      [{ token_use: 'refresh' }, 'wrong_type'],
      [{ token_type: 'refresh_token' }, 'wrong_type'],
    ] as const) {
      await refuses(await signJwt(as, claims(patch)), {}, reason)
    }
  })

  it('what the application reads is what the token says', async () => {
    const s = clock.seconds()
    const token = await signJwt(as, claims({ scope: 'read write', iat: s - 10, exp: s + 600 }))
    expect(await rs().authenticate(`Bearer ${token}`)).toMatchObject({
      sub: 'user-1',
      clientId: 'app',
      aud: ['api'],
      iss: as.issuer,
      scopes: ['read', 'write'],
      iat: s - 10,
      exp: s + 600,
      source: 'jwt',
    })
  })
})

describe('one token, one spelling', () => {
  it('a respelling of a valid token with unused base64url bits set is refused', async () => {
    const token = await signJwt(as, claims())
    await accepts(token)
    // An ES256 signature is 64 bytes: 86 base64url characters, the last one carrying 2 unused bits.
    const sig = token.split('.')[2]!
    const last = sig[sig.length - 1]!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // 86 = 2 mod 4: the last character carries 4 bits of the signature and 4 unused ones (values 1, 2, 4, 8)
    expect(sig.length % 4).toBe(2)
    for (const bit of [1, 2, 4, 8]) {
      const respelt = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ bit]}`
      expect(respelt).not.toBe(token)
      await refuses(respelt, {}, 'malformed_token')
    }
  })

  it('a payload that is not a JSON object, or a JWE, is refused in jwt mode without asking anyone', async () => {
    const [h] = (await signJwt(as, claims())).split('.')
    const before = as.server.requests
    await refuses(`${h}.${btoa('[1]').replace(/=+$/, '')}.c2ln`)
    await refuses('eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d')
    await refuses('opaque-token-value')
    expect(as.server.requests).toBe(before)
  })

  it('keys that cannot be fetched are a 503, never a 401', async () => {
    const token = await signJwt(as, claims())
    await rejection(
      () => jwtRs(as, { clock: clock.now, jwksUri: `${as.issuer}/nowhere`, timeout: 0.5 }).authenticate(`Bearer ${token}`),
      AuthorizationServerError,
      503,
    )
  })
})
