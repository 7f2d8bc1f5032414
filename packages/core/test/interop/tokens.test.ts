/**
 * Token shapes across vendors, decided in one place each: scope / scp forms, the calling client,
 * ID tokens, `cnf`-bound tokens with the Bearer scheme, Ed25519 (RFC 9864), calling-client
 * allow-lists, option and preset mistakes; and a second AS implementation (oauth2-mock-server).
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startHttpServer,
  startMockOAuth2Server,
  startVendorAS,
  type MockOAuth2Server,
  type TestHttpServer,
  type VendorAS,
} from '@org/rs-testing'
import {
  auth0,
  cognito,
  ConfigurationError,
  createResourceServer,
  entraId,
  keycloak,
  okta,
  type ResourceServer,
  type ResourceServerOptions,
} from '../../src/index.js'
import { LOCAL, outcome } from './helpers.js'

let auth0AS: VendorAS
let oktaAS: VendorAS
let mock: MockOAuth2Server
let rs: ResourceServer
beforeAll(async () => {
  ;[auth0AS, oktaAS, mock] = await Promise.all([startVendorAS('auth0'), startVendorAS('okta'), startMockOAuth2Server()])
  rs = createResourceServer(auth0({ issuer: auth0AS.issuer, audience: auth0AS.audience, ...LOCAL }))
})
afterAll(async () => {
  await Promise.all([auth0AS?.stop(), oktaAS?.stop(), mock?.stop()])
})

describe('scope and scp: a space-separated string or an array of strings, nothing else', () => {
  it.each([
    [{ scope: 'a b' }, ['a', 'b']],
    [{ scope: ['a', 'b'] }, ['a', 'b']],
    [{ scope: undefined, scp: 'a b' }, ['a', 'b']],
    [{ scope: undefined, scp: ['a', 'b'] }, ['a', 'b']],
    [{ scope: [] }, []],
    [{ scope: 'a', scp: ['b'] }, ['a']],
  ])('%j → %j', async (claims, scopes) => {
    expect(await outcome(rs, await auth0AS.mintAccessToken(claims))).toMatchObject({ status: 200, scopes })
  })

  it.each([
    { scope: 1 },
    { scope: ['a', 1] },
    { scope: { a: true } },
    { scope: undefined, scp: [null] },
    { scope: undefined, scp: 7 },
    { scope: null, scp: 'a' },
  ])('%j is a malformed token, never "no scope"', async (claims) => {
    expect(await outcome(rs, await auth0AS.mintAccessToken(claims))).toMatchObject({ status: 401, reason: 'malformed_token' })
  })
})

describe('the calling client: client_id, then azp, appid, cid', () => {
  it.each([
    [{ client_id: 'c1', azp: 'a1', appid: 'p1', cid: 'k1' }, 'c1'],
    [{ azp: 'a1', appid: 'p1', cid: 'k1' }, 'a1'],
    [{ azp: undefined, appid: 'p1', cid: 'k1' }, 'p1'],
    [{ azp: undefined, cid: 'k1' }, 'k1'],
    [{ azp: undefined }, undefined],
  ])('%j → %s', async (claims, clientId) => {
    expect(await outcome(rs, await auth0AS.mintAccessToken(claims))).toEqual(expect.objectContaining({ status: 200, clientId }))
  })

  it('a client claim that is not a string is a malformed token', async () => {
    expect(await outcome(rs, await auth0AS.mintAccessToken({ azp: ['a1'] }))).toMatchObject({ status: 401, reason: 'malformed_token' })
  })

  it('allowedClients checks the calling client, alongside the audience', async () => {
    const strict = createResourceServer(
      auth0({ issuer: auth0AS.issuer, audience: auth0AS.audience, allowedClients: [auth0AS.clientId], ...LOCAL }),
    )
    expect((await outcome(strict, await auth0AS.mintAccessToken())).status).toBe(200)
    expect(await outcome(strict, await auth0AS.mintAccessToken({ azp: 'someone-else' }))).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
    })
    expect(await outcome(strict, await auth0AS.mintAccessToken({ azp: undefined }))).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
    })
    expect(await outcome(strict, await auth0AS.mintAccessToken({ aud: 'https://other.example' }))).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
    })
  })

  it('allowedClients applies to introspected tokens too', async () => {
    const base = {
      issuer: oktaAS.issuer,
      audience: oktaAS.audience,
      clientId: oktaAS.apiCredentials!.clientId,
      clientSecret: oktaAS.apiCredentials!.clientSecret,
      ...LOCAL,
    }
    expect(
      (await outcome(createResourceServer(okta({ ...base, allowedClients: [oktaAS.clientId] })), oktaAS.mintOpaqueToken())).status,
    ).toBe(200)
    expect(await outcome(createResourceServer(okta({ ...base, allowedClients: ['another'] })), oktaAS.mintOpaqueToken())).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
    })
  })
})

describe('ID tokens are refused in every mode', () => {
  it.each([
    ['nonce', { nonce: 'n' }],
    ['at_hash', { at_hash: 'x' }],
    ['c_hash', { c_hash: 'x' }],
    ['token_use "id"', { token_use: 'id' }],
    ['typ claim "ID"', { typ: 'ID' }],
  ])('%s, typ JWT (lenient)', async (_n, claims) => {
    expect(await outcome(rs, await auth0AS.mintAccessToken(claims))).toMatchObject({ status: 401, reason: 'id_token' })
  })

  it('a token typed at+jwt is an access token even with a nonce; token_use other than access is refused', async () => {
    const rfc = await startVendorAS('auth0', { auth0Profile: 'rfc9068' })
    try {
      const strict = createResourceServer(auth0({ issuer: rfc.issuer, audience: rfc.audience, jwt: { typ: 'strict' }, ...LOCAL }))
      expect((await outcome(strict, await rfc.mintAccessToken({ nonce: 'n' }))).status).toBe(200)
      expect(await outcome(strict, await rfc.mintAccessToken({ token_use: 'id' }))).toMatchObject({ status: 401, reason: 'id_token' })
      expect(await outcome(strict, await rfc.mintAccessToken({ token_use: 'something' }))).toMatchObject({
        status: 401,
        reason: 'wrong_type',
      })
    } finally {
      await rfc.stop()
    }
  })

  it('oidcClientIds: a token whose aud names an OpenID Connect client is its ID token', async () => {
    const token = await auth0AS.mintAccessToken({ aud: [auth0AS.audience, 'web-app'] })
    expect((await outcome(rs, token)).status).toBe(200)
    const guarded = createResourceServer(
      auth0({ issuer: auth0AS.issuer, audience: auth0AS.audience, oidcClientIds: ['web-app'], ...LOCAL }),
    )
    expect(await outcome(guarded, token)).toMatchObject({ status: 401, reason: 'id_token' })
    expect((await outcome(guarded, await auth0AS.mintAccessToken())).status).toBe(200)
  })

  it('introspection: an ID token (or any non-access token) the AS vouches for is refused', async () => {
    const introspecting = createResourceServer(
      okta({
        issuer: oktaAS.issuer,
        audience: oktaAS.audience,
        clientId: oktaAS.apiCredentials!.clientId,
        clientSecret: oktaAS.apiCredentials!.clientSecret,
        ...LOCAL,
      }),
    )
    expect((await outcome(introspecting, oktaAS.mintOpaqueToken({ token_use: 'id' }))).status).toBe(401)
    expect((await outcome(introspecting, oktaAS.mintOpaqueToken({ nonce: 'n' }))).status).toBe(401)
  })
})

describe('sender-constrained tokens (cnf) with the Bearer scheme', () => {
  it.each([{ jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' }, { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' }])(
    'a JWT with cnf %j is refused (bound_token)',
    async (cnf) => {
      expect(await outcome(rs, await auth0AS.mintAccessToken({ cnf }))).toMatchObject({ status: 401, reason: 'bound_token' })
    },
  )

  it('an introspected token with cnf is refused, cached or not', async () => {
    const introspecting = createResourceServer(
      okta({
        issuer: oktaAS.issuer,
        audience: oktaAS.audience,
        clientId: oktaAS.apiCredentials!.clientId,
        clientSecret: oktaAS.apiCredentials!.clientSecret,
        ...LOCAL,
      }),
    )
    const token = oktaAS.mintOpaqueToken({ cnf: { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' } })
    expect(await outcome(introspecting, token)).toMatchObject({ status: 401, reason: 'bound_token' })
    expect(await outcome(introspecting, token)).toMatchObject({ status: 401, reason: 'bound_token' })
  })
})

describe('Ed25519 (RFC 9864) alongside EdDSA', () => {
  let server: TestHttpServer
  let jwks: { keys: jose.JWK[] }
  let key: CryptoKey
  beforeAll(async () => {
    const pair = await jose.generateKeyPair('Ed25519', { extractable: true })
    key = pair.privateKey as CryptoKey
    jwks = { keys: [{ ...(await jose.exportJWK(pair.publicKey)), kid: 'ed', use: 'sig' }] }
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
    })
  })
  afterAll(() => server?.close())

  async function signed(alg: 'Ed25519' | 'EdDSA'): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    return new jose.SignJWT({ iss: 'https://as.example.com', aud: 'api', sub: 'u', iat: now, exp: now + 60 })
      .setProtectedHeader({ alg, kid: 'ed', typ: 'at+jwt' })
      .sign(key)
  }
  const options = (algorithms?: ('Ed25519' | 'EdDSA')[]): ResourceServerOptions => ({
    issuer: 'https://as.example.com',
    jwksUri: server.url,
    audience: 'api',
    tokenFormat: 'jwt',
    ...(algorithms ? { jwt: { algorithms } } : {}),
    ...LOCAL,
  })

  it('both names are accepted by default; the allow-list stays explicit', async () => {
    expect((await outcome(createResourceServer(options()), await signed('Ed25519'))).status).toBe(200)
    expect((await outcome(createResourceServer(options()), await signed('EdDSA'))).status).toBe(200)
    expect((await outcome(createResourceServer(options(['Ed25519'])), await signed('Ed25519'))).status).toBe(200)
    expect(await outcome(createResourceServer(options(['Ed25519'])), await signed('EdDSA'))).toMatchObject({
      status: 401,
      reason: 'alg_not_allowed',
    })
    expect(await outcome(createResourceServer(options(['EdDSA'])), await signed('Ed25519'))).toMatchObject({
      status: 401,
      reason: 'alg_not_allowed',
    })
  })
})

describe('a second AS implementation: oauth2-mock-server', () => {
  it('its token is accepted with the right options, discovered from its issuer', async () => {
    const mockRs = createResourceServer({
      issuer: mock.issuer,
      audience: 'https://api.example.test',
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
      ...LOCAL,
    })
    await mockRs.ready()
    const token = await mock.mintToken({ claims: { aud: 'https://api.example.test', sub: 'u1', scope: 'read write', client_id: 'app' } })
    expect(await outcome(mockRs, token, { scopes: ['write'] })).toMatchObject({ status: 200, clientId: 'app', scopes: ['read', 'write'] })
    expect(await outcome(mockRs, await mock.mintToken({ claims: { aud: 'https://other.example' } }))).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
    })
    expect(await outcome(mockRs, await mock.mintToken({ claims: { aud: 'https://api.example.test', nonce: 'n' } }))).toMatchObject({
      status: 401,
      reason: 'id_token',
    })
    const typed = createResourceServer({ issuer: mock.issuer, audience: 'https://api.example.test', tokenFormat: 'jwt', ...LOCAL })
    expect(
      (await outcome(typed, await mock.mintToken({ claims: { aud: 'https://api.example.test' }, header: { typ: 'at+jwt' } }))).status,
    ).toBe(200)
  })
})

describe('mistakes are ConfigurationErrors naming the option', () => {
  const issue = (fn: () => unknown) => {
    try {
      fn()
    } catch (err) {
      if (err instanceof ConfigurationError) return err.issues.map((i) => i.path)
      throw err
    }
    return []
  }
  it.each([
    [
      'JWTs with neither audience nor allowedClients',
      () => createResourceServer({ issuer: 'https://as.example.com', tokenFormat: 'jwt' }),
      'audience',
    ],
    [
      'allowedClients empty',
      () => createResourceServer({ issuer: 'https://as.example.com', tokenFormat: 'jwt', allowedClients: [] }),
      'allowedClients',
    ],
    [
      'allowedTenants without a {tenantid} issuer',
      () =>
        createResourceServer({
          issuer: 'https://as.example.com',
          audience: 'a',
          tokenFormat: 'jwt',
          allowedTenants: ['0d4f7a10-2222-4bbb-8ccc-000000000b0b'],
        }),
      'allowedTenants',
    ],
    [
      'allowedTenants not GUIDs',
      () => createResourceServer(entraId({ tenant: 'common', audience: 'a', allowedTenants: ['contoso.com'] })),
      'allowedTenants.0',
    ],
    [
      'a {tenantid} issuer without jwksUri',
      () => createResourceServer({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', audience: 'a', tokenFormat: 'jwt' }),
      'jwksUri',
    ],
    [
      'a {tenantid} issuer introspected',
      () =>
        createResourceServer({
          issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
          jwksUri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
          audience: 'a',
          tokenFormat: 'introspection',
          clientId: 'c',
          clientSecret: 's',
        }),
      'tokenFormat',
    ],
    ['entraId with a domain as tenant', () => entraId({ tenant: 'contoso.onmicrosoft.com', audience: 'a' }), 'tenant'],
    ['entraId version 3', () => entraId({ tenant: 'common', audience: 'a', version: 3 as 2 }), 'version'],
    [
      'entraId allowedTenants for a single tenant',
      () =>
        entraId({
          tenant: '0d4f7a10-2222-4bbb-8ccc-000000000b0b',
          audience: 'a',
          allowedTenants: ['0d4f7a10-2222-4bbb-8ccc-000000000b0b'],
        }),
      'allowedTenants',
    ],
    ['auth0 with neither domain nor issuer', () => auth0({ audience: 'a' }), 'domain'],
    ['auth0 with a URL as domain', () => auth0({ domain: 'https://x.auth0.com', audience: 'a' }), 'domain'],
    [
      'okta with a bad authorization server id',
      () => okta({ domain: 'x.okta.com', authorizationServerId: '../x', audience: 'a' }),
      'authorizationServerId',
    ],
    ['keycloak without realm', () => keycloak({ url: 'https://sso.example.com', audience: 'a' }), 'realm'],
    ['cognito with a bad user pool id', () => cognito({ userPoolId: 'pool', allowedClients: ['c'] }), 'userPoolId'],
    ['cognito without allowedClients', () => cognito({ userPoolId: 'eu-west-3_Ex4mpLe01', allowedClients: [] }), 'allowedClients'],
    [
      'cognito with another region',
      () => cognito({ userPoolId: 'eu-west-3_Ex4mpLe01', region: 'us-east-1', allowedClients: ['c'] }),
      'region',
    ],
  ])('%s', (_name, fn, path) => {
    expect(issue(fn)).toContain(path)
  })

  it('presets compute the vendor endpoints', () => {
    expect(entraId({ tenant: '0d4f7a10-2222-4bbb-8ccc-000000000b0b', audience: 'a' })).toMatchObject({
      issuer: 'https://login.microsoftonline.com/0d4f7a10-2222-4bbb-8ccc-000000000b0b/v2.0',
      jwksUri: 'https://login.microsoftonline.com/0d4f7a10-2222-4bbb-8ccc-000000000b0b/discovery/v2.0/keys',
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
    })
    expect(entraId({ tenant: '0d4f7a10-2222-4bbb-8ccc-000000000b0b', audience: 'api://a', version: 1 })).toMatchObject({
      issuer: 'https://sts.windows.net/0d4f7a10-2222-4bbb-8ccc-000000000b0b/',
      jwksUri: 'https://login.microsoftonline.com/0d4f7a10-2222-4bbb-8ccc-000000000b0b/discovery/keys',
    })
    expect(entraId({ tenant: 'organizations', audience: 'a' })).toMatchObject({
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      jwksUri: 'https://login.microsoftonline.com/organizations/discovery/v2.0/keys',
    })
    expect(auth0({ domain: 't.eu.auth0.com', audience: 'a' })).toMatchObject({
      issuer: 'https://t.eu.auth0.com/',
      jwksUri: 'https://t.eu.auth0.com/.well-known/jwks.json',
    })
    expect(okta({ domain: 'dev-1.okta.com', audience: 'api://default' })).toMatchObject({
      issuer: 'https://dev-1.okta.com/oauth2/default',
      jwksUri: 'https://dev-1.okta.com/oauth2/default/v1/keys',
      tokenFormat: 'jwt',
    })
    expect(keycloak({ url: 'https://sso.example.com/', realm: 'acme', audience: 'a', clientId: 'c', clientSecret: 's' })).toMatchObject({
      issuer: 'https://sso.example.com/realms/acme',
      introspectionEndpoint: 'https://sso.example.com/realms/acme/protocol/openid-connect/token/introspect',
      tokenFormat: 'introspection',
    })
    expect(cognito({ userPoolId: 'us-east-1_AbC', allowedClients: ['c'] })).toMatchObject({
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC',
      jwksUri: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC/.well-known/jwks.json',
    })
    for (const o of [
      entraId({ tenant: 'common', audience: 'a' }),
      auth0({ domain: 't.auth0.com', audience: 'a' }),
      okta({ domain: 'd.okta.com', audience: 'a' }),
      cognito({ userPoolId: 'us-east-1_AbC', allowedClients: ['c'] }),
    ]) {
      expect(() => createResourceServer(o)).not.toThrow()
    }
  })
})
