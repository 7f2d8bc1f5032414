/**
 * @org/rs-testing's createTestAuthorizationServer() against the real @org/rs-core, in every mode its
 * resourceServerOptions() offers, and behind every framework's adapter: what a user's own tests rely on.
 */
import {
  AuthorizationServerError,
  BearerError,
  createClientCredentials,
  createResourceServer,
  type ResourceServerOptions,
} from '@org/rs-core'
import { createTestAuthorizationServer, type TestAuthorizationServer } from '@org/rs-testing'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import type { RunningApp } from '../src/apps/shared.js'
import { frameworks } from '../src/frameworks.js'

let as: TestAuthorizationServer
let rsa: TestAuthorizationServer
beforeAll(async () => {
  ;[as, rsa] = await Promise.all([
    createTestAuthorizationServer(),
    createTestAuthorizationServer({ signingAlgorithm: 'RS256', audience: 'https://other.example.test' }),
  ])
})
afterAll(async () => {
  await Promise.all([as?.close(), rsa?.close()])
})

const bearer = (token: string) => `Bearer ${token}`

it('resourceServerOptions() is a ResourceServerOptions', () => {
  expectTypeOf(as.resourceServerOptions()).toExtend<ResourceServerOptions>()
  expectTypeOf(as.resourceServerOptions({ introspection: 'encrypted', format: 'opaque' })).toExtend<ResourceServerOptions>()
})

describe.each([
  ['jwt', 'json'],
  ['opaque', 'json'],
  ['opaque', 'signed'],
  ['opaque', 'encrypted'],
  ['auto', 'signed'],
] as const)('format %s, introspection %s', (format, introspection) => {
  const mints = format === 'auto' ? (['jwt', 'opaque'] as const) : ([format] as const)
  it.each(mints)(
    'a %s token: sub, scopes, claims, audience, client_id; expired, revoked, wrong audience, missing scope refused',
    async (kind) => {
      for (const server of [as, rsa]) {
        const rs = createResourceServer(server.resourceServerOptions({ format, introspection }))
        const token = await server.mintAccessToken({ sub: 'alice', scopes: ['read', 'write'], claims: { tenant: 't-1' }, format: kind })
        const auth = await rs.authenticate(bearer(token), { scopes: ['read'] })
        expect(auth).toMatchObject({
          sub: 'alice',
          scopes: ['read', 'write'],
          clientId: 'test-client',
          aud: [server.audience],
          iss: server.issuer,
          source: kind === 'jwt' ? 'jwt' : 'introspection',
        })
        expect(auth?.claims.tenant).toBe('t-1')
        await expect(rs.authenticate(bearer(token), { scopes: ['admin'] })).rejects.toMatchObject({ code: 'insufficient_scope' })
        const expired = await server.mintAccessToken({ sub: 'alice', expiresIn: -60, format: kind })
        await expect(rs.authenticate(bearer(expired))).rejects.toMatchObject({ code: 'invalid_token' })
        const elsewhere = await server.mintAccessToken({ sub: 'alice', audience: 'https://not-this-api.example.test', format: kind })
        await expect(rs.authenticate(bearer(elsewhere))).rejects.toBeInstanceOf(BearerError)
        if (kind === 'opaque') {
          server.revoke(token)
          await expect(rs.authenticate(bearer(token))).rejects.toMatchObject({ code: 'invalid_token' })
        }
      }
    },
  )
})

it('introspection answers in the asked shape: JSON, a signed JWT, a JWE', async () => {
  const token = await as.mintAccessToken({ format: 'opaque' })
  for (const [mode, type, parts] of [
    ['json', 'application/json', 0],
    ['signed', 'application/token-introspection+jwt', 3],
    ['encrypted', 'application/token-introspection+jwt', 5],
  ] as const) {
    const o = as.resourceServerOptions({ introspection: mode })
    const res = await fetch(as.endpoints.introspection, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: mode === 'json' ? 'application/json' : 'application/token-introspection+jwt',
      },
      body: new URLSearchParams({ token, client_id: o.clientId, client_secret: o.clientSecret }),
    })
    expect(res.headers.get('content-type')).toBe(type)
    const body = await res.text()
    if (parts) expect(body.split('.')).toHaveLength(parts)
    else expect(JSON.parse(body)).toMatchObject({ active: true, sub: 'test-user' })
  }
})

it("the token endpoint: client credentials through core's createClientCredentials, accepted by the resource server", async () => {
  const cc = createClientCredentials({
    issuer: as.issuer,
    clientId: as.client.clientId,
    clientSecret: as.client.clientSecret,
    scope: 'read',
    allowInsecureRequests: true,
  })
  const token = await cc.getAccessToken()
  const auth = await createResourceServer(as.resourceServerOptions({ format: 'jwt' })).authenticate(bearer(token), { scopes: ['read'] })
  expect(auth).toMatchObject({ sub: 'test-client', clientId: 'test-client', scopes: ['read'] })
})

it('a wrong client secret is refused by the AS, and the resource server answers 503', async () => {
  const rs = createResourceServer({ ...as.resourceServerOptions({ format: 'opaque' }), clientSecret: 'not-the-secret-at-all' })
  await expect(rs.authenticate(bearer(await as.mintAccessToken({ format: 'opaque' })))).rejects.toBeInstanceOf(AuthorizationServerError)
})

describe.each(Object.entries(frameworks))('%s app with the test AS', (_name, { start }) => {
  let app: RunningApp
  beforeAll(async () => {
    app = await start(createResourceServer({ ...as.resourceServerOptions(), resource: 'http://127.0.0.1/api' }))
  })
  afterAll(() => app?.close())

  it('200 with a minted JWT and a minted opaque token, 401 without, 403 without the scope', async () => {
    for (const format of ['jwt', 'opaque'] as const) {
      const token = await as.mintAccessToken({ sub: 'bob', scopes: ['read'], format })
      const res = await fetch(`${app.url}/api/me`, { headers: { authorization: bearer(token) } })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ sub: 'bob', scopes: ['read'] })
      expect((await fetch(`${app.url}/api/admin`, { headers: { authorization: bearer(token) } })).status).toBe(403)
    }
    expect((await fetch(`${app.url}/api/me`)).status).toBe(401)
  })
})
