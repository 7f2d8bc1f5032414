/**
 * The token cache behind `createClientCredentials`: the store key (a SHA-256 of what makes a token
 * different), the value and TTL it writes, which stored values it trusts (anything else is a miss,
 * never a crash), the refresh and expiry boundaries, the memory of failed refreshes (backoff,
 * Retry-After, the one-second floor after a bad answer), invalidation and the shared lock. A real
 * local token endpoint, an injected clock, a real MemoryCache recording the calls.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { faults, readBody, startHttpServer, type Handler, type TestHttpServer } from '@org/rs-testing'
import {
  AuthorizationServerError,
  type CacheStore,
  type ClientCredentialsOptions,
  createClientCredentials,
  MemoryCache,
  TokenEndpointError,
} from '../../src/index.js'
import { rejection, type TestClock, testClock } from '../support/index.js'

let server: TestHttpServer
let plan: Handler[] = []
let answer: Record<string, unknown>
let clock: TestClock
/** Milliseconds the injected clock moves while the AS answers. */
let answerTakes = 0
const bodies: URLSearchParams[] = []

beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
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
  answerTakes = 0
  clock = testClock()
  answer = { access_token: 'tok-1', token_type: 'Bearer', expires_in: 600 }
})

/** A MemoryCache (on the test clock) that records what it is asked. */
class RecordingStore implements CacheStore {
  readonly inner = new MemoryCache({ clock: () => clock.now() })
  readonly sets: { key: string; value: unknown; ttlMs: number }[] = []
  readonly deletes: string[] = []
  readonly adds: { key: string; value: unknown; ttlMs: number }[] = []
  get(key: string) {
    return this.inner.get(key)
  }
  set(key: string, value: unknown, ttlMs: number) {
    this.sets.push({ key, value, ttlMs })
    this.inner.set(key, value, ttlMs)
  }
  delete(key: string) {
    this.deletes.push(key)
    this.inner.delete(key)
  }
}

/** A {@link RecordingStore} that also offers `add` (and so takes the shared refresh lock). */
class LockingStore extends RecordingStore {
  add(key: string, value: unknown, ttlMs: number) {
    this.adds.push({ key, value, ttlMs })
    return this.inner.add(key, value, ttlMs)
  }
}

const endpoint = () => `${server.url}/token`
const make = (extra: Partial<ClientCredentialsOptions> = {}) =>
  createClientCredentials({
    tokenEndpoint: endpoint(),
    clientId: 'svc',
    clientSecret: 'svc-secret-0123456789',
    clock: () => clock.now(),
    retry: { attempts: 1 },
    ...extra,
  })

/** The key the cache must use: `rs:cc:` and the SHA-256 (hex) of this descriptor. */
const keyOf = (parts: unknown[]) =>
  `rs:cc:${createHash('sha256')
    .update(JSON.stringify(['cc/v1', ...parts]))
    .digest('hex')}`

describe('what is written to the store', () => {
  it('under rs:cc:<sha256 of endpoint, client, scope, resource, audience, extra params>', async () => {
    const store = new RecordingStore()
    await make({ store }).getAccessToken()
    await make({
      store,
      scope: 'b a',
      resource: ['https://r2.example', 'https://r1.example'],
      audience: 'aud',
      extraParams: { z: '1', a: '2' },
    }).getAccessToken()
    expect(store.sets.map((s) => s.key)).toEqual([
      keyOf([endpoint(), 'svc', null, [], null, []]),
      keyOf([
        endpoint(),
        'svc',
        'a b',
        ['https://r1.example', 'https://r2.example'],
        'aud',
        [
          ['a', '2'],
          ['z', '1'],
        ],
      ]),
    ])
  })

  it('with an issuer and no token endpoint, the issuer is the endpoint part of the key', async () => {
    const store = new RecordingStore()
    const issuer = server.url
    plan = [
      (req, res) => {
        req.resume()
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token` }))
      },
    ]
    await make({ store, tokenEndpoint: undefined, issuer }).getAccessToken()
    expect(store.sets.map((s) => s.key)).toEqual([keyOf([issuer, 'svc', null, [], null, []])])
  })

  it('the value { v: 1, accessToken, expiresAt, refreshAt, scope }, for its remaining lifetime in ms', async () => {
    const store = new RecordingStore()
    const sentAt = clock.now()
    answerTakes = 250
    answer = { access_token: 'tok-1', token_type: 'Bearer', expires_in: 600, scope: 'granted' }
    await make({ store }).getAccessToken()
    expect(store.sets).toEqual([
      {
        key: expect.any(String),
        value: { v: 1, accessToken: 'tok-1', expiresAt: sentAt + 600_000, refreshAt: sentAt + 540_000, scope: 'granted' },
        ttlMs: 600_000 - 250,
      },
    ])
  })

  it('a token without a scope is stored with scope null', async () => {
    const store = new RecordingStore()
    await make({ store }).getAccessToken()
    expect(store.sets[0]!.value).toMatchObject({ scope: null })
    expect(Object.keys(store.sets[0]!.value as object)).not.toContain('dpop')
  })

  it('the same normalised request is one key; a different client, endpoint or request is another', async () => {
    const store = new RecordingStore()
    await make({ store, scope: 'a b' }).getAccessToken()
    await make({ store, scope: ['b', 'a', 'a'] }).getAccessToken()
    expect(server.requests).toBe(1)
    await make({ store, scope: 'a b', clientId: 'other' }).getAccessToken()
    await make({ store, scope: 'a b', tokenEndpoint: `${endpoint()}/` }).getAccessToken()
    await make({ store, scope: 'a b', extraParams: { x: '1' } }).getAccessToken()
    await make({ store, scope: 'a b', audience: 'aud' }).getAccessToken()
    expect(server.requests).toBe(5)
    expect(new Set(store.sets.map((s) => s.key)).size).toBe(5)
  })
})

describe('what is read from the store', () => {
  /** Stores `value` under the default key, then asks: was the AS asked, and what came back? */
  async function readBack(value: unknown) {
    const store = new RecordingStore()
    const cc = make({ store })
    const key = keyOf([endpoint(), 'svc', null, [], null, []])
    store.inner.set(key, value, 3_600_000)
    server.resetCount()
    const token = await cc.getToken()
    return { requests: server.requests, token: token.accessToken, scope: token.scope }
  }
  const now = () => clock.now()
  const good = () => ({ v: 1, accessToken: 'stored', expiresAt: now() + 600_000, refreshAt: now() + 540_000, scope: 'kept' })

  it('a well-formed, fresh value is used as is', async () => {
    expect(await readBack(good())).toEqual({ requests: 0, token: 'stored', scope: 'kept' })
    expect(await readBack({ ...good(), scope: null })).toEqual({ requests: 0, token: 'stored', scope: undefined })
  })

  it.each([
    ['null', () => null],
    ['a string', () => 'stored'],
    ['a number', () => 42],
    ['version 2', () => ({ ...good(), v: 2 })],
    ['version "1"', () => ({ ...good(), v: '1' })],
    ['no version', () => ({ ...good(), v: undefined })],
    ['an empty access token', () => ({ ...good(), accessToken: '' })],
    ['a numeric access token', () => ({ ...good(), accessToken: 12345 })],
    ['expiresAt as a string', () => ({ ...good(), expiresAt: String(now() + 600_000) })],
    ['no refreshAt', () => ({ ...good(), refreshAt: undefined })],
    ['refreshAt as a string', () => ({ ...good(), refreshAt: String(now() + 540_000) })],
    ['a numeric scope', () => ({ ...good(), scope: 5 })],
    ['no scope', () => ({ ...good(), scope: undefined })],
    ['expired (expiresAt now), whatever its refreshAt', () => ({ ...good(), expiresAt: now(), refreshAt: now() + 60_000 })],
    ['due for refresh (refreshAt now)', () => ({ ...good(), refreshAt: now() })],
  ])('%s is a miss: the AS is asked', async (_, value) => {
    expect(await readBack(value())).toEqual({ requests: 1, token: 'tok-1', scope: undefined })
  })

  it('a value 1 ms before its refresh time is used', async () => {
    expect(await readBack({ ...good(), expiresAt: now() + 1, refreshAt: now() + 1 })).toMatchObject({ requests: 0, token: 'stored' })
  })

  it('a store that throws is a miss: the token is fetched and still returned', async () => {
    const broken: CacheStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      add: () => Promise.reject(new Error('down')),
    }
    expect(await make({ store: broken }).getAccessToken()).toBe('tok-1')
    expect(server.requests).toBe(1)
  })
})

describe('refresh and expiry', () => {
  it('the cached token is used until refreshAt, then one request is made for all concurrent callers', async () => {
    const cc = make()
    expect(await cc.getAccessToken()).toBe('tok-1')
    answer = { access_token: 'tok-2', token_type: 'Bearer', expires_in: 600 }
    clock.advance(539_999)
    expect(await cc.getAccessToken()).toBe('tok-1')
    clock.advance(1)
    expect(await Promise.all([cc.getAccessToken(), cc.getAccessToken(), cc.getAccessToken()])).toEqual(['tok-2', 'tok-2', 'tok-2'])
    expect(server.requests).toBe(2)
  })
})

describe('after a failed refresh', () => {
  const http = (status: number, headers: Record<string, string> = {}) => faults.status(status, 'down', headers)

  it('keeps the valid token and backs off 1 s, 2 s, 4 s … 30 s; a success resets the backoff', async () => {
    const cc = make({ refreshSkew: 60 })
    await cc.getAccessToken()
    clock.advance(540_000) // refresh due; expiry at +60 s
    const expectBackoff = async (ms: number) => {
      plan = [http(500)]
      const before = server.requests
      expect(await cc.getAccessToken()).toBe('tok-1') // fails, keeps the token
      expect(server.requests).toBe(before + 1)
      clock.advance(ms - 1)
      expect(await cc.getAccessToken()).toBe('tok-1') // within the backoff: no request
      expect(server.requests).toBe(before + 1)
      clock.advance(1)
    }
    await expectBackoff(1000)
    await expectBackoff(2000)
    await expectBackoff(4000)
    await expectBackoff(8000)
    await expectBackoff(16_000)
    // 60 s of validity less 31 s spent: 29 s left, the cap is 30 s and the token expires first.
    plan = [http(500)]
    expect(await cc.getAccessToken()).toBe('tok-1')
    clock.advance(28_999)
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(server.requests).toBe(7)
    clock.advance(1)
    // Expired now; no Retry-After was sent, so the AS is asked at once.
    answer = { access_token: 'tok-2', token_type: 'Bearer', expires_in: 600 }
    expect(await cc.getAccessToken()).toBe('tok-2')
    expect(server.requests).toBe(8)
    clock.advance(540_000)
    plan = [http(500)]
    expect(await cc.getAccessToken()).toBe('tok-2')
    clock.advance(999)
    expect(await cc.getAccessToken()).toBe('tok-2')
    expect(server.requests).toBe(9)
    clock.advance(1)
    answer = { access_token: 'tok-3', token_type: 'Bearer', expires_in: 600 }
    expect(await cc.getAccessToken()).toBe('tok-3')
  })

  it('the backoff is capped at 30 s', async () => {
    answer = { access_token: 'tok-1', token_type: 'Bearer', expires_in: 3600 }
    const cc = make({ refreshSkew: 1800 })
    await cc.getAccessToken()
    clock.advance(1_800_000)
    for (let i = 0; i < 6; i++) {
      plan = [http(500)]
      await cc.getAccessToken()
      clock.advance(Math.min(30_000, 1000 * 2 ** i))
    }
    expect(server.requests).toBe(7)
    plan = [http(500)]
    await cc.getAccessToken() // 7th failure: 64 s uncapped
    clock.advance(29_999)
    await cc.getAccessToken()
    expect(server.requests).toBe(8)
    clock.advance(1)
    await cc.getAccessToken()
    expect(server.requests).toBe(9)
  })

  it('waits at least the Retry-After the AS sent, and after expiry rejects until it elapses', async () => {
    const cc = make({ retry: { attempts: 2, maxDelay: 1 } })
    await cc.getAccessToken()
    clock.advance(540_000)
    plan = [http(429, { 'retry-after': '100' })] // longer than maxDelay: no retry
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(server.requests).toBe(2)
    clock.advance(59_999)
    expect(await cc.getAccessToken()).toBe('tok-1')
    clock.advance(1) // expired; 40 s of the Retry-After left
    const err = await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)
    expect(err).toMatchObject({ failure: 'http_status', retryAfter: 40, upstreamStatus: 429 })
    expect(server.requests).toBe(2)
    clock.advance(40_000)
    answer = { access_token: 'tok-2', token_type: 'Bearer', expires_in: 600 }
    expect(await cc.getAccessToken()).toBe('tok-2')
  })

  it('a refresh that fails just as the token expires does not return it', async () => {
    const cc = make()
    await cc.getAccessToken()
    clock.advance(540_000)
    answerTakes = 60_000 // the answer comes at the expiry
    plan = [faults.status(500, 'down')]
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ upstreamStatus: 500 })
    answerTakes = 59_999
    answer = { access_token: 'tok-2', token_type: 'Bearer', expires_in: 600 }
    await cc.getAccessToken()
    clock.advance(540_000 - 59_999)
    plan = [faults.status(500, 'down')]
    expect(await cc.getAccessToken()).toBe('tok-2') // 1 ms before its expiry
  })

  it('a Retry-After shorter than the backoff does not shorten it', async () => {
    const cc = make({ retry: { attempts: 1 } })
    await cc.getAccessToken()
    clock.advance(540_000)
    plan = [http(503, { 'retry-after': '0' })]
    expect(await cc.getAccessToken()).toBe('tok-1')
    clock.advance(999)
    await cc.getAccessToken()
    expect(server.requests).toBe(2)
  })
})

describe('without a valid token, after a failure', () => {
  it('a Retry-After blocks every call (no request) until it elapses, saying how long is left', async () => {
    const cc = make({ retry: { attempts: 2, maxDelay: 1 } })
    plan = [faults.status(429, 'slow down', { 'retry-after': '10' })]
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ upstreamStatus: 429 })
    clock.advance(500)
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'http_status',
      retryAfter: 10,
      upstreamStatus: 429,
    })
    clock.advance(9_499)
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ retryAfter: 1 })
    expect(server.requests).toBe(1)
    clock.advance(1)
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(server.requests).toBe(2)
  })

  it('an unusable answer blocks for exactly one second', async () => {
    const cc = make()
    answer = { access_token: 'tok-1', token_type: 'Bearer', expires_in: 0 }
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ failure: 'bad_response' })
    clock.advance(999)
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({
      failure: 'http_status',
      retryAfter: 1,
      upstreamStatus: 200,
    })
    expect(server.requests).toBe(1)
    clock.advance(1)
    answer = { access_token: 'tok-1', token_type: 'Bearer', expires_in: 600 }
    expect(await cc.getAccessToken()).toBe('tok-1')
  })

  it('an OAuth error or a 5xx without Retry-After does not block: the next call asks again', async () => {
    const cc = make()
    plan = [faults.json({ error: 'invalid_client' }, 400)]
    await rejection(() => cc.getAccessToken(), TokenEndpointError)
    plan = [faults.status(500, 'down')]
    expect(await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)).toMatchObject({ upstreamStatus: 500 })
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(server.requests).toBe(3)
  })
})

describe('invalidate', () => {
  it('with no argument drops every key this instance used, once', async () => {
    const store = new RecordingStore()
    const cc = make({ store })
    await cc.invalidate()
    expect(store.deletes).toEqual([])
    await cc.getAccessToken()
    await cc.getAccessToken({ scope: 'x' })
    await cc.invalidate()
    expect(store.deletes).toEqual(store.sets.map((s) => s.key))
    await cc.invalidate()
    expect(store.deletes).toHaveLength(2)
    answer = { access_token: 'tok-2', token_type: 'Bearer', expires_in: 600 }
    expect(await cc.getAccessToken()).toBe('tok-2')
  })

  it('also drops a token another instance wrote and this one read', async () => {
    const store = new RecordingStore()
    await make({ store }).getAccessToken()
    const reader = make({ store })
    await reader.getAccessToken()
    expect(server.requests).toBe(1)
    await reader.invalidate()
    expect(store.deletes).toEqual([store.sets[0]!.key])
  })

  it('with a request drops only that key, and forgets its failures', async () => {
    const store = new RecordingStore()
    const cc = make({ store })
    await cc.getAccessToken()
    answer = { access_token: 'x', token_type: 'Bearer', expires_in: 0 }
    await rejection(() => cc.getAccessToken({ scope: 'x' }), AuthorizationServerError)
    await cc.invalidate({ scope: 'x' })
    expect(store.deletes).toEqual([keyOf([endpoint(), 'svc', 'x', [], null, []])])
    answer = { access_token: 'tok-x', token_type: 'Bearer', expires_in: 600 }
    expect(await cc.getAccessToken({ scope: 'x' })).toBe('tok-x') // not blocked by the floor
    expect(await cc.getAccessToken()).toBe('tok-1')
    await cc.invalidate({})
    expect(store.deletes.at(-1)).toBe(store.sets[0]!.key)
  })
})

describe('the shared refresh lock (a store offering add)', () => {
  it('is rs:cc-lock:<the key hash>, held for the timeout plus 1 s, and released', async () => {
    const store = new LockingStore()
    await make({ store, timeout: 2 }).getAccessToken()
    const key = store.sets[0]!.key
    const lockKey = `rs:cc-lock:${key.slice('rs:cc:'.length)}`
    expect(store.adds).toEqual([{ key: lockKey, value: expect.stringMatching(/^[0-9a-f]{32}$/), ttlMs: 3000 }])
    await new Promise((resolve) => setTimeout(resolve, 1))
    expect(store.deletes).toEqual([lockKey])
    expect(await store.get(lockKey)).toBeUndefined()
  })

  it('while another instance holds it, a still-valid token is returned without a request', async () => {
    const store = new LockingStore()
    const cc = make({ store })
    await cc.getAccessToken()
    const key = store.sets[0]!.key
    clock.advance(540_000)
    expect(store.inner.add(`rs:cc-lock:${key.slice('rs:cc:'.length)}`, 'someone-else', 60_000)).toBe(true)
    expect(await cc.getAccessToken()).toBe('tok-1')
    expect(server.requests).toBe(1)
  })

  it('is not taken without add, nor when the store failed to read', async () => {
    const store = new RecordingStore()
    await make({ store }).getAccessToken()
    expect(store.adds).toEqual([])
    const adds: string[] = []
    const failing: CacheStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => {},
      delete: () => {},
      add: (key) => {
        adds.push(key)
        return true
      },
    }
    await make({ store: failing }).getAccessToken()
    expect(adds).toEqual([])
  })
})

/**
 * A shared store where another instance acts between this one's reads: `between(n)` runs after the
 * n-th read of the token key (1-based) has been answered, as another instance writing or deleting.
 */
class InterleavedStore extends RecordingStore {
  reads = 0
  between: (n: number, key: string) => void = () => {}
  override get(key: string) {
    const value = this.inner.get(key)
    if (key.startsWith('rs:cc:')) this.between(++this.reads, key)
    return value
  }
}

describe('another instance acting between the reads of a refresh', () => {
  const stored = (accessToken: string, refreshIn: number, expireIn = 600_000) => ({
    v: 1,
    accessToken,
    expiresAt: clock.now() + expireIn,
    refreshAt: clock.now() + refreshIn,
    scope: null,
  })

  it('a token written just after the first read is used, without a request', async () => {
    const store = new InterleavedStore()
    store.between = (n, key) => {
      if (n === 1) store.inner.set(key, stored('from-other', 540_000), 600_000)
    }
    expect(await make({ store }).getAccessToken()).toBe('from-other')
    expect(server.requests).toBe(0)
  })

  it('a failed refresh falls back on a still-valid token written just after the first read', async () => {
    const store = new InterleavedStore()
    store.between = (n, key) => {
      if (n === 1) store.inner.set(key, stored('due-but-valid', 0), 600_000)
    }
    plan = [faults.status(500, 'down')]
    expect(await make({ store }).getAccessToken()).toBe('due-but-valid')
    expect(server.requests).toBe(1)
  })

  it('a failed refresh falls back on the token first read when it is gone on the second read', async () => {
    const store = new InterleavedStore()
    const cc = make({ store })
    await cc.getAccessToken() // tok-1, due in 540 s
    clock.advance(540_000)
    store.reads = 0
    store.between = (n, key) => {
      if (n === 1) store.inner.delete(key)
    }
    plan = [faults.status(500, 'down')]
    expect(await cc.getAccessToken()).toBe('tok-1')
  })

  it('waiting on another instance’s lock, the token it publishes is used', async () => {
    const store = new (class extends LockingStore {
      polls = 0
      publish: () => void = () => {}
      override get(key: string) {
        if (key.startsWith('rs:cc-lock:') && ++this.polls === 1) this.publish()
        return super.get(key)
      }
    })()
    const key = keyOf([endpoint(), 'svc', null, [], null, []])
    expect(store.inner.add(`rs:cc-lock:${key.slice('rs:cc:'.length)}`, 'someone-else', 600_000)).toBe(true)
    store.publish = () => store.inner.set(key, stored('published', 540_000), 600_000)
    // A short lock lifetime: a waiter that missed the published token would ask the AS within ~1 s.
    expect(await make({ store, timeout: 0.05 }).getAccessToken()).toBe('published')
    expect(server.requests).toBe(0)
  })
})
