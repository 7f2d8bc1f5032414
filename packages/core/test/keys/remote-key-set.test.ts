/**
 * The AS's key set, served by a real local server: keys resolved by `kid`, the `Accept` header, the
 * `onFetched` URL (origin and path), the cache max age (10 min) and refetch cooldown (30 s) by
 * default at their boundaries, which failures are passed on as jose's errors and which become an
 * `AuthorizationServerError` (and of which kind), `publishedKeys`, and `hasKid`.
 */
import * as jose from 'jose'
import { startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { AuthorizationServerError } from '../../src/errors.js'
import { RemoteKeySet } from '../../src/keys/remote-key-set.js'
import { rejection } from '../support/index.js'

let server: TestHttpServer
let body: unknown = { keys: [] }
let status = 200
let hang = false
const accepts: (string | undefined)[] = []
let k1: jose.JWK
let k2: jose.JWK
const input = { payload: '', signature: '' } as jose.FlattenedJWSInput

beforeAll(async () => {
  k1 = { ...(await jose.exportJWK((await jose.generateKeyPair('ES256')).publicKey)), kid: 'k1', alg: 'ES256' }
  k2 = { ...(await jose.exportJWK((await jose.generateKeyPair('ES256')).publicKey)), kid: 'k2', alg: 'ES256' }
  server = await startHttpServer((req, res) => {
    accepts.push(req.headers.accept)
    if (hang) return
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  })
})
afterAll(() => server.close())
afterEach(() => {
  vi.useRealTimers()
  server.resetCount()
  accepts.length = 0
  body = { keys: [] }
  status = 200
  hang = false
})

const jwks = (path = '/jwks') => `${server.url}${path}`

describe('RemoteKeySet.getKey', () => {
  it('resolves the key of a kid, fetched once, with the JWKS media types accepted', async () => {
    body = { keys: [k1, k2] }
    const fetched: string[] = []
    const set = new RemoteKeySet(jwks('/jwks?x=1'), { onFetched: (url) => void fetched.push(url) })
    expect(set.url.href).toBe(jwks('/jwks?x=1'))
    const key = await set.getKey({ alg: 'ES256', kid: 'k2' }, input)
    expect(await jose.exportJWK(key)).toMatchObject({ x: k2.x, y: k2.y })
    await set.getKey({ alg: 'ES256', kid: 'k1' }, input)
    expect(server.requests).toBe(1)
    expect(accepts).toEqual(['application/jwk-set+json, application/json'])
    expect(fetched).toEqual([jwks('/jwks')])
  })

  it('passes on jose errors for an unknown kid and for several matching keys', async () => {
    body = { keys: [k1, { ...k2, kid: 'k1' }] }
    const set = new RemoteKeySet(jwks())
    await rejection(() => set.getKey({ alg: 'ES256', kid: 'nope' }, input), jose.errors.JWKSNoMatchingKey)
    await rejection(() => set.getKey({ alg: 'ES256', kid: 'k1' }, input), jose.errors.JWKSMultipleMatchingKeys)
  })

  it('passes on JOSENotSupported for an algorithm jose does not support', async () => {
    body = { keys: [k1] }
    await rejection(() => new RemoteKeySet(jwks()).getKey({ alg: 'XX999', kid: 'k1' }, input), jose.errors.JOSENotSupported)
  })

  it('answers AuthorizationServerError network for an error status (not reported fetched), a body that is not a JWKS, or not JSON', async () => {
    const fetched: string[] = []
    for (const [s, b] of [
      [500, { keys: [k1] }],
      [200, { keys: 'x' }],
      [200, 'not json'],
    ] as const) {
      status = s
      body = b
      const err = await rejection(
        () => new RemoteKeySet(jwks(), { onFetched: (u) => void fetched.push(u) }).getKey({ alg: 'ES256', kid: 'k1' }, input),
        AuthorizationServerError,
        503,
      )
      expect(err.failure).toBe('network')
      expect(err.cause).toBeDefined()
    }
    // Only the 200 answers were fetched (their body is then refused).
    expect(fetched).toEqual([jwks(), jwks()])
  })

  it('answers AuthorizationServerError timeout after timeoutMs', async () => {
    hang = true
    const err = await rejection(
      () => new RemoteKeySet(jwks(), { timeoutMs: 50 }).getKey({ alg: 'ES256', kid: 'k1' }, input),
      AuthorizationServerError,
    )
    expect(err.failure).toBe('timeout')
    expect(err.cause).toBeInstanceOf(jose.errors.JWKSTimeout)
  })

  it('refuses a body over maxResponseBytes with the bounded reader own error', async () => {
    body = { keys: [k1, k2] }
    const err = await rejection(
      () => new RemoteKeySet(jwks(), { maxResponseBytes: 100 }).getKey({ alg: 'ES256', kid: 'k1' }, input),
      AuthorizationServerError,
    )
    expect(err.failure).toBe('bad_response')
    expect(err.upstreamStatus).toBe(200)
    await new RemoteKeySet(jwks(), { maxResponseBytes: 10_000 }).getKey({ alg: 'ES256', kid: 'k1' }, input)
  })
})

describe('RemoteKeySet refetching', () => {
  it('refetches for an unknown kid only once the 30 s cooldown is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    body = { keys: [k1] }
    const set = new RemoteKeySet(jwks())
    await set.getKey({ alg: 'ES256', kid: 'k1' }, input)
    body = { keys: [k1, k2] }
    vi.advanceTimersByTime(29_999)
    await rejection(() => set.getKey({ alg: 'ES256', kid: 'k2' }, input), jose.errors.JWKSNoMatchingKey)
    expect(server.requests).toBe(1)
    vi.advanceTimersByTime(1)
    await set.getKey({ alg: 'ES256', kid: 'k2' }, input)
    expect(server.requests).toBe(2)
  })

  it('refetches a known kid once the 10 min cache max age is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    body = { keys: [k1] }
    const set = new RemoteKeySet(jwks())
    await set.getKey({ alg: 'ES256', kid: 'k1' }, input)
    vi.advanceTimersByTime(599_999)
    await set.getKey({ alg: 'ES256', kid: 'k1' }, input)
    expect(server.requests).toBe(1)
    vi.advanceTimersByTime(1)
    await set.getKey({ alg: 'ES256', kid: 'k1' }, input)
    await vi.waitFor(() => expect(server.requests).toBe(2))
  })

  it('takes cacheMaxAgeMs and cooldownMs in milliseconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    body = { keys: [k1] }
    const set = new RemoteKeySet(jwks(), { cooldownMs: 10, cacheMaxAgeMs: 1_000_000 })
    await set.getKey({ alg: 'ES256', kid: 'k1' }, input)
    body = { keys: [k1, k2] }
    vi.advanceTimersByTime(10)
    await set.getKey({ alg: 'ES256', kid: 'k2' }, input)
    expect(server.requests).toBe(2)
  })
})

describe('RemoteKeySet.publishedKeys and hasKid', () => {
  it('fetches now and returns the published keys', async () => {
    body = { keys: [k1, k2] }
    const set = new RemoteKeySet(jwks())
    expect(await set.publishedKeys()).toEqual([k1, k2])
    expect(await set.publishedKeys()).toEqual([k1, k2])
    expect(server.requests).toBe(2)
  })

  it('answers AuthorizationServerError network when the key set cannot be fetched', async () => {
    status = 500
    const err = await rejection(() => new RemoteKeySet(jwks()).publishedKeys(), AuthorizationServerError, 503)
    expect(err.failure).toBe('network')
  })

  it('knows the kids of the key set as last fetched', async () => {
    body = { keys: [k1, { ...k2, kid: undefined }] }
    const set = new RemoteKeySet(jwks())
    expect(set.hasKid('k1')).toBe(false)
    await set.publishedKeys()
    expect(set.hasKid('k1')).toBe(true)
    expect(set.hasKid(undefined)).toBe(true)
    expect(set.hasKid('k2')).toBe(false)
    body = { keys: [k2] }
    await set.publishedKeys()
    expect(set.hasKid('k1')).toBe(false)
    expect(set.hasKid('k2')).toBe(true)
  })
})
