/**
 * One client-credentials token request and how its answer is read: the lifetime bounds, the scope
 * the AS granted, which statuses are retried, the token's syntax. A real local token endpoint, an
 * injected clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { faults, readBody, startHttpServer, type Handler, type TestHttpServer } from '@org/rs-testing'
import { AuthorizationServerError, type ClientCredentialsOptions, createClientCredentials, TokenEndpointError } from '../../src/index.js'
import { rejection, type TestClock, testClock } from '../support/index.js'

let server: TestHttpServer
let plan: Handler[] = []
let answer: Record<string, unknown>
let clock: TestClock
const bodies: URLSearchParams[] = []

beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
    bodies.push(new URLSearchParams(await readBody(req)))
    const step = plan.shift()
    if (step) return step(req, res)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
  })
})
afterAll(() => server.close())
beforeEach(() => {
  server.resetCount()
  plan = []
  bodies.length = 0
  clock = testClock()
  answer = { access_token: 'tok', token_type: 'Bearer', expires_in: 60 }
})

const make = (extra: Partial<ClientCredentialsOptions> = {}) =>
  createClientCredentials({
    tokenEndpoint: `${server.url}/token`,
    clientId: 'svc',
    clientSecret: 'svc-secret-0123456789',
    clock: clock.now,
    retry: { attempts: 3, baseDelay: 1, maxDelay: 2 },
    ...extra,
  })
const badResponse = async (cc = make()) =>
  expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ failure: 'bad_response' })

describe('the lifetime of a token: expires_in from 1 s to one year', () => {
  it('accepts both bounds and expires the token at sentAt + expires_in', async () => {
    answer = { access_token: 'year', token_type: 'Bearer', expires_in: 365 * 24 * 3600 }
    expect((await make().getToken()).expiresAt).toBe(clock.now() + 365 * 24 * 3600 * 1000)
    answer = { access_token: 'second', token_type: 'Bearer', expires_in: 1 }
    expect((await make({ scope: 's' }).getToken()).expiresAt).toBe(clock.now() + 1000)
    answer = { access_token: 'x', token_type: 'Bearer', expires_in: 365 * 24 * 3600 + 1 }
    await badResponse(make({ scope: 't' }))
    answer = { access_token: 'x', token_type: 'Bearer', expires_in: 0.5 }
    await badResponse(make({ scope: 'u' }))
  })

  it('without expires_in the token lives defaultLifetime (default 300 s)', async () => {
    answer = { access_token: 'tok', token_type: 'Bearer' }
    expect((await make().getToken()).expiresAt).toBe(clock.now() + 300_000)
    expect((await make({ defaultLifetime: 42, scope: 'x' }).getToken()).expiresAt).toBe(clock.now() + 42_000)
  })

  it('refreshes refreshSkew (default 60 s) before expiry', async () => {
    answer = { access_token: 'tok-1', token_type: 'Bearer', expires_in: 600 }
    const cc = make()
    expect(await cc.getAccessToken()).toBe('tok-1')
    answer = { access_token: 'tok-2', token_type: 'Bearer', expires_in: 600 }
    clock.advance(539_999)
    expect(await cc.getAccessToken()).toBe('tok-1')
    clock.advance(1)
    expect(await cc.getAccessToken()).toBe('tok-2')
  })
})

describe('what the token response says', () => {
  it('the scope granted by the AS wins over the scope asked for', async () => {
    answer = { access_token: 'tok', token_type: 'Bearer', expires_in: 60, scope: 'read' }
    expect((await make({ scope: 'read write' }).getToken()).scope).toBe('read')
    answer = { access_token: 'tok', token_type: 'Bearer', expires_in: 60 }
    expect((await make({ scope: 'read write' }).getToken()).scope).toBe('read write')
  })

  it('token_type Bearer in any case; DPoP without a DPoP key, or another type, is refused', async () => {
    answer = { access_token: 'tok', token_type: 'bEaReR', expires_in: 60 }
    expect(await make().getAccessToken()).toBe('tok')
    answer = { access_token: 'tok', token_type: 'DPoP', expires_in: 60 }
    await badResponse(make({ scope: 'a' }))
  })

  it('an access_token of up to 64 KiB of token68 characters; a longer one is refused', async () => {
    answer = { access_token: 'a'.repeat(64 * 1024), token_type: 'Bearer', expires_in: 60 }
    expect(await make({ maxResponseBytes: 1024 * 1024 }).getAccessToken()).toHaveLength(64 * 1024)
    answer = { access_token: 'a'.repeat(64 * 1024 + 1), token_type: 'Bearer', expires_in: 60 }
    await badResponse(make({ maxResponseBytes: 1024 * 1024, scope: 'b' }))
    answer = { access_token: 'a/b+c~d_e-f.g==', token_type: 'Bearer', expires_in: 60 }
    expect(await make({ scope: 'c' }).getAccessToken()).toBe('a/b+c~d_e-f.g==')
  })
})

describe('which failures are retried', () => {
  it.each([408, 429, 500, 503])('%i is retried', async (status) => {
    plan = [faults.status(status)]
    expect(await make().getAccessToken()).toBe('tok')
    expect(server.requests).toBe(2)
  })

  it.each([400, 403, 404])('%i is not', async (status) => {
    plan = [faults.json({ error: 'invalid_request' }, status)]
    await rejection(() => make().getAccessToken(), TokenEndpointError)
    expect(server.requests).toBe(1)
  })

  it('a 4xx without an OAuth error is a 503 naming the status, not retried', async () => {
    plan = [faults.text('<html>nope</html>', 'text/html', 404)]
    expect(await rejection(() => make().getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'http_status',
      upstreamStatus: 404,
    })
    expect(server.requests).toBe(1)
  })
})
