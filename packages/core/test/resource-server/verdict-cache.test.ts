/**
 * The verdict caches, pinned through real resource servers at a real local AS: the introspection
 * verdict's stored record (`v: 1`, `active`, `until`, `iss`, `claims`), its key (`rs:introspection:`
 * and hex, never the token), the TTLs (`maxTtl`, `inactiveTtl`, never past `exp`), every malformed,
 * expired, wrong-version or wrong-issuer value read back from a shared store (a miss: the AS is
 * asked), the memory copy of a shared verdict, the cross-instance lock, `clearCache()` and
 * `onClear`, and the verified-JWT cache that never outlives the key that verified it.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BearerError, type CacheStore, MemoryCache, type ResourceServerEvent } from '../../src/index.js'
import {
  type FakeAS,
  goodClaims,
  introspectingRs,
  jwtRs,
  rejection,
  signJwt,
  startFakeAS,
  testClock,
  type TestClock,
} from '../support/index.js'

/** A shared store like Redis would be: values through JSON, every call recorded, TTLs recorded but never enforced. */
function jsonStore(options: { add?: boolean } = {}) {
  const map = new Map<string, string>()
  const sets: { key: string; value: unknown; ttl: number }[] = []
  const adds: { key: string; value: unknown; ttl: number }[] = []
  const listeners = new Set<() => void>()
  let clears = 0
  const store: CacheStore & {
    map: typeof map
    sets: typeof sets
    adds: typeof adds
    put(key: string, value: unknown): void
    clears(): number
  } = {
    map,
    sets,
    adds,
    put: (key, value) => void map.set(key, JSON.stringify(value)),
    clears: () => clears,
    get: (k) => {
      const json = map.get(k)
      return json === undefined ? undefined : JSON.parse(json)
    },
    set: (k, v, ttl) => {
      sets.push({ key: k, value: v, ttl })
      map.set(k, JSON.stringify(v))
    },
    delete: (k) => void map.delete(k),
    clear: () => {
      clears++
      map.clear()
      for (const l of listeners) l()
    },
    onClear: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  if (options.add === true) {
    store.add = (k, v, ttl) => {
      adds.push({ key: k, value: v, ttl })
      if (map.has(k)) return false
      map.set(k, JSON.stringify(v))
      return true
    }
  }
  return store
}

let as: FakeAS
let clock: TestClock
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())
beforeEach(() => {
  clock = testClock()
  as.introspections = 0
})

const active = (extra: Record<string, unknown> = {}) => ({
  active: true,
  iss: as.issuer,
  sub: 'user-1',
  client_id: 'app',
  scope: 'read',
  exp: clock.seconds() + 3600,
  ...extra,
})
const bearer = (token: string) => `Bearer ${token}`

describe('the stored introspection verdict', () => {
  it('is a versioned record of the claims and the issuer, under a hex key that never holds the token', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { clock: clock.now, cache: { store } })
    await rs.authenticate(bearer('opaque-token-1'))
    expect(store.sets).toHaveLength(1)
    const { key, value, ttl } = store.sets[0]!
    expect(key).toMatch(/^rs:introspection:[0-9a-f]{64}$/)
    expect(key).not.toContain('opaque-token-1')
    expect(ttl).toBe(300_000) // default maxTtl: 300 s
    expect(value).toEqual({ v: 1, active: true, until: clock.now() + 300_000, iss: as.issuer, claims: active() })
    expect(JSON.stringify(value)).not.toContain('opaque-token-1')
  })

  it('an inactive verdict is { v: 1, active: false, until } kept for inactiveTtl (default 30 s)', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: { active: false } })
    const rs = introspectingRs(as, { clock: clock.now, cache: { store } })
    await rejection(() => rs.authenticate(bearer('dead-token')), BearerError, 401, 'invalid_token')
    expect(store.sets.map((s) => [s.value, s.ttl])).toEqual([[{ v: 1, active: false, until: clock.now() + 30_000 }, 30_000]])
  })

  it('maxTtl and inactiveTtl are seconds; an active verdict never outlives exp', async () => {
    const store = jsonStore()
    const rs = introspectingRs(as, { clock: clock.now, cache: { store, maxTtl: 20, inactiveTtl: 3 } })
    as.introspect = () => ({ body: active() })
    await rs.authenticate(bearer('long-lived'))
    as.introspect = () => ({ body: active({ exp: clock.seconds() + 7 }) })
    await rs.authenticate(bearer('short-lived'))
    as.introspect = () => ({ body: { active: false } })
    await rejection(() => rs.authenticate(bearer('inactive')), BearerError, 401)
    expect(store.sets.map((s) => s.ttl)).toEqual([20_000, 7_000, 3_000])
    expect(store.sets.map((s) => (s.value as { until: number }).until - clock.now())).toEqual([20_000, 7_000, 3_000])
  })

  it('a token without exp is kept for maxTtl; a TTL of 0 keeps nothing', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active({ exp: undefined }) })
    await introspectingRs(as, { clock: clock.now, cache: { store, maxTtl: 9 } }).authenticate(bearer('no-exp'))
    expect(store.sets.map((s) => s.ttl)).toEqual([9_000])
    const none = jsonStore()
    const rs = introspectingRs(as, { clock: clock.now, cache: { store: none, maxTtl: 0, inactiveTtl: 0 } })
    await rs.authenticate(bearer('no-exp'))
    await rs.authenticate(bearer('no-exp'))
    as.introspect = () => ({ body: { active: false } })
    await rejection(() => rs.authenticate(bearer('inactive')), BearerError, 401)
    expect(none.sets).toEqual([])
    expect(as.introspections).toBe(4) // 1 + 2 + 1: nothing was kept in memory either
  })

  it('the in-memory level answers the second request without the AS or the store', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { clock: clock.now, cache: { store } })
    await rs.authenticate(bearer('t'))
    store.map.clear()
    expect((await rs.authenticate(bearer('t')))?.sub).toBe('user-1')
    expect(as.introspections).toBe(1)
  })

  it('a verdict from memory is the very verdict the introspection gave (not decoded again)', async () => {
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { clock: clock.now })
    const first = await rs.authenticate(bearer('t'))
    expect(await rs.authenticate(bearer('t'))).toBe(first)
  })

  it('cache: false keeps nothing anywhere', async () => {
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { clock: clock.now, cache: false })
    await rs.authenticate(bearer('t'))
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(2)
  })

  it('a MemoryCache given as the store is the first level itself: it holds the records, nothing shared', async () => {
    const memory = new MemoryCache<unknown>({ maxEntries: 10, clock: clock.now })
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { clock: clock.now, cache: { store: memory } })
    await rs.authenticate(bearer('t'))
    expect(memory.size).toBe(1)
    // A second resource server on the same MemoryCache reads the first one's verdict.
    await introspectingRs(as, { clock: clock.now, cache: { store: memory } }).authenticate(bearer('t'))
    expect(as.introspections).toBe(1)
  })
})

describe('values read back from the shared store', () => {
  /** The key and a good record of token `t`, as one instance wrote them. */
  async function written(store: ReturnType<typeof jsonStore>) {
    as.introspect = () => ({ body: active() })
    await introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t'))
    const { key, value } = store.sets[0]!
    as.introspections = 0
    store.sets.length = 0
    return { key, record: value as Record<string, unknown> }
  }

  it('a good record is used by another instance without asking the AS', async () => {
    const store = jsonStore()
    await written(store)
    const info = await introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t'))
    expect(info).toMatchObject({ sub: 'user-1', clientId: 'app', scopes: ['read'], iss: as.issuer })
    expect(as.introspections).toBe(0)
  })

  it('a stored inactive verdict refuses the token without asking the AS', async () => {
    const store = jsonStore()
    const { key } = await written(store)
    store.put(key, { v: 1, active: false, until: clock.now() + 1000 })
    const err = await rejection(
      () => introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t')),
      BearerError,
      401,
    )
    expect(err.code).toBe('invalid_token')
    expect(as.introspections).toBe(0)
  })

  const bad: [string, (r: Record<string, unknown>, now: number) => unknown][] = [
    ['null', () => null],
    ['a string', () => 'v1'],
    ['a number', () => 1],
    ['version 2', (r) => ({ ...r, v: 2 })],
    ["version '1'", (r) => ({ ...r, v: '1' })],
    ['no version', ({ v: _v, ...r }) => r],
    ['no until', ({ until: _u, ...r }) => r],
    ['until as a string', (r) => ({ ...r, until: String(r.until) })],
    ['until now (expired by our clock)', (r, now) => ({ ...r, until: now })],
    ['until in the past', (r, now) => ({ ...r, until: now - 1 })],
    ['active as a string', (r) => ({ ...r, active: 'true' })],
    ['no active', ({ active: _a, ...r }) => r],
    ['another issuer', (r) => ({ ...r, iss: `${as.issuer}/other` })],
    ['no issuer', ({ iss: _i, ...r }) => r],
    ['no claims', ({ claims: _c, ...r }) => r],
    ['claims null', (r) => ({ ...r, claims: null })],
    ['claims a string', (r) => ({ ...r, claims: 'x' })],
    ['claims an array', (r) => ({ ...r, claims: [r.claims] })],
    ['claims not active', (r) => ({ ...r, claims: { ...(r.claims as object), active: false } })],
    ['claims active as a string', (r) => ({ ...r, claims: { ...(r.claims as object), active: 'true' } })],
    ['claims of another issuer', (r) => ({ ...r, claims: { ...(r.claims as object), iss: 'https://evil.example' } })],
    ['a claim of the wrong type', (r) => ({ ...r, claims: { ...(r.claims as object), exp: 'soon' } })],
  ]
  it.each(bad)('%s is a miss: the AS is asked, and its answer (inactive) stands', async (_name, mutate) => {
    const store = jsonStore()
    const { key, record } = await written(store)
    store.put(key, mutate(record, clock.now()))
    as.introspect = () => ({ body: { active: false } })
    await rejection(() => introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t')), BearerError, 401)
    expect(as.introspections).toBe(1)
    // …and the AS's verdict replaces the bad value.
    expect(store.sets.map((s) => s.value)).toEqual([{ v: 1, active: false, until: clock.now() + 30_000 }])
  })

  it('an array of claims is a miss, whatever properties it carries (a store that does not go through JSON)', async () => {
    const store = jsonStore()
    const { key, record } = await written(store)
    const claims = Object.assign([], record.claims)
    store.get = (k) => (k === key ? { ...record, claims } : undefined)
    as.introspect = () => ({ body: { active: false } })
    await rejection(() => introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t')), BearerError, 401)
    expect(as.introspections).toBe(1)
  })

  it('until one millisecond ahead is still a hit', async () => {
    const store = jsonStore()
    const { key, record } = await written(store)
    store.put(key, { ...record, until: clock.now() + 1 })
    await introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t'))
    expect(as.introspections).toBe(0)
  })

  it('is kept in memory until its own until, at most maxTtl', async () => {
    const store = jsonStore()
    const { key, record } = await written(store)
    // Usable for an hour by its record, but this instance keeps it in memory for maxTtl (20 s) only.
    store.put(key, { ...record, until: clock.now() + 3_600_000 })
    const rs = introspectingRs(as, { clock: clock.now, cache: { store, maxTtl: 20 } })
    await rs.authenticate(bearer('t'))
    store.map.clear()
    clock.advance(19_999)
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(0)
    clock.advance(1)
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(1)
  })

  it('a record shorter than maxTtl is kept in memory only until its until', async () => {
    const store = jsonStore()
    const { key, record } = await written(store)
    store.put(key, { ...record, until: clock.now() + 5_000 })
    const rs = introspectingRs(as, { clock: clock.now, cache: { store } })
    await rs.authenticate(bearer('t'))
    store.map.clear()
    clock.advance(4_999)
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(0)
    clock.advance(1)
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(1)
  })
})

describe('the cross-instance lock', () => {
  it('is rs:introspection-lock:<the key hash>, held for the AS timeout plus one second', async () => {
    const store = jsonStore({ add: true })
    as.introspect = () => ({ body: active() })
    await introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t'))
    const hash = store.sets[0]!.key.slice('rs:introspection:'.length)
    expect(store.adds.map((a) => [a.key, a.ttl])).toEqual([[`rs:introspection-lock:${hash}`, 6_000]]) // default timeout 5 s
    expect(JSON.stringify(store.adds[0]!.value)).not.toContain('t"')
    const other = jsonStore({ add: true })
    await introspectingRs(as, { clock: clock.now, timeout: 2.5, cache: { store: other } }).authenticate(bearer('t'))
    expect(other.adds.map((a) => a.ttl)).toEqual([3_500])
  })
})

describe('coalescing', () => {
  it('concurrent requests for one token, in one instance or in several sharing a store with add, cost one introspection', async () => {
    const store = jsonStore({ add: true })
    let release = () => {}
    as.introspect = () => new Promise((resolve) => (release = () => resolve({ body: active() })))
    const a = introspectingRs(as, { clock: clock.now, cache: { store } })
    const b = introspectingRs(as, { clock: clock.now, cache: { store } })
    const pending = [a, a, b, b].map((rs) => rs.authenticate(bearer('t')))
    while (as.introspections === 0) await new Promise((r) => setTimeout(r, 1))
    await new Promise((r) => setTimeout(r, 20))
    release()
    expect((await Promise.all(pending)).map((i) => i?.sub)).toEqual(['user-1', 'user-1', 'user-1', 'user-1'])
    expect(as.introspections).toBe(1)
    expect(store.adds).toHaveLength(2) // one lock taken, one refused
  })
})

describe('clearCache() and onClear', () => {
  it('clearCache() forgets this instance’s verdicts and clears the shared store', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { clock: clock.now, cache: { store } })
    await rs.authenticate(bearer('t'))
    await rs.clearCache()
    expect(store.clears()).toBe(1)
    expect(store.map.size).toBe(0)
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(2)
  })

  it('clearCache() forgets the in-memory verdicts at once, before the shared store answers', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active() })
    delete store.onClear // only clearCache() itself drops the memory here
    const rs = introspectingRs(as, { clock: clock.now, cache: { store } })
    await rs.authenticate(bearer('t'))
    const clearing = rs.clearCache()
    const during = rs.authenticate(bearer('t'))
    await clearing
    await during
    expect(as.introspections).toBe(2)
  })

  it('a verdict read from the store before a clear is not kept in memory after it', async () => {
    const store = jsonStore()
    delete store.onClear
    as.introspect = () => ({ body: active() })
    await introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t'))
    as.introspections = 0
    const get = store.get.bind(store)
    let release = () => {}
    store.get = (k) => {
      const value = get(k)
      return new Promise((resolve) => (release = () => resolve(value)))
    }
    const rs = introspectingRs(as, { clock: clock.now, cache: { store, storeTimeout: 5 } }) // a slow machine never times the held call out
    const reading = rs.authenticate(bearer('t'))
    await new Promise((r) => setTimeout(r, 1))
    const clearing = rs.clearCache()
    release()
    expect((await reading)?.sub).toBe('user-1') // this request still uses what it read
    await clearing
    store.get = get
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(1) // but nothing of it was kept: the AS is asked
  })

  it('an introspection answered during a clear is used once but not kept', async () => {
    const store = jsonStore()
    let release = () => {}
    as.introspect = () => new Promise((resolve) => (release = () => resolve({ body: active() })))
    const rs = introspectingRs(as, { clock: clock.now, cache: { store } })
    const asking = rs.authenticate(bearer('t'))
    while (as.introspections === 0) await new Promise((r) => setTimeout(r, 1))
    await rs.clearCache()
    release()
    expect((await asking)?.sub).toBe('user-1')
    expect(store.sets).toEqual([])
    as.introspect = () => ({ body: active() })
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(2)
  })

  it('what a request reads from the store while it is being cleared is dropped from memory when the clear ends', async () => {
    const store = jsonStore()
    delete store.onClear
    as.introspect = () => ({ body: active() })
    await introspectingRs(as, { clock: clock.now, cache: { store } }).authenticate(bearer('t'))
    as.introspections = 0
    let release = () => {}
    store.clear = () => new Promise<void>((resolve) => (release = () => resolve(store.map.clear())))
    const rs = introspectingRs(as, { clock: clock.now, cache: { store, storeTimeout: 5 } }) // a slow machine never times the held call out
    const clearing = rs.clearCache()
    expect((await rs.authenticate(bearer('t')))?.sub).toBe('user-1') // read from the store, not yet cleared
    release()
    await clearing
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(1)
  })

  it('clearCache() without a shared store forgets the in-memory verdicts', async () => {
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { clock: clock.now })
    await rs.authenticate(bearer('t'))
    await rs.clearCache()
    await rs.authenticate(bearer('t'))
    expect(as.introspections).toBe(2)
  })

  it('another instance clearing the shared store drops this one’s memory (verdicts and verified JWTs)', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active() })
    const a = introspectingRs(as, { clock: clock.now, cache: { store } })
    const b = jwtRs(as, {
      tokenFormat: 'auto',
      clientId: 'rs-1',
      clientSecret: 'client-secret-with-enough-length-0123',
      introspectionEndpoint: as.introspectionEndpoint,
      cache: { store },
    })
    const events: ResourceServerEvent[] = []
    const c = jwtRs(as, { onEvent: (e) => events.push(e), cache: { store } })
    const jwt = await signJwt(as, goodClaims(as))
    await a.authenticate(bearer('t'))
    await b.authenticate(bearer('t'))
    await c.authenticate(bearer(jwt))
    await c.authenticate(bearer(jwt))
    await b.clearCache()
    await a.authenticate(bearer('t'))
    expect(as.introspections).toBe(2) // b read a's verdict from the store; after the clear, a asks again
    await c.authenticate(bearer(jwt))
    const sources = events.filter((e) => e.type === 'authenticated').map((e) => (e as { source: string }).source)
    expect(sources).toEqual(['jwt', 'cache', 'jwt'])
  })
})

describe('the verified-JWT cache', () => {
  function sources(events: ResourceServerEvent[]) {
    return events.filter((e) => e.type === 'authenticated').map((e) => (e as { source: string }).source)
  }

  it('answers the same token from memory, for at most maxTtl', async () => {
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { clock: clock.now, onEvent: (e) => events.push(e), cache: { maxTtl: 60 } })
    const jwt = await signJwt(as, goodClaims(as, clock.now()))
    await rs.authenticate(bearer(jwt))
    clock.advance(59_999)
    await rs.authenticate(bearer(jwt))
    clock.advance(1)
    await rs.authenticate(bearer(jwt))
    expect(sources(events)).toEqual(['jwt', 'cache', 'jwt'])
  })

  it('never past the token’s exp (verified again from then on, within the clock tolerance)', async () => {
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { clock: clock.now, onEvent: (e) => events.push(e) })
    const jwt = await signJwt(as, { ...goodClaims(as, clock.now()), exp: clock.seconds() + 10 })
    await rs.authenticate(bearer(jwt))
    clock.advance(9_999)
    await rs.authenticate(bearer(jwt))
    clock.advance(1)
    await rs.authenticate(bearer(jwt)) // at exp: still within the 5 s tolerance, but not from the cache
    expect(sources(events)).toEqual(['jwt', 'cache', 'jwt'])
  })

  it('is emptied by clearCache()', async () => {
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e) })
    const jwt = await signJwt(as, goodClaims(as))
    await rs.authenticate(bearer(jwt))
    await rs.clearCache()
    await rs.authenticate(bearer(jwt))
    expect(sources(events)).toEqual(['jwt', 'jwt'])
  })

  it('keeps nothing with verifiedJwtMaxEntries: 0 or cache: false', async () => {
    for (const cache of [{ verifiedJwtMaxEntries: 0 }, false as const]) {
      const events: ResourceServerEvent[] = []
      const rs = jwtRs(as, { onEvent: (e) => events.push(e), cache })
      const jwt = await signJwt(as, goodClaims(as))
      await rs.authenticate(bearer(jwt))
      await rs.authenticate(bearer(jwt))
      expect(sources(events)).toEqual(['jwt', 'jwt'])
    }
  })

  it('a hit needs the exact signed content: another payload under the same signature is verified (and refused)', async () => {
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e) })
    const jwt = await signJwt(as, goodClaims(as))
    await rs.authenticate(bearer(jwt))
    const [h, , s] = jwt.split('.')
    const forged = `${h}.${jose.base64url.encode(JSON.stringify({ ...goodClaims(as), sub: 'admin' }))}.${s}`
    const err = await rejection(() => rs.authenticate(bearer(forged)), BearerError, 401)
    expect(err.code).toBe('invalid_token')
  })

  it('is dropped once the AS stops publishing the key that verified it', async () => {
    const originalJwks = as.jwks
    try {
      const events: ResourceServerEvent[] = []
      const rs = jwtRs(as, { onEvent: (e) => events.push(e), jwks: { cooldown: 0 } })
      const jwt = await signJwt(as, goodClaims(as))
      await rs.authenticate(bearer(jwt))
      await rs.authenticate(bearer(jwt))
      // The AS rotates to k2 only; a k2 token makes the RS fetch the new key set.
      const k2 = await jose.generateKeyPair('ES256', { extractable: true })
      as.jwks = [{ ...(await jose.exportJWK(k2.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' }]
      const other = await new jose.SignJWT(goodClaims(as))
        .setProtectedHeader({ alg: 'ES256', kid: 'k2', typ: 'at+jwt' })
        .sign(k2.privateKey)
      await rs.authenticate(bearer(other))
      // The k1 token is no longer answered from the cache: verified again, its key is gone.
      await rejection(() => rs.authenticate(bearer(jwt)), BearerError, 401)
      expect(sources(events)).toEqual(['jwt', 'cache', 'jwt'])
    } finally {
      as.jwks = originalJwks
    }
  })

  it('a token verified concurrently under the same signature with other content is not kept', async () => {
    // A signature step that accepts anything lets two contents share one signature (and one cache key).
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e), signatureVerifier: () => true })
    const jwt = await signJwt(as, goodClaims(as))
    const [h, , s] = jwt.split('.')
    const other = `${h}.${jose.base64url.encode(JSON.stringify({ ...goodClaims(as), sub: 'user-2' }))}.${s}`
    const [a, b] = await Promise.all([rs.authenticate(bearer(jwt)), rs.authenticate(bearer(other))])
    expect([a?.sub, b?.sub]).toEqual(['user-1', 'user-2'])
    await rs.authenticate(bearer(jwt))
    expect(sources(events)).toEqual(['jwt', 'jwt', 'cache'])
  })

  it('with an HS* secret the cache needs no published key', async () => {
    const secret = 'a-shared-secret-of-at-least-32-chars!!'
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e), jwksUri: undefined, jwt: { algorithms: ['HS256'], secret } })
    const jwt = await new jose.SignJWT(goodClaims(as))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(secret))
    await rs.authenticate(bearer(jwt))
    await rs.authenticate(bearer(jwt))
    expect(sources(events)).toEqual(['jwt', 'cache'])
  })
})
