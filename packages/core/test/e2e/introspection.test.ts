/**
 * Introspection against a real oidc-provider (the engine ProConnect runs on), one client per
 * response format, and against real local servers that forge or garble responses.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { faults, readBody, startHttpServer, startTestAS, type TestAS, type TestHttpServer } from '@org/rs-testing'
import {
  AuthorizationServerError,
  BearerError,
  ConfigurationError,
  createResourceServer,
  type ResourceServer,
  type ResourceServerOptions,
  toErrorResponse,
} from '../../src/index.js'
import { thrown } from '../support/index.js'

let as: TestAS
let rsJwks: TestHttpServer
let encKey: jose.JWK
let rsEnc: ResourceServer | undefined

async function privateJwk(alg: string, extra: Record<string, unknown> = {}): Promise<jose.JWK> {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  return { ...(await jose.exportJWK(privateKey)), alg, ...extra }
}

beforeAll(async () => {
  encKey = await privateJwk('RSA-OAEP-256', { kid: 'rs-enc-1' })
  // The RS publishes its encryption keys; the AS fetches them from here to encrypt responses.
  rsJwks = await startHttpServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify(await rsEnc!.jwks()))
  })
  as = await startTestAS({
    clients: [
      {
        client_id: 'rs-enc',
        client_secret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
        jwks_uri: `${rsJwks.url}/jwks`,
        introspection_signed_response_alg: 'RS256',
        introspection_encrypted_response_alg: 'RSA-OAEP-256',
        introspection_encrypted_response_enc: 'A256GCM',
      },
    ],
  })
  rsEnc = createResourceServer({
    issuer: as.issuer,
    clientId: 'rs-enc',
    clientSecret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret',
    introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
    decryptionKeys: [encKey],
  })
})

afterAll(async () => {
  await as?.stop()
  await rsJwks?.close()
})

function rsFor(clientId: string, extra: Partial<ResourceServerOptions> = {}): ResourceServer {
  return createResourceServer({
    issuer: as.issuer,
    clientId,
    clientSecret: as.clients[clientId]?.clientSecret,
    ...extra,
  })
}

describe('every response format round-trips against oidc-provider', () => {
  const cases: [string, Partial<ResourceServerOptions>][] = [
    ['rs-json', {}],
    ['rs-basic', { authMethod: 'client_secret_basic' }],
    ['rs-csjwt', { authMethod: 'client_secret_jwt' }],
    ['rs-rs256', { introspection: { response: 'jwt', signingAlgorithms: ['RS256'] } }],
    ['rs-es256', { introspection: { response: 'jwt', signingAlgorithms: ['ES256'] } }],
    ['rs-ps256', { introspection: { response: 'jwt', signingAlgorithms: ['PS256'] } }],
    ['rs-eddsa', { introspection: { response: 'jwt', signingAlgorithms: ['EdDSA'] } }],
    ['rs-hs256', { introspection: { response: 'jwt', signingAlgorithms: ['HS256'] } }],
  ]
  it.each(cases)('%s', async (clientId, extra) => {
    const rs = rsFor(clientId, extra)
    const token = await as.issueToken({ sub: 'user-1', scope: 'openid read write' })
    const auth = await rs.authenticate(`Bearer ${token}`)
    expect(auth).toMatchObject({
      sub: 'user-1',
      scopes: ['openid', 'read', 'write'],
      clientId: 'app',
      iss: as.issuer,
      source: 'introspection',
    })
    expect(auth.exp).toBeGreaterThan(Date.now() / 1000)
    expect(auth.claims.token_type).toBe('Bearer')
    expect(JSON.stringify(auth)).not.toContain(token)
  })

  it('private_key_jwt', async () => {
    const rs = createResourceServer({ issuer: as.issuer, clientId: 'rs-pkjwt', privateKey: as.clientKeys['rs-pkjwt'] })
    const token = await as.issueToken({ sub: 'user-2', scope: 'read' })
    expect((await rs.authenticate(`Bearer ${token}`)).sub).toBe('user-2')
  })

  it('signed then encrypted (RSA-OAEP-256 / A256GCM) to the key the RS publishes with jwks()', async () => {
    const jwks = await rsEnc!.jwks()
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: 'rs-enc-1', use: 'enc', alg: 'RSA-OAEP-256' })
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(member)
    const token = await as.issueToken({ sub: 'user-3', scope: 'read' })
    // encryption is required (decryptionKeys given): only an answer encrypted to our key is accepted
    expect((await rsEnc!.authenticate(`Bearer ${token}`)).sub).toBe('user-3')
    // and the AS can only have encrypted to it after fetching it from our jwks() (now or earlier)
    expect(rsJwks.requests).toBeGreaterThan(0)
    // while the same RS without our key refuses the AS's encrypted answer (503), never reads it
    const keyless = createResourceServer({
      issuer: as.issuer,
      clientId: 'rs-enc',
      clientSecret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret',
      introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
    })
    await expect(keyless.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ status: 503, failure: 'bad_response' })
  })

  it('the same decryption key given as PKCS#8 PEM', async () => {
    const pem = await jose.exportPKCS8((await jose.importJWK(encKey, 'RSA-OAEP-256', { extractable: true })) as CryptoKey)
    const rs = createResourceServer({
      issuer: as.issuer,
      clientId: 'rs-enc',
      clientSecret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret',
      introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
      decryptionKeys: [{ pem, alg: 'RSA-OAEP-256', kid: 'rs-enc-1' }],
    })
    expect((await rs.jwks()).keys).toEqual((await rsEnc!.jwks()).keys)
    const token = await as.issueToken({ sub: 'user-pem', scope: 'read' })
    expect((await rs.authenticate(`Bearer ${token}`)).sub).toBe('user-pem')
  })

  it('an inactive (revoked) token is 401 invalid_token', async () => {
    const rs = rsFor('rs-rs256', { introspection: { response: 'jwt', signingAlgorithms: ['RS256'] } })
    const token = await as.issueToken({ sub: 'user-1' })
    await as.revoke(token)
    const err = await rs.authenticate(`Bearer ${token}`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BearerError)
    expect(err).toMatchObject({ status: 401, code: 'invalid_token' })
    expect((err as BearerError).wwwAuthenticate).toBe('Bearer error="invalid_token", error_description="The access token is not active"')
  })

  it('an unknown token is 401, and no header is a bare challenge', async () => {
    const rs = rsFor('rs-json')
    await expect(rs.authenticate('Bearer not-a-real-token')).rejects.toMatchObject({ status: 401, code: 'invalid_token' })
    const err = (await rs.authenticate(undefined).catch((e: unknown) => e)) as BearerError
    expect(err.status).toBe(401)
    expect(err.wwwAuthenticate).toBe('Bearer')
    expect(await rs.authenticate(undefined, { optional: true })).toBeUndefined()
  })

  it('lower-level introspect() returns the verified response members', async () => {
    const rs = rsFor('rs-es256', { introspection: { response: 'jwt', signingAlgorithms: ['ES256'] } })
    const token = await as.issueToken({ sub: 'user-9', scope: 'read' })
    expect(await rs.introspect(token)).toMatchObject({ active: true, sub: 'user-9', scope: 'read', iss: as.issuer })
  })
})

describe('scopes and audience', () => {
  it('all-of and any-of scopes; 403 insufficient_scope names what is needed', async () => {
    const rs = rsFor('rs-json', { scopes: ['read'] })
    const token = await as.issueToken({ sub: 'u', scope: 'read write' })
    await expect(rs.authenticate(`Bearer ${token}`, { scopes: ['write'] })).resolves.toMatchObject({ sub: 'u' })
    await expect(rs.authenticate(`Bearer ${token}`, { anyScope: ['admin', 'write'] })).resolves.toMatchObject({ sub: 'u' })
    const err = (await rs.authenticate(`Bearer ${token}`, { scopes: ['write', 'admin'] }).catch((e: unknown) => e)) as BearerError
    expect(err).toMatchObject({ status: 403, code: 'insufficient_scope', scope: 'write admin' })
    expect(err.wwwAuthenticate).toContain('scope="write admin"')
    await expect(rs.authenticate(`Bearer ${token}`, { anyScope: ['admin'] })).rejects.toMatchObject({ status: 403 })
    const readless = await as.issueToken({ sub: 'u', scope: 'write' })
    await expect(rs.authenticate(`Bearer ${readless}`)).rejects.toMatchObject({ status: 403, code: 'insufficient_scope' })
  })

  it("audience matched against client_id (ProConnect's convention) or aud", async () => {
    const token = await as.issueToken({ sub: 'u', scope: 'read' })
    await expect(rsFor('rs-json', { audience: 'app', audienceClaim: 'client_id' }).authenticate(`Bearer ${token}`)).resolves.toMatchObject({
      clientId: 'app',
    })
    await expect(
      rsFor('rs-json', { audience: 'other-sp', audienceClaim: 'client_id' }).authenticate(`Bearer ${token}`),
    ).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
    })
    // opaque tokens here carry no aud: an introspection-only RS with an audience refuses them
    await expect(rsFor('rs-json', { audience: 'https://api.example.test' }).authenticate(`Bearer ${token}`)).rejects.toMatchObject({
      status: 401,
    })
  })
})

describe('caching and single-flight', () => {
  it('1,000 concurrent authenticate calls with one new token make exactly one introspection request', async () => {
    const rs = rsFor('rs-json')
    const token = await as.issueToken({ sub: 'flood', scope: 'read' })
    as.resetCounts()
    const results = await Promise.all(Array.from({ length: 1000 }, () => rs.authenticate(`Bearer ${token}`)))
    expect(results.every((r) => r.sub === 'flood')).toBe(true)
    expect(as.requestCount('/token/introspection')).toBe(1)
    await rs.authenticate(`Bearer ${token}`)
    expect(as.requestCount('/token/introspection')).toBe(1)
  })

  it('an entry lives min(maxTtl, exp); inactive results only briefly (injected clock)', async () => {
    let now = Date.now()
    const rs = rsFor('rs-json', { clock: () => now, cache: { maxTtl: 60, inactiveTtl: 5 } })
    const token = await as.issueToken({ sub: 'ttl', scope: 'read', ttl: 30 })
    as.resetCounts()
    await rs.authenticate(`Bearer ${token}`)
    now += 29_000
    await rs.authenticate(`Bearer ${token}`)
    expect(as.requestCount('/token/introspection')).toBe(1)
    now += 7_000 // past exp + the 5 s clock tolerance: the cached entry is gone and the token expired
    await expect(rs.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'invalid_token' })

    const long = await as.issueToken({ sub: 'ttl', scope: 'read' })
    now = Date.now()
    as.resetCounts()
    await rs.authenticate(`Bearer ${long}`)
    now += 61_000 // past maxTtl: introspected again
    await rs.authenticate(`Bearer ${long}`)
    expect(as.requestCount('/token/introspection')).toBe(2)

    now = Date.now()
    as.resetCounts()
    await expect(rs.authenticate('Bearer unknown-token-abc')).rejects.toMatchObject({ status: 401 })
    await expect(rs.authenticate('Bearer unknown-token-abc')).rejects.toMatchObject({ status: 401 })
    expect(as.requestCount('/token/introspection')).toBe(1)
    now += 5_001
    await expect(rs.authenticate('Bearer unknown-token-abc')).rejects.toMatchObject({ status: 401 })
    expect(as.requestCount('/token/introspection')).toBe(2)
  })

  it('a shared store that fails is a cache miss, not a failed request (the in-memory first level still answers)', async () => {
    const broken = {
      get: async () => Promise.reject(new Error('store down')),
      set: async () => Promise.reject(new Error('store down')),
      delete: async () => Promise.reject(new Error('store down')),
    }
    const rs = rsFor('rs-json', { cache: { store: broken } })
    const token = await as.issueToken({ sub: 'storeless', scope: 'read' })
    as.resetCounts()
    expect((await rs.authenticate(`Bearer ${token}`)).sub).toBe('storeless')
    expect((await rs.authenticate(`Bearer ${token}`)).sub).toBe('storeless')
    expect(as.requestCount('/token/introspection')).toBe(1)
  })

  it('a shared CacheStore receives hashed keys and JSON-serialisable values, never the token', async () => {
    const entries = new Map<string, unknown>()
    const store = {
      get: async (k: string) => (entries.has(k) ? JSON.parse(entries.get(k) as string) : undefined),
      set: async (k: string, v: unknown) => void entries.set(k, JSON.stringify(v)),
      delete: async (k: string) => void entries.delete(k),
    }
    const rs1 = rsFor('rs-json', { cache: { store } })
    const rs2 = rsFor('rs-json', { cache: { store } })
    const token = await as.issueToken({ sub: 'shared', scope: 'read' })
    as.resetCounts()
    await rs1.authenticate(`Bearer ${token}`)
    expect((await rs2.authenticate(`Bearer ${token}`)).sub).toBe('shared')
    expect(as.requestCount('/token/introspection')).toBe(1)
    for (const [k, v] of entries) {
      expect(k).toMatch(/^rs:introspection:[0-9a-f]{64}$/)
      expect(k + (v as string)).not.toContain(token)
    }
  })
})

describe('a misbehaving authorization server is 503, never cached, never authenticates', () => {
  let fake: TestHttpServer
  let forgeKey: CryptoKey
  let forgeJwk: jose.JWK
  beforeAll(async () => {
    const pair = await jose.generateKeyPair('RS256', { extractable: true })
    forgeKey = pair.privateKey
    forgeJwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
    fake = await startHttpServer(faults.status(500))
  })
  afterAll(() => fake?.close())

  const fakeRs = (extra: Partial<ResourceServerOptions> = {}) =>
    createResourceServer({
      issuer: fake.url,
      introspectionEndpoint: `${fake.url}/introspect`,
      jwksUri: `${fake.url}/jwks`,
      clientId: 'rs',
      clientSecret: 'rs-secret-rs-secret-rs-secret-rs-secret',
      timeout: 0.3,
      ...extra,
    })

  async function expectUnavailable(rs: ResourceServer, failure: string) {
    const before = fake.requests
    for (let i = 0; i < 2; i++) {
      const err = await rs.authenticate('Bearer some-token').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AuthorizationServerError)
      expect(err).toMatchObject({ status: 503, failure })
      expect(toErrorResponse(err)).toMatchObject({ status: 503, headers: { 'retry-after': expect.any(String) } })
      expect(String((err as Error).message)).not.toContain('some-token')
    }
    // Not cached: the second call went to the AS again.
    expect(fake.requests - before).toBeGreaterThanOrEqual(2)
  }

  it('5xx', async () => {
    fake.setHandler(faults.status(502, 'bad gateway'))
    await expectUnavailable(fakeRs(), 'http_status')
  })
  it('503 with Retry-After passes the delay on', async () => {
    fake.setHandler(faults.status(503, '', { 'retry-after': '42' }))
    const err = (await fakeRs()
      .authenticate('Bearer t')
      .catch((e: unknown) => e)) as AuthorizationServerError
    expect(err.retryAfter).toBe(42)
    expect(toErrorResponse(err).headers['retry-after']).toBe('42')
  })
  it('timeout', async () => {
    fake.setHandler(faults.hang())
    await expectUnavailable(fakeRs(), 'timeout')
  })
  it('connection reset', async () => {
    fake.setHandler(faults.resetConnection())
    await expectUnavailable(fakeRs(), 'network')
  })
  it('garbage body', async () => {
    fake.setHandler(faults.garbage('application/json'))
    await expectUnavailable(fakeRs(), 'bad_response')
  })
  it('wrong content type', async () => {
    fake.setHandler(faults.text('<html>maintenance</html>', 'text/html'))
    await expectUnavailable(fakeRs(), 'bad_response')
  })
  it('JSON without a boolean active', async () => {
    fake.setHandler(faults.json({ active: 'true', sub: 'x' }))
    await expectUnavailable(fakeRs(), 'bad_response')
  })
  it('our client rejected (401 invalid_client) is a configuration problem, 503', async () => {
    fake.setHandler(faults.json({ error: 'invalid_client' }, 401))
    await expectUnavailable(fakeRs(), 'client_rejected')
  })
  it('an unreachable AS (closed port)', async () => {
    const closed = await startHttpServer(faults.status(200))
    const url = closed.url
    await closed.close()
    const rs = createResourceServer({ issuer: url, introspectionEndpoint: `${url}/i`, clientId: 'rs', clientSecret: 'x' })
    await expect(rs.authenticate('Bearer t')).rejects.toMatchObject({ status: 503, failure: 'network' })
  })
  it('recovers once the AS answers again', async () => {
    const rs = fakeRs()
    fake.setHandler(faults.status(500))
    await expect(rs.authenticate('Bearer t')).rejects.toBeInstanceOf(AuthorizationServerError)
    fake.setHandler(faults.json({ active: true, sub: 'back', scope: 'read', exp: Math.floor(Date.now() / 1000) + 60 }))
    await expect(rs.authenticate('Bearer t')).resolves.toMatchObject({ sub: 'back' })
  })

  describe('tampered JWT responses', () => {
    const secret = 'rs-secret-rs-secret-rs-secret-rs-secret'
    const good = () => ({
      iss: fake.url,
      aud: 'rs',
      iat: Math.floor(Date.now() / 1000),
      token_introspection: { active: true, sub: 'x', iss: fake.url },
    })
    const sign = (
      payload: jose.JWTPayload,
      header: jose.JWTHeaderParameters = { alg: 'RS256', typ: 'token-introspection+jwt', kid: 'k1' },
      key: CryptoKey | Uint8Array = forgeKey,
    ) => new jose.SignJWT(payload).setProtectedHeader(header).sign(key)

    function serve(body: () => Promise<string>, contentType = 'application/token-introspection+jwt', jwks: jose.JWK[] = [forgeJwk]) {
      fake.setHandler(async (req, res) => {
        if (req.url === '/jwks') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks }))
        await readBody(req)
        res.writeHead(200, { 'content-type': contentType }).end(await body())
      })
    }
    const jwtRs = (extra: Partial<ResourceServerOptions> = {}) =>
      fakeRs({ introspection: { response: 'jwt', signingAlgorithms: ['RS256'] }, ...extra })

    it('accepts the genuine article (control)', async () => {
      serve(() => sign(good()))
      await expect(jwtRs().authenticate('Bearer t')).resolves.toMatchObject({ sub: 'x' })
    })
    it('wrong alg (ES256 when RS256 is registered)', async () => {
      const ec = await jose.generateKeyPair('ES256', { extractable: true })
      const ecJwk = { ...(await jose.exportJWK(ec.publicKey)), kid: 'e1' }
      serve(() => sign(good(), { alg: 'ES256', typ: 'token-introspection+jwt', kid: 'e1' }, ec.privateKey), undefined, [forgeJwk, ecJwk])
      await expectUnavailable(jwtRs(), 'bad_signature')
    })
    it('alg none', async () => {
      serve(async () => new jose.UnsecuredJWT(good()).encode())
      await expectUnavailable(jwtRs(), 'bad_signature')
    })
    it('HS256 keyed with the RS256 public key (key confusion)', async () => {
      const pem = new TextEncoder().encode(JSON.stringify(forgeJwk))
      serve(() => sign(good(), { alg: 'HS256', typ: 'token-introspection+jwt' }, pem))
      await expectUnavailable(jwtRs(), 'bad_signature')
    })
    it('HS256 keyed with anything but the client secret', async () => {
      serve(() =>
        sign(good(), { alg: 'HS256', typ: 'token-introspection+jwt' }, new TextEncoder().encode('another-secret-another-secret-another')),
      )
      await expectUnavailable(jwtRs({ introspection: { response: 'jwt', signingAlgorithms: ['HS256'] } }), 'bad_signature')
      serve(() => sign(good(), { alg: 'HS256', typ: 'token-introspection+jwt' }, new TextEncoder().encode(secret)))
      await expect(
        jwtRs({ introspection: { response: 'jwt', signingAlgorithms: ['HS256'] } }).authenticate('Bearer t'),
      ).resolves.toMatchObject({ sub: 'x' })
    })
    it('wrong typ', async () => {
      serve(() => sign(good(), { alg: 'RS256', typ: 'JWT', kid: 'k1' }))
      await expectUnavailable(jwtRs(), 'bad_signature')
    })
    it('wrong outer iss', async () => {
      serve(() => sign({ ...good(), iss: 'https://evil.example' }))
      await expectUnavailable(jwtRs(), 'bad_signature')
    })
    it('wrong outer aud', async () => {
      serve(() => sign({ ...good(), aud: 'another-rs' }))
      await expectUnavailable(jwtRs(), 'bad_signature')
    })
    it('bad signature (signed by a key the AS does not publish, same kid)', async () => {
      const other = await jose.generateKeyPair('RS256')
      serve(() => sign(good(), undefined, other.privateKey))
      await expectUnavailable(jwtRs(), 'bad_signature')
    })
    it('missing token_introspection claim', async () => {
      serve(() => sign({ iss: fake.url, aud: 'rs', iat: Math.floor(Date.now() / 1000), active: true, sub: 'x' }))
      await expectUnavailable(jwtRs(), 'bad_response')
    })
    it('plain JSON when a signed response was asked for (downgrade)', async () => {
      serve(async () => JSON.stringify({ active: true, sub: 'x' }), 'application/json')
      await expectUnavailable(jwtRs(), 'bad_response')
    })
    it('a JWE for another key, and a bare JWS when encryption is required', async () => {
      const mine = await privateJwk('RSA-OAEP-256', { kid: 'mine' })
      const theirs = await privateJwk('RSA-OAEP-256', { kid: 'mine' })
      const theirsPublic = await jose.importJWK({ kty: 'RSA', n: theirs.n, e: theirs.e }, 'RSA-OAEP-256')
      serve(async () =>
        new jose.CompactEncrypt(new TextEncoder().encode(await sign(good())))
          .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid: 'mine' })
          .encrypt(theirsPublic),
      )
      const rs = jwtRs({ decryptionKeys: [mine] })
      await expectUnavailable(rs, 'bad_signature')
      serve(() => sign(good()))
      await expectUnavailable(rs, 'bad_signature')
      // and with migration mode, a bare (verified) JWS is accepted
      await expect(
        jwtRs({
          decryptionKeys: [mine],
          introspection: { response: 'jwt', signingAlgorithms: ['RS256'], encryption: 'optional' },
        }).authenticate('Bearer t'),
      ).resolves.toMatchObject({ sub: 'x' })
    })
    it('a JWE wrapping a forged JWS is still refused', async () => {
      const mine = await privateJwk('ECDH-ES+A256KW', { kid: 'ec' })
      const minePublic = await jose.importJWK({ kty: 'EC', crv: mine.crv, x: mine.x, y: mine.y }, 'ECDH-ES+A256KW')
      const other = await jose.generateKeyPair('RS256')
      serve(async () =>
        new jose.CompactEncrypt(new TextEncoder().encode(await sign(good(), undefined, other.privateKey)))
          .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A128CBC-HS256', cty: 'JWT', kid: 'ec' })
          .encrypt(minePublic),
      )
      await expectUnavailable(jwtRs({ decryptionKeys: [mine] }), 'bad_signature')
      serve(async () =>
        new jose.CompactEncrypt(new TextEncoder().encode(await sign(good())))
          .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A128CBC-HS256', cty: 'JWT', kid: 'ec' })
          .encrypt(minePublic),
      )
      await expect(jwtRs({ decryptionKeys: [mine] }).authenticate('Bearer t')).resolves.toMatchObject({ sub: 'x' })
    })
  })
})

describe('configuration is validated at construction and names the option', () => {
  const issuer = 'https://as.example.com'
  const issues = (options: unknown): string[] =>
    thrown(() => createResourceServer(options as ResourceServerOptions), ConfigurationError).issues.map((i) => i.path)
  it('names missing and wrong options', () => {
    expect(issues({})).toEqual(['issuer'])
    expect(issues({ issuer: 'not a url', clientId: 'a', clientSecret: 'b' })).toContain('issuer')
    expect(issues({ issuer, clientId: 'a' })).toEqual(['clientSecret'])
    expect(issues({ issuer, clientId: 'a', authMethod: 'private_key_jwt' })).toEqual(['privateKey'])
    expect(issues({ issuer, clientId: 'a', clientSecret: 'b', timeout: -1 })).toEqual(['timeout'])
    expect(issues({ issuer, clientId: 'a', clientSecret: 'b', cache: { maxEntries: 0 } })).toEqual(['cache.maxEntries'])
    expect(issues({ issuer, clientId: 'a', clientSecret: 'b', typo: 1 })).toEqual([''])
    expect(issues({ issuer, privateKey: { kty: 'RSA', n: 'x', e: 'AQAB' }, clientId: 'a' })).toContain('privateKey')
    expect(issues({ issuer, clientId: 'a', clientSecret: 'b', introspection: { encryption: 'required' } })).toEqual(['decryptionKeys'])
    expect(issues({ issuer, clientId: 'a', clientSecret: 'b', scopes: ['has space'] })).toEqual(['scopes.0'])
  })
  it('durations are seconds: a millisecond value of before 0.2 is refused, and the message says seconds', () => {
    const base = { issuer, clientId: 'a', clientSecret: 'b' }
    const message = (o: object) => {
      try {
        createResourceServer({ ...base, ...o })
      } catch (err) {
        return (err as ConfigurationError).message
      }
      throw new Error('expected a ConfigurationError')
    }
    expect(message({ timeout: 5000 })).toBe('Invalid resource server options: timeout: must be at most 60 seconds')
    expect(message({ cache: { storeTimeout: 50 } })).toBe('Invalid resource server options: cache.storeTimeout: must be at most 10 seconds')
    expect(message({ jwks: { cacheMaxAge: 600_000, cooldown: 30_000 } })).toBe(
      'Invalid resource server options: jwks.cacheMaxAge: must be at most 86400 seconds; jwks.cooldown: must be at most 3600 seconds',
    )
    expect(message({ metadata: { cacheMaxAge: 3_600_000 } })).toBe(
      'Invalid resource server options: metadata.cacheMaxAge: must be at most 604800 seconds',
    )
    expect(message({ dpop: { replay: { timeout: 1000 } } })).toBe(
      'Invalid resource server options: dpop.replay.timeout: must be at most 60 seconds',
    )
    expect(message({ timeout: '5s' })).toBe('Invalid resource server options: timeout: expected a number of seconds')
    expect(message({ clockTolerance: -1 })).toBe('Invalid resource server options: clockTolerance: must be at least 0 seconds')
    // Fractions are seconds too.
    expect(() =>
      createResourceServer({
        ...base,
        timeout: 0.25,
        cache: { storeTimeout: 0.05 },
        jwks: { cooldown: 0.5 },
        dpop: { replay: { timeout: 0.1 } },
      }),
    ).not.toThrow()
  })
  it('refuses plain http off loopback unless allowed explicitly', () => {
    expect(issues({ issuer: 'http://as.example.com', clientId: 'a', clientSecret: 'b' })).toEqual(['issuer'])
    expect(() =>
      createResourceServer({ issuer: 'http://as.example.com', clientId: 'a', clientSecret: 'b', allowInsecureRequests: true }),
    ).not.toThrow()
    expect(() => createResourceServer({ issuer: 'http://127.0.0.1:1', clientId: 'a', clientSecret: 'b' })).not.toThrow()
  })
  it('HS256 introspection needs the client secret; JWT access tokens need an audience', () => {
    expect(
      issues({
        issuer,
        clientId: 'a',
        privateKey: { kty: 'EC', d: 'x', crv: 'P-256', x: 'x', y: 'y' },
        introspection: { signingAlgorithms: ['HS256'] },
      }),
    ).toEqual(['introspection.signingAlgorithms'])
    expect(issues({ issuer, tokenFormat: 'jwt' })).toEqual(['audience'])
    expect(issues({ issuer, tokenFormat: 'jwt', audience: 'a', jwt: { algorithms: ['HS256'] } })).toEqual(['jwt.secret'])
    expect(issues({ issuer, tokenFormat: 'jwt', audience: 'a', jwt: { algorithms: ['none'] } })).toEqual(['jwt.algorithms.0'])
  })
  it('the message is readable and carries no secret', () => {
    let err: unknown
    try {
      createResourceServer({ issuer, clientId: 'a', clientSecret: 'super-secret-value', timeout: 0 })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigurationError)
    expect((err as Error).message).toMatch(/^Invalid resource server options: timeout: /)
    expect(JSON.stringify(err) + String(err) + (err as Error).stack).not.toContain('super-secret-value')
  })
  it('JSON.stringify of a resource server shows no secret', () => {
    const rs = createResourceServer({ issuer, clientId: 'a', clientSecret: 'super-secret-value' })
    expect(JSON.stringify(rs)).not.toContain('super-secret-value')
  })
})
