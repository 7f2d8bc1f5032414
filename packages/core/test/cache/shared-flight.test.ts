/**
 * sharedFlight's waiting rules, on a real in-memory store behind the same guard the resource server
 * uses, with fake timers (the polls are timed: 5 ms doubling to 50 ms, bounded by the lock's lifetime).
 * The many-instance behaviour on a Redis-like store is in two-levels.test.ts and packages/scale-tests.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type CacheStore, MemoryCache } from '../../src/index.js'
import { GuardedStore, instanceId, sharedFlight, STORE_FAILED, type StoreFailed } from '../../src/cache/index.js'

/** A MemoryCache as a shared store, counting calls; `failing` makes the chosen operations throw. */
function countingStore() {
  const memory = new MemoryCache<unknown>()
  const calls: string[] = []
  const failing = new Set<string>()
  const op =
    <A extends unknown[], R>(name: string, f: (...a: A) => R) =>
    (...a: A): R => {
      calls.push(`${name} ${String(a[0])}`)
      if (failing.has(name)) throw new Error(`${name} failed`)
      return f(...a)
    }
  const store: CacheStore = {
    get: op('get', (k: string) => memory.get(k)),
    set: op('set', (k: string, v: unknown, ttl: number) => memory.set(k, v, ttl)),
    delete: op('delete', (k: string) => memory.delete(k)),
    add: op('add', (k: string, v: unknown, ttl: number) => memory.add(k, v, ttl)),
  }
  // A one-hour cooldown would hide the store after one failure; 0 keeps every call going to it.
  return { store, guarded: new GuardedStore(store, { timeoutMs: 1_000, cooldownMs: 0 }), memory, calls, failing }
}

/** Reads the published result of key 'result' through the guard, as the resource server does. */
const reader = (guarded: GuardedStore, reads: { n: number }) => async (): Promise<string | undefined | StoreFailed> => {
  reads.n++
  const v = await guarded.get('result')
  return v === STORE_FAILED ? v : typeof v === 'string' ? v : undefined
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('sharedFlight: the instance that takes the lock', () => {
  it('returns a result published between its miss and its lock without computing, and releases the lock', async () => {
    const { guarded, memory, calls } = countingStore()
    memory.set('result', 'published', 60_000)
    const compute = vi.fn(async () => 'computed')
    const reads = { n: 0 }
    const out = await sharedFlight({
      store: guarded,
      lockKey: 'lock',
      lockTtlMs: 1_000,
      owner: 'me',
      read: reader(guarded, reads),
      compute,
    })
    expect(out).toBe('published')
    expect(compute).not.toHaveBeenCalled()
    expect(reads.n).toBe(1)
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toContain('delete lock')
    expect(memory.get('lock')).toBeUndefined()
  })

  it('computes once when nothing is published, with its own id as the lock value, and releases the lock even when computing fails', async () => {
    const { guarded, memory, calls } = countingStore()
    let lockValueSeen: unknown
    const out = await sharedFlight({
      store: guarded,
      lockKey: 'lock',
      lockTtlMs: 1_000,
      owner: 'owner-id',
      read: reader(guarded, { n: 0 }),
      compute: async () => {
        lockValueSeen = memory.get('lock')
        return 'computed'
      },
    })
    expect(out).toBe('computed')
    expect(lockValueSeen).toBe('owner-id')
    expect(calls.filter((c) => c === 'add lock')).toHaveLength(1)

    const failing = sharedFlight({
      store: guarded,
      lockKey: 'lock2',
      lockTtlMs: 1_000,
      owner: 'owner-id',
      read: reader(guarded, { n: 0 }),
      compute: async () => Promise.reject(new Error('AS down')),
    })
    await expect(failing).rejects.toThrow('AS down')
    await vi.advanceTimersByTimeAsync(0)
    expect(memory.get('lock2')).toBeUndefined()
  })

  it('computes at once when the store cannot lock (add fails), without polling', async () => {
    const { guarded, calls, failing } = countingStore()
    failing.add('add')
    const reads = { n: 0 }
    const out = await sharedFlight({
      store: guarded,
      lockKey: 'lock',
      lockTtlMs: 1_000,
      owner: 'me',
      read: reader(guarded, reads),
      compute: async () => 'mine',
    })
    expect(out).toBe('mine')
    expect(reads.n).toBe(0)
    expect(calls).toEqual(['add lock'])
  })
})

describe('sharedFlight: an instance that finds the lock taken', () => {
  it('returns whileHeld at once when given, reading nothing', async () => {
    const { guarded, memory } = countingStore()
    memory.add('lock', 'other', 60_000)
    const reads = { n: 0 }
    const compute = vi.fn(async () => 'mine')
    const out = await sharedFlight({
      store: guarded,
      lockKey: 'lock',
      lockTtlMs: 1_000,
      owner: 'me',
      read: reader(guarded, reads),
      compute,
      whileHeld: 'still valid',
    })
    expect(out).toBe('still valid')
    expect(reads.n).toBe(0)
    expect(compute).not.toHaveBeenCalled()
  })

  it('waits for the holder and returns what it publishes, without computing', async () => {
    const { guarded, memory } = countingStore()
    memory.add('lock', 'other', 60_000)
    const compute = vi.fn(async () => 'mine')
    const flight = sharedFlight({
      store: guarded,
      lockKey: 'lock',
      lockTtlMs: 1_000,
      owner: 'me',
      read: reader(guarded, { n: 0 }),
      compute,
    })
    await vi.advanceTimersByTimeAsync(30)
    memory.set('result', 'theirs', 60_000)
    await vi.advanceTimersByTimeAsync(60)
    expect(await flight).toBe('theirs')
    expect(compute).not.toHaveBeenCalled()
  })

  it('polls at 5, 10, 20, 40 ms, then every 50 ms, until the lock expires, then computes itself', async () => {
    const { guarded, memory, calls } = countingStore()
    memory.add('lock', 'other', 400) // a crashed holder: the lock stays until it expires
    const reads = { n: 0 }
    const flight = sharedFlight({
      store: guarded,
      lockKey: 'lock',
      lockTtlMs: 400,
      owner: 'me',
      read: reader(guarded, reads),
      compute: async () => 'mine',
    })
    const pollTimes: number[] = []
    const start = Date.now()
    for (let t = 0; t < 400; t++) {
      const before = reads.n
      await vi.advanceTimersByTimeAsync(1)
      if (reads.n > before) pollTimes.push(Date.now() - start)
    }
    await vi.advanceTimersByTimeAsync(10)
    expect(await flight).toBe('mine')
    // Reads at 5, 15, 35, 75, 125, 175, …: the waits double from 5 ms and stop growing at 50 ms.
    expect(pollTimes.slice(0, 6)).toEqual([5, 15, 35, 75, 125, 175])
    expect(pollTimes.at(-1)).toBeLessThanOrEqual(400)
    // Each poll reads the result and checks the lock.
    expect(calls.filter((c) => c === 'get lock').length).toBe(pollTimes.length)
  })

  it('a lock released without a result: reads once more, then computes itself (the holder failed)', async () => {
    const { guarded, memory } = countingStore()
    memory.add('lock', 'other', 60_000)
    const reads = { n: 0 }
    const flight = sharedFlight({
      store: guarded,
      lockKey: 'lock',
      lockTtlMs: 10_000,
      owner: 'me',
      read: reader(guarded, reads),
      compute: async () => 'mine',
    })
    await vi.advanceTimersByTimeAsync(6)
    expect(reads.n).toBe(1)
    memory.delete('lock')
    await vi.advanceTimersByTimeAsync(10)
    expect(await flight).toBe('mine')
    expect(reads.n).toBe(3) // the poll that saw the lock gone, then the last read
  })

  it('a lock released right after publishing: the last read finds the result', async () => {
    const { store, memory } = countingStore()
    memory.add('lock', 'other', 60_000)
    // The holder publishes and releases between the waiter's read and its lock check.
    let reads = 0
    const guarded = new GuardedStore(store, { timeoutMs: 1_000, cooldownMs: 0 })
    const read = async () => {
      reads++
      if (reads === 1) {
        // Published and released before this waiter's lock check, which runs right after this read.
        memory.set('result', 'theirs', 60_000)
        memory.delete('lock')
        return undefined
      }
      const v = await guarded.get('result')
      return typeof v === 'string' ? v : undefined
    }
    const compute = vi.fn(async () => 'mine')
    const flight = sharedFlight({ store: guarded, lockKey: 'lock', lockTtlMs: 10_000, owner: 'me', read, compute })
    await vi.advanceTimersByTimeAsync(10)
    expect(await flight).toBe('theirs')
    expect(compute).not.toHaveBeenCalled()
  })

  it('a store that fails while waiting (the result read, or the lock read) makes it compute itself at once', async () => {
    for (const broken of ['result', 'lock']) {
      const { store, memory } = countingStore()
      memory.add('lock', 'other', 60_000)
      const guarded = new GuardedStore(
        {
          ...store,
          get: (k) => {
            if (k === broken) throw new Error('down')
            return store.get(k)
          },
        },
        { timeoutMs: 1_000, cooldownMs: 0 },
      )
      const reads = { n: 0 }
      const flight = sharedFlight({
        store: guarded,
        lockKey: 'lock',
        lockTtlMs: 10_000,
        owner: 'me',
        read: reader(guarded, reads),
        compute: async () => 'mine',
      })
      await vi.advanceTimersByTimeAsync(6)
      expect(await flight).toBe('mine')
      expect(reads.n).toBeLessThanOrEqual(2)
    }
  })
})

describe('instanceId', () => {
  it('is 128 random bits in lowercase hex, two digits a byte, different for every instance', () => {
    const ids = Array.from({ length: 50 }, instanceId)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(new Set(ids).size).toBe(50)
  })
})
