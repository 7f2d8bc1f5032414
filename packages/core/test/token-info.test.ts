/**
 * What a resource server accepts of an introspected token, request by request: its lifetime to the
 * second (with and without clock tolerance), the audience claim it was configured with, the types of
 * its registered claims, its scopes. Against a real local AS answering each test's claims, with an
 * injected clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BearerError, type ResourceServerOptions } from '../src/index.js'
import {
  type FakeAS,
  goodClaims,
  introspectingRs,
  jwtRs,
  rejection,
  signJwt,
  startFakeAS,
  type TestClock,
  testClock,
} from './support/index.js'

let as: FakeAS
let clock: TestClock
/** The claims the AS answers for the token being introspected (active unless said otherwise). */
let claims: Record<string, unknown>
let n = 0
/** A fresh token each call: verdicts are cached per token. */
const token = () => `token-${++n}`

beforeAll(async () => {
  as = await startFakeAS()
  as.introspect = () => ({ body: { active: true, ...claims } })
})
afterAll(() => as?.close())
beforeEach(() => {
  clock = testClock()
  claims = { sub: 'user-1', scope: 'read', client_id: 'app' }
})

const rs = (extra: Partial<ResourceServerOptions> = {}) => introspectingRs(as, { clock: clock.now, ...extra })
const accepted = (extra: Partial<ResourceServerOptions> = {}) => rs(extra).authenticate(`Bearer ${token()}`)
/** Refused with 401 invalid_token, and the reason operators see in events and logs. */
const refused = async (extra: Partial<ResourceServerOptions> = {}, reason?: string) => {
  const err = (await rejection(() => accepted(extra), BearerError, 401, 'invalid_token')) as BearerError
  if (reason !== undefined) expect(err.reason).toBe(reason)
  return err
}

describe('lifetime of an introspected token, to the second', () => {
  it('expires at its exp second, not one second later', async () => {
    claims.exp = clock.seconds() + 1
    await expect(accepted({ clockTolerance: 0 })).resolves.toMatchObject({ sub: 'user-1' })
    claims.exp = clock.seconds()
    await refused({ clockTolerance: 0 }, 'expired')
  })

  it('is not valid before nbf', async () => {
    claims.nbf = clock.seconds()
    await expect(accepted({ clockTolerance: 0 })).resolves.toMatchObject({ sub: 'user-1' })
    claims.nbf = clock.seconds() + 1
    await refused({ clockTolerance: 0 }, 'not_yet_valid')
    claims.nbf = 0 // a NumericDate may be 0
    await expect(accepted({ clockTolerance: 0 })).resolves.toMatchObject({ nbf: 0 })
  })

  it('is refused when issued in the future', async () => {
    claims.iat = clock.seconds()
    await expect(accepted({ clockTolerance: 0 })).resolves.toMatchObject({ sub: 'user-1' })
    claims.iat = clock.seconds() + 1
    await refused({ clockTolerance: 0 }, 'issued_in_future')
  })

  it('clockTolerance widens each bound by exactly that many seconds (default 5)', async () => {
    const s = clock.seconds()
    for (const [extra, tolerance] of [
      [{ clockTolerance: 30 }, 30],
      [{}, 5],
    ] as const) {
      claims = { sub: 'u', exp: s - tolerance + 1 }
      await expect(accepted(extra)).resolves.toMatchObject({ sub: 'u' })
      claims = { sub: 'u', exp: s - tolerance }
      await refused(extra)
      claims = { sub: 'u', nbf: s + tolerance, iat: s + tolerance }
      await expect(accepted(extra)).resolves.toMatchObject({ sub: 'u' })
      claims = { sub: 'u', nbf: s + tolerance + 1 }
      await refused(extra)
      claims = { sub: 'u', iat: s + tolerance + 1 }
      await refused(extra)
    }
  })

  it('a cached verdict expires with the token: refused once the clock passes exp', async () => {
    const server = rs({ clockTolerance: 0 })
    claims.exp = clock.seconds() + 60
    await expect(server.authenticate('Bearer cached-token')).resolves.toMatchObject({ sub: 'user-1' })
    clock.advance(59_000)
    await expect(server.authenticate('Bearer cached-token')).resolves.toMatchObject({ sub: 'user-1' })
    clock.advance(1_000)
    await rejection(() => server.authenticate('Bearer cached-token'), BearerError, 401, 'invalid_token')
  })
})

describe('audience of an introspected token', () => {
  it('by default (introspection only) the audience is matched against aud, not client_id', async () => {
    claims = { sub: 'u', aud: 'https://api.example', client_id: 'app' }
    await expect(accepted({ audience: 'https://api.example' })).resolves.toMatchObject({ aud: ['https://api.example'] })
    claims = { sub: 'u', aud: 'https://other.example', client_id: 'https://api.example' }
    await refused({ audience: 'https://api.example' }, 'wrong_audience')
    claims = { sub: 'u', client_id: 'https://api.example' }
    await refused({ audience: 'https://api.example' })
  })

  it('one of several audiences in an aud array is enough', async () => {
    claims = { sub: 'u', aud: ['https://x.example', 'https://api.example'] }
    await expect(accepted({ audience: ['https://y.example', 'https://api.example'] })).resolves.toMatchObject({ sub: 'u' })
    claims = { sub: 'u', aud: ['https://x.example', 'https://z.example'] }
    await refused({ audience: ['https://y.example', 'https://api.example'] })
  })

  it("with audienceClaim client_id (ProConnect's convention) the calling client is matched, not aud", async () => {
    claims = { sub: 'u', client_id: 'sp-1', aud: 'https://elsewhere.example' }
    await expect(accepted({ audience: ['sp-0', 'sp-1'], audienceClaim: 'client_id' })).resolves.toMatchObject({ clientId: 'sp-1' })
    claims = { sub: 'u', client_id: 'sp-2', aud: 'sp-1' }
    await refused({ audience: ['sp-0', 'sp-1'], audienceClaim: 'client_id' })
    claims = { sub: 'u', aud: 'sp-1' }
    await refused({ audience: 'sp-1', audienceClaim: 'client_id' })
  })

  it('without an audience any aud is accepted', async () => {
    claims = { sub: 'u', aud: 'https://whatever.example' }
    await expect(accepted()).resolves.toMatchObject({ aud: ['https://whatever.example'] })
  })
})

describe('claims of the wrong type make the token invalid, never a half-read token', () => {
  it.each([
    ['exp as a string', { exp: '99999999999' }],
    ['a negative iat', { iat: -1 }],
    ['nbf not finite', { nbf: 'Infinity' }],
    ['sub as a number', { sub: 42 }],
    ['client_id as an object', { client_id: {} }],
    ['iss as a number', { iss: 1 }],
    ['aud as a number', { aud: 1 }],
    ['aud with a number inside', { aud: ['a', 1] }],
    ['scope as an array with a number inside', { scope: ['read', 1] }],
    ['scp as a number', { scope: undefined, scp: 1 }],
    ['scp with a number inside', { scope: undefined, scp: ['read', 1] }],
    ['another issuer', { iss: 'https://evil.example' }],
    ['a refresh token (token_type)', { token_type: 'refresh_token' }],
    ['a refresh token (token_use)', { token_use: 'Refresh' }],
  ])('%s', async (_label, patch) => {
    claims = { sub: 'u', scope: 'read', ...patch }
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k]
    // introspection treats such an answer as `active: false` (see jwt/verify.test.ts for the reasons on the JWT path)
    await refused({}, 'inactive')
  })

  it('the values a user reads are the ones the AS sent', async () => {
    const s = clock.seconds()
    claims = {
      sub: 'u',
      client_id: 'app',
      aud: 'https://api.example',
      iss: as.issuer,
      exp: s + 60,
      iat: s - 1,
      nbf: s - 2,
      token_type: 'Bearer',
      scope: ' read  write ',
    }
    const info = await accepted()
    expect(info).toMatchObject({
      sub: 'u',
      clientId: 'app',
      aud: ['https://api.example'],
      iss: as.issuer,
      exp: s + 60,
      iat: s - 1,
      nbf: s - 2,
      scopes: ['read', 'write'],
      source: 'introspection',
    })
    expect(Object.isFrozen(info) && Object.isFrozen(info.claims) && Object.isFrozen(info.aud) && Object.isFrozen(info.scopes)).toBe(true)
    claims = { sub: 'u' }
    expect(await accepted()).toMatchObject({ iss: as.issuer, aud: [], scopes: [], exp: undefined, clientId: undefined })
  })

  it('scopes come from scope, else from scp (array or space-separated string)', async () => {
    claims = { sub: 'u', scp: ['a', 'b'] }
    expect((await accepted()).scopes).toEqual(['a', 'b'])
    claims = { sub: 'u', scp: 'c d' }
    expect((await accepted()).scopes).toEqual(['c', 'd'])
    claims = { sub: 'u', scope: 'e', scp: ['f'] }
    expect((await accepted()).scopes).toEqual(['e'])
  })

  it('scope wins over scp even when the scp string is one an earlier token had as its scope', async () => {
    // scope lists are shared between tokens with the same scope string: the key must be the string the scopes come from
    claims = { sub: 'u', scope: 'orders:read orders:write' }
    expect((await accepted()).scopes).toEqual(['orders:read', 'orders:write'])
    claims = { sub: 'u', scope: 'orders:read', scp: 'orders:read orders:write' }
    expect((await accepted()).scopes).toEqual(['orders:read'])
    claims = { sub: 'u', scope: 'orders:write', scp: 'orders:read orders:write' }
    expect((await accepted()).scopes).toEqual(['orders:write'])
    claims = { sub: 'u', scp: 'orders:read orders:write' }
    expect((await accepted()).scopes).toEqual(['orders:read', 'orders:write'])
  })
})

describe('scopes a route requires', () => {
  it('every scope of scopes, one of anyScope: else 403 naming the scopes needed', async () => {
    claims = { sub: 'u', scope: 'read write' }
    const server = rs()
    await expect(server.authenticate('Bearer scoped', { scopes: ['read', 'write'], anyScope: ['x', 'write'] })).resolves.toMatchObject({
      sub: 'u',
    })
    const missing = (await rejection(
      () => server.authenticate('Bearer scoped', { scopes: ['read', 'admin'] }),
      BearerError,
      403,
      'insufficient_scope',
    )) as BearerError
    expect(missing.scope).toBe('read admin')
    const none = (await rejection(
      () => server.authenticate('Bearer scoped', { anyScope: ['admin', 'root'] }),
      BearerError,
      403,
      'insufficient_scope',
    )) as BearerError
    expect(none.scope).toBe('admin root')
    await expect(server.authenticate('Bearer scoped', { scopes: [], anyScope: [] })).resolves.toMatchObject({ sub: 'u' })
  })
})

describe('what is not an access token is refused, whatever else it says', () => {
  const jwtRefusal = async (token: string, extra: Partial<ResourceServerOptions> = {}) =>
    (await rejection(
      () => jwtRs(as, { clock: clock.now, ...extra }).authenticate(`Bearer ${token}`),
      BearerError,
      401,
      'invalid_token',
    )) as BearerError
  const jwtAccepted = async (token: string, extra: Partial<ResourceServerOptions> = {}) =>
    expect(await jwtRs(as, { clock: clock.now, ...extra }).authenticate(`Bearer ${token}`)).toMatchObject({ sub: 'user-1', source: 'jwt' })
  const jwt = (patch: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    signJwt(as, { ...goodClaims(as, clock.now()), ...patch }, header)

  it('a token_use other than "access" (and not "id" or a refresh token): reason wrong_type', async () => {
    expect((await jwtRefusal(await jwt({ token_use: 'something' }))).reason).toBe('wrong_type')
    expect((await jwtRefusal(await jwt({ token_use: 'id' }))).reason).toBe('id_token')
    await jwtAccepted(await jwt({ token_use: 'access' }))
  })

  it('a JWT typed at+jwt, in either spelling, is an access token even with a nonce', async () => {
    for (const typ of ['at+jwt', 'application/at+jwt', 'Application/AT+JWT']) await jwtAccepted(await jwt({ nonce: 'n-0S6' }, { typ }))
    const lenient = { jwt: { typ: 'lenient' as const } }
    expect((await jwtRefusal(await jwt({ nonce: 'n-0S6' }, { typ: 'JWT' }), lenient)).reason).toBe('id_token')
  })

  it('only a typ claim "Bearer" (Keycloak) vouches for a token carrying a nonce, not any typ claim', async () => {
    const lenient = { jwt: { typ: 'lenient' as const } }
    await jwtAccepted(await jwt({ nonce: 'n-0S6', typ: 'Bearer' }, { typ: 'JWT' }), lenient)
    for (const typClaim of ['JWT', 'access', ''])
      expect((await jwtRefusal(await jwt({ nonce: 'n-0S6', typ: typClaim }, { typ: 'JWT' }), lenient)).reason, typClaim).toBe('id_token')
    // the same on the introspection path, where no JWT header can say at+jwt
    claims = { sub: 'user-1', nonce: 'n-0S6', typ: 'Bearer' }
    await expect(accepted()).resolves.toMatchObject({ sub: 'user-1', source: 'introspection' })
    claims = { sub: 'user-1', nonce: 'n-0S6', typ: 'JWT' }
    await refused({}, 'inactive')
  })
})
