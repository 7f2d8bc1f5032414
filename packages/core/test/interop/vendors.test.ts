/**
 * One preset per vendor against a local AS that serves that vendor's metadata, keys (and
 * introspection) and mints tokens shaped exactly like its own: the access token is accepted with
 * the preset, the vendor's ID token is refused, and a route requiring a role / group / permission /
 * acr accepts and refuses as it should.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendorAS, type VendorAS } from '@org/rs-testing'
import { auth0, cognito, createResourceServer, entraId, identityServer, keycloak, okta, type ResourceServer } from '../../src/index.js'
import { LOCAL, outcome } from './helpers.js'

const started: VendorAS[] = []
async function start(...args: Parameters<typeof startVendorAS>): Promise<VendorAS> {
  const as = await startVendorAS(...args)
  started.push(as)
  return as
}
afterAll(async () => {
  await Promise.all(started.map((as) => as.stop()))
})

describe('Duende IdentityServer', () => {
  let as: VendorAS
  let rs: ResourceServer
  beforeAll(async () => {
    as = await start('identityserver')
    rs = createResourceServer(
      identityServer({
        issuer: as.issuer,
        audience: as.audience,
        clientId: as.apiCredentials!.clientId,
        clientSecret: as.apiCredentials!.clientSecret,
        ...LOCAL,
      }),
    )
  })

  it('accepts its at+jwt access token with scope as a JSON array, and a reference token by introspection', async () => {
    expect(await outcome(rs, await as.mintAccessToken(), { scopes: ['api1.read'] })).toEqual({
      status: 200,
      clientId: as.clientId,
      scopes: ['openid', 'profile', 'api1.read'],
    })
    expect(await outcome(rs, await as.mintAccessToken({}, { appOnly: true }), { scopes: ['api1.read'] })).toMatchObject({
      status: 200,
      scopes: ['api1.read'],
    })
    expect(await outcome(rs, as.mintOpaqueToken(), { scopes: ['api1.read'] })).toMatchObject({ status: 200, clientId: as.clientId })
    expect(await outcome(rs, await as.mintAccessToken(), { scopes: ['api1.write'] })).toMatchObject({
      status: 403,
      reason: 'insufficient_scope',
    })
  })

  it('refuses its ID token (typ JWT where at+jwt is expected; with a lenient typ, by its nonce)', async () => {
    expect(await outcome(rs, await as.mintIdToken({ aud: as.audience }))).toMatchObject({ status: 401, reason: 'wrong_type' })
    const lenient = createResourceServer(identityServer({ issuer: as.issuer, audience: as.audience, jwt: { typ: 'lenient' }, ...LOCAL }))
    expect(await outcome(lenient, await as.mintIdToken({ aud: as.audience }))).toMatchObject({ status: 401, reason: 'id_token' })
  })

  it('a route requiring a role (IdentityServer "role" claim) accepts and refuses', async () => {
    const admin = await as.mintAccessToken({ role: ['admin', 'user'] })
    expect((await outcome(rs, admin, { roles: ['admin'] })).status).toBe(200)
    expect(await outcome(rs, await as.mintAccessToken({ role: 'user' }), { roles: ['admin'] })).toMatchObject({
      status: 403,
      reason: 'claim_mismatch',
    })
  })
})

describe.each([
  ['entra-v2', 2],
  ['entra-v1', 1],
] as const)('Microsoft Entra ID (%s, single tenant)', (vendor, version) => {
  let as: VendorAS
  let rs: ResourceServer
  beforeAll(async () => {
    as = await start(vendor)
    rs = createResourceServer(
      entraId({
        tenant: as.tenantId!,
        audience: as.audience,
        version,
        authority: as.origin,
        ...(version === 1 ? { issuer: as.issuer } : {}),
        ...LOCAL,
      }),
    )
  })

  it(`accepts its v${version}.0 access token: scp as a string, the client from ${version === 2 ? 'azp' : 'appid'}`, async () => {
    expect(await outcome(rs, await as.mintAccessToken(), { scopes: ['Orders.Read'] })).toEqual({
      status: 200,
      clientId: as.clientId,
      scopes: ['Orders.Read', 'Orders.Write'],
    })
  })

  it('refuses its ID token, and a token of the other version (issuer)', async () => {
    expect(await outcome(rs, await as.mintIdToken({ aud: as.audience }))).toMatchObject({ status: 401, reason: 'id_token' })
    const otherIssuer = version === 2 ? `https://sts.windows.net/${as.tenantId}/` : `${as.origin}/${as.tenantId}/v2.0`
    expect(await outcome(rs, await as.mintAccessToken({ iss: otherIssuer }))).toMatchObject({ status: 401, reason: 'wrong_issuer' })
  })

  it('an app-only token carries roles and no scp: a route requiring the app role accepts it, and refuses a user token', async () => {
    const app = await as.mintAccessToken({}, { appOnly: true })
    expect(await outcome(rs, app, { roles: ['Orders.Read.All'] })).toMatchObject({ status: 200, scopes: [] })
    expect(await outcome(rs, await as.mintAccessToken(), { roles: ['Orders.Read.All'] })).toMatchObject({
      status: 403,
      reason: 'claim_mismatch',
    })
  })
})

describe('Microsoft Entra ID (multi-tenant: common / organizations)', () => {
  const OTHER = '0d4f7a10-2222-4bbb-8ccc-000000000b0b'
  let as: VendorAS
  beforeAll(async () => {
    as = await start('entra-multitenant')
  })

  it('checks each token against the {tenantid} template with its own tid', async () => {
    const rs = createResourceServer(entraId({ tenant: 'common', audience: as.audience, authority: as.origin, ...LOCAL }))
    expect(await outcome(rs, await as.mintAccessToken())).toMatchObject({ status: 200, clientId: as.clientId })
    expect((await outcome(rs, await as.mintAccessToken({ tid: OTHER }))).status).toBe(200)
    // iss of one tenant, tid of another: refused
    expect(await outcome(rs, await as.mintAccessToken({ tid: OTHER, iss: as.issuer }))).toMatchObject({
      status: 401,
      reason: 'wrong_issuer',
    })
    expect(await outcome(rs, await as.mintAccessToken({ tid: 'not-a-guid', iss: `${as.origin}/not-a-guid/v2.0` }))).toMatchObject({
      status: 401,
      reason: 'wrong_issuer',
    })
    expect(await outcome(rs, await as.mintIdToken({ aud: as.audience }))).toMatchObject({ status: 401, reason: 'id_token' })
  })

  it('allowedTenants restricts the tenants', async () => {
    const rs = createResourceServer(
      entraId({ tenant: 'common', audience: as.audience, authority: as.origin, allowedTenants: [as.tenantId!], ...LOCAL }),
    )
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(await outcome(rs, await as.mintAccessToken({ tid: OTHER }))).toMatchObject({ status: 401, reason: 'wrong_issuer' })
  })

  it('a route requiring an app role, and one requiring a tenant by claim', async () => {
    const rs = createResourceServer(entraId({ tenant: 'common', audience: as.audience, authority: as.origin, ...LOCAL }))
    const app = await as.mintAccessToken({}, { appOnly: true })
    expect((await outcome(rs, app, { roles: ['Orders.Read.All'], claims: { tid: as.tenantId! } })).status).toBe(200)
    expect(await outcome(rs, app, { roles: ['Orders.Write.All'] })).toMatchObject({ status: 403, reason: 'claim_mismatch' })
    expect(await outcome(rs, await as.mintAccessToken({ tid: OTHER }, { appOnly: true }), { claims: { tid: as.tenantId! } })).toMatchObject(
      { status: 403 },
    )
  })
})

describe.each(['auth0', 'rfc9068'] as const)('Auth0 (access token profile %s)', (profile) => {
  let as: VendorAS
  let rs: ResourceServer
  beforeAll(async () => {
    as = await start('auth0', { auth0Profile: profile })
    rs = createResourceServer(auth0({ issuer: as.issuer, audience: as.audience, ...LOCAL }))
  })

  it('accepts its access token (aud an array with the userinfo URL), the client from azp or client_id', async () => {
    expect(await outcome(rs, await as.mintAccessToken(), { scopes: ['read:orders'] })).toEqual({
      status: 200,
      clientId: as.clientId,
      scopes: ['openid', 'profile', 'read:orders'],
    })
    expect(await outcome(rs, await as.mintAccessToken({}, { appOnly: true }))).toMatchObject({ status: 200, clientId: as.clientId })
  })

  it('refuses its ID token', async () => {
    expect(await outcome(rs, await as.mintIdToken())).toMatchObject({ status: 401, reason: 'wrong_audience' })
    expect(await outcome(rs, await as.mintIdToken({ aud: as.audience }))).toMatchObject({ status: 401, reason: 'id_token' })
  })

  it('a route requiring an RBAC permission accepts and refuses', async () => {
    expect((await outcome(rs, await as.mintAccessToken(), { roles: ['read:orders'] })).status).toBe(200)
    expect(await outcome(rs, await as.mintAccessToken(), { roles: ['write:orders'] })).toMatchObject({
      status: 403,
      reason: 'claim_mismatch',
    })
  })
})

describe('Okta (custom authorization server)', () => {
  let as: VendorAS
  let rs: ResourceServer
  beforeAll(async () => {
    as = await start('okta')
    rs = createResourceServer(okta({ issuer: as.issuer, audience: as.audience, ...LOCAL }))
  })

  it('accepts its access token: no typ, scp an array, the client from cid', async () => {
    expect(await outcome(rs, await as.mintAccessToken(), { scopes: ['orders.read'] })).toEqual({
      status: 200,
      clientId: as.clientId,
      scopes: ['openid', 'profile', 'orders.read'],
    })
  })

  it('with API credentials, introspects at /v1/introspect', async () => {
    const introspecting = createResourceServer(
      okta({
        issuer: as.issuer,
        audience: as.audience,
        clientId: as.apiCredentials!.clientId,
        clientSecret: as.apiCredentials!.clientSecret,
        ...LOCAL,
      }),
    )
    const token = await as.mintAccessToken()
    expect(await outcome(introspecting, token, { scopes: ['orders.read'] })).toMatchObject({ status: 200, clientId: as.clientId })
    as.revoke(token)
    await introspecting.clearCache()
    expect(await outcome(introspecting, token)).toMatchObject({ status: 401, reason: 'inactive' })
  })

  it('refuses its ID token', async () => {
    expect(await outcome(rs, await as.mintIdToken({ aud: as.audience }))).toMatchObject({ status: 401, reason: 'id_token' })
  })

  it('a route requiring a group accepts and refuses', async () => {
    expect((await outcome(rs, await as.mintAccessToken(), { roles: ['OrdersAdmins'] })).status).toBe(200)
    expect(await outcome(rs, await as.mintAccessToken({}, { appOnly: true }), { roles: ['OrdersAdmins'] })).toMatchObject({
      status: 403,
      reason: 'claim_mismatch',
    })
  })
})

describe('Keycloak', () => {
  let as: VendorAS
  let rs: ResourceServer
  beforeAll(async () => {
    as = await start('keycloak')
    rs = createResourceServer(keycloak({ url: as.origin, realm: 'demo', audience: as.audience, ...LOCAL }))
  })

  it('accepts its access token (typ JWT, payload typ Bearer), the client from azp', async () => {
    expect(await outcome(rs, await as.mintAccessToken(), { scopes: ['email'] })).toEqual({
      status: 200,
      clientId: as.clientId,
      scopes: ['openid', 'profile', 'email'],
    })
    // Older Keycloak versions put the request's nonce in access tokens too: still an access token (typ "Bearer").
    expect((await outcome(rs, await as.mintAccessToken({ nonce: 'n-0S6_WzA2Mj' }))).status).toBe(200)
  })

  it('with a confidential client, introspects', async () => {
    const introspecting = createResourceServer(
      keycloak({
        url: as.origin,
        realm: 'demo',
        audience: as.audience,
        clientId: as.apiCredentials!.clientId,
        clientSecret: as.apiCredentials!.clientSecret,
        ...LOCAL,
      }),
    )
    expect(await outcome(introspecting, as.mintOpaqueToken(), { roles: ['orders-admin'] })).toMatchObject({
      status: 200,
      clientId: as.clientId,
    })
  })

  it('refuses its ID token (typ claim "ID")', async () => {
    expect(await outcome(rs, await as.mintIdToken({ aud: as.audience }))).toMatchObject({ status: 401, reason: 'id_token' })
  })

  it('a route requiring a realm role or a client role accepts and refuses', async () => {
    const token = await as.mintAccessToken()
    expect((await outcome(rs, token, { roles: ['orders-admin'] })).status).toBe(200)
    expect((await outcome(rs, token, { claims: { [`resource_access.${as.audience}.roles`]: { includes: 'orders:read' } } })).status).toBe(
      200,
    )
    expect(await outcome(rs, token, { roles: ['realm-admin'] })).toMatchObject({ status: 403, reason: 'claim_mismatch' })
    expect(await outcome(rs, token, { acr: ['2'] })).toMatchObject({ status: 401, reason: 'insufficient_user_authentication' })
  })
})

describe('Amazon Cognito', () => {
  let as: VendorAS
  let rs: ResourceServer
  beforeAll(async () => {
    as = await start('cognito')
    rs = createResourceServer(cognito({ userPoolId: 'eu-west-3_Ex4mpLe01', issuer: as.issuer, allowedClients: [as.clientId], ...LOCAL }))
  })

  it('accepts its access token (no aud): the calling client is checked against allowedClients', async () => {
    expect(await outcome(rs, await as.mintAccessToken(), { scopes: ['openid'] })).toMatchObject({ status: 200, clientId: as.clientId })
    expect((await outcome(rs, await as.mintAccessToken({}, { appOnly: true }), { scopes: [`${as.audience}/orders.read`] })).status).toBe(
      200,
    )
    expect(await outcome(rs, await as.mintAccessToken({ client_id: 'another-app-client' }))).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
    })
    expect(await outcome(rs, await as.mintAccessToken({ aud: 'some-api' }))).toMatchObject({ status: 401, reason: 'wrong_audience' })
  })

  it('refuses its ID token (token_use "id", aud = the allowed client id)', async () => {
    expect(await outcome(rs, await as.mintIdToken())).toMatchObject({ status: 401, reason: 'id_token' })
  })

  it('a route requiring a cognito:groups group accepts and refuses', async () => {
    expect((await outcome(rs, await as.mintAccessToken(), { roles: ['admins'] })).status).toBe(200)
    expect(await outcome(rs, await as.mintAccessToken(), { roles: ['superusers'] })).toMatchObject({
      status: 403,
      reason: 'claim_mismatch',
    })
  })
})
