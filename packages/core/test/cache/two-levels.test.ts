/**
 * Two levels and cross-instance coalescing without Redis: an in-process shared store that behaves
 * like one (values through JSON, optional `add`, `clear`, `onClear`), several resource servers and
 * client-credentials managers on it, a fake AS that counts. The Redis version, with several
 * processes, is in packages/scale-tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, readBody, type TestHttpServer } from '@org/rs-testing'
import {
  AuthorizationServerError,
  BearerError,
  type CacheStore,
  createClientCredentials,
  MemoryCache,
  type ResourceServerEvent,
} from '../../src/index.js'
import { GuardedStore, sharedFlight, STORE_FAILED } from '../../src/cache/index.js'
import { type FakeAS, introspectingRs, rejection, startFakeAS } from '../support/index.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Like Redis: JSON values, TTLs, SET NX, a generation-less clear that notifies every listener. */
function sharedStore(options: { add?: boolean; delayMs?: number } = {}) {
  const map = new Map<string, { json: string; expiresAt: number }>()
  const listeners = new Set<() => void>()
  const ops: string[] = []
  const wait = () => (options.delayMs ? sleep(options.delayMs) : Promise.resolve())
  const live = (k: string) => {
    const e = map.get(k)
    if (e !== undefined && e.expiresAt <= Date.now()) map.delete(k)
    return map.get(k)
  }
  const store: CacheStore & { map: typeof map; ops: string[]; down: boolean } = {
    map,
    ops,
    down: false,
    async get(k) {
      ops.push(`get ${k}`)
      await wait()
      if (store.down) throw new Error('ECONNREFUSED')
      const e = live(k)
      return e === undefined ? undefined : JSON.parse(e.json)
    },
    async set(k, v, ttl) {
      ops.push(`set ${k}`)
      await wait()
      if (store.down) throw new Error('ECONNREFUSED')
      map.set(k, { json: JSON.stringify(v), expiresAt: Date.now() + ttl })
    },
    async delete(k) {
      ops.push(`delete ${k}`)
      if (store.down) throw new Error('ECONNREFUSED')
      map.delete(k)
    },
    async clear() {
      map.clear()
      for (const l of listeners) l()
    },
    onClear(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  if (options.add !== false) {
    store.add = async (k, v, ttl) => {
      ops.push(`add ${k}`)
      await wait()
      if (store.down) throw new Error('ECONNREFUSED')
      if (live(k) !== undefined) return false
      map.set(k, { json: JSON.stringify(v), expiresAt: Date.now() + ttl })
      return true
    }
  }
  return store
}

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())

const active = (sub = 'user-1') => ({
  active: true,
  sub,
  client_id: 'app',
  scope: 'read',
  iss: as.issuer,
  exp: Math.floor(Date.now() / 1000) + 600,
})

describe('MemoryCache.add', () => {
  it('stores only when nothing live is there', () => {
    let now = 1_000
    const cache = new MemoryCache<string>({ clock: () => now })
    expect(cache.add('k', 'a', 100)).toBe(true)
    expect(cache.add('k', 'b', 100)).toBe(false)
    expect(cache.get('k')).toBe('a')
    now += 100
    expect(cache.add('k', 'c', 100)).toBe(true)
    expect(cache.add('z', 'c', 0)).toBe(false)
  })
})

describe('GuardedStore', () => {
  it('bounds every call, reports an outage once, skips the store for the cooldown, then tries again', async () => {
    let now = 0
    const failures: string[] = []
    let calls = 0
    const store: CacheStore = { get: () => (calls++, new Promise(() => {})), set: () => {}, delete: () => {} }
    const guarded = new GuardedStore(store, { timeoutMs: 20, now: () => now, onFailure: (op) => failures.push(op) })
    const t0 = Date.now()
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    expect(Date.now() - t0).toBeLessThan(500)
    expect(await guarded.get('k')).toBe(STORE_FAILED) // skipped: not called
    expect(calls).toBe(1)
    expect(await guarded.add('k', 1, 10)).toBe(STORE_FAILED) // no add: unsupported
    now += 1_000
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    expect(calls).toBe(2)
    expect(failures).toEqual(['get']) // once per outage
  })

  it('a synchronous throw is a failure too; a success ends the outage', async () => {
    let now = 0
    let broken = true
    const failures: string[] = []
    const store: CacheStore = {
      get: () => {
        if (broken) throw new Error('boom')
        return 'v'
      },
      set: () => {},
      delete: () => {},
    }
    const guarded = new GuardedStore(store, { timeoutMs: 20, now: () => now, onFailure: (op) => failures.push(op) })
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    broken = false
    now += 1_000
    expect(await guarded.get('k')).toBe('v')
    broken = true
    now += 1
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    expect(failures).toEqual(['get', 'get'])
  })
})

describe('sharedFlight', () => {
  const guard = (store: CacheStore) => new GuardedStore(store, { timeoutMs: 50 })

  it('one computation for concurrent callers of several "instances"; the lock is released', async () => {
    const store = sharedStore()
    const g = guard(store)
    let computed = 0
    const flight = (owner: string) =>
      sharedFlight<string>({
        store: g,
        lockKey: 'lock',
        lockTtlMs: 2_000,
        owner,
        read: async () => {
          const v = await g.get('result')
          return v === STORE_FAILED ? v : typeof v === 'string' ? v : undefined
        },
        compute: async () => {
          computed++
          await sleep(30)
          await g.set('result', 'R', 10_000)
          return 'R'
        },
      })
    expect(await Promise.all(['a', 'b', 'c', 'd'].map(flight))).toEqual(['R', 'R', 'R', 'R'])
    expect(computed).toBe(1)
    expect(store.map.has('lock')).toBe(false)
  })

  it('a holder that fails releases the lock: a waiter computes itself at once; a lock held forever bounds the wait', async () => {
    const store = sharedStore()
    const g = guard(store)
    const read = async () => undefined
    const holder = sharedFlight<string>({
      store: g,
      lockKey: 'l',
      lockTtlMs: 5_000,
      owner: 'a',
      read,
      compute: async () => (await sleep(30), Promise.reject(new Error('AS down'))),
    })
    await sleep(5)
    const t0 = Date.now()
    const waiter = sharedFlight<string>({ store: g, lockKey: 'l', lockTtlMs: 5_000, owner: 'b', read, compute: async () => 'mine' })
    await expect(holder).rejects.toThrow('AS down')
    expect(await waiter).toBe('mine')
    expect(Date.now() - t0).toBeLessThan(1_000)

    // A crashed holder: the lock stays until it expires, the waiter stops waiting then.
    await store.add!('stuck', 'x', 300)
    const t1 = Date.now()
    expect(await sharedFlight<string>({ store: g, lockKey: 'stuck', lockTtlMs: 300, owner: 'b', read, compute: async () => 'after' })).toBe(
      'after',
    )
    expect(Date.now() - t1).toBeGreaterThanOrEqual(250)
    expect(Date.now() - t1).toBeLessThan(1_500)
  })
})

describe('sharedFlight when the holder’s store starts failing', () => {
  it('the lock is still released: the others do not wait out its lifetime', async () => {
    const store = sharedStore()
    const failingWrites = { ...store, set: async () => Promise.reject(new Error('down')) } as CacheStore
    const holderView = new GuardedStore(failingWrites, { timeoutMs: 50 })
    const otherView = new GuardedStore(store, { timeoutMs: 50 })
    const read = (g: GuardedStore) => async () => {
      const v = await g.get('result')
      return v === STORE_FAILED ? v : typeof v === 'string' ? v : undefined
    }
    const holder = sharedFlight<string>({
      store: holderView,
      lockKey: 'l2',
      lockTtlMs: 5_000,
      owner: 'a',
      read: read(holderView),
      compute: async () => (await sleep(20), await holderView.set('result', 'R', 1_000), 'R'),
    })
    await sleep(5)
    const t0 = Date.now()
    const waiter = sharedFlight<string>({
      store: otherView,
      lockKey: 'l2',
      lockTtlMs: 5_000,
      owner: 'b',
      read: read(otherView),
      compute: async () => 'own',
    })
    expect(await holder).toBe('R')
    expect(await waiter).toBe('own') // nothing was published: it asked itself, at once
    expect(Date.now() - t0).toBeLessThan(1_000)
  })
})

describe('a resource server on a shared store', () => {
  it('300 concurrent requests over 3 instances: 1 introspection; every instance then answers from memory', async () => {
    const store = sharedStore({ delayMs: 1 })
    as.introspect = async () => (await sleep(40), { body: active('u300') })
    const servers = [1, 2, 3].map(() => introspectingRs(as, { cache: { store } }))
    const before = as.introspections
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => servers[i % 3]!.authenticate('Bearer tok-300')))
    expect(results.every((r) => r.sub === 'u300')).toBe(true)
    expect(as.introspections - before).toBe(1)
    const opsBefore = store.ops.length
    for (const rs of servers) expect((await rs.authenticate('Bearer tok-300')).sub).toBe('u300')
    expect(store.ops.length).toBe(opsBefore) // warm: the first level answered, the store was not asked
    for (const k of store.map.keys()) expect(k).not.toContain('tok-300')
  })

  it('without add: per-instance coalescing (one introspection per instance at most)', async () => {
    const store = sharedStore({ add: false, delayMs: 1 })
    as.introspect = async () => (await sleep(40), { body: active() })
    const servers = [1, 2, 3].map(() => introspectingRs(as, { cache: { store } }))
    const before = as.introspections
    await Promise.all(Array.from({ length: 90 }, (_, i) => servers[i % 3]!.authenticate('Bearer tok-noadd')))
    expect(as.introspections - before).toBeLessThanOrEqual(3)
  })

  it('a verdict read from the store is kept in memory no longer than its remaining lifetime', async () => {
    const store = sharedStore()
    as.introspect = () => ({ body: active() })
    let now = Date.now()
    const a = introspectingRs(as, { cache: { store, maxTtl: 60 }, clock: () => now })
    const b = introspectingRs(as, { cache: { store, maxTtl: 60 }, clock: () => now })
    await a.authenticate('Bearer tok-life')
    now += 50_000
    const before = as.introspections
    await b.authenticate('Bearer tok-life') // from the store: 10 s left
    expect(as.introspections).toBe(before)
    now += 10_001
    // The store still has it (its TTL is real time) but the record says it is over: b asks the AS.
    await b.authenticate('Bearer tok-life')
    expect(as.introspections).toBe(before + 1)
  })

  it('clearCache() on one instance: the others drop their memory (onClear) and ask the AS again', async () => {
    const store = sharedStore()
    let revoked = false
    as.introspect = () => ({ body: revoked ? { active: false } : active() })
    const [a, b] = [introspectingRs(as, { cache: { store } }), introspectingRs(as, { cache: { store } })]
    await a.authenticate('Bearer tok-clear')
    await b.authenticate('Bearer tok-clear')
    revoked = true
    expect((await b.authenticate('Bearer tok-clear')).sub).toBe('user-1') // cached
    await a.clearCache()
    await rejection(() => b.authenticate('Bearer tok-clear'), BearerError, 401)
  })

  it('a store that goes down: answered from the AS within the bound, one store_error event, no hang', async () => {
    const store = sharedStore()
    const events: ResourceServerEvent[] = []
    as.introspect = () => ({ body: active() })
    const rs = introspectingRs(as, { cache: { store, storeTimeout: 0.03 }, onEvent: (e) => events.push(e) })
    store.down = true
    const t0 = Date.now()
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => rs.authenticate(`Bearer tok-down-${i}`)))
    expect(answers).toHaveLength(20)
    expect(Date.now() - t0).toBeLessThan(2_000)
    const storeErrors = events.filter((e) => e.type === 'store_error')
    expect(storeErrors).toHaveLength(1)
    expect(storeErrors[0]).toMatchObject({ type: 'store_error', operation: 'get', message: 'Error: ECONNREFUSED' })
  })

  it('a lock holder whose AS fails: the waiters are answered (503 or their own answer), never authorized by the lock', async () => {
    const store = sharedStore()
    let calls = 0
    as.introspect = async () => (calls++, await sleep(30), { status: 503, body: 'down' })
    const servers = [1, 2].map(() => introspectingRs(as, { cache: { store }, timeout: 1 }))
    const settled = await Promise.allSettled(servers.map((rs) => rs.authenticate('Bearer tok-asdown')))
    for (const s of settled) {
      expect(s.status).toBe('rejected')
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(AuthorizationServerError)
    }
    // The lock holder asked; a waiter whose lock came back empty may ask once itself: never more.
    expect(calls).toBeGreaterThanOrEqual(1)
    expect(calls).toBeLessThanOrEqual(2)
  })
})

describe('client credentials on a shared store', () => {
  let tokenAs: TestHttpServer
  let tokenRequests = 0
  beforeAll(async () => {
    tokenAs = await startHttpServer(async (req, res) => {
      await readBody(req)
      tokenRequests++
      await sleep(40)
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `at-${tokenRequests}-${'x'.repeat(20)}`, token_type: 'Bearer', expires_in: 3600 }))
    })
  })
  afterAll(() => tokenAs.close())

  it('3 managers × 100 concurrent calls: 1 token request, one token', async () => {
    const store = sharedStore({ delayMs: 1 })
    const managers = [1, 2, 3].map(() =>
      createClientCredentials({ tokenEndpoint: `${tokenAs.url}/token`, clientId: 'app', clientSecret: 'app-secret-long-enough', store }),
    )
    const before = tokenRequests
    const tokens = await Promise.all(Array.from({ length: 300 }, (_, i) => managers[i % 3]!.getAccessToken()))
    expect(tokenRequests - before).toBe(1)
    expect(new Set(tokens).size).toBe(1)
    for (const k of store.map.keys()) expect(k).not.toContain('app-secret')
  })
})
