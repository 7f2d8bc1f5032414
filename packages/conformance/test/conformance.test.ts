/**
 * One HTTP conformance suite, run over real sockets against every adapter's app (see
 * src/frameworks.ts), with a real oidc-provider authorization server behind the resource server.
 */
import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { ConfigurationError, createResourceServer, type ResourceServer } from '@org/rs-core'
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
  rsDown = createResourceServer({ issuer: down.url, clientId: 'rs-json', clientSecret, allowInsecureRequests: true, timeout: 2 })

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
  body: any
}

/**
 * GETs `path`; asserts that no token ever comes back, in the body or in a header, and that the
 * route's handler did not run when the request was refused.
 */
async function get(app: RunningApp, path: string, authorization?: string): Promise<Answer> {
  const handledBefore = app.handled()
  const res = await fetch(app.url + path, { headers: authorization === undefined ? {} : { authorization } })
  const text = await res.text()
  if (res.status >= 400) expect(app.handled(), `a handler ran for a refused ${path}`).toBe(handledBefore)
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

/** Sends a request with these header lines over a raw socket (so a header can be repeated) and resolves with the status. */
function rawGet(app: RunningApp, path: string, headerLines: string[]): Promise<number> {
  const { hostname, port } = new URL(app.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${headerLines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
      )
    })
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)))
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')))
  })
}

describe.each(Object.entries(frameworks))('%s adapter', (name, { start: startApp, requireAuth, forwardErrorsOption = true }) => {
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

  it('a token seen before is answered from the cache as the first time: same claims, same refusal', async () => {
    // A fresh token per adapter: its first request is verified, the next ones are cache hits
    // (which Express's requireAuth answers without a promise hop).
    const token = await as.issueToken({ sub: `cached-${name}`, scope: 'read', resource: API })
    for (let i = 0; i < 3; i++) {
      const r = await get(app, '/api/me', `Bearer ${token}`)
      expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { sub: `cached-${name}`, scopes: ['read'] } })
    }
    expect((await get(app, '/api/optional', `Bearer ${token}`)).body).toEqual({ sub: `cached-${name}` })
    const refused = await get(app, '/api/admin', `Bearer ${token}`)
    expectError(refused, 403, 'insufficient_scope')
    expect(refused.headers.get('www-authenticate')).toContain('scope="admin"')
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

  it('a repeated Authorization header: 400 invalid_request, even when each one is valid', async () => {
    const before = app.handled()
    expect(await rawGet(app, '/api/me', [`authorization: Bearer ${tokens.jwt}`, `authorization: Bearer ${tokens.jwt}`])).toBe(400)
    expect(await rawGet(app, '/api/me', [`Authorization: Bearer ${tokens.jwt}`, 'AUTHORIZATION: Bearer x'])).toBe(400)
    expect(app.handled()).toBe(before)
    expect(await rawGet(app, '/api/me', [`authorization: Bearer ${tokens.jwt}`])).toBe(200)
  })

  it('a typo in the route options, or no resource server, is refused when the middleware is made', () => {
    for (const options of [{ scope: ['admin'] }, { anyScopes: ['admin'] }, { scopes: 'admin' }, { optional: 'yes' }]) {
      expect(() => requireAuth(rs as never, options as never)).toThrow(ConfigurationError)
    }
    expect(() => requireAuth(undefined as never)).toThrow(ConfigurationError)
    if (forwardErrorsOption) expect(() => requireAuth(rs as never, { scopes: ['admin'], forwardErrors: true } as never)).not.toThrow()
    else expect(() => requireAuth(rs as never, { scopes: ['admin'], forwardErrors: true } as never)).toThrow(ConfigurationError)
    expect(() => requireAuth(rs as never, { scopes: ['admin'] } as never)).not.toThrow()
  })

  it("forwardErrors: the refusal reaches the app's error handler with status and challenge", async () => {
    const missing = await get(app, '/api/forwarded')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('x-error-handler')).toBe('app')
    expect(missing.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${rs.resourceMetadataUrl}"`)
    expect(missing.body).toEqual({ forwarded: true, error: 'missing_token' })
    const revoked = await get(app, '/api/forwarded', `Bearer ${tokens.revoked}`)
    expect(revoked.status).toBe(401)
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(revoked.body).toEqual({ forwarded: true, error: 'invalid_token' })
    const down = await get(appDown, '/api/forwarded', `Bearer ${tokens.opaque}`)
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(down.body).toEqual({ forwarded: true, error: 'temporarily_unavailable' })
    const ok = await get(app, '/api/forwarded', `Bearer ${tokens.opaque}`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-error-handler')).toBeNull()
  })

  it('step-up (RFC 9470): a token without the required acr gets 401 insufficient_user_authentication with acr_values', async () => {
    const r = await get(app, '/api/step-up', `Bearer ${tokens.jwt}`)
    expectError(r, 401, 'insufficient_user_authentication')
    expect(r.headers.get('www-authenticate')).toContain('acr_values="eidas2"')
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
