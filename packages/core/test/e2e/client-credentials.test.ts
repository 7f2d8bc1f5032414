import type { IncomingMessage, ServerResponse } from 'node:http'
import { inspect } from 'node:util'
import {
  APP_BASIC_SECRET,
  APP_SECRET,
  RS_JSON_SECRET,
  faults,
  readBody,
  startHttpServer,
  startTestAS,
  type TestAS,
  type TestHttpServer,
} from '@org/rs-testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MemoryCache, type CacheStore } from '../../src/cache/index.js'
import { createClientCredentials, type ClientCredentialsOptions } from '../../src/client-credentials/index.js'
import { SLEEP } from '../../src/client-credentials/retry.js'
import { AuthorizationServerError, ConfigurationError, TokenEndpointError } from '../../src/errors.js'
import { rejection, thrown } from '../support/index.js'

const SECRET = 'S3cr3t-0f-the-client-that-must-never-leak-0123456789'
const TINY_RETRY = { attempts: 3, baseDelay: 0.001, maxDelay: 0.005 }

/** Everything a test may print or serialise, to check that no secret and no token shows. */
function renderings(value: unknown): string[] {
  const out = [JSON.stringify(value) ?? '', String(value), inspect(value, { depth: 10, showHidden: true })]
  if (value instanceof Error) out.push(value.message, value.stack ?? '')
  return out
}

function expectNoLeak(value: unknown, ...needles: string[]) {
  for (const text of renderings(value)) for (const needle of needles) expect(text).not.toContain(needle)
}

/* ------------------------------------------------------------------------------------------------
 * Against a real authorization server (oidc-provider)
 * --------------------------------------------------------------------------------------------- */

describe('against a real authorization server', () => {
  let as: TestAS

  beforeAll(async () => {
    as = await startTestAS()
  })
  afterAll(async () => {
    await as?.stop()
  })

  async function introspect(token: string): Promise<Record<string, unknown>> {
    const res = await fetch(as.endpoints.introspection, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ token, client_id: 'rs-json', client_secret: RS_JSON_SECRET }),
    })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }

  it('client_secret_post: obtains an active token', async () => {
    const cc = createClientCredentials({ tokenEndpoint: as.endpoints.token, clientId: 'app', clientSecret: APP_SECRET })
    const token = await cc.getAccessToken()
    expect(await introspect(token)).toMatchObject({ active: true, client_id: 'app' })
  })

  it('client_secret_basic: obtains an active token', async () => {
    const cc = createClientCredentials({
      tokenEndpoint: as.endpoints.token,
      clientId: 'app-basic',
      clientSecret: APP_BASIC_SECRET,
      authMethod: 'client_secret_basic',
    })
    const token = await cc.getAccessToken()
    expect(await introspect(token)).toMatchObject({ active: true, client_id: 'app-basic' })
  })

  it('private_key_jwt: obtains an active token (discovery and explicit token endpoint)', async () => {
    for (const where of [{ issuer: as.issuer }, { tokenEndpoint: as.endpoints.token }]) {
      const cc = createClientCredentials({
        ...where,
        clientId: 'rs-pkjwt',
        privateKey: as.clientKeys['rs-pkjwt'],
        authMethod: 'private_key_jwt',
      })
      const token = await cc.getAccessToken()
      expect(await introspect(token)).toMatchObject({ active: true, client_id: 'rs-pkjwt' })
    }
  })

  it('client_secret_jwt: obtains an active token', async () => {
    const cc = createClientCredentials({
      issuer: as.issuer,
      clientId: 'rs-csjwt',
      clientSecret: as.clients['rs-csjwt'].clientSecret,
      authMethod: 'client_secret_jwt',
    })
    expect(await introspect(await cc.getAccessToken())).toMatchObject({ active: true, client_id: 'rs-csjwt' })
  })

  it('discovers the token endpoint from the issuer, once', async () => {
    as.resetCounts()
    const cc = createClientCredentials({ issuer: as.issuer, clientId: 'app', clientSecret: APP_SECRET })
    const token = await cc.getAccessToken()
    expect(await introspect(token)).toMatchObject({ active: true })
    expect(as.requestCount('/.well-known/openid-configuration')).toBe(1)
    expect(as.requestCount('/token')).toBe(1)
    await cc.getAccessToken({ scope: 'read' })
    expect(as.requestCount('/.well-known/openid-configuration')).toBe(1)
    expect(as.requestCount('/token')).toBe(2)
  })

  it('honours scope, caching one token per scope set', async () => {
    as.resetCounts()
    const cc = createClientCredentials({ issuer: as.issuer, clientId: 'app', clientSecret: APP_SECRET, scope: 'read' })
    const readToken = await cc.getToken()
    expect(readToken.scope).toBe('read')
    expect(await introspect(readToken.accessToken)).toMatchObject({ active: true, scope: 'read' })

    const rw = await cc.getAccessToken({ scope: ['write', 'read'] })
    expect(await introspect(rw)).toMatchObject({ active: true, scope: 'read write' })
    expect(rw).not.toBe(readToken.accessToken)
    // Same set, other order and spacing: the same cache entry.
    expect(await cc.getAccessToken({ scope: '  read   write ' })).toBe(rw)
    expect(await cc.getAccessToken()).toBe(readToken.accessToken)
    expect(as.requestCount('/token')).toBe(2)
  })

  it('sends resource indicators (a JWT access token for that audience)', async () => {
    const cc = createClientCredentials({
      issuer: as.issuer,
      clientId: 'app',
      clientSecret: APP_SECRET,
      scope: 'read',
      resource: 'https://api.example.test',
    })
    const token = await cc.getAccessToken()
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    expect(payload).toMatchObject({ aud: 'https://api.example.test', client_id: 'app', scope: 'read' })
  })

  it('invalid_client: one request, a TokenEndpointError, no secret anywhere', async () => {
    as.resetCounts()
    const wrong = 'wrong-secret-value-that-must-not-leak'
    for (const authMethod of ['client_secret_post', 'client_secret_basic'] as const) {
      const cc = createClientCredentials({
        issuer: as.issuer,
        clientId: authMethod === 'client_secret_post' ? 'app' : 'app-basic',
        clientSecret: wrong,
        authMethod,
      })
      const err = await rejection(() => cc.getAccessToken(), TokenEndpointError)
      expect(err).toMatchObject({ error: 'invalid_client', upstreamStatus: 401 })
      expectNoLeak(err, wrong)
    }
    expect(as.requestCount('/token')).toBe(2)
  })

  it('fetch() calls a protected endpoint with the token', async () => {
    const api = await startHttpServer(async (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      const result = await introspect(token)
      res.writeHead(result.active ? 200 : 401, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ client: result.client_id ?? null }))
    })
    try {
      const cc = createClientCredentials({ issuer: as.issuer, clientId: 'app', clientSecret: APP_SECRET })
      const res = await cc.fetch(`${api.url}/hello`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ client: 'app' })
    } finally {
      await api.close()
    }
  })
})

/* ------------------------------------------------------------------------------------------------
 * Against a local token endpoint that counts requests
 * --------------------------------------------------------------------------------------------- */

type Step = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

interface TokenServer {
  server: TestHttpServer
  url: string
  /** Bodies of the token requests received, in order. */
  bodies: URLSearchParams[]
  headers: IncomingMessage['headers'][]
  /** Answers to give before the default success, in order. */
  plan: Step[]
  /** `expires_in` of the next successful answers (`undefined`: none). */
  expiresIn: number | undefined
  issued: number
  close(): Promise<void>
}

async function startTokenServer(): Promise<TokenServer> {
  const state: Omit<TokenServer, 'server' | 'url' | 'close'> = { bodies: [], headers: [], plan: [], expiresIn: 3600, issued: 0 }
  const server = await startHttpServer(async (req, res) => {
    state.bodies.push(new URLSearchParams(await readBody(req)))
    state.headers.push(req.headers)
    const step = state.plan.shift()
    if (step) return step(req, res)
    state.issued += 1
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(
      JSON.stringify({
        access_token: `tok-${state.issued}`,
        token_type: 'Bearer',
        ...(state.expiresIn !== undefined ? { expires_in: state.expiresIn } : {}),
      }),
    )
  })
  return Object.assign(state, { server, url: `${server.url}/token`, close: () => server.close() })
}

describe('against a local token endpoint', () => {
  let ts: TokenServer
  let now: number
  const clock = () => now

  const options = (extra: Partial<ClientCredentialsOptions> = {}): ClientCredentialsOptions => ({
    tokenEndpoint: ts.url,
    clientId: 'svc',
    clientSecret: SECRET,
    clock,
    retry: TINY_RETRY,
    ...extra,
  })
  const make = (extra: Partial<ClientCredentialsOptions> = {}) => createClientCredentials(options(extra))

  beforeEach(async () => {
    now = Date.UTC(2030, 0, 1)
    ts = await startTokenServer()
  })
  afterEach(async () => {
    await ts.close()
  })

  it('sends the grant, the client authentication and every parameter', async () => {
    const cc = make({
      scope: ['b', 'a'],
      resource: ['https://r2.example', 'https://r1.example'],
      audience: 'https://aud.example',
      extraParams: { tenant: 't1' },
    })
    await cc.getAccessToken()
    const body = ts.bodies[0]!
    expect(body.get('grant_type')).toBe('client_credentials')
    expect(body.get('client_id')).toBe('svc')
    expect(body.get('client_secret')).toBe(SECRET)
    expect(body.get('scope')).toBe('a b')
    expect(body.getAll('resource')).toEqual(['https://r1.example', 'https://r2.example'])
    expect(body.get('audience')).toBe('https://aud.example')
    expect(body.get('tenant')).toBe('t1')
    expect(ts.headers[0]!['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
  })

  it('client_secret_basic puts the credentials in the Authorization header', async () => {
    const cc = make({ authMethod: 'client_secret_basic' })
    await cc.getAccessToken()
    expect(ts.bodies[0]!.has('client_secret')).toBe(false)
    const [scheme, value] = (ts.headers[0]!.authorization ?? '').split(' ')
    expect(scheme).toBe('Basic')
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
    const [id, secret] = Buffer.from(value!, 'base64')
      .toString()
      .split(':')
      .map((s) => decodeURIComponent(s.replace(/\+/g, ' ')))
    expect([id, secret]).toEqual(['svc', SECRET])
  })

  it('1,000 concurrent getAccessToken() make exactly one request', async () => {
    const cc = make()
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => cc.getAccessToken()))
    expect(new Set(tokens)).toEqual(new Set(['tok-1']))
    expect(ts.server.requests).toBe(1)
    // And later calls are served from the cache.
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(1)
  })

  it('concurrent refreshes of an expiring token are also a single request', async () => {
    const cc = make()
    await cc.getAccessToken()
    now += 3590_000
    const tokens = await Promise.all(Array.from({ length: 200 }, () => cc.getAccessToken()))
    expect(new Set(tokens)).toEqual(new Set(['tok-2']))
    expect(ts.server.requests).toBe(2)
  })

  it('refreshes refreshSkew before expiry, not earlier', async () => {
    const cc = make({ refreshSkew: 60 })
    const t0 = now
    expect(await cc.getAccessToken()).toBe('tok-1')
    now = t0 + (3600 - 60 - 1) * 1000
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(1)
    now = t0 + (3600 - 60 + 1) * 1000
    expect(await cc.getAccessToken()).toBe('tok-2')
    expect(ts.server.requests).toBe(2)
  })

  it('caps the skew at half the lifetime, and uses defaultLifetime without expires_in', async () => {
    ts.expiresIn = 10
    const cc = make({ refreshSkew: 60 })
    const t0 = now
    await cc.getAccessToken()
    now = t0 + 4_000
    await cc.getAccessToken()
    expect(ts.server.requests).toBe(1)
    now = t0 + 6_000
    expect(await cc.getAccessToken()).toBe('tok-2')

    ts.expiresIn = undefined
    const cc2 = make({ refreshSkew: 10, defaultLifetime: 100, scope: 'other' })
    const t1 = now
    await cc2.getAccessToken()
    now = t1 + 89_000
    await cc2.getAccessToken()
    expect(ts.server.requests).toBe(3)
    now = t1 + 91_000
    await cc2.getAccessToken()
    expect(ts.server.requests).toBe(4)
  })

  it('503, 503, 200: succeeds after backing off', async () => {
    ts.plan.push(faults.status(503), faults.json({ error: 'temporarily_unavailable' }, 503))
    const cc = make()
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(3)
  })

  it('gives up after retry.attempts with an AuthorizationServerError', async () => {
    ts.plan.push(faults.status(502), faults.status(500), faults.status(503), faults.status(503))
    const cc = make()
    const err = await rejection(() => cc.getAccessToken(), AuthorizationServerError)
    expect(err).toMatchObject({ failure: 'http_status', upstreamStatus: 503 })
    expect(ts.server.requests).toBe(3)
  })

  it('honours Retry-After on 429', async () => {
    ts.plan.push(faults.json({ error: 'slow_down' }, 429), faults.status(429, undefined, { 'retry-after': '1' }))
    // The waits between tries, recorded instead of slept (the internal SLEEP seam of retry.ts).
    const waits: number[] = []
    const sleep = (ms: number) => (waits.push(ms), Promise.resolve())
    const cc = createClientCredentials({
      ...options({ retry: { attempts: 3, baseDelay: 0.001, maxDelay: 2 } }),
      [SLEEP]: sleep,
    } as ClientCredentialsOptions)
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(3)
    // after the first 429 (no Retry-After) a jittered backoff below baseDelay; after the second, exactly its 1 s
    expect(waits).toHaveLength(2)
    expect(waits[0]).toBeLessThan(1)
    expect(waits[1]).toBe(1000)
  })

  it('a Retry-After longer than retry.maxDelay fails at once, and no request is made before it elapses', async () => {
    ts.plan.push(faults.status(429, undefined, { 'retry-after': '120' }))
    const cc = make({ retry: { attempts: 5, baseDelay: 0.001, maxDelay: 0.05 } })
    const err = await rejection(() => cc.getAccessToken(), AuthorizationServerError)
    expect(err).toMatchObject({ failure: 'http_status', upstreamStatus: 429, retryAfter: 120 })
    expect(ts.server.requests).toBe(1)
    const again = await rejection(() => cc.getAccessToken(), AuthorizationServerError)
    expect((again as AuthorizationServerError).retryAfter).toBeLessThanOrEqual(120)
    expect(ts.server.requests).toBe(1)
    now += 121_000
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(2)
  })

  it('retries timeouts and network failures', async () => {
    ts.plan.push(faults.hang(), faults.resetConnection())
    const cc = make({ timeout: 0.1 })
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(3)

    ts.plan.push(faults.hang(), faults.hang(), faults.hang())
    const err = await rejection(() => make({ timeout: 0.05, scope: 'x' }).getAccessToken(), AuthorizationServerError)
    expect(err).toMatchObject({ failure: 'timeout' })

    const closed = await startHttpServer(faults.status(200))
    const url = `${closed.url}/token`
    await closed.close()
    const err2 = await rejection(() => make({ tokenEndpoint: url }).getAccessToken(), AuthorizationServerError)
    expect(err2).toMatchObject({ failure: 'network' })
  })

  it('invalid_client: exactly one request and a TokenEndpointError', async () => {
    ts.plan.push(faults.json({ error: 'invalid_client', error_description: 'client authentication failed' }, 401))
    const cc = make()
    const err = await rejection(() => cc.getAccessToken(), TokenEndpointError)
    expect(err).toMatchObject({ error: 'invalid_client', errorDescription: 'client authentication failed', upstreamStatus: 401 })
    expect(ts.server.requests).toBe(1)
  })

  it('other OAuth errors (invalid_scope, unauthorized_client, invalid_grant, a 401 challenge) are not retried', async () => {
    ts.plan.push(
      faults.json({ error: 'invalid_scope' }, 400),
      faults.json({ error: 'unauthorized_client' }, 400),
      faults.json({ error: 'invalid_grant' }, 400),
      faults.status(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="as"' }),
      faults.status(401, undefined, { 'www-authenticate': 'Basic realm="as", error="invalid_client"' }),
    )
    const cc = make()
    for (const code of ['invalid_scope', 'unauthorized_client', 'invalid_grant', 'invalid_client', 'invalid_client']) {
      const err = await rejection(() => cc.getAccessToken(), TokenEndpointError)
      expect((err as TokenEndpointError).error).toBe(code)
    }
    expect(ts.server.requests).toBe(5)
  })

  it('a malformed answer is an AuthorizationServerError, not retried, and never shows the token', async () => {
    ts.plan.push(
      faults.garbage(),
      faults.json({ access_token: 'leaked-token-value', token_type: 'mac', expires_in: 60 }),
      faults.text('<html>', 'text/html', 404),
    )
    const cc = make()
    const errors = [await rejection(() => cc.getAccessToken(), AuthorizationServerError)]
    // Within a second of an unusable answer the AS is not asked again (a floor on the request rate).
    expect((await rejection(() => cc.getAccessToken(), AuthorizationServerError)).upstreamStatus).toBe(200)
    expect(ts.server.requests).toBe(1)
    now += 1_000
    errors.push(await rejection(() => cc.getAccessToken(), AuthorizationServerError))
    now += 1_000
    errors.push(await rejection(() => cc.getAccessToken(), AuthorizationServerError))
    for (const err of errors) {
      expect(err).toBeInstanceOf(AuthorizationServerError)
      expectNoLeak(err, 'leaked-token-value', SECRET)
    }
    expect(errors.map((e) => (e as AuthorizationServerError).failure)).toEqual(['bad_response', 'bad_response', 'http_status'])
    expect(ts.server.requests).toBe(3)
  })

  it('a failed refresh while the token is valid returns it, and backs off before trying again', async () => {
    const cc = make()
    const t0 = now
    expect(await cc.getAccessToken()).toBe('tok-1')
    now = t0 + 3550_000 // in the refresh window, 50 s before expiry
    ts.plan.push(faults.status(503), faults.status(503), faults.status(503))
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(4) // 1 + 3 attempts
    // Not on every call: within the backoff no request is made.
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(4)
    // An OAuth error during a refresh also keeps the valid token.
    now += 1_000 // the first backoff (1 s) has elapsed
    ts.plan.push(faults.json({ error: 'invalid_client' }, 401))
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(5)
    // The backoff doubles: 1.999 s after the second failure, still no request…
    now += 1_999
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(5)
    // …and after 2 s it tries again and gets a new token.
    now += 1
    expect(await cc.getAccessToken()).toBe('tok-2')
    expect(ts.server.requests).toBe(6)
  })

  it('the backoff keeps doubling with each failed refresh, up to 30 s', async () => {
    const cc = make({ retry: { attempts: 1, baseDelay: 1, maxDelay: 5 }, refreshSkew: 300 })
    expect(await cc.getAccessToken()).toBe('tok-1')
    now += 3300_000 // in the refresh window, 300 s before expiry
    let requests = ts.server.requests
    for (const backoff of [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]) {
      ts.plan.push(faults.status(503))
      expect(await cc.getAccessToken()).toBe('tok-1')
      expect(ts.server.requests).toBe(++requests) // one refresh tried, failed, valid token kept
      now += backoff - 1
      expect(await cc.getAccessToken()).toBe('tok-1')
      expect(ts.server.requests, `within ${backoff} ms`).toBe(requests)
      now += 1
    }
    expect(await cc.getAccessToken()).toBe('tok-2')
  })

  it('tokens asked for different resources (or audiences) are never mixed, even in one shared store', async () => {
    const store = new MemoryCache({ clock })
    const cc = make({ store })
    expect(await cc.getAccessToken({ resource: 'https://a.example' })).toBe('tok-1')
    expect(await cc.getAccessToken({ resource: 'https://b.example' })).toBe('tok-2')
    expect(await cc.getAccessToken()).toBe('tok-3')
    expect(await cc.getAccessToken({ resource: 'https://a.example' })).toBe('tok-1')
    expect(ts.bodies.map((b) => b.getAll('resource'))).toEqual([['https://a.example'], ['https://b.example'], []])
    // another client of the same store, for another audience, gets its own token
    expect(await make({ store, audience: 'https://x.example' }).getAccessToken()).toBe('tok-4')
    expect(await make({ store, audience: 'https://y.example' }).getAccessToken()).toBe('tok-5')
    expect(await make({ store, audience: 'https://x.example' }).getAccessToken()).toBe('tok-4')
    expect(ts.bodies.map((b) => b.get('audience'))).toEqual([null, null, null, 'https://x.example', 'https://y.example'])
  })

  it('without a scope, no scope parameter is sent (not "undefined"); the token reports none', async () => {
    const cc = make()
    const t = await cc.getToken()
    expect(ts.bodies[0]!.has('scope')).toBe(false)
    expect(t.scope).toBeUndefined()
    await cc.getAccessToken({ scope: 'read' })
    expect(ts.bodies[1]!.get('scope')).toBe('read')
  })

  it('a failed refresh once the token has expired fails', async () => {
    const cc = make()
    await cc.getAccessToken()
    now += 3601_000
    ts.plan.push(faults.status(503), faults.status(503), faults.status(503))
    await rejection(() => cc.getAccessToken(), AuthorizationServerError)
  })

  it('invalidate() drops the cached tokens', async () => {
    const cc = make()
    await cc.getAccessToken()
    await cc.getAccessToken({ scope: 'a' })
    await cc.invalidate({ scope: 'a' })
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(await cc.getAccessToken({ scope: 'a' })).toBe('tok-3')
    await cc.invalidate()
    expect(await cc.getAccessToken()).toBe('tok-4')
    expect(await cc.getAccessToken({ scope: 'a' })).toBe('tok-5')
  })

  it('a shared store lets several instances share one token; its keys hold no secret', async () => {
    const keys: string[] = []
    const memory = new MemoryCache({ clock })
    const store: CacheStore = {
      get: (k) => (keys.push(k), memory.get(k)),
      set: async (k, v, ttl) => (keys.push(k), memory.set(k, v, ttl)),
      delete: (k) => memory.delete(k),
    }
    const a = make({ store })
    const b = make({ store })
    expect(await a.getAccessToken()).toBe('tok-1')
    expect(await b.getAccessToken()).toBe('tok-1')
    expect(ts.server.requests).toBe(1)
    for (const k of keys) {
      expect(k).toMatch(/^rs:cc:[0-9a-f]{64}$/)
      expect(k).not.toContain(SECRET)
    }
    // invalidate() on the instance that only read the token drops it from the shared store too.
    await b.invalidate()
    expect(await a.getAccessToken()).toBe('tok-2')
    // Another client id is another key.
    await make({ store, clientId: 'other' }).getAccessToken()
    expect(ts.server.requests).toBe(3)
  })

  it('a broken store is treated as a miss', async () => {
    const store: CacheStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
    }
    const cc = make({ store })
    expect(await cc.getAccessToken()).toBe('tok-1')
    // a miss every time: each call asks the AS again, and none fails because of the store
    expect(await cc.getAccessToken()).toBe('tok-2')
    expect(ts.server.requests).toBe(2)
    await expect(cc.invalidate()).resolves.toBeUndefined()
  })

  it('getToken() hides the access token from JSON and inspection', async () => {
    const cc = make({ scope: 'read' })
    const t = await cc.getToken()
    expect(t.accessToken).toBe('tok-1')
    expect(t).toMatchObject({ tokenType: 'Bearer', expiresAt: now + 3600_000, scope: 'read' })
    expect(Object.keys(t)).not.toContain('accessToken')
    expect(JSON.parse(JSON.stringify(t))).toEqual({ tokenType: 'Bearer', expiresAt: now + 3600_000, scope: 'read' })
    expectNoLeak(t, 'tok-1')
    expectNoLeak({ ...t }, 'tok-1')
  })

  it('the client object and its errors show no secret and no token', async () => {
    const cc = make()
    await cc.getAccessToken()
    expect(JSON.parse(JSON.stringify(cc))).toEqual({ clientId: 'svc', tokenEndpoint: ts.url })
    expectNoLeak(cc, SECRET, 'tok-1')
    ts.plan.push(faults.json({ error: 'invalid_client', error_description: `bad secret ${SECRET}` }, 401))
    const err = await rejection(() => make({ scope: 'x' }).getAccessToken(), TokenEndpointError)
    expectNoLeak(err, SECRET)
    ts.plan.push(faults.status(503), faults.status(503), faults.status(503))
    const err2 = await rejection(() => make({ scope: 'y' }).getAccessToken(), AuthorizationServerError)
    expectNoLeak(err2, SECRET)
  })
})

/* ------------------------------------------------------------------------------------------------
 * The fetch wrapper, against a real protected server
 * --------------------------------------------------------------------------------------------- */

describe('fetch()', () => {
  let ts: TokenServer
  let api: TestHttpServer
  /** Tokens the API accepts. */
  let accepted: Set<string>
  const seen: { authorization: string | undefined; body: string; custom: string | undefined }[] = []

  beforeEach(async () => {
    ts = await startTokenServer()
    accepted = new Set()
    seen.length = 0
    api = await startHttpServer(async (req, res) => {
      const body = await readBody(req)
      seen.push({ authorization: req.headers.authorization, body, custom: req.headers['x-custom'] as string | undefined })
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (!accepted.has(token)) {
        res.writeHead(401, {
          'www-authenticate': 'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
        })
        return void res.end()
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: true, method: req.method, body }))
    })
  })
  afterEach(async () => {
    await Promise.all([ts.close(), api.close()])
  })

  const make = () => createClientCredentials({ tokenEndpoint: ts.url, clientId: 'svc', clientSecret: SECRET, retry: TINY_RETRY })

  it('adds the bearer token and keeps the other headers (replacing a given Authorization)', async () => {
    accepted.add('tok-1')
    const cc = make()
    const res = await cc.fetch(new URL(`${api.url}/x`), { headers: { 'x-custom': 'yes', authorization: 'Basic Zm9vOmJhcg==' } })
    expect(res.status).toBe(200)
    expect(seen[0]).toMatchObject({ authorization: 'Bearer tok-1', custom: 'yes' })
    // A Request input keeps its own headers.
    const res2 = await cc.fetch(new Request(`${api.url}/y`, { headers: { 'x-custom': 'req' } }))
    expect(res2.status).toBe(200)
    expect(seen[1]).toMatchObject({ authorization: 'Bearer tok-1', custom: 'req' })
    expect(ts.server.requests).toBe(1)
  })

  it('on 401 invalid_token retries exactly once with a fresh token', async () => {
    accepted.add('tok-2')
    const cc = make()
    const res = await cc.fetch(`${api.url}/x`, { method: 'POST', body: 'payload' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, method: 'POST', body: 'payload' })
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2'])
    expect(seen.map((s) => s.body)).toEqual(['payload', 'payload'])
    expect(ts.server.requests).toBe(2)
    // The fresh token is the cached one now.
    expect(await cc.getAccessToken()).toBe('tok-2')
  })

  it('replays every re-sendable body type', async () => {
    const bodies: [BodyInit, string][] = [
      [new URLSearchParams({ a: '1' }), 'a=1'],
      [new TextEncoder().encode('bytes'), 'bytes'],
      [new TextEncoder().encode('buffer').buffer as ArrayBuffer, 'buffer'],
      [new Blob(['blob']), 'blob'],
    ]
    const cc = make()
    for (const [body, expected] of bodies) {
      accepted.clear()
      const before = ts.issued
      accepted.add(`tok-${before + 1 + 1}`) // only the token after the current one works
      await cc.invalidate()
      await cc.getAccessToken() // tok-(before+1), rejected by the API
      seen.length = 0
      const res = await cc.fetch(`${api.url}/x`, { method: 'PUT', body })
      expect(res.status).toBe(200)
      expect(seen.map((s) => s.body)).toEqual([expected, expected])
    }
    accepted.clear()
    accepted.add(`tok-${ts.issued + 1}`)
    seen.length = 0
    const form = new FormData()
    form.set('field', 'value')
    const res = await cc.fetch(`${api.url}/x`, { method: 'POST', body: form })
    expect(res.status).toBe(200)
    expect(seen).toHaveLength(2)
    expect(seen[1]!.body).toContain('value')
  })

  it('never loops when the API keeps answering 401', async () => {
    const cc = make()
    const res = await cc.fetch(`${api.url}/x`)
    expect(res.status).toBe(401)
    expect(api.requests).toBe(2)
    expect(ts.server.requests).toBe(2)
  })

  it('does not retry a ReadableStream body, nor a Request with a body', async () => {
    accepted.add('tok-2')
    const cc = make()
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'))
        controller.close()
      },
    })
    const res = await cc.fetch(`${api.url}/x`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(401)
    expect(api.requests).toBe(1)
    expect(seen[0]!.body).toBe('streamed')

    const res2 = await cc.fetch(new Request(`${api.url}/x`, { method: 'POST', body: 'in a request' }))
    expect(res2.status).toBe(401)
    expect(api.requests).toBe(2)
  })

  it('does not retry other 401 / 403 answers', async () => {
    const cc = make()
    for (const challenge of [
      'Bearer realm="api"',
      'Bearer error="insufficient_scope"',
      'Basic realm="x", error="invalid_token"',
      'DPoP error="invalid_token"',
    ]) {
      api.setHandler(faults.status(401, undefined, { 'www-authenticate': challenge }))
      api.resetCount()
      const res = await cc.fetch(`${api.url}/x`)
      expect(res.status).toBe(401)
      expect(api.requests).toBe(1)
    }
    api.setHandler(faults.status(403, undefined, { 'www-authenticate': 'Bearer error="invalid_token"' }))
    api.resetCount()
    expect((await cc.fetch(`${api.url}/x`)).status).toBe(403)
    expect(api.requests).toBe(1)
  })

  it('recognises invalid_token among several challenges and unquoted', async () => {
    const cc = make()
    for (const challenge of [
      'Basic realm="x", Bearer realm="api", error=invalid_token',
      'DPoP algs="ES256", bearer error="invalid_token"',
    ]) {
      api.setHandler(faults.status(401, undefined, { 'www-authenticate': challenge }))
      api.resetCount()
      await cc.fetch(`${api.url}/x`)
      expect(api.requests).toBe(2)
    }
  })

  it('refuses to send a token over plain http off loopback', async () => {
    const cc = make()
    await expect(cc.fetch('http://api.example.com/x')).rejects.toThrow(TypeError)
    expect(ts.server.requests).toBe(0)
  })
})

/* ------------------------------------------------------------------------------------------------
 * Options
 * --------------------------------------------------------------------------------------------- */

describe('options', () => {
  const configError = (options: unknown): ConfigurationError =>
    thrown(() => createClientCredentials(options as ClientCredentialsOptions), ConfigurationError)

  it('names clientSecret when it is missing for client_secret_post', () => {
    const err = configError({ tokenEndpoint: 'https://as.example/token', clientId: 'svc', authMethod: 'client_secret_post' })
    expect(err.issues.map((i) => i.path)).toEqual(['clientSecret'])
    expect(err.message).toContain('clientSecret')
  })

  it('names tokenEndpoint when neither issuer nor tokenEndpoint is given', () => {
    const err = configError({ clientId: 'svc', clientSecret: SECRET })
    expect(err.issues.map((i) => i.path)).toEqual(['tokenEndpoint'])
    expect(err.message).toContain('tokenEndpoint')
  })

  it('refuses an http:// token endpoint off loopback, unless allowInsecureRequests', () => {
    const err = configError({ tokenEndpoint: 'http://as.example.com/token', clientId: 'svc', clientSecret: SECRET })
    expect(err.issues.map((i) => i.path)).toEqual(['tokenEndpoint'])
    expect(configError({ issuer: 'http://as.example.com', clientId: 'svc', clientSecret: SECRET }).issues.map((i) => i.path)).toEqual([
      'issuer',
    ])
    expect(() =>
      createClientCredentials({
        tokenEndpoint: 'http://as.example.com/token',
        clientId: 'svc',
        clientSecret: SECRET,
        allowInsecureRequests: true,
      }),
    ).not.toThrow()
    expect(() =>
      createClientCredentials({ tokenEndpoint: 'http://localhost:8080/token', clientId: 'svc', clientSecret: SECRET }),
    ).not.toThrow()
  })

  it('names every other wrong option, without showing the secret', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ clientId: '' }, 'clientId'],
      [{ authMethod: 'private_key_jwt' }, 'privateKey'],
      [{ authMethod: 'client_secret_jwt', clientSecret: 'short-secret' }, 'clientSecret'],
      [{ authMethod: 'none' }, 'authMethod'],
      [{ scope: 'a "b"' }, 'scope'],
      [{ resource: 'not a uri' }, 'resource'],
      [{ resource: 'https://api.example/#frag' }, 'resource'],
      [{ extraParams: { client_secret: 'x' } }, 'extraParams.client_secret'],
      [{ refreshSkew: -1 }, 'refreshSkew'],
      [{ defaultLifetime: 0 }, 'defaultLifetime'],
      [{ timeout: 'soon' }, 'timeout'],
      [{ retry: { attempts: 0 } }, 'retry.attempts'],
      [{ fetch: 'no' }, 'fetch'],
      [{ store: {} }, 'store'],
      [{ tokenEndpoint: 'https://user:pw@as.example/token' }, 'tokenEndpoint'],
    ]
    for (const [patch, path] of cases) {
      const err = configError({ tokenEndpoint: 'https://as.example/token', clientId: 'svc', clientSecret: SECRET, ...patch })
      expect(err.issues.map((i) => i.path)).toContain(path)
      expectNoLeak(err, SECRET, 'short-secret')
    }
    expect(
      configError({ tokenEndpoint: 'https://as.example/token', clientId: 'svc', clientSecret: SECRET, client_secret: 'x' }).message,
    ).toContain('client_secret')
  })

  it('durations are seconds: a millisecond value of before 0.2 is refused, and the message says seconds', () => {
    const base = { tokenEndpoint: 'https://as.example/token', clientId: 'svc', clientSecret: SECRET }
    expect(configError({ ...base, timeout: 5000 }).message).toBe(
      'Invalid createClientCredentials options: timeout: must be at most 60 seconds',
    )
    expect(configError({ ...base, storeTimeout: 50 }).message).toBe(
      'Invalid createClientCredentials options: storeTimeout: must be at most 10 seconds',
    )
    expect(configError({ ...base, retry: { baseDelay: 200, maxDelay: 5000 } }).message).toBe(
      'Invalid createClientCredentials options: retry.baseDelay: must be at most 60 seconds; retry.maxDelay: must be at most 300 seconds',
    )
    expect(configError({ ...base, refreshSkew: 'soon' }).message).toBe(
      'Invalid createClientCredentials options: refreshSkew: expected a number of seconds',
    )
    expect(() =>
      createClientCredentials({ ...base, timeout: 2.5, storeTimeout: 0.05, retry: { baseDelay: 0.1, maxDelay: 1.5 } }),
    ).not.toThrow()
  })

  it('rejects a wrong per-call scope', async () => {
    const cc = createClientCredentials({ tokenEndpoint: 'https://as.example/token', clientId: 'svc', clientSecret: SECRET })
    await expect(cc.getAccessToken({ scope: 'bad"scope' })).rejects.toThrow(ConfigurationError)
  })
})
