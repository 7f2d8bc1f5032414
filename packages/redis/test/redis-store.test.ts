/**
 * The Redis store on a real redis-server started by this test on 127.0.0.1 (no persistence).
 * Skipped with a message when redis-server is not installed, except under CI where that fails.
 */
import { redisServerInstalled, startRedisServer, type TestRedisServer } from '@org/rs-testing'
import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRedisStore, type RedisStore, StoreError, StoreTimeoutError, StoreUnavailableError } from '../src/index.js'

// CI installs redis-server (.ci/run); elsewhere the suite says it is skipped rather than silently passing.
const available = redisServerInstalled()
if (!available && process.env.CI) throw new Error('redis-server is not installed: .ci/run should install it')
if (!available) console.warn('redis-server is not installed: the @org/rs-redis tests are skipped')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How a promise settled within `boundMs`, or 'hung'. The bound is generous: it tells "settles" from "hangs", it does not time speed. */
async function settle<T>(promise: Promise<T>, boundMs: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | 'hung'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), boundMs)))
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      hung,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `condition` every 10 ms until it holds or `boundMs` passed; returns whether it held. */
async function eventually(condition: () => boolean | Promise<boolean>, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs
  for (;;) {
    try {
      if (await condition()) return true
    } catch {
      // not yet
    }
    if (Date.now() > deadline) return false
    await sleep(10)
  }
}

function rawClient(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: (retries) => (retries > 100 ? false : 50) } })
  client.on('error', () => {})
  return client
}

// Unhandled errors anywhere in the run fail it (vitest reports them too; this names them).
const unhandled: unknown[] = []
const onUnhandled = (err: unknown) => unhandled.push(err)

describe.skipIf(!available)('createRedisStore on a real Redis', () => {
  let redisServer: TestRedisServer
  let url: string
  let raw: ReturnType<typeof rawClient>
  const stores: RedisStore[] = []
  let prefixCount = 0
  const newPrefix = () => `t${++prefixCount}-${process.pid}:`

  // Semantics tests get a generous timeout: the machine running them may be loaded (the default, 50 ms,
  // is for production). The 'Redis killed mid-run' test uses 50 ms.
  function store<V = unknown>(
    source: Parameters<typeof createRedisStore>[0],
    options: Parameters<typeof createRedisStore>[1] = {},
  ): RedisStore<V> {
    const s = createRedisStore<V>(source, { timeout: 1_000, ...options })
    stores.push(s as RedisStore)
    return s
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled)
    process.on('uncaughtException', onUnhandled)
    redisServer = await startRedisServer()
    url = redisServer.url
    raw = rawClient(url)
    await raw.connect()
  }, 30_000)

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()))
  })

  afterAll(async () => {
    await raw?.close().catch(() => {})
    await redisServer?.stop()
    process.off('unhandledRejection', onUnhandled)
    process.off('uncaughtException', onUnhandled)
    expect(unhandled).toEqual([])
  })

  it('get / set / delete / add, values as compact JSON under {prefix}{generation}:{key}', async () => {
    const prefix = newPrefix()
    const s = store({ url }, { prefix })
    await s.ready()
    expect(s.generation).toBe(0)

    expect(await s.get('missing')).toBeUndefined()
    await s.set('k', { active: true, scope: 'read write', n: 1 }, 60_000)
    expect(await s.get('k')).toEqual({ active: true, scope: 'read write', n: 1 })
    expect(await raw.get(`${prefix}0:k`)).toBe('{"active":true,"scope":"read write","n":1}')
    await s.set('k', 'replaced', 60_000)
    expect(await s.get('k')).toBe('replaced')
    await s.delete('k')
    expect(await s.get('k')).toBeUndefined()
    await s.delete('never-set') // no error

    expect(await s.add('lock', 1, 60_000)).toBe(true)
    expect(await s.add('lock', 2, 60_000)).toBe(false)
    expect(await s.get('lock')).toBe(1)
    await s.delete('lock')
    expect(await s.add('lock', 3, 60_000)).toBe(true)
    expect(await s.get('lock')).toBe(3)

    // JSON null is a value, not a miss; falsy values survive.
    await s.set('null', null, 60_000)
    expect(await s.get('null')).toBeNull()
    await s.set('zero', 0, 60_000)
    expect(await s.get('zero')).toBe(0)

    // Nothing outside the namespace.
    const keys = (await raw.keys('*')).filter((k) => k.startsWith(prefix)).sort()
    expect(keys).toEqual([`${prefix}0:lock`, `${prefix}0:null`, `${prefix}0:zero`])
  })

  it('lifetimes are milliseconds (PX), at least 1', async () => {
    const prefix = newPrefix()
    const s = store({ url }, { prefix })
    await s.ready()
    await s.set('long', 'x', 90_000)
    const pttl = await raw.pTTL(`${prefix}0:long`)
    expect(pttl).toBeGreaterThan(80_000)
    expect(pttl).toBeLessThanOrEqual(90_000)

    await s.set('short', 'x', 150)
    expect(await s.get('short')).toBe('x')
    expect(await eventually(async () => (await s.get('short')) === undefined, 2_000)).toBe(true)

    expect(await s.add('short-lock', 1, 150)).toBe(true)
    expect(await s.add('short-lock', 1, 150)).toBe(false)
    expect(await eventually(async () => s.add('short-lock', 1, 60_000), 2_000)).toBe(true)

    // A fraction rounds up, zero and negative become 1 ms: the entry never outlives its lifetime and always has one.
    await s.set('fraction', 'x', 0.2)
    await s.set('zero', 'x', 0)
    await s.set('negative', 'x', -5)
    expect(
      await eventually(async () => (await raw.exists([`${prefix}0:fraction`, `${prefix}0:zero`, `${prefix}0:negative`])) === 0, 1_000),
    ).toBe(true)

    // A lifetime that is not a number, and a value JSON cannot hold, are the caller's mistakes.
    await expect(s.set('inf', 'x', Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError)
    await expect(s.set('nan', 'x', Number.NaN)).rejects.toThrow(RangeError)
    await expect(s.set('undefined', undefined, 1_000)).rejects.toThrow(TypeError)
    await expect(s.add('fn', (() => 1) as unknown, 1_000)).rejects.toThrow(TypeError)
  })

  it('values read back are untrusted: garbage is a miss, never a throw', async () => {
    const prefix = newPrefix()
    const s = store({ url }, { prefix })
    await s.ready()
    await raw.set(`${prefix}0:garbage`, 'not json {')
    await raw.set(`${prefix}0:empty`, '')
    await raw.set(`${prefix}0:binary`, Buffer.from([0xff, 0xfe, 0x00, 0x7b]))
    expect(await s.get('garbage')).toBeUndefined()
    expect(await s.get('empty')).toBeUndefined()
    expect(await s.get('binary')).toBeUndefined()

    // Parsed, not validated (core validates the shape); JSON.parse never touches Object.prototype.
    await raw.set(`${prefix}0:proto`, '{"__proto__":{"polluted":true}}')
    const value = (await s.get('proto')) as Record<string, unknown>
    expect(Object.hasOwn(value, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()

    // A key of another type is an error answer of Redis: a typed rejection (a miss for core).
    await raw.hSet(`${prefix}0:hash`, 'f', 'v')
    await expect(s.get('hash')).rejects.toBeInstanceOf(StoreUnavailableError)
  })

  it("prefix isolation: another application's keys and another namespace are untouched, clear() included", async () => {
    // Another application on the same Redis, under its own prefix, with and without lifetimes.
    const other = 'other-app:'
    for (let i = 0; i < 200; i++)
      await raw.set(`${other}entry:${i}`, `v${i}`, i % 2 === 0 ? { expiration: { type: 'PX', value: 600_000 } } : undefined)
    await raw.set(`${other}generation`, '41')
    await raw.set('rs-unrelated', 'keep')
    const snapshot = async () => {
      const keys = (await raw.keys(`${other}*`)).sort()
      return {
        keys,
        values: await raw.mGet(keys),
        persistent: (await Promise.all(keys.map((k) => raw.pTTL(k)))).filter((t) => t === -1).length,
      }
    }
    const before = await snapshot()
    expect(before.keys).toHaveLength(201)

    const prefix = newPrefix()
    const mine = store({ url }, { prefix })
    const neighbour = store({ url }, { prefix: `${prefix}neighbour:` }) // even a prefix that extends ours
    await Promise.all([mine.ready(), neighbour.ready()])
    await mine.set('k', 'mine', 60_000)
    await neighbour.set('k', 'neighbour', 60_000)
    expect(await mine.get('k')).toBe('mine')
    expect(await neighbour.get('k')).toBe('neighbour')

    let neighbourCleared = 0
    neighbour.onClear(() => neighbourCleared++)
    await mine.clear()
    await mine.clear()
    expect(mine.generation).toBe(2)
    expect(await mine.get('k')).toBeUndefined()

    await sleep(50) // time for a (wrong) pub/sub message to arrive
    expect(neighbourCleared).toBe(0)
    expect(neighbour.generation).toBe(0)
    expect(await neighbour.get('k')).toBe('neighbour')
    expect(await snapshot()).toEqual(before)
    expect(await raw.get(`${other}generation`)).toBe('41')
    expect(await raw.get('rs-unrelated')).toBe('keep')
  })

  it('clear() invalidates a second instance at once through pub/sub', async () => {
    const prefix = newPrefix()
    // The second instance re-reads the generation once a minute: only pub/sub can explain what follows.
    const a = store({ url }, { prefix })
    const b = store({ url }, { prefix, generationRefreshMs: 60_000 })
    await Promise.all([a.ready(), b.ready()])
    await a.set('verdict', { active: true }, 60_000)
    expect(await b.get('verdict')).toEqual({ active: true })

    const seenByA: number[] = []
    const seenByB: number[] = []
    a.onClear(() => seenByA.push(Date.now()))
    const unsubscribe = b.onClear(() => seenByB.push(Date.now()))
    await a.clear()
    expect(a.generation).toBe(1)
    expect(seenByA).toHaveLength(1) // this instance's own clear()
    expect(await a.get('verdict')).toBeUndefined()

    expect(await eventually(() => seenByB.length === 1, 2_000)).toBe(true)
    expect(b.generation).toBe(1)
    expect(await b.get('verdict')).toBeUndefined()
    // Old entries are not deleted: they expire by their lifetime.
    expect(await raw.get(`${prefix}0:verdict`)).toBe('{"active":true}')

    // Entries written after the clear are shared again.
    await b.set('verdict', { active: false }, 60_000)
    expect(await a.get('verdict')).toEqual({ active: false })

    unsubscribe()
    await b.clear()
    await sleep(50)
    expect(seenByB).toHaveLength(1)
    expect(await eventually(() => seenByA.length === 2, 2_000)).toBe(true) // once, although a's pub/sub saw it too
    await sleep(50)
    expect(seenByA).toHaveLength(2)
    expect(a.generation).toBe(2)
  })

  it('a missed pub/sub message is caught up within generationRefreshMs', async () => {
    const prefix = newPrefix()
    const refreshMs = 100
    const b = store({ url }, { prefix, generationRefreshMs: refreshMs })
    await b.ready()
    await b.set('verdict', 'cached', 60_000)
    let cleared = 0
    b.onClear(() => cleared++)

    // Another instance bumped the generation, but its message never arrived.
    expect(await raw.incr(`${prefix}generation`)).toBe(1)
    const start = Date.now()
    expect(await eventually(async () => (await b.get('verdict')) === undefined, refreshMs + 2_000)).toBe(true)
    expect(Date.now() - start).toBeLessThan(refreshMs + 2_000)
    expect(cleared).toBe(1)
    expect(b.generation).toBe(1)
  })

  it('{ client }: an application-owned client is used, bounded, and left open by close()', async () => {
    const prefix = newPrefix()
    const client = createClient({ url, disableOfflineQueue: true })
    client.on('error', () => {})
    await client.connect()
    try {
      const s = createRedisStore({ client }, { prefix, timeout: 1_000 })
      const a = store({ url }, { prefix })
      await Promise.all([s.ready(), a.ready()])
      await s.set('k', [1, 2, 3], 60_000)
      expect(await a.get('k')).toEqual([1, 2, 3])
      let cleared = 0
      s.onClear(() => cleared++)
      await a.clear()
      expect(await eventually(() => cleared === 1, 2_000)).toBe(true)
      const listeners = client.listenerCount('error')
      await s.close()
      expect(client.isReady).toBe(true)
      expect(client.listenerCount('error')).toBe(listeners - 1)
      expect(await client.ping()).toBe('PONG')
      await expect(s.get('k')).rejects.toBeInstanceOf(StoreUnavailableError)
    } finally {
      await client.close()
    }
  })

  it('{ client } speaking RESP3 works the same', async () => {
    const prefix = newPrefix()
    const client = createClient({ url, RESP: 3, disableOfflineQueue: true })
    client.on('error', () => {})
    await client.connect()
    try {
      const s = store({ client }, { prefix })
      const other = store({ url }, { prefix, generationRefreshMs: 60_000 })
      await Promise.all([s.ready(), other.ready()])
      await s.set('k', { x: 1 }, 60_000)
      expect(await s.get('k')).toEqual({ x: 1 })
      expect(await s.add('k', 2, 60_000)).toBe(false)
      expect(await s.add('fresh', 2, 60_000)).toBe(true)
      let cleared = 0
      s.onClear(() => cleared++)
      await other.clear()
      expect(await eventually(() => cleared === 1, 2_000)).toBe(true)
      expect(await s.get('k')).toBeUndefined()
      await s.clear()
      expect(s.generation).toBe(2)
      await s.close()
    } finally {
      await client.close()
    }
  })

  it('close() disconnects its own client, is idempotent, and later operations reject', async () => {
    const s = store({ url }, { prefix: newPrefix() })
    await s.ready()
    await s.set('k', 1, 60_000)
    const pending = s.get('k')
    await Promise.all([s.close(), s.close()])
    expect(await pending).toBe(1) // in-flight operations finish first
    for (const op of [s.get('k'), s.set('k', 1, 1_000), s.delete('k'), s.add('k', 1, 1_000), s.clear(), s.ready()]) {
      await expect(op).rejects.toMatchObject({ name: 'StoreUnavailableError', code: 'STORE_UNAVAILABLE' })
    }
  })

  it('rejects wrong sources and options at creation', () => {
    expect(() => createRedisStore({} as never)).toThrow(TypeError)
    expect(() => createRedisStore({ url }, { prefix: '' })).toThrow(TypeError)
    expect(() => createRedisStore({ url }, { timeout: 0 })).toThrow(RangeError)
    expect(() => createRedisStore({ url }, { generationRefreshMs: Number.NaN })).toThrow(RangeError)
    expect(() => createRedisStore({ client: {} as never })).toThrow(TypeError)
  })

  describe('Redis killed mid-run', () => {
    const timeout = 50
    const bound = timeout + 1_000 // "settles", not "is fast": a generous margin on 2 shared cores
    let server: TestRedisServer | undefined
    let serverUrl: string

    beforeAll(async () => {
      server = await startRedisServer()
      serverUrl = server.url
    }, 30_000)

    afterAll(async () => {
      await server?.stop('SIGKILL')
    })

    it('every operation settles within the timeout while Redis is stalled or dead, then the store recovers by itself', async () => {
      const prefix = newPrefix()
      const errors: Error[] = []
      const a = store({ url: serverUrl }, { prefix, timeout, reconnectMaxDelayMs: 200, onError: (err) => errors.push(err) })
      const b = store({ url: serverUrl }, { prefix, timeout, reconnectMaxDelayMs: 200, generationRefreshMs: 60_000 })
      // An application-owned client with node-redis defaults (offline queue on): the store still never waits.
      const owned = createClient({ url: serverUrl, socket: { reconnectStrategy: () => 100 } })
      owned.on('error', () => {})
      await owned.connect()
      const c = store({ client: owned }, { prefix, timeout })
      try {
        await Promise.all([a.ready(), b.ready(), c.ready()])
        await a.set('k', 'before', 60_000)
        await a.clear()
        await a.set('k', 'before', 60_000)
        expect(await eventually(() => b.generation === 1 && c.generation === 1, 2_000)).toBe(true)

        const allOps = (s: RedisStore) => [s.get('k'), s.set('k', 'x', 60_000), s.delete('k'), s.add('lock', 1, 60_000), s.clear()]
        const expectAllRejectTyped = async (ops: Promise<unknown>[], type: abstract new (...args: never[]) => StoreError) => {
          const results = await Promise.all(ops.map((op) => settle(op, bound)))
          for (const result of results) {
            expect(result).not.toBe('hung')
            expect(result).toMatchObject({ ok: false })
            expect((result as { error: unknown }).error).toBeInstanceOf(type)
          }
        }

        // Stalled: connected, but no answer. Every operation times out.
        server!.process.kill('SIGSTOP')
        try {
          await expectAllRejectTyped([...allOps(a), ...allOps(c)], StoreTimeoutError)
          const [timedOut] = await Promise.allSettled([a.get('k')])
          expect((timedOut as PromiseRejectedResult).reason).toMatchObject({
            name: 'StoreTimeoutError',
            code: 'STORE_TIMEOUT',
            operation: 'get',
            timeoutMs: timeout,
          })
        } finally {
          server!.process.kill('SIGCONT')
        }
        // A write that timed out may still be applied once Redis answers again (here: the stalled set, delete, clear).
        expect(await eventually(async () => (await a.set('k', 'before', 60_000), (await a.get('k')) === 'before'), 2_000)).toBe(true)

        // Dead: killed. Every operation rejects (not connected, or timed out) over a stretch of reconnection attempts.
        await server?.stop('SIGKILL')
        for (let round = 0; round < 5; round++) {
          await expectAllRejectTyped([...allOps(a), ...allOps(b), ...allOps(c)], StoreError)
          await sleep(60)
        }
        await expect(a.ready(100)).rejects.toBeInstanceOf(StoreTimeoutError)
        const causes = errors.map((e) => `${e.name}:${(e as { code?: string }).code ?? e.message}`)
        expect(causes.length).toBeGreaterThan(0)
        expect(new Set(causes).size).toBe(causes.length) // once per cause

        // Back on the same port (empty: no persistence). The stores reconnect by themselves.
        server = await startRedisServer({ port: server!.port })
        expect(await eventually(async () => (await a.set('k', 'after', 60_000), true), 10_000)).toBe(true)
        expect(await eventually(async () => (await c.get('k')) === 'after', 10_000)).toBe(true)
        // Redis restarted empty: the generation starts again from 0, for every instance.
        expect(a.generation).toBe(0)
        expect(await eventually(async () => (await b.get('k')) === 'after', 10_000)).toBe(true)
        expect(b.generation).toBe(0)

        // Pub/sub works again: b re-subscribed by itself (its refresh is once a minute).
        let cleared = 0
        b.onClear(() => cleared++)
        await a.clear()
        expect(await eventually(() => cleared === 1, 5_000)).toBe(true)
        expect(await b.get('k')).toBeUndefined()
        expect(await b.add('lock', 1, 60_000)).toBe(true)
      } finally {
        await c.close()
        await owned.close().catch(() => {})
      }
      expect(unhandled).toEqual([])
    }, 60_000)
  })
})
