/**
 * JWT access tokens (RFC 9068): real ones from oidc-provider (resource indicators, ES256 and
 * RS256), hostile hand-made ones signed with the AS's real keys, and key rotation against a real
 * local JWKS server that counts its requests.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { faults, startHttpServer, startTestAS, type TestAS, type TestHttpServer } from '@org/rs-testing'
import {
  AuthorizationServerError,
  BearerError,
  createResourceServer,
  type ResourceServer,
  type ResourceServerOptions,
} from '../../src/index.js'
import { rejection } from '../support/index.js'

const API = 'https://api.example.test'
let as: TestAS
let rs: ResourceServer

beforeAll(async () => {
  as = await startTestAS()
  rs = createResourceServer({ issuer: as.issuer, tokenFormat: 'jwt', audience: API })
})
afterAll(() => as?.stop())

const now = () => Math.floor(Date.now() / 1000)
async function asKey(kty: 'RSA' | 'EC') {
  const jwk = as.privateJwks.keys.find((k) => k.kty === kty)!
  return { key: await jose.importJWK(jwk, kty === 'RSA' ? 'RS256' : 'ES256'), kid: jwk.kid!, alg: kty === 'RSA' ? 'RS256' : 'ES256', jwk }
}
async function forge(claims: jose.JWTPayload = {}, header: Partial<jose.JWTHeaderParameters> = {}, kty: 'RSA' | 'EC' = 'EC') {
  const { key, kid, alg } = await asKey(kty)
  return new jose.SignJWT({
    iss: as.issuer,
    aud: API,
    sub: 'user-1',
    client_id: 'app',
    scope: 'read',
    iat: now(),
    exp: now() + 300,
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg, typ: 'at+jwt', kid, ...header } as jose.JWTHeaderParameters)
    .sign(key)
}
const rejected = (token: string, server: ResourceServer = rs): Promise<BearerError> =>
  rejection(() => server.authenticate(`Bearer ${token}`), BearerError, 401, 'invalid_token')

describe('JWT access tokens issued by oidc-provider', () => {
  it('ES256 user token', async () => {
    const token = await as.issueToken({ sub: 'user-1', scope: 'read write', resource: API })
    expect(jose.decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' })
    const auth = await rs.authenticate(`Bearer ${token}`, { scopes: ['write'] })
    expect(auth).toMatchObject({ sub: 'user-1', scopes: ['read', 'write'], clientId: 'app', aud: [API], iss: as.issuer, source: 'jwt' })
    expect(JSON.stringify(auth)).not.toContain(token)
  })
  it('RS256 client-credentials token', async () => {
    const rs256 = createResourceServer({ issuer: as.issuer, tokenFormat: 'jwt', audience: 'https://rs256.example.test' })
    const token = await as.issueToken({ scope: 'read', resource: 'https://rs256.example.test' })
    expect(jose.decodeProtectedHeader(token).alg).toBe('RS256')
    expect(await rs256.authenticate(`Bearer ${token}`)).toMatchObject({ clientId: 'app', scopes: ['read'] })
    // and a token for the other API is not for this one
    await rejected(await as.issueToken({ scope: 'read', resource: API }), rs256)
  })
  it('insufficient scope is 403', async () => {
    const token = await as.issueToken({ sub: 'user-1', scope: 'read', resource: API })
    await expect(rs.authenticate(`Bearer ${token}`, { scopes: ['admin'] })).rejects.toMatchObject({
      status: 403,
      code: 'insufficient_scope',
    })
  })
  it('scopes from an scp array too', async () => {
    expect((await rs.authenticate(`Bearer ${await forge({ scope: undefined, scp: ['a', 'b'] })}`)).scopes).toEqual(['a', 'b'])
  })
})

describe('hostile JWTs are 401 invalid_token', () => {
  it('alg none', async () => {
    const token = new jose.UnsecuredJWT({ iss: as.issuer, aud: API, sub: 'x', exp: now() + 60 }).setIssuedAt().encode()
    const header = JSON.parse(atob(token.split('.')[0]!))
    expect(header.alg).toBe('none')
    const typed = `${btoa(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).replace(/=/g, '')}.${token.split('.')[1]}.`
    await rejected(token)
    await rejected(typed)
  })
  it('HS256 signed with the AS public RSA key as the secret (key confusion)', async () => {
    const { jwk } = await asKey('RSA')
    const publicJwk = { kty: jwk.kty, n: jwk.n, e: jwk.e }
    const publicPem = await jose.exportSPKI((await jose.importJWK(publicJwk, 'RS256', { extractable: true })) as CryptoKey)
    for (const secret of [publicPem, JSON.stringify(publicJwk)]) {
      const token = await new jose.SignJWT({ iss: as.issuer, aud: API, sub: 'x', exp: now() + 60, iat: now() })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid })
        .sign(new TextEncoder().encode(secret))
      const err = await rejected(token)
      expect(err.description).toMatch(/algorithm that is not allowed/)
    }
  })
  it('wrong typ: an ID token, an introspection response, none', async () => {
    expect((await rejected(await forge({}, { typ: 'JWT' }))).description).toMatch(/wrong type/)
    await rejected(await forge({}, { typ: 'token-introspection+jwt' }))
    await rejected(await forge({}, { typ: undefined }))
    // lenient accepts JWT and none, never another explicit type
    const lenient = createResourceServer({ issuer: as.issuer, tokenFormat: 'jwt', audience: API, jwt: { typ: 'lenient' } })
    await expect(lenient.authenticate(`Bearer ${await forge({}, { typ: 'JWT' })}`)).resolves.toMatchObject({ sub: 'user-1' })
    await expect(lenient.authenticate(`Bearer ${await forge({}, { typ: 'application/at+jwt' })}`)).resolves.toMatchObject({ sub: 'user-1' })
    await rejected(await forge({}, { typ: 'token-introspection+jwt' }), lenient)
  })
  it('wrong iss (no network call to an unknown issuer), wrong aud', async () => {
    const evil = await startHttpServer(faults.json({ keys: [] }))
    expect((await rejected(await forge({ iss: evil.url }))).description).toMatch(/unexpected issuer/)
    expect(evil.requests).toBe(0)
    await evil.close()
    expect((await rejected(await forge({ aud: 'https://other.example' }))).description).toMatch(/not meant for this resource server/)
  })
  it('expired, not yet valid, issued in the future, too old', async () => {
    expect((await rejected(await forge({ exp: now() - 60, iat: now() - 120 }))).description).toBe('The access token expired')
    await rejected(await forge({ nbf: now() + 600 }))
    await rejected(await forge({ iat: now() + 600, exp: now() + 900 }))
    await rejected(await forge({ exp: undefined }))
    const young = createResourceServer({ issuer: as.issuer, tokenFormat: 'jwt', audience: API, jwt: { maxTokenAge: 60 } })
    await rejected(await forge({ iat: now() - 120 }), young)
  })
  it('crit header', async () => {
    const { key, kid } = await asKey('EC')
    const token = await new jose.SignJWT({ iss: as.issuer, aud: API, sub: 'x', exp: now() + 60, iat: now() })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid, crit: ['x-unknown'], 'x-unknown': true } as jose.JWTHeaderParameters)
      .sign(key, { crit: { 'x-unknown': true } })
    await rejected(token)
  })
  it('unknown kid; a signature by another key under a known kid', async () => {
    await rejected(await forge({}, { kid: 'no-such-key' }))
    const other = await jose.generateKeyPair('ES256')
    const { kid } = await asKey('EC')
    const token = await new jose.SignJWT({ iss: as.issuer, aud: API, sub: 'x', exp: now() + 60, iat: now() })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .sign(other.privateKey)
    expect((await rejected(token)).description).toMatch(/signature is invalid/)
  })
  it("another payload under a cached token's signature is refused, cached or in flight", async () => {
    const genuine = await forge({ sub: 'user-1', scope: 'read' })
    const [header, , signature] = genuine.split('.')
    const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
    const tampered = `${header}.${b64({ ...jose.decodeJwt(genuine), sub: 'admin', scope: 'read admin' })}.${signature}`
    const server = createResourceServer({ issuer: as.issuer, tokenFormat: 'jwt', audience: API })
    // concurrently with the genuine token's first verification (they share the signature hash)
    const [a, b] = await Promise.allSettled([server.authenticate(`Bearer ${genuine}`), server.authenticate(`Bearer ${tampered}`)])
    expect(a).toMatchObject({ status: 'fulfilled', value: { sub: 'user-1' } })
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'invalid_token' } })
    // and once the genuine one is cached
    expect((await server.authenticate(`Bearer ${genuine}`)).sub).toBe('user-1')
    expect((await rejected(tampered, server)).description).toMatch(/signature is invalid/)
  })
  it('garbage that looks like a JWT', async () => {
    await rejected('aaaa.bbbb.cccc')
    await rejected('eyJhbGciOiJFUzI1NiJ9.e30.')
    await rejected('not-a-jwt-at-all')
  })
})

describe('the JWKS: unreachable is 503; rotation; floods', () => {
  let jwksServer: TestHttpServer
  let keys: { k1: CryptoKey; k2: CryptoKey; jwk1: jose.JWK; jwk2: jose.JWK }
  let served: jose.JWK[] = []
  beforeAll(async () => {
    const a = await jose.generateKeyPair('ES256', { extractable: true })
    const b = await jose.generateKeyPair('ES256', { extractable: true })
    keys = {
      k1: a.privateKey,
      k2: b.privateKey,
      jwk1: { ...(await jose.exportJWK(a.publicKey)), kid: 'k1', alg: 'ES256' },
      jwk2: { ...(await jose.exportJWK(b.publicKey)), kid: 'k2', alg: 'ES256' },
    }
    jwksServer = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: served }))
    })
  })
  afterAll(() => jwksServer?.close())
  const issuer = 'https://as.rotation.test'
  const sign = (kid: 'k1' | 'k2' | string, key: CryptoKey) =>
    new jose.SignJWT({ iss: issuer, aud: API, sub: 'rot', exp: now() + 300, iat: now() })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .sign(key)
  const rotRs = (extra: Partial<ResourceServerOptions> = {}) =>
    createResourceServer({
      issuer,
      jwksUri: `${jwksServer.url}/jwks`,
      tokenFormat: 'jwt',
      audience: API,
      ...extra,
    })

  it('an unreachable or broken JWKS is 503, never 401 and never success', async () => {
    const down = await startHttpServer(faults.status(200))
    const url = down.url
    await down.close()
    const token = await sign('k1', keys.k1)
    for (const jwksUri of [`${url}/jwks`]) {
      const err = await createResourceServer({ issuer, jwksUri, tokenFormat: 'jwt', audience: API })
        .authenticate(`Bearer ${token}`)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AuthorizationServerError)
      expect(err).toMatchObject({ status: 503 })
    }
    const broken = await startHttpServer(faults.status(500))
    await expect(
      createResourceServer({ issuer, jwksUri: `${broken.url}/jwks`, tokenFormat: 'jwt', audience: API }).authenticate(`Bearer ${token}`),
    ).rejects.toBeInstanceOf(AuthorizationServerError)
    broken.setHandler(faults.hang())
    await expect(
      createResourceServer({ issuer, jwksUri: `${broken.url}/jwks`, tokenFormat: 'jwt', audience: API, timeout: 0.2 }).authenticate(
        `Bearer ${token}`,
      ),
    ).rejects.toMatchObject({ status: 503, failure: 'timeout' })
    await broken.close()
  })

  it('a newly published key is accepted on the first request that carries it', async () => {
    served = [keys.jwk1]
    // cooldown 0: an unknown kid may refetch at once (jose's cooldown reads the wall clock: no sleeping for it)
    const server = rotRs({ jwks: { cooldown: 0 } })
    await expect(server.authenticate(`Bearer ${await sign('k1', keys.k1)}`)).resolves.toMatchObject({ sub: 'rot' })
    served = [keys.jwk1, keys.jwk2]
    await expect(server.authenticate(`Bearer ${await sign('k2', keys.k2)}`)).resolves.toMatchObject({ sub: 'rot' })
  })

  it('a flood of random kids causes at most one JWKS fetch per cooldown', async () => {
    served = [keys.jwk1]
    const server = rotRs()
    await server.authenticate(`Bearer ${await sign('k1', keys.k1)}`)
    jwksServer.resetCount()
    const flood = await Promise.all(Array.from({ length: 200 }, () => sign(crypto.randomUUID(), keys.k1)))
    const results = await Promise.allSettled(flood.map((t) => server.authenticate(`Bearer ${t}`)))
    expect(results.every((r) => r.status === 'rejected' && (r.reason as BearerError).code === 'invalid_token')).toBe(true)
    expect(jwksServer.requests).toBeLessThanOrEqual(1)
  })

  it('a cached verdict never outlives the key that signed it', async () => {
    served = [keys.jwk1]
    const server = rotRs({ jwks: { cooldown: 0 } })
    const old = await sign('k1', keys.k1)
    await expect(server.authenticate(`Bearer ${old}`)).resolves.toMatchObject({ sub: 'rot' })
    // The AS rotates k1 out; a token with k2 makes us refetch.
    served = [keys.jwk2]
    await server.authenticate(`Bearer ${await sign('k2', keys.k2)}`)
    await rejected(old, server)
  })

  it('verified tokens are cached: the second check of a token does no signature work', async () => {
    served = [keys.jwk1]
    const cached = rotRs()
    const uncached = rotRs({ cache: { verifiedJwtMaxEntries: 0 } })
    const token = await sign('k1', keys.k1)
    const a = await cached.authenticate(`Bearer ${token}`)
    expect(await cached.authenticate(`Bearer ${token}`)).toBe(a) // the very same frozen object: from the cache
    const b = await uncached.authenticate(`Bearer ${token}`)
    expect(await uncached.authenticate(`Bearer ${token}`)).not.toBe(b)
    expect(Object.isFrozen(a)).toBe(true)
  })

  it('HS256 only with a configured shared secret', async () => {
    const secret = 'a-shared-secret-of-at-least-32-characters!'
    const token = await new jose.SignJWT({ iss: issuer, aud: API, sub: 'hs', exp: now() + 60, iat: now() })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(secret))
    await rejected(token, rotRs())
    await expect(rotRs({ jwt: { algorithms: ['HS256'], secret } }).authenticate(`Bearer ${token}`)).resolves.toMatchObject({ sub: 'hs' })
  })
})

describe('tokenFormat auto and several issuers', () => {
  it('routes a JWT locally and an opaque token to introspection, from the same AS', async () => {
    const auto = createResourceServer({
      issuer: as.issuer,
      tokenFormat: 'auto',
      audience: API,
      clientId: 'rs-json',
      clientSecret: as.clients['rs-json'].clientSecret,
    })
    const jwt = await as.issueToken({ sub: 'jwt-user', scope: 'read', resource: API })
    const opaque = await as.issueToken({ sub: 'opaque-user', scope: 'read' })
    as.resetCounts()
    expect(await auto.authenticate(`Bearer ${jwt}`)).toMatchObject({ sub: 'jwt-user', source: 'jwt' })
    expect(as.requestCount('/token/introspection')).toBe(0)
    expect(await auto.authenticate(`Bearer ${opaque}`)).toMatchObject({ sub: 'opaque-user', source: 'introspection' })
    expect(as.requestCount('/token/introspection')).toBe(1)
  })

  it('picks the issuer by iss from an allow-list; introspection endpoints tried in order only when asked', async () => {
    const second = await startTestAS()
    try {
      const issuers: ResourceServerOptions['issuers'] = [
        { issuer: as.issuer, audience: API, clientId: 'rs-json', clientSecret: as.clients['rs-json'].clientSecret },
        { issuer: second.issuer, audience: API, clientId: 'rs-json', clientSecret: second.clients['rs-json'].clientSecret },
      ]
      const multi = createResourceServer({ issuers, tokenFormat: 'auto' })
      expect((await multi.authenticate(`Bearer ${await as.issueToken({ sub: 'a', resource: API })}`)).iss).toBe(as.issuer)
      expect((await multi.authenticate(`Bearer ${await second.issueToken({ sub: 'b', resource: API })}`)).iss).toBe(second.issuer)
      const opaqueFromSecond = await second.issueToken({ sub: 'b2' })
      second.resetCounts()
      await expect(multi.authenticate(`Bearer ${opaqueFromSecond}`)).rejects.toMatchObject({ status: 401 })
      expect(second.requestCount('/token/introspection')).toBe(0)
      const tryAll = createResourceServer({ issuers, tokenFormat: 'auto', tryAllIntrospectionEndpoints: true })
      expect(await tryAll.authenticate(`Bearer ${opaqueFromSecond}`)).toMatchObject({ sub: 'b2', iss: second.issuer })
    } finally {
      await second.stop()
    }
  })
})
