/**
 * `createJwtResourceServer`: the same options and the same resource server as `createResourceServer`
 * for JWT access tokens sent as bearer tokens, against a real local AS; every option that needs
 * introspection, encrypted responses, DPoP or mTLS refused at construction, naming the option (never
 * a resource server that silently does less); routes asking for DPoP or mTLS refused, at start-up
 * for `protectRoute`; sender-constrained tokens refused as on a bearer-only route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auth0,
  BearerError,
  ConfigurationError,
  createJwtResourceServer,
  createResourceServer,
  protectRoute,
  proConnect,
  type ResourceServerOptions,
} from '../../src/index.js'
import { type FakeAS, goodClaims, privateJwk, rejection, SECRET, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())

const bearer = (token: string) => `Bearer ${token}`
const jwtOptions = (extra: Partial<ResourceServerOptions> = {}): ResourceServerOptions => ({
  issuer: as.issuer,
  jwksUri: as.jwksUri,
  audience: 'api',
  ...extra,
})

function configurationError(call: () => unknown): ConfigurationError {
  try {
    call()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError)
    return err as ConfigurationError
  }
  return expect.fail('expected a ConfigurationError')
}

describe('createJwtResourceServer', () => {
  it('verifies JWT access tokens like createResourceServer, without a tokenFormat', async () => {
    const rs = createJwtResourceServer(jwtOptions())
    const full = createResourceServer(jwtOptions({ tokenFormat: 'jwt' }))
    const token = await signJwt(as, goodClaims(as))
    const info = await rs.authenticate(bearer(token), { scopes: ['read'] })
    expect(info).toMatchObject({ sub: 'user-1', clientId: 'app', iss: as.issuer, source: 'jwt', scopes: ['read'] })
    expect({ ...(await full.authenticate(bearer(token))) }).toEqual({ ...info })
    expect(JSON.parse(JSON.stringify(rs))).toEqual({ issuers: [as.issuer], tokenFormat: 'jwt' })
  })

  it('refuses what createResourceServer refuses: a bad signature, a wrong audience, a missing scope', async () => {
    const rs = createJwtResourceServer(jwtOptions())
    const token = await signJwt(as, goodClaims(as))
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
    await rejection(() => rs.authenticate(bearer(tampered)), BearerError, 401, 'invalid_token')
    const foreign = await signJwt(as, { ...goodClaims(as), aud: 'other' })
    await rejection(() => rs.authenticate(bearer(foreign)), BearerError, 401, 'invalid_token')
    await rejection(() => rs.authenticate(bearer(token), { scopes: ['admin'] }), BearerError, 403, 'insufficient_scope')
    await rejection(() => rs.authenticate(undefined), BearerError, 401, 'missing_token')
  })

  it('takes a JWT preset as it is', async () => {
    const rs = createJwtResourceServer(auth0({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example.com' }))
    expect(JSON.parse(JSON.stringify(rs))).toEqual({ issuers: ['https://tenant.eu.auth0.com/'], tokenFormat: 'jwt' })
  })

  it.each([
    ['clientId', { clientId: 'rs-1' }],
    ['clientSecret', { clientSecret: SECRET }],
    ['introspectionEndpoint', { introspectionEndpoint: 'https://as.example.com/introspect' }],
    ['authMethod', { authMethod: 'client_secret_post' }],
    ['introspection', { introspection: { response: 'jwt' } }],
    ['tokenFormat', { tokenFormat: 'auto' }],
    ['tokenFormat', { tokenFormat: 'introspection' }],
    ['tryAllIntrospectionEndpoints', { tryAllIntrospectionEndpoints: true }],
    ['audienceClaim', { audienceClaim: 'client_id' }],
    ['dpop', { dpop: { mode: 'allowed' } }],
    ['dpop', { dpop: { mode: 'none' } }],
    ['mtls', { mtls: { mode: 'required' } }],
    ['everyRoute.dpop', { everyRoute: { dpop: 'required' } }],
    ['everyRoute.mtls', { everyRoute: { mtls: 'allowed' } }],
  ] as [string, Partial<ResourceServerOptions>][])('refuses %s, naming it and pointing to createResourceServer', (path, extra) => {
    const err = configurationError(() => createJwtResourceServer(jwtOptions(extra)))
    expect(err.issues.map((i) => i.path)).toEqual([path])
    expect(err.message).toMatch(/^Invalid createJwtResourceServer options: /)
    expect(err.issues[0]!.message).toMatch(/is not available from createJwtResourceServer .*: use createResourceServer$/)
  })

  it('refuses private keys: for client authentication and for decryption', async () => {
    const key = await privateJwk('RS256')
    expect(configurationError(() => createJwtResourceServer(jwtOptions({ privateKey: key }))).issues.map((i) => i.path)).toEqual([
      'privateKey',
    ])
    const enc = await privateJwk('RSA-OAEP-256')
    const err = configurationError(() => createJwtResourceServer(jwtOptions({ decryptionKeys: [enc] })))
    expect(err.issues).toEqual([{ path: 'decryptionKeys', message: expect.stringMatching(/^an encrypted introspection response is not/) }])
  })

  it('names every refused option at once, inside issuers too', () => {
    const err = configurationError(() =>
      createJwtResourceServer({
        issuers: [
          { issuer: as.issuer, jwksUri: as.jwksUri, audience: 'api' },
          { issuer: 'https://other.example.com', audience: 'api', clientId: 'rs-1', clientSecret: SECRET },
        ],
        dpop: {},
      }),
    )
    expect(err.issues.map((i) => i.path)).toEqual(['issuers.1.clientId', 'issuers.1.clientSecret', 'dpop'])
  })

  it('refuses the ProConnect preset (introspection), naming what it set', () => {
    const err = configurationError(() => createJwtResourceServer(proConnect({ clientId: 'rs', clientSecret: SECRET })))
    expect(err.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['clientId', 'clientSecret']))
  })

  it('leaves the rest to the schema, which words it as for createResourceServer', () => {
    const err = configurationError(() => createJwtResourceServer({ issuer: 'not a url', audience: 'api' }))
    expect(err.issues.map((i) => i.path)).toEqual(['issuer'])
    const odd = { toString: () => 'jwt' } as unknown as 'jwt'
    const format = configurationError(() => createJwtResourceServer(jwtOptions({ tokenFormat: odd })))
    expect(format.issues).toEqual([{ path: 'tokenFormat', message: expect.stringMatching(/expected one of/) }])
    expect(() => createJwtResourceServer(null as unknown as ResourceServerOptions)).toThrow(ConfigurationError)
  })

  it('accepts the explicit tokenFormat "jwt" and routes that turn DPoP and mTLS off', async () => {
    const rs = createJwtResourceServer(jwtOptions({ tokenFormat: 'jwt', everyRoute: { dpop: 'none', mtls: 'none' } }))
    const token = await signJwt(as, goodClaims(as))
    expect((await rs.authenticate(bearer(token), { dpop: 'none' }))?.sub).toBe('user-1')
    expect(protectRoute(rs, { mtls: 'none' }).options).toEqual({ mtls: 'none' })
  })
})

describe('routes asking for DPoP or mTLS on a JWT-only resource server', () => {
  it('are refused when protectRoute builds them (at start-up), naming the adapter', () => {
    const rs = createJwtResourceServer(jwtOptions())
    const err = configurationError(() => protectRoute(rs, { dpop: 'required' }))
    expect(err.message).toMatch(/^Invalid requireAuth options: dpop: DPoP is not available from createJwtResourceServer/)
    expect(configurationError(() => protectRoute(rs, { mtls: 'allowed' }, 'authGuard')).message).toMatch(
      /^Invalid authGuard options: mtls: mTLS is not/,
    )
    // The same routes on createResourceServer are fine.
    expect(protectRoute(createResourceServer(jwtOptions({ tokenFormat: 'jwt' })), { dpop: 'required' }).options).toEqual({
      dpop: 'required',
    })
  })

  it('are refused per call, never served as bearer routes', async () => {
    const rs = createJwtResourceServer(jwtOptions())
    const token = await signJwt(as, goodClaims(as))
    await rs.authenticate(bearer(token)) // cached: a refusal below is not a verification failure
    await rejection(() => rs.authenticate(bearer(token), { dpop: 'required' }), ConfigurationError)
    await rejection(() => rs.authenticateRequest({ headers: { authorization: bearer(token) } }, { mtls: 'required' }), ConfigurationError)
    await rejection(() => rs.verifyToken(token, { dpop: 'allowed' }), ConfigurationError)
  })
})

describe('what a JWT-only resource server does not do', () => {
  it('refuses a DPoP-bound or certificate-bound token sent as a bearer token', async () => {
    const rs = createJwtResourceServer(jwtOptions())
    for (const cnf of [{ jkt: 'a'.repeat(43) }, { 'x5t#S256': 'b'.repeat(43) }]) {
      const token = await signJwt(as, { ...goodClaims(as), cnf })
      await rejection(() => rs.authenticate(bearer(token)), BearerError, 401, 'invalid_token')
    }
  })

  it('treats the DPoP scheme as no bearer token', async () => {
    const rs = createJwtResourceServer(jwtOptions())
    const token = await signJwt(as, goodClaims(as))
    await rejection(() => rs.authenticate(`DPoP ${token}`), BearerError, 401, 'missing_token')
  })

  it('has no introspection and publishes no keys', async () => {
    const rs = createJwtResourceServer(jwtOptions())
    await rejection(() => rs.introspect('tok'), ConfigurationError)
    expect(await rs.jwks()).toEqual({ keys: [] })
    const response = await rs.jwksResponse()
    expect(response).toMatchObject({ status: 200, body: { keys: [] } })
  })

  it('is ready once the AS and its keys answer', async () => {
    await expect(createJwtResourceServer(jwtOptions()).ready()).resolves.toBeUndefined()
  })
})
