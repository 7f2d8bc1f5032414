/**
 * What each issuer's runtime settles from the options, seen from a real local AS: which endpoints
 * must be known (no discovery when they are given, none for the JWKS when only HS* keys are used),
 * the introspection defaults (JSON unless signing algorithms or decryption keys ask for JWT, no
 * `token_type_hint` unless given, client authentication, a signed response's 60 s maximum age), the
 * JWT defaults (`typ` strict, asymmetric algorithms), the audience as a string or a list, and
 * `allowedTenants` matched whatever their case.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AuthorizationServerError, BearerError, ConfigurationError } from '../../src/index.js'
import {
  type FakeAS,
  goodClaims,
  introspectingRs,
  jwtRs,
  rejection,
  SECRET,
  signedIntrospection,
  signJwt,
  startFakeAS,
  testClock,
} from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())
beforeEach(() => {
  as.introspections = 0
  as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'u', client_id: 'app' } })
})

const bearer = (token: string) => `Bearer ${token}`
const JWT_TYPE = 'application/token-introspection+jwt'

describe('endpoints', () => {
  it('introspection with JSON responses needs no JWKS: nothing is discovered', async () => {
    const rs = introspectingRs(as, { jwksUri: undefined })
    expect((await rs.authenticate(bearer('t')))?.sub).toBe('u')
  })

  it('signed responses with an asymmetric algorithm need the JWKS (discovered when not given)', async () => {
    const rs = introspectingRs(as, { jwksUri: undefined, introspection: { signingAlgorithms: ['ES256'] } })
    const err = await rejection(() => rs.authenticate(bearer('t')), AuthorizationServerError, 503)
    expect(err.failure).toBe('metadata')
  })

  it('HS256-signed responses are keyed by the client secret: no JWKS needed', async () => {
    as.introspect = async () => ({
      body: await signedIntrospection(
        as,
        { active: true, iss: as.issuer, sub: 'hs' },
        { header: { alg: 'HS256', kid: undefined }, key: new TextEncoder().encode(SECRET) },
      ),
      contentType: JWT_TYPE,
    })
    const rs = introspectingRs(as, { jwksUri: undefined, introspection: { signingAlgorithms: ['HS256'] } })
    expect((await rs.authenticate(bearer('t')))?.sub).toBe('hs')
  })

  it('JWT verification with an asymmetric algorithm needs the JWKS', async () => {
    const rs = jwtRs(as, { jwksUri: undefined })
    const err = await rejection(async () => rs.authenticate(bearer(await signJwt(as, goodClaims(as)))), AuthorizationServerError, 503)
    expect(err.failure).toBe('metadata')
  })
})

describe('which paths an issuer has', () => {
  it('the introspection endpoint is discovered when not given', async () => {
    const rs = introspectingRs(as, { introspectionEndpoint: undefined })
    // The fake AS serves no discovery document: the metadata cannot be had.
    expect((await rejection(() => rs.authenticate(bearer('t')), AuthorizationServerError, 503)).failure).toBe('metadata')
  })

  it('with tokenFormat jwt a clientId sets up no introspection', async () => {
    const rs = jwtRs(as, { clientId: 'rs-1', clientSecret: SECRET, introspectionEndpoint: as.introspectionEndpoint })
    await rejection(() => rs.introspect('t'), ConfigurationError)
    expect((await rs.authenticate(bearer(await signJwt(as, goodClaims(as)))))?.sub).toBe('user-1')
    expect(as.introspections).toBe(0)
  })
})

describe('introspection defaults', () => {
  it('asks for JSON and sends no token_type_hint; client_secret_post by default', async () => {
    let params: URLSearchParams | undefined
    let authorization: string | undefined
    as.introspect = (req) => {
      params = req.params
      authorization = req.authorization
      return { body: { active: true, iss: as.issuer, sub: 'u' } }
    }
    await introspectingRs(as).authenticate(bearer('tok-1'))
    expect(Object.fromEntries(params!)).toEqual({ token: 'tok-1', client_id: 'rs-1', client_secret: SECRET })
    expect(authorization).toBeUndefined()
    await introspectingRs(as, { introspection: { tokenTypeHint: 'access_token' } }).authenticate(bearer('tok-2'))
    expect(params!.get('token_type_hint')).toBe('access_token')
    await introspectingRs(as, { authMethod: 'client_secret_basic' }).authenticate(bearer('tok-3'))
    expect(authorization).toMatch(/^Basic /)
    expect(params!.get('client_secret')).toBeNull()
  })

  it('signingAlgorithms alone switch the response to JWT: a JSON answer is then refused', async () => {
    const err = await rejection(
      () => introspectingRs(as, { introspection: { signingAlgorithms: ['ES256'] } }).authenticate(bearer('t')),
      AuthorizationServerError,
      503,
    )
    expect(err.failure).toBe('bad_response')
    expect(
      (await introspectingRs(as, { introspection: { response: 'json', signingAlgorithms: ['ES256'] } }).authenticate(bearer('t')))?.sub,
    ).toBe('u')
  })

  it('a signed response is accepted up to 60 s old (plus the 5 s tolerance), else maxResponseAge', async () => {
    const clock = testClock()
    const answerAged = (age: number) => async () => ({
      body: await signedIntrospection(as, { active: true, iss: as.issuer, sub: `aged-${age}` }, { now: clock.now() - age * 1000 }),
      contentType: JWT_TYPE,
    })
    const rs = (extra: object = {}) => introspectingRs(as, { clock: clock.now, introspection: { response: 'jwt', ...extra } })
    as.introspect = answerAged(65)
    expect((await rs().authenticate(bearer('t')))?.sub).toBe('aged-65')
    as.introspect = answerAged(66)
    expect((await rejection(() => rs().authenticate(bearer('t')), AuthorizationServerError, 503)).failure).toBe('bad_signature')
    as.introspect = answerAged(15)
    expect((await rs({ maxResponseAge: 10 }).authenticate(bearer('t')))?.sub).toBe('aged-15')
    as.introspect = answerAged(16)
    await rejection(() => rs({ maxResponseAge: 10 }).authenticate(bearer('t')), AuthorizationServerError, 503)
  })
})

describe('JWT defaults', () => {
  it('typ must be at+jwt unless lenient', async () => {
    const jwt = await signJwt(as, goodClaims(as), { typ: 'JWT' })
    const err = await rejection(() => jwtRs(as).authenticate(bearer(jwt)), BearerError, 401, 'invalid_token')
    expect(err).toBeInstanceOf(BearerError)
    expect((await jwtRs(as, { jwt: { typ: 'lenient' } }).authenticate(bearer(jwt)))?.sub).toBe('user-1')
  })

  it('HS256 is not allowed by default, even with a valid signature', async () => {
    const secret = 'a-shared-secret-of-at-least-32-chars!!'
    const jwt = await new jose.SignJWT(goodClaims(as))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(secret))
    await rejection(() => jwtRs(as).authenticate(bearer(jwt)), BearerError, 401, 'invalid_token')
  })

  it('the audience may be one string or a list', async () => {
    const jwt = await signJwt(as, { ...goodClaims(as), aud: 'b' })
    expect((await jwtRs(as, { audience: ['a', 'b'] }).authenticate(bearer(jwt)))?.aud).toEqual(['b'])
    expect((await jwtRs(as, { audience: 'b' }).authenticate(bearer(jwt)))?.aud).toEqual(['b'])
    await rejection(() => jwtRs(as, { audience: 'a' }).authenticate(bearer(jwt)), BearerError, 401, 'invalid_token')
    // One string is one audience, not a set of characters nor a substring.
    await rejection(() => jwtRs(as, { audience: 'ab' }).authenticate(bearer(jwt)), BearerError, 401, 'invalid_token')
  })

  it('maxTokenAge refuses a token issued too long ago', async () => {
    const jwt = await signJwt(as, { ...goodClaims(as), iat: Math.floor(Date.now() / 1000) - 120 })
    expect((await jwtRs(as).authenticate(bearer(jwt)))?.sub).toBe('user-1')
    await rejection(() => jwtRs(as, { jwt: { maxTokenAge: 60 } }).authenticate(bearer(jwt)), BearerError, 401, 'invalid_token')
  })

  it('allowedTenants are matched whatever their case', async () => {
    const tid = '0f3c2b1a-aaaa-4bbb-8ccc-ddddeeeeffff'
    const rs = jwtRs(as, { issuer: `${as.issuer}/{tenantid}/v2.0`, allowedTenants: [tid.toUpperCase()] })
    const jwt = await signJwt(as, { ...goodClaims(as), iss: `${as.issuer}/${tid}/v2.0`, tid })
    expect((await rs.authenticate(bearer(jwt)))?.sub).toBe('user-1')
    const other = '11111111-2222-4333-8444-555566667777'
    await rejection(
      async () => rs.authenticate(bearer(await signJwt(as, { ...goodClaims(as), iss: `${as.issuer}/${other}/v2.0`, tid: other }))),
      BearerError,
      401,
    )
  })
})
