/**
 * One HTTP conformance suite, run over real sockets against every adapter's app (see
 * src/frameworks.ts), with a real oidc-provider authorization server behind the resource server.
 */
import { randomUUID } from 'node:crypto'
import { createResourceServer, type ResourceServer } from '@org/rs-core'
import { faults, startHttpServer, startTestAS, type TestAS, type TestHttpServer } from '@org/rs-testing'
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWKS_PATH, metadataPath, type RunningApp } from '../src/apps/shared.js'
import { frameworks } from '../src/frameworks.js'

const API = 'https://api.example.test' // the audience of the AS's JWT access tokens
const RESOURCE = 'http://127.0.0.1/api' // this RS's RFC 9728 resource identifier

let as: TestAS
let down: TestHttpServer
let rs: ResourceServer
let rsDown: ResourceServer
const tokens = {} as Record<'opaque' | 'revoked' | 'jwt' | 'jwtAdmin' | 'expired', string>

beforeAll(async () => {
  ;[as, down] = await Promise.all([startTestAS(), startHttpServer(faults.status(500, { error: 'server_error' }))])
  const clientSecret = as.clients['rs-json'].clientSecret!
  const { privateKey } = await generateKeyPair('RSA-OAEP-256', { extractable: true })
  const decryptionKey = { ...(await exportJWK(privateKey)), alg: 'RSA-OAEP-256', use: 'enc', kid: 'rs-enc-1' }
  rs = createResourceServer({
    issuer: as.issuer,
    clientId: 'rs-json',
    clientSecret,
    audience: API, // JWT access tokens only: in `auto` mode, core does not match introspected tokens' aud by default
    tokenFormat: 'auto',
    introspection: { response: 'json', encryption: 'none' },
    decryptionKeys: [decryptionKey],
    resource: RESOURCE,
    allowInsecureRequests: true,
  })
  rsDown = createResourceServer({ issuer: down.url, clientId: 'rs-json', clientSecret, allowInsecureRequests: true, timeout: 2000 })

  const ec = as.privateJwks.keys.find((k) => k.kty === 'EC')!
  const now = Math.floor(Date.now() / 1000)
  ;[tokens.opaque, tokens.revoked, tokens.jwt, tokens.jwtAdmin, tokens.expired] = await Promise.all([
    as.issueToken({ sub: 'user-1', scope: 'read' }),
    as.issueToken({ sub: 'user-2', scope: 'read' }),
    as.issueToken({ sub: 'user-1', scope: 'read', resource: API }),
    as.issueToken({ sub: 'admin-1', scope: 'read admin', resource: API }),
    new SignJWT({ scope: 'read', client_id: 'app', jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', ...(ec.kid ? { kid: ec.kid } : {}) })
      .setIssuer(as.issuer)
      .setSubject('user-1')
      .setAudience(API)
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(await importJWK(ec, 'ES256')),
  ])
  await as.revoke(tokens.revoked)
})

afterAll(async () => {
  await Promise.all([as?.stop(), down?.close()])
})

interface Answer {
  status: number
  headers: Headers
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** GETs `path`; asserts that no token ever comes back, in the body or in a header. */
async function get(app: RunningApp, path: string, authorization?: string): Promise<Answer> {
  const res = await fetch(app.url + path, { headers: authorization === undefined ? {} : { authorization } })
  const text = await res.text()
  let headerText = ''
  res.headers.forEach((value, name) => (headerText += `${name}: ${value}\n`))
  for (const token of Object.values(tokens)) {
    expect(text).not.toContain(token)
    expect(headerText).not.toContain(token)
  }
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) }
}

/** An error answer: status, JSON `{ error, error_description }`, and a Bearer challenge naming `code` (or none for 503). */
function expectError(r: Answer, status: number, code: string): void {
  expect(r.status).toBe(status)
  expect(r.headers.get('content-type')).toMatch(/^application\/json/)
  expect(Object.keys(r.body).sort()).toEqual(['error', 'error_description'])
  expect(r.body.error).toBe(code)
  expect(typeof r.body.error_description).toBe('string')
  if (status === 503) return
  const challenge = r.headers.get('www-authenticate') ?? ''
  expect(challenge).toMatch(/^Bearer\b/)
  if (code === 'missing_token') expect(challenge).not.toContain('error=')
  else expect(challenge).toContain(`error="${code}"`)
}

describe.each(Object.entries(frameworks))('%s adapter', (_name, startApp) => {
  let app: RunningApp
  let appDown: RunningApp
  beforeAll(async () => {
    ;[app, appDown] = await Promise.all([startApp(rs), startApp(rsDown)])
  })
  afterAll(async () => {
    await Promise.all([app?.close(), appDown?.close()])
  })

  it('no Authorization header: 401 with a bare Bearer challenge and resource_metadata', async () => {
    const r = await get(app, '/api/me')
    expectError(r, 401, 'missing_token')
    expect(r.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${rs.resourceMetadataUrl}"`)
  })

  it('malformed header: 400 invalid_request', async () => {
    expectError(await get(app, '/api/me', 'Bearer tok@en'), 400, 'invalid_request')
    expectError(await get(app, '/api/me', 'Bearer'), 400, 'invalid_request')
  })

  it('two credentials: 400 invalid_request', async () => {
    expectError(await get(app, '/api/me', 'Bearer a b'), 400, 'invalid_request')
  })

  it('inactive (revoked) opaque token: 401 invalid_token', async () => {
    const r = await get(app, '/api/me', `Bearer ${tokens.revoked}`)
    expectError(r, 401, 'invalid_token')
    expect(r.headers.get('www-authenticate')).toContain(`resource_metadata="${rs.resourceMetadataUrl}"`)
  })

  it('expired JWT signed by the AS: 401 invalid_token', async () => {
    expectError(await get(app, '/api/me', `Bearer ${tokens.expired}`), 401, 'invalid_token')
  })

  it('insufficient scope: 403 insufficient_scope with scope= in the challenge', async () => {
    const r = await get(app, '/api/admin', `Bearer ${tokens.jwt}`)
    expectError(r, 403, 'insufficient_scope')
    expect(r.headers.get('www-authenticate')).toContain('scope="admin"')
  })

  it('sufficient scope: 200', async () => {
    const r = await get(app, '/api/admin', `Bearer ${tokens.jwtAdmin}`)
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'admin-1' })
  })

  it('valid JWT access token: 200 with sub and scopes', async () => {
    const r = await get(app, '/api/me', `Bearer ${tokens.jwt}`)
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'user-1', scopes: ['read'] })
  })

  it('valid opaque token (introspection): 200 with sub and scopes', async () => {
    const r = await get(app, '/api/me', `Bearer ${tokens.opaque}`)
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'user-1', scopes: ['read'] })
  })

  it('optional auth without a token: 200 { sub: null }', async () => {
    const r = await get(app, '/api/optional')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: null })
  })

  it('optional auth with a token: 200 { sub }', async () => {
    const r = await get(app, '/api/optional', `Bearer ${tokens.opaque}`)
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'user-1' })
  })

  it('optional auth with a bad token: still 401', async () => {
    expectError(await get(app, '/api/optional', `Bearer ${tokens.revoked}`), 401, 'invalid_token')
  })

  it('authorization server down: 503 with Retry-After', async () => {
    const r = await get(appDown, '/api/me', `Bearer ${tokens.opaque}`)
    expectError(r, 503, 'temporarily_unavailable')
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/)
  })

  it('JWKS route: 200, public keys only', async () => {
    const r = await get(app, JWKS_PATH)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/)
    expect(r.headers.get('cache-control')).toBe('public, max-age=300')
    expect(r.body.keys).toHaveLength(1)
    expect(r.body.keys[0]).toMatchObject({ kty: 'RSA', kid: 'rs-enc-1' })
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(r.body.keys[0]).not.toHaveProperty(member)
  })

  it('RFC 9728 metadata route: 200 with resource and authorization_servers', async () => {
    expect(rs.resourceMetadataPath).toBe('/.well-known/oauth-protected-resource/api')
    const r = await get(app, rs.resourceMetadataPath!)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^application\/json/)
    expect(r.body).toMatchObject({ resource: RESOURCE, authorization_servers: [as.issuer], bearer_methods_supported: ['header'] })
  })

  it('metadata route without the resource option: 404 JSON', async () => {
    const r = await get(appDown, metadataPath(rsDown))
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({ error: 'not_found' })
  })
})
