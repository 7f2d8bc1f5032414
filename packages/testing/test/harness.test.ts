import { randomUUID } from 'node:crypto'

import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { faults, readBody, startHttpServer, startTestAS, type TestAS } from '../src/index.js'

const JWT_ACCEPT = 'application/token-introspection+jwt'

async function introspect(
  as: TestAS,
  token: string,
  clientId: string,
  opts: { accept?: string; auth?: 'post' | 'basic' | 'assertion' } = {},
): Promise<Response> {
  const client = as.clients[clientId]
  if (!client) throw new Error(`no client ${clientId}`)
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: opts.accept ?? 'application/json',
  }
  const body = new URLSearchParams({ token })
  if (opts.auth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${clientId}:${client.clientSecret}`).toString('base64')}`
  } else if (opts.auth === 'assertion') {
    const key = as.clientKeys[clientId]
    const assertion = await new jose.SignJWT({})
      .setProtectedHeader(key ? { alg: 'ES256', kid: key.kid! } : { alg: 'HS256' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(as.issuer)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key ?? new TextEncoder().encode(client.clientSecret))
    body.set('client_id', clientId)
    body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    body.set('client_assertion', assertion)
  } else {
    body.set('client_id', clientId)
    body.set('client_secret', client.clientSecret ?? '')
  }
  return fetch(as.endpoints.introspection, { method: 'POST', headers, body })
}

describe('startTestAS', () => {
  let as: TestAS
  beforeAll(async () => {
    as = await startTestAS()
  })
  afterAll(async () => {
    await as.stop()
  })

  it('serves discovery with introspection_endpoint and jwks_uri on 127.0.0.1', async () => {
    expect(as.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(as.endpoints.discovery)
    const disc = (await res.json()) as Record<string, unknown>
    expect(disc.issuer).toBe(as.issuer)
    expect(disc.introspection_endpoint).toBe(as.endpoints.introspection)
    expect(disc.jwks_uri).toBe(as.endpoints.jwks)
    expect(disc.token_endpoint).toBe(as.endpoints.token)
    expect(disc.revocation_endpoint).toBe(as.endpoints.revocation)
    const jwks = (await (await fetch(as.endpoints.jwks)).json()) as { keys: jose.JWK[] }
    expect(jwks.keys.map((k) => k.kty).sort()).toEqual(['EC', 'OKP', 'RSA'])
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true)
    expect(as.jwks.keys.map((k) => k.kid).sort()).toEqual(jwks.keys.map((k) => k.kid).sort())
  })

  it('introspects an app token as plain JSON for rs-json (client_secret_post)', async () => {
    const token = await as.issueToken({ scope: 'read write' })
    const res = await introspect(as, token, 'rs-json')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({ active: true, client_id: 'app', scope: 'read write', iss: as.issuer, token_type: 'Bearer' })
    expect(typeof body.exp).toBe('number')
  })

  it('returns an RS256 token-introspection+jwt for rs-rs256', async () => {
    const token = await as.issueToken()
    const res = await introspect(as, token, 'rs-rs256', { accept: JWT_ACCEPT })
    expect(res.headers.get('content-type')).toMatch(/^application\/token-introspection\+jwt/)
    const jws = await res.text()
    const header = jose.decodeProtectedHeader(jws)
    expect(header).toMatchObject({ alg: 'RS256', typ: 'token-introspection+jwt' })
    const { payload } = await jose.jwtVerify(jws, jose.createLocalJWKSet(as.jwks), {
      issuer: as.issuer,
      audience: 'rs-rs256',
      typ: 'token-introspection+jwt',
    })
    expect((payload.token_introspection as { active: boolean }).active).toBe(true)
  })

  it.each([
    ['rs-es256', 'ES256'],
    ['rs-ps256', 'PS256'],
    ['rs-eddsa', 'EdDSA'],
  ])('signs introspection for %s with %s', async (clientId, alg) => {
    const token = await as.issueToken()
    const jws = await (await introspect(as, token, clientId, { accept: JWT_ACCEPT })).text()
    expect(jose.decodeProtectedHeader(jws).alg).toBe(alg)
    const { payload } = await jose.jwtVerify(jws, jose.createLocalJWKSet(as.jwks), { audience: clientId })
    expect(payload.token_introspection).toMatchObject({ active: true, client_id: 'app' })
  })

  it('signs HS256 introspection for rs-hs256 with the client secret bytes', async () => {
    const token = await as.issueToken()
    const jws = await (await introspect(as, token, 'rs-hs256', { accept: JWT_ACCEPT })).text()
    expect(jose.decodeProtectedHeader(jws).alg).toBe('HS256')
    const secret = new TextEncoder().encode(as.clients['rs-hs256'].clientSecret)
    const { payload } = await jose.jwtVerify(jws, secret, { issuer: as.issuer, audience: 'rs-hs256' })
    expect(payload.token_introspection).toMatchObject({ active: true })
  })

  it('authenticates rs-basic, rs-pkjwt and rs-csjwt', async () => {
    const token = await as.issueToken({ clientId: 'app-basic' })
    for (const [clientId, auth] of [
      ['rs-basic', 'basic'],
      ['rs-pkjwt', 'assertion'],
      ['rs-csjwt', 'assertion'],
    ] as const) {
      const res = await introspect(as, token, clientId, { auth })
      expect(res.status, clientId).toBe(200)
      expect(await res.json()).toMatchObject({ active: true, client_id: 'app-basic' })
    }
    expect(as.clientKeys['rs-pkjwt'].d).toBeTypeOf('string')
  })

  it('issues a user token (sub) that introspects with sub', async () => {
    const token = await as.issueToken({ sub: 'user-1', scope: 'read write', ttl: 120 })
    const body = (await (await introspect(as, token, 'rs-json')).json()) as Record<string, number | string | boolean>
    expect(body).toMatchObject({ active: true, sub: 'user-1', client_id: 'app', scope: 'read write', iss: as.issuer, token_type: 'Bearer' })
    expect(Number(body.exp) - Number(body.iat)).toBe(120)
  })

  it('issues a user JWT access token for a resource (ES256, at+jwt, aud)', async () => {
    const token = await as.issueToken({ sub: 'user-1', scope: 'read admin', resource: 'https://api.example.test' })
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(as.jwks), {
      issuer: as.issuer,
      audience: 'https://api.example.test',
      typ: 'at+jwt',
    })
    expect(protectedHeader.alg).toBe('ES256')
    expect(payload).toMatchObject({ sub: 'user-1', client_id: 'app', scope: 'read admin' })
  })

  it('issues a client-credentials JWT for the RS256 resource, scope filtered', async () => {
    const token = await as.issueToken({ resource: 'https://rs256.example.test', scope: 'read admin', ttl: 60 })
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(as.jwks), {
      audience: 'https://rs256.example.test',
    })
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt' })
    expect(payload).toMatchObject({ sub: 'app', client_id: 'app', scope: 'read' })
    expect(payload.exp! - payload.iat!).toBe(60)
  })

  it('revoke() makes introspection inactive', async () => {
    const cc = await as.issueToken()
    const user = await as.issueToken({ sub: 'user-2' })
    await as.revoke(cc)
    await as.revoke(user)
    expect(await (await introspect(as, cc, 'rs-json')).json()).toEqual({ active: false })
    expect(await (await introspect(as, user, 'rs-json')).json()).toEqual({ active: false })
  })

  it('counts requests by pathname', async () => {
    as.resetCounts()
    expect(as.requestCount('/token/introspection')).toBe(0)
    const token = await as.issueToken()
    expect(as.requestCount('/token')).toBe(1)
    await introspect(as, token, 'rs-json')
    await introspect(as, token, 'rs-json')
    expect(as.requestCount('/token/introspection')).toBe(2)
  })
})

describe('encrypted introspection responses', () => {
  it('returns a JWE (RSA-OAEP-256 / A256GCM) wrapping the signed JWT', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('RSA-OAEP-256', { extractable: true })
    const encJwk = { ...(await jose.exportJWK(publicKey)), use: 'enc', alg: 'RSA-OAEP-256', kid: 'rs-enc-1' }
    const jwksServer = await startHttpServer(faults.json({ keys: [encJwk] }))
    const as = await startTestAS({
      clients: [
        {
          client_id: 'rs-enc',
          client_secret: 'rs-enc-secret-0123456789abcdefghijklmnop',
          token_endpoint_auth_method: 'client_secret_post',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          jwks_uri: `${jwksServer.url}/jwks`,
          introspection_signed_response_alg: 'RS256',
          introspection_encrypted_response_alg: 'RSA-OAEP-256',
          introspection_encrypted_response_enc: 'A256GCM',
        },
      ],
    })
    try {
      const token = await as.issueToken({ sub: 'user-enc' })
      const res = await introspect(as, token, 'rs-enc', { accept: JWT_ACCEPT })
      expect(res.status).toBe(200)
      const jwe = await res.text()
      expect(jwe.split('.')).toHaveLength(5)
      const { plaintext, protectedHeader } = await jose.compactDecrypt(jwe, privateKey)
      expect(protectedHeader).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rs-enc-1' })
      const inner = new TextDecoder().decode(plaintext)
      expect(inner.split('.')).toHaveLength(3)
      const { payload, protectedHeader: h } = await jose.jwtVerify(inner, jose.createLocalJWKSet(as.jwks), {
        issuer: as.issuer,
        audience: 'rs-enc',
      })
      expect(h).toMatchObject({ alg: 'RS256', typ: 'token-introspection+jwt' })
      expect(payload.token_introspection).toMatchObject({ active: true, sub: 'user-enc' })
      expect(jwksServer.requests).toBeGreaterThan(0)
    } finally {
      await as.stop()
      await jwksServer.close()
    }
  })
})

describe('startHttpServer', () => {
  it('serves swappable handlers, counts requests and simulates faults', async () => {
    const srv = await startHttpServer(async (req, res) => {
      const body = await readBody(req)
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`echo:${body}`)
    })
    try {
      expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(await (await fetch(srv.url, { method: 'POST', body: 'hi' })).text()).toBe('echo:hi')

      srv.setHandler(faults.status(503, { error: 'down' }, { 'retry-after': '1' }))
      const r503 = await fetch(srv.url)
      expect(r503.status).toBe(503)
      expect(r503.headers.get('retry-after')).toBe('1')
      expect(await r503.json()).toEqual({ error: 'down' })

      srv.setHandler(faults.garbage('application/json'))
      const garbage = await fetch(srv.url)
      expect(garbage.status).toBe(200)
      await expect(garbage.json()).rejects.toThrow()

      srv.setHandler(faults.json({ active: true }, 200, 'application/token-introspection+jwt'))
      const j = await fetch(srv.url)
      expect(j.headers.get('content-type')).toBe('application/token-introspection+jwt')

      srv.setHandler(faults.text('nope', 'text/html', 502))
      expect((await fetch(srv.url)).status).toBe(502)

      srv.setHandler(faults.resetConnection())
      await expect(fetch(srv.url)).rejects.toThrow()

      srv.setHandler(faults.hang())
      await expect(fetch(srv.url, { signal: AbortSignal.timeout(200) })).rejects.toThrow()

      expect(srv.requests).toBe(7)
    } finally {
      await srv.close()
    }
  })
})
