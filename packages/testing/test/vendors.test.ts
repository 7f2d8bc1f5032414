import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { VENDORS, atHash, startVendorAS, type Vendor, type VendorAS } from '../src/index.js'

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
}

async function introspect(
  as: VendorAS,
  token: string,
  auth: 'basic' | 'post' | 'none' | 'wrong' = 'basic',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const creds = as.apiCredentials!
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
  const body = new URLSearchParams({ token })
  if (auth === 'basic') headers.authorization = basic(creds.clientId, creds.clientSecret)
  if (auth === 'wrong') headers.authorization = basic(creds.clientId, `${creds.clientSecret}x`)
  if (auth === 'post') {
    body.set('client_id', creds.clientId)
    body.set('client_secret', creds.clientSecret)
  }
  const res = await fetch(as.introspectionEndpoint!, { method: 'POST', headers, body })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** Per vendor: what `jwtVerify` must be told, and what the token must look like. */
const expected: Record<
  Vendor,
  { typ: string | undefined; idTyp: string | undefined; hasAud: boolean; client: string; introspection: boolean }
> = {
  'entra-v1': { typ: 'JWT', idTyp: 'JWT', hasAud: true, client: 'appid', introspection: false },
  'entra-v2': { typ: 'JWT', idTyp: 'JWT', hasAud: true, client: 'azp', introspection: false },
  'entra-multitenant': { typ: 'JWT', idTyp: 'JWT', hasAud: true, client: 'azp', introspection: false },
  auth0: { typ: 'JWT', idTyp: 'JWT', hasAud: true, client: 'azp', introspection: false },
  okta: { typ: undefined, idTyp: undefined, hasAud: true, client: 'cid', introspection: true },
  keycloak: { typ: 'JWT', idTyp: 'JWT', hasAud: true, client: 'azp', introspection: true },
  cognito: { typ: undefined, idTyp: undefined, hasAud: false, client: 'client_id', introspection: false },
  identityserver: { typ: 'at+jwt', idTyp: 'JWT', hasAud: true, client: 'client_id', introspection: true },
}

describe.each(VENDORS.map((v) => [v]))('startVendorAS(%s)', (vendor) => {
  let as: VendorAS
  let jwks: ReturnType<typeof jose.createRemoteJWKSet>
  const exp = expected[vendor]

  beforeAll(async () => {
    as = await startVendorAS(vendor)
    jwks = jose.createRemoteJWKSet(new URL(as.jwksUri))
  })
  afterAll(async () => {
    await as.stop()
  })

  it('serves its discovery document on 127.0.0.1, whose issuer is the tokens’ iss', async () => {
    expect(as.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const { status, body } = await getJson(as.metadataUrl)
    expect(status).toBe(200)
    expect(body.jwks_uri).toBe(as.jwksUri)
    const token = await as.mintAccessToken()
    const { iss, tid } = jose.decodeJwt(token)
    if (vendor === 'entra-multitenant') {
      expect(body.issuer).toBe(`${as.origin}/{tenantid}/v2.0`)
      expect((body.issuer as string).replace('{tenantid}', tid as string)).toBe(iss)
    } else {
      expect(body.issuer).toBe(iss)
    }
    expect(iss).toBe(as.issuer)
    expect(as.requests(as.metadataUrl)).toBe(1)
  })

  it('access tokens verify against the served JWKS with the vendor’s header and claims', async () => {
    const token = await as.mintAccessToken()
    const header = jose.decodeProtectedHeader(token)
    expect(header.alg).toBe('RS256')
    expect(header.kid).toEqual(expect.any(String))
    expect(header.typ).toBe(exp.typ)
    const { payload } = await jose.jwtVerify(token, jwks, {
      issuer: as.issuer,
      algorithms: ['RS256'],
      ...(exp.typ ? { typ: exp.typ } : {}),
      ...(exp.hasAud ? { audience: as.audience } : {}),
    })
    expect(payload[exp.client]).toBe(as.clientId)
    if (!exp.hasAud) expect(payload.aud).toBeUndefined()
    expect(as.requests(new URL(as.jwksUri).pathname)).toBeGreaterThanOrEqual(1)
  })

  it('refusal cases: wrong aud, expired, other issuer are rejected', async () => {
    const wrongAud = await as.mintAccessToken({ aud: 'https://other.example.test' })
    const expired = await as.mintAccessToken({}, { expiresIn: -120 })
    const audience = exp.hasAud ? { audience: as.audience } : {}
    if (exp.hasAud) await expect(jose.jwtVerify(wrongAud, jwks, { issuer: as.issuer, audience: as.audience })).rejects.toThrow(/aud/)
    await expect(jose.jwtVerify(expired, jwks, { issuer: as.issuer, ...audience })).rejects.toThrow(/exp/)
    const otherIss = await as.mintAccessToken({ iss: `${as.issuer}x` })
    await expect(jose.jwtVerify(otherIss, jwks, { issuer: as.issuer, ...audience })).rejects.toThrow(/iss/)
  })

  it('ID tokens differ from access tokens as the vendor documents', async () => {
    const access = await as.mintAccessToken()
    const id = await as.mintIdToken({}, { accessToken: access })
    const header = jose.decodeProtectedHeader(id)
    expect(header.typ).toBe(exp.idTyp)
    const { payload } = await jose.jwtVerify(id, jwks, { issuer: as.issuer, audience: as.clientId, algorithms: ['RS256'] })
    expect(payload.nonce).toEqual(expect.any(String))
    expect(payload.at_hash).toBe(atHash(access))
    // An ID token is not an access token for the API.
    if (exp.hasAud) expect(payload.aud).not.toBe(as.audience)
    if (vendor === 'cognito') {
      expect(payload.token_use).toBe('id')
      expect(jose.decodeJwt(access).token_use).toBe('access')
      expect(header.kid).not.toBe(jose.decodeProtectedHeader(access).kid)
    }
    if (vendor === 'keycloak') expect(payload.typ).toBe('ID')
    if (vendor === 'identityserver') await expect(jose.jwtVerify(id, jwks, { typ: 'at+jwt' })).rejects.toThrow(/typ/)
  })

  it('rotateKeys(): new tokens carry the new kid, served in the JWKS next to the previous key', async () => {
    const before = as.jwks().keys.length
    const oldKid = jose.decodeProtectedHeader(await as.mintAccessToken()).kid
    const kid = await as.rotateKeys()
    expect(kid).not.toBe(oldKid)
    const token = await as.mintAccessToken()
    expect(jose.decodeProtectedHeader(token).kid).toBe(kid)
    const { body } = await getJson(as.jwksUri)
    const kids = (body.keys as jose.JWK[]).map((k) => k.kid)
    expect(kids).toContain(kid)
    expect(kids).toContain(oldKid)
    expect(kids.length).toBe(before + 1)
    const fresh = jose.createRemoteJWKSet(new URL(as.jwksUri))
    await expect(jose.jwtVerify(token, fresh, { issuer: as.issuer })).resolves.toBeDefined()
    await as.rotateKeys({ retire: true })
    const after = ((await getJson(as.jwksUri)).body.keys as jose.JWK[]).map((k) => k.kid)
    expect(after).not.toContain(kid)
  })

  const withIntrospection = async (): Promise<void> => {
    const opaque = as.mintOpaqueToken({ scope: 'orders.read' })
    const ok = await introspect(as, opaque)
    expect(ok.status).toBe(200)
    expect(ok.body.active).toBe(true)
    expect(ok.body.scope).toBe('orders.read')
    expect(ok.body.client_id).toBe(as.clientId)
    expect(ok.body.iss).toBe(as.issuer)

    const unknown = await introspect(as, 'no-such-token')
    expect(unknown).toEqual({ status: 200, body: { active: false } })

    const expiredTok = as.mintOpaqueToken({ exp: Math.floor(Date.now() / 1000) - 10 })
    expect((await introspect(as, expiredTok)).body).toEqual({ active: false })

    as.revoke(opaque)
    expect((await introspect(as, opaque)).body).toEqual({ active: false })

    expect((await introspect(as, as.mintOpaqueToken(), 'none')).status).toBe(401)
    expect((await introspect(as, as.mintOpaqueToken(), 'wrong')).status).toBe(401)
    const post = await introspect(as, as.mintOpaqueToken(), 'post')
    // IdentityServer documents Basic authentication of the API resource only.
    expect(post.status).toBe(vendor === 'identityserver' ? 401 : 200)

    // Minted JWT access tokens are known to the introspection endpoint too.
    const jwt = await introspect(as, await as.mintAccessToken())
    expect(jwt.body.active).toBe(true)
    expect(typeof jwt.body.scope).toBe('string')
  }
  const withoutIntrospection = (): void => {
    expect(as.introspectionEndpoint).toBeUndefined()
    expect(as.apiCredentials).toBeUndefined()
    expect(() => as.mintOpaqueToken()).toThrow(/no introspection/)
  }
  it(
    exp.introspection
      ? 'introspection: active / inactive with the API credentials, 401 without'
      : 'has no introspection endpoint (JWT access tokens only), and says so',
    exp.introspection ? withIntrospection : withoutIntrospection,
  )
})

describe('vendor token shapes (one claim per documented fact)', () => {
  const started: VendorAS[] = []
  const start = async (...args: Parameters<typeof startVendorAS>): Promise<VendorAS> => {
    const as = await startVendorAS(...args)
    started.push(as)
    return as
  }
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()))
  })

  it('Entra v2: iss …/{tid}/v2.0, ver "2.0", scp space-separated string, azp; app-only: roles and no scp; header without x5t', async () => {
    const as = await start('entra-v2', { tenantId: '11111111-2222-4333-8444-555555555555' })
    const user = await as.mintAccessToken()
    const c = jose.decodeJwt(user)
    expect(c.iss).toBe(`${as.origin}/11111111-2222-4333-8444-555555555555/v2.0`)
    expect(c.ver).toBe('2.0')
    expect(c.tid).toBe('11111111-2222-4333-8444-555555555555')
    expect(typeof c.scp).toBe('string')
    expect((c.scp as string).split(' ').length).toBeGreaterThan(1)
    expect(c.azp).toBe(as.clientId)
    expect(c.appid).toBeUndefined()
    expect(c.oid).toMatch(/^[0-9a-f-]{36}$/)
    expect(c.aud).toMatch(/^[0-9a-f-]{36}$/)
    expect(jose.decodeProtectedHeader(user).x5t).toBeUndefined()
    const app = jose.decodeJwt(await as.mintAccessToken({}, { appOnly: true }))
    expect(app.scp).toBeUndefined()
    expect(app.roles).toEqual(expect.arrayContaining([expect.any(String)]))
    expect(app.sub).toBe(app.oid)
    // JWKS keys carry x5t.
    expect(as.jwks().keys[0]!.x5t).toBe(as.jwks().keys[0]!.kid)
    expect(as.metadataUrl).toBe(`${as.origin}/11111111-2222-4333-8444-555555555555/v2.0/.well-known/openid-configuration`)
    expect(as.jwksUri).toBe(`${as.origin}/11111111-2222-4333-8444-555555555555/discovery/v2.0/keys`)
  })

  it('Entra v1: iss sts.windows.net form with trailing slash (not the metadata prefix), appid, ver "1.0", x5t header, aud App ID URI', async () => {
    const as = await start('entra-v1')
    const token = await as.mintAccessToken()
    const h = jose.decodeProtectedHeader(token)
    expect(h.x5t).toBe(h.kid)
    const c = jose.decodeJwt(token)
    expect(c.iss).toBe(`${as.origin}/sts.windows.net/${as.tenantId}/`)
    expect(c.ver).toBe('1.0')
    expect(c.appid).toBe(as.clientId)
    expect(c.azp).toBeUndefined()
    expect(c.aud).toMatch(/^api:\/\//)
    expect(as.metadataUrl).toBe(`${as.origin}/${as.tenantId}/.well-known/openid-configuration`)
    expect(as.jwksUri).toBe(`${as.origin}/${as.tenantId}/discovery/keys`)
    // Discovery derived from the issuer does not exist: the metadata URL must be configured.
    expect((await fetch(`${as.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).status).toBe(404)
  })

  it('Entra multi-tenant: common and organizations metadata carry the {tenantid} template; a token of another tenant has its own iss', async () => {
    const as = await start('entra-multitenant')
    for (const p of ['/common/v2.0/.well-known/openid-configuration', '/organizations/v2.0/.well-known/openid-configuration']) {
      expect((await getJson(as.url(p))).body.issuer).toBe(`${as.origin}/{tenantid}/v2.0`)
    }
    const other = jose.decodeJwt(await as.mintAccessToken({ tid: '99999999-8888-4777-8666-555555555555' }))
    expect(other.iss).toBe(`${as.origin}/99999999-8888-4777-8666-555555555555/v2.0`)
    expect(other.tid).toBe('99999999-8888-4777-8666-555555555555')
  })

  it('Auth0 profile: iss with trailing slash, typ JWT, aud array with /userinfo, azp, scope string, permissions; M2M gty and sub @clients', async () => {
    const as = await start('auth0')
    const c = jose.decodeJwt(await as.mintAccessToken())
    expect(c.iss).toBe(`${as.origin}/`)
    expect(c.aud).toEqual([as.audience, `${as.origin}/userinfo`])
    expect(c.azp).toBe(as.clientId)
    expect(c.client_id).toBeUndefined()
    expect(c.jti).toBeUndefined()
    expect(typeof c.scope).toBe('string')
    expect(c.permissions).toEqual(expect.any(Array))
    const m2m = jose.decodeJwt(await as.mintAccessToken({}, { appOnly: true }))
    expect(m2m.gty).toBe('client-credentials')
    expect(m2m.sub).toBe(`${as.clientId}@clients`)
    expect(m2m.aud).toBe(as.audience)
  })

  it('Auth0 RFC 9068 profile: typ at+jwt, client_id and jti, no azp or gty', async () => {
    const as = await start('auth0', { auth0Profile: 'rfc9068' })
    const token = await as.mintAccessToken({}, { appOnly: true })
    expect(jose.decodeProtectedHeader(token).typ).toBe('at+jwt')
    const c = jose.decodeJwt(token)
    expect(c.client_id).toBe(as.clientId)
    expect(c.jti).toEqual(expect.any(String))
    expect(c.azp).toBeUndefined()
    expect(c.gty).toBeUndefined()
    await jose.jwtVerify(token, jose.createLocalJWKSet(as.jwks()), { typ: 'at+jwt', issuer: as.issuer, audience: as.audience })
  })

  it('Okta: no typ header, ver 1 (integer), jti AT.…, cid, uid, scp array; serves RFC 8414 metadata too', async () => {
    const as = await start('okta')
    const token = await as.mintAccessToken()
    expect(jose.decodeProtectedHeader(token)).toEqual({ kid: expect.any(String), alg: 'RS256' })
    const c = jose.decodeJwt(token)
    expect(c.iss).toBe(`${as.origin}/oauth2/default`)
    expect(c.ver).toBe(1)
    expect(c.jti).toMatch(/^AT\./)
    expect(c.cid).toBe(as.clientId)
    expect(c.uid).toEqual(expect.any(String))
    expect(c.scp).toEqual(expect.arrayContaining(['orders.read']))
    expect(c.aud).toBe('api://default')
    expect(jose.decodeJwt(await as.mintAccessToken({}, { appOnly: true })).uid).toBeUndefined()
    expect((await getJson(`${as.issuer}/.well-known/oauth-authorization-server`)).body.issuer).toBe(as.issuer)
    expect(as.introspectionEndpoint).toBe(`${as.issuer}/v1/introspect`)
    expect(as.jwksUri).toBe(`${as.issuer}/v1/keys`)
    // Introspection answers scope as a string and uid, client_id for cid.
    const r = await introspect(as, token)
    expect(r.body).toMatchObject({
      active: true,
      token_type: 'Bearer',
      client_id: as.clientId,
      uid: c.uid,
      scope: (c.scp as string[]).join(' '),
    })
  })

  it('Keycloak: typ JWT, typ claim Bearer, azp, scope string, realm_access / resource_access roles, aud includes account', async () => {
    const as = await start('keycloak', { realm: 'acme' })
    const c = jose.decodeJwt(await as.mintAccessToken())
    expect(c.iss).toBe(`${as.origin}/realms/acme`)
    expect(c.typ).toBe('Bearer')
    expect(c.azp).toBe(as.clientId)
    expect(typeof c.scope).toBe('string')
    expect((c.realm_access as { roles: string[] }).roles).toContain('orders-admin')
    expect((c.resource_access as Record<string, { roles: string[] }>)[as.audience]!.roles).toContain('orders:read')
    expect(c.aud).toContain('account')
    // Without an audience mapper: aud is only "account".
    const plain = await as.mintAccessToken({ aud: 'account' })
    await expect(jose.jwtVerify(plain, jose.createLocalJWKSet(as.jwks()), { audience: as.audience })).rejects.toThrow(/aud/)
    // Missing role: a test can drop it.
    const noRole = jose.decodeJwt(await as.mintAccessToken({ realm_access: { roles: [] } }))
    expect((noRole.realm_access as { roles: string[] }).roles).toEqual([])
    expect(as.jwksUri).toBe(`${as.issuer}/protocol/openid-connect/certs`)
    expect(as.introspectionEndpoint).toBe(`${as.issuer}/protocol/openid-connect/token/introspect`)
  })

  it('Cognito: no aud and no typ; client_id, token_use access, scope string, username, cognito:groups; jwks at {issuer}/.well-known/jwks.json', async () => {
    const as = await start('cognito', { userPoolId: 'us-east-1_AbCdEfGhI' })
    const token = await as.mintAccessToken()
    expect(jose.decodeProtectedHeader(token).typ).toBeUndefined()
    const c = jose.decodeJwt(token)
    expect(c.iss).toBe(`${as.origin}/us-east-1_AbCdEfGhI`)
    expect(c.aud).toBeUndefined()
    expect(c.token_use).toBe('access')
    expect(c.client_id).toBe(as.clientId)
    expect(c.username).toBe('ada')
    expect(c['cognito:groups']).toEqual(['admins', 'editors'])
    expect(as.jwksUri).toBe(`${as.issuer}/.well-known/jwks.json`)
    expect(as.jwks().keys.length).toBe(2) // access and ID tokens use different keys
    const m2m = jose.decodeJwt(await as.mintAccessToken({}, { appOnly: true }))
    expect(m2m.sub).toBe(as.clientId)
    expect(m2m.username).toBeUndefined()
  })

  it('IdentityServer: typ at+jwt, scope JSON array by default (string with EmitScopesAsSpaceDelimitedStringInJwt), client_id; /connect/token client_credentials', async () => {
    const as = await start('identityserver')
    const c = jose.decodeJwt(await as.mintAccessToken())
    expect(c.iss).toBe(as.origin)
    expect(c.scope).toEqual(['openid', 'profile', 'api1.read'])
    expect(c.client_id).toBe(as.clientId)
    expect(c.aud).toBe('api1')
    expect(c.nbf).toEqual(expect.any(Number))
    const asString = await start('identityserver', { emitScopesAsSpaceDelimitedString: true })
    expect(jose.decodeJwt(await asString.mintAccessToken()).scope).toBe('openid profile api1.read')

    const res = await fetch(as.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(as.client.clientId, as.client.clientSecret) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api1.read api1.write' }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { access_token: string; token_type: string; scope: string }
    expect(body.token_type).toBe('Bearer')
    const { payload, protectedHeader } = await jose.jwtVerify(body.access_token, jose.createRemoteJWKSet(new URL(as.jwksUri)), {
      issuer: as.issuer,
      audience: 'api1',
      typ: 'at+jwt',
    })
    expect(protectedHeader.typ).toBe('at+jwt')
    expect(payload.scope).toEqual(['api1.read', 'api1.write'])
    expect(payload.sub).toBeUndefined()
    const bad = await fetch(as.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(as.client.clientId, 'nope') },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_client')
  })

  it('oauth8414Only path-inserted: metadata at /.well-known/oauth-authorization-server{path}, 404 on the OpenID URL', async () => {
    const as = await start('keycloak', { oauth8414Only: true, realm: 'r1' })
    expect(as.metadataUrl).toBe(`${as.origin}/.well-known/oauth-authorization-server/realms/r1`)
    const { status, body } = await getJson(as.metadataUrl)
    expect(status).toBe(200)
    expect(body.issuer).toBe(as.issuer)
    expect(body.introspection_endpoint).toBe(as.introspectionEndpoint)
    expect((await fetch(as.openidConfigurationUrl)).status).toBe(404)
    expect((await fetch(`${as.issuer}/.well-known/oauth-authorization-server`)).status).toBe(404)
    expect(as.requests(as.openidConfigurationUrl)).toBe(1)
  })

  it('oauth8414Only path-appended: metadata at {issuer}/.well-known/oauth-authorization-server, 404 on the OpenID URL', async () => {
    const as = await start('okta', { oauth8414Only: 'path-appended' })
    expect(as.metadataUrl).toBe(`${as.issuer}/.well-known/oauth-authorization-server`)
    expect((await getJson(as.metadataUrl)).body.issuer).toBe(as.issuer)
    expect((await fetch(as.openidConfigurationUrl)).status).toBe(404)
    expect((await fetch(`${as.origin}/.well-known/oauth-authorization-server/oauth2/default`)).status).toBe(404)
  })

  it('oauth8414Only on an issuer without a path (Auth0, trailing slash): both forms are /.well-known/oauth-authorization-server', async () => {
    const as = await start('auth0', { oauth8414Only: 'path-inserted' })
    expect(as.metadataUrl).toBe(`${as.origin}/.well-known/oauth-authorization-server`)
    expect((await getJson(as.metadataUrl)).body.issuer).toBe(`${as.origin}/`)
    expect((await fetch(as.openidConfigurationUrl)).status).toBe(404)
  })

  it('requests(path) counts discovery and JWKS fetches; resetRequests() clears them', async () => {
    const as = await start('okta')
    const remote = jose.createRemoteJWKSet(new URL(as.jwksUri))
    await jose.jwtVerify(await as.mintAccessToken(), remote, { issuer: as.issuer })
    await jose.jwtVerify(await as.mintAccessToken(), remote, { issuer: as.issuer })
    expect(as.requests(as.jwksUri)).toBe(1) // jose caches the JWKS
    await getJson(as.metadataUrl)
    await getJson(as.metadataUrl)
    expect(as.requests(new URL(as.metadataUrl).pathname)).toBe(2)
    as.resetRequests()
    expect(as.requests(as.jwksUri)).toBe(0)
  })

  it('mint options: header overrides, removed claims, signing with a previous key; a retired key is gone', async () => {
    const as = await start('entra-v2')
    const noTyp = await as.mintAccessToken({ scp: undefined }, { header: { typ: undefined } })
    expect(jose.decodeProtectedHeader(noTyp).typ).toBeUndefined()
    expect(jose.decodeJwt(noTyp).scp).toBeUndefined()
    const oldKid = as.jwks().keys[0]!.kid!
    const newKid = await as.rotateKeys()
    const signedWithOld = await as.mintAccessToken({}, { kid: oldKid })
    expect(jose.decodeProtectedHeader(signedWithOld)).toMatchObject({ kid: oldKid })
    await jose.jwtVerify(signedWithOld, jose.createLocalJWKSet(as.jwks()))
    expect(jose.decodeProtectedHeader(await as.mintAccessToken()).kid).toBe(newKid)
    await as.rotateKeys({ retire: true }) // retires newKid
    await expect(as.mintAccessToken({}, { kid: newKid })).rejects.toThrow(/no key/)
  })
})
