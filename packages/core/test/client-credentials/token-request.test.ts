/**
 * One client-credentials token request and how its answer is read: the lifetime bounds and the
 * refresh time derived from them, the scope the AS granted, the token type, which statuses are
 * retried (and the Retry-After they carry), how each refusal maps to an error, discovery of the
 * endpoint. A real local token endpoint, an injected clock, a store recording what is written.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as jose from 'jose'
import { faults, readBody, startHttpServer, type Handler, type TestHttpServer } from '@org/rs-testing'
import {
  AuthorizationServerError,
  type CacheStore,
  type ClientCredentialsOptions,
  ConfigurationError,
  createClientCredentials,
  TokenEndpointError,
} from '../../src/index.js'
import { SLEEP } from '../../src/client-credentials/retry.js'
import { rejection, type TestClock, testClock } from '../support/index.js'

let server: TestHttpServer
let plan: Handler[] = []
let answer: Record<string, unknown>
let clock: TestClock
const bodies: URLSearchParams[] = []
const paths: string[] = []
const dpopHeaders: (string | undefined)[] = []
/** Milliseconds the injected clock moves while the AS answers. */
let answerTakes = 0
/** What discovery (any /.well-known/ path) answers. */
let discovery: () => Record<string, unknown> = () => ({})
let discoveryPlan: Handler[] = []

beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
    paths.push(req.url ?? '')
    if (req.url?.startsWith('/.well-known/')) {
      const fault = discoveryPlan.shift()
      if (fault) return fault(req, res)
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discovery()))
      return
    }
    dpopHeaders.push(req.headers.dpop as string | undefined)
    bodies.push(new URLSearchParams(await readBody(req)))
    clock.advance(answerTakes)
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
  paths.length = 0
  dpopHeaders.length = 0
  discoveryPlan = []
  answerTakes = 0
  discovery = () => ({ issuer: server.url, token_endpoint: `${server.url}/token` })
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

/** A store that keeps nothing and records every value written (to read refreshAt). */
function recordingStore() {
  const values: Record<string, unknown>[] = []
  const store: CacheStore = {
    get: () => undefined,
    set: (_key, value) => void values.push(value as Record<string, unknown>),
    delete: () => {},
  }
  return { store, values }
}

describe('the refresh time: refreshSkew before expiry, at most half the lifetime, never within 1 s of the request', () => {
  it.each([
    // [expires_in, refreshSkew, refreshAt - sentAt in ms]
    [600, undefined, 540_000],
    [600, 0, 600_000],
    [600, 10, 590_000],
    [100, 60, 50_000],
    [3, 0.5, 2_500],
    [2, 60, 1_000],
    [1.5, 60, 1_000],
    [1, 60, 1_000],
  ])('expires_in %d, refreshSkew %s: refreshAt is sentAt + %d ms', async (expiresIn, refreshSkew, after) => {
    const { store, values } = recordingStore()
    answer = { access_token: 'tok', token_type: 'Bearer', expires_in: expiresIn }
    answerTakes = 100
    const sentAt = clock.now()
    await make({ store, ...(refreshSkew === undefined ? {} : { refreshSkew }) }).getAccessToken()
    expect(values).toEqual([{ v: 1, accessToken: 'tok', expiresAt: sentAt + expiresIn * 1000, refreshAt: sentAt + after, scope: null }])
  })

  it('a defaultLifetime under a second is refreshed at its expiry, not after', async () => {
    const { store, values } = recordingStore()
    answer = { access_token: 'tok', token_type: 'Bearer' }
    const sentAt = clock.now()
    await make({ store, defaultLifetime: 0.5 }).getAccessToken()
    expect(values[0]).toMatchObject({ expiresAt: sentAt + 500, refreshAt: sentAt + 500 })
  })
})

describe('the token type', () => {
  const dpop = async () => ({ keyPair: await jose.generateKeyPair('ES256', { extractable: true }) })

  it('with a DPoP key: DPoP is a bound token, Bearer a plain one, another type is refused', async () => {
    const { store, values } = recordingStore()
    answer = { access_token: 'bound', token_type: 'DPoP', expires_in: 60 }
    const cc = make({ store, dpop: await dpop() })
    const token = await cc.getToken()
    expect(token.tokenType).toBe('DPoP')
    expect(token.accessToken).toBe('bound')
    expect(values[0]).toMatchObject({ dpop: true })
    expect(dpopHeaders[0]).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)

    answer = { access_token: 'plain', token_type: 'Bearer', expires_in: 60 }
    const bearer = await cc.getToken({ scope: 'other' })
    expect(bearer.tokenType).toBe('Bearer')
    expect(Object.keys(values[1]!)).not.toContain('dpop')

    answer = { access_token: 'x', token_type: 'N_A', expires_in: 60 }
    expect(await rejection(() => cc.getAccessToken({ scope: 'third' }), AuthorizationServerError, 503)).toMatchObject({
      failure: 'bad_response',
    })
  })

  it('asks again once with the nonce the AS asked for, not twice', async () => {
    const nonce = (n: string) => (req: IncomingMessage, res: ServerResponse) => {
      req.resume()
      res.writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': n }).end(JSON.stringify({ error: 'use_dpop_nonce' }))
    }
    answer = { access_token: 'bound', token_type: 'DPoP', expires_in: 60 }
    plan = [nonce('n1')]
    const cc = make({ dpop: await dpop() })
    expect(await cc.getAccessToken()).toBe('bound')
    expect(server.requests).toBe(2)
    const proof = dpopHeaders[1]!.split('.')[1]!
    expect(JSON.parse(Buffer.from(proof, 'base64url').toString())).toMatchObject({ nonce: 'n1' })

    plan = [nonce('n2'), nonce('n3'), nonce('n4')]
    expect(await rejection(() => cc.getAccessToken({ scope: 'b' }), TokenEndpointError)).toMatchObject({ error: 'use_dpop_nonce' })
    expect(server.requests).toBe(4)
  })

  it('without a DPoP key no DPoP header is sent', async () => {
    await make().getAccessToken()
    expect(dpopHeaders).toEqual([undefined])
  })
})

describe('the access token and expires_in the AS sent', () => {
  it.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 60 }],
    ['a numeric access_token', { access_token: 12345, token_type: 'Bearer', expires_in: 60 }],
    ['an empty access_token', { access_token: '', token_type: 'Bearer', expires_in: 60 }],
    ['padding first', { access_token: '=abc', token_type: 'Bearer', expires_in: 60 }],
    ['a comma', { access_token: 'a,b', token_type: 'Bearer', expires_in: 60 }],
    ['expires_in just under a second', { access_token: 'tok', token_type: 'Bearer', expires_in: 0.999 }],
    ['expires_in negative', { access_token: 'tok', token_type: 'Bearer', expires_in: -60 }],
  ])('%s is an unusable answer (bad_response, upstream 200)', async (_, body) => {
    answer = body
    expect(await rejection(() => make().getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'bad_response',
      upstreamStatus: 200,
    })
    expect(server.requests).toBe(1)
  })

  it('a token68 with trailing padding is accepted', async () => {
    answer = { access_token: 'abc==', token_type: 'Bearer', expires_in: 60 }
    expect(await make().getAccessToken()).toBe('abc==')
  })
})

describe('what is sent', () => {
  it('per-call scope and resource replace the defaults; an empty one sends none', async () => {
    const cc = make({ scope: 'default', resource: 'https://default.example' })
    await cc.getAccessToken()
    await cc.getAccessToken({ scope: ['b', 'a'] })
    await cc.getAccessToken({ resource: ['https://r.example'] })
    await cc.getAccessToken({ scope: '', resource: [] })
    expect(bodies.map((b) => [b.get('grant_type'), b.get('scope'), b.getAll('resource')])).toEqual([
      ['client_credentials', 'default', ['https://default.example']],
      ['client_credentials', 'a b', ['https://default.example']],
      ['client_credentials', 'default', ['https://r.example']],
      ['client_credentials', null, []],
    ])
    expect(bodies.every((b) => !b.has('audience'))).toBe(true)
  })
})

describe('statuses and Retry-After', () => {
  it.each([409, 499])('%i with an OAuth error is not retried', async (status) => {
    plan = [faults.json({ error: 'invalid_request' }, status)]
    const err = await rejection(() => make().getAccessToken(), TokenEndpointError)
    expect(err).toMatchObject({ error: 'invalid_request', upstreamStatus: status })
    expect(server.requests).toBe(1)
  })

  it('a token endpoint that does not answer within the timeout is retried', async () => {
    plan = [faults.hang()]
    const cc = make({ timeout: 0.02, retry: { attempts: 2, baseDelay: 0, maxDelay: 0 } })
    expect(await cc.getAccessToken()).toBe('tok')
    expect(server.requests).toBe(2)
  })

  it('waits the Retry-After (seconds or an HTTP date, by the injected clock) before retrying', async () => {
    const waits: number[] = []
    const date = new Date(clock.now() + 7_000).toUTCString()
    plan = [faults.status(503, 'busy', { 'retry-after': '3' }), faults.status(503, 'busy', { 'retry-after': date })]
    const cc = make({
      retry: { attempts: 3, baseDelay: 0.001, maxDelay: 10 },
      [SLEEP]: async (ms: number) => void waits.push(ms),
    } as Partial<ClientCredentialsOptions>)
    expect(await cc.getAccessToken()).toBe('tok')
    expect(waits).toEqual([3_000, 7_000])
  })

  it('the last transient failure carries its status and Retry-After (5 s when none was sent)', async () => {
    plan = [faults.status(503, 'busy', { 'retry-after': '2' })]
    const one = { retry: { attempts: 1 } }
    expect(await rejection(() => make(one).getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'http_status',
      upstreamStatus: 503,
      retryAfter: 2,
    })
    plan = [faults.status(502, 'busy')]
    expect(await rejection(() => make({ ...one, scope: 'b' }).getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'http_status',
      upstreamStatus: 502,
      retryAfter: 5,
    })
  })

  it.each([204, 205, 304])('a %i (no body) is an http_status failure naming it', async (status) => {
    plan = [faults.status(status)]
    expect(await rejection(() => make().getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'http_status',
      upstreamStatus: status,
    })
  })
})

describe('how a refusal maps to an error', () => {
  const secret = 'svc-secret-0123456789'

  it('an OAuth error body: its error, its description without the secret, the status', async () => {
    plan = [faults.json({ error: 'invalid_scope', error_description: `bad scope for ${secret}` }, 400)]
    const err = await rejection(() => make().getAccessToken(), TokenEndpointError)
    expect(err).toMatchObject({ error: 'invalid_scope', upstreamStatus: 400 })
    expect(err.errorDescription).toMatch(/^bad scope for /)
    expect(err.errorDescription).not.toContain(secret)
  })

  it('a 401 challenge with an OAuth error body reads the body', async () => {
    plan = [faults.status(401, { error: 'invalid_client', error_description: 'unknown' }, { 'www-authenticate': 'Basic realm="as"' })]
    expect(await rejection(() => make().getAccessToken(), TokenEndpointError)).toMatchObject({
      error: 'invalid_client',
      errorDescription: 'unknown',
      upstreamStatus: 401,
    })
    plan = [faults.status(401, { error: 'invalid_client', error_description: 42 }, { 'www-authenticate': 'Basic realm="as"' })]
    expect(await rejection(() => make({ scope: 'b' }).getAccessToken(), TokenEndpointError)).toMatchObject({
      error: 'invalid_client',
      errorDescription: undefined,
    })
  })

  it('a 401 challenge whose body has no error reads the challenge', async () => {
    plan = [
      faults.status(
        401,
        { error: '' },
        { 'www-authenticate': 'Basic realm="as", error="invalid_client", error_description="from the challenge"' },
      ),
    ]
    expect(await rejection(() => make().getAccessToken(), TokenEndpointError)).toMatchObject({
      error: 'invalid_client',
      errorDescription: 'from the challenge',
      upstreamStatus: 401,
    })
    plan = [faults.status(401, 'not json', { 'www-authenticate': 'Basic realm="as", error="invalid_client"' })]
    expect(await rejection(() => make({ scope: 'b' }).getAccessToken(), TokenEndpointError)).toMatchObject({
      error: 'invalid_client',
      errorDescription: undefined,
    })
  })

  it('the error of the challenge that has one', async () => {
    plan = [faults.status(401, undefined, { 'www-authenticate': 'Basic realm="as", Newauth realm="x", error="invalid_client"' })]
    expect(await rejection(() => make().getAccessToken(), TokenEndpointError)).toMatchObject({
      error: 'invalid_client',
      upstreamStatus: 401,
    })
  })

  it('a 401 challenge with no error anywhere: the client was rejected', async () => {
    plan = [faults.status(401, undefined, { 'www-authenticate': 'Basic realm="as"' })]
    expect(await rejection(() => make().getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'client_rejected',
      upstreamStatus: 401,
    })
    expect(server.requests).toBe(1)
  })

  it('a private key that cannot be imported is a ConfigurationError naming privateKey', async () => {
    const cc = make({
      clientSecret: undefined,
      privateKey: { pem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', alg: 'RS256' },
    })
    const err = await rejection(() => cc.getAccessToken(), ConfigurationError)
    expect(err.issues.map((i) => i.path)).toEqual(['privateKey'])
    expect(server.requests).toBe(0)
  })
})

describe('discovery of the token endpoint', () => {
  const viaIssuer = (extra: Partial<ClientCredentialsOptions> = {}) => make({ tokenEndpoint: undefined, issuer: server.url, ...extra })

  it('a token endpoint that drops the connection is retried, after discovering the metadata again', async () => {
    const waits: number[] = []
    plan = [faults.resetConnection()]
    const sleep = async (ms: number) => {
      waits.push(ms)
      clock.advance(10_000) // past the rediscovery cooldown
    }
    const cc = viaIssuer({ [SLEEP]: sleep } as Partial<ClientCredentialsOptions>)
    expect(await cc.getAccessToken()).toBe('tok')
    expect(paths).toEqual(['/.well-known/openid-configuration', '/token', '/.well-known/openid-configuration', '/token'])
    expect(waits).toHaveLength(1)
  })

  it('a discovery that drops the connection is retried', async () => {
    discoveryPlan = [faults.resetConnection(), faults.resetConnection()]
    const cc = viaIssuer({ [SLEEP]: async () => {} } as Partial<ClientCredentialsOptions>)
    expect(await cc.getAccessToken()).toBe('tok')
    expect(paths.at(-1)).toBe('/token')
    expect(paths.filter((p) => p === '/token')).toHaveLength(1)
    expect(discoveryPlan).toEqual([])
  })

  it('a discovery document that does not fit is not retried', async () => {
    const waits: number[] = []
    discovery = () => ({ issuer: 'https://someone-else.example', token_endpoint: `${server.url}/token` })
    const cc = viaIssuer({ [SLEEP]: async (ms: number) => void waits.push(ms) } as Partial<ClientCredentialsOptions>)
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ failure: 'issuer_mismatch' })
    expect(waits).toEqual([])
  })

  it('a discovered token endpoint off loopback over http is refused as bad metadata', async () => {
    discovery = () => ({ issuer: server.url, token_endpoint: 'http://as.example.com/token' })
    expect(await rejection(() => viaIssuer().getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ failure: 'metadata' })
    expect(paths.filter((p) => p === '/token')).toHaveLength(0)
  })
})
