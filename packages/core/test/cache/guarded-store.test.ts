/**
 * The guard every shared-store call goes through: a bound on each call, a cooldown after a failure
 * (the store is skipped, not hammered), the answers a lock may give, and the calls that go through
 * even during the cooldown. Fake timers and an injected clock: the bounds are exact.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CacheStore } from '../../src/index.js'
import { GuardedStore, STORE_COOLDOWN_MS, STORE_FAILED } from '../../src/cache/index.js'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})
afterEach(() => {
  vi.useRealTimers()
})

/** A store whose answers come after `delayMs` (0: synchronously), counting calls. */
function slowStore(delayMs: number, values: Partial<Record<keyof CacheStore, unknown>> = {}) {
  const calls: string[] = []
  const answer = (name: keyof CacheStore) => {
    calls.push(name)
    const value = values[name]
    if (value instanceof Error) throw value
    return delayMs === 0 ? value : new Promise((resolve) => setTimeout(() => resolve(value), delayMs))
  }
  const store = {
    get: () => answer('get'),
    set: () => answer('set'),
    delete: () => answer('delete'),
    add: () => answer('add'),
    clear: () => answer('clear'),
  } as unknown as CacheStore
  return { store, calls }
}

describe('GuardedStore: the bound on one call', () => {
  it('an answer within timeoutMs is used; one after it is a failure', async () => {
    const fast = new GuardedStore(slowStore(15, { get: 'v' }).store, { timeoutMs: 20 })
    const got = fast.get('k')
    await vi.advanceTimersByTimeAsync(15)
    expect(await got).toBe('v')

    const slow = new GuardedStore(slowStore(25, { get: 'v' }).store, { timeoutMs: 20 })
    const missed = slow.get('k')
    await vi.advanceTimersByTimeAsync(25)
    expect(await missed).toBe(STORE_FAILED)
  })

  it('an answer that lands on the same tick as the bound is still read (one more turn of the event loop)', async () => {
    // The store's answer is queued at 20 ms, just before the guard's timer fires at 20 ms.
    const store = {
      get: () => new Promise((resolve) => setTimeout(() => setTimeout(() => resolve('late but there'), 0), 20)),
      set: () => {},
      delete: () => {},
    } satisfies CacheStore
    const guarded = new GuardedStore(store, { timeoutMs: 20 })
    const got = guarded.get('k')
    await vi.advanceTimersByTimeAsync(25)
    expect(await got).toBe('late but there')
  })

  it('leaves no timer behind, answered or not', async () => {
    const guarded = new GuardedStore(slowStore(5, { get: 'v' }).store, { timeoutMs: 1_000 })
    const got = guarded.get('k')
    await vi.advanceTimersByTimeAsync(5)
    expect(await got).toBe('v')
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('GuardedStore: the cooldown after a failure', () => {
  it('skips the store until exactly cooldownMs after the failure, then calls it again', async () => {
    let now = 10_000
    const { store, calls } = slowStore(0, { get: new Error('ECONNREFUSED') })
    const guarded = new GuardedStore(store, { timeoutMs: 20, now: () => now, cooldownMs: 300 })
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    now += 299
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    expect(calls).toEqual(['get'])
    now += 1
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    expect(calls).toEqual(['get', 'get'])
  })

  it('is one second by default', async () => {
    expect(STORE_COOLDOWN_MS).toBe(1_000)
    let now = 0
    const { store, calls } = slowStore(0, { get: new Error('down') })
    const guarded = new GuardedStore(store, { timeoutMs: 20, now: () => now })
    await guarded.get('k')
    now = 999
    await guarded.get('k')
    expect(calls).toHaveLength(1)
    now = 1_000
    await guarded.get('k')
    expect(calls).toHaveLength(2)
  })

  it('a lock release (delete with always) and clear() go through during the cooldown; a plain delete does not', async () => {
    const now = 0
    const values: Record<string, unknown> = { get: new Error('down') }
    const { store, calls } = slowStore(0, values)
    const guarded = new GuardedStore(store, { timeoutMs: 20, now: () => now })
    await guarded.get('k')
    await guarded.delete('k')
    expect(calls).toEqual(['get'])
    await guarded.delete('lock', true)
    expect(await guarded.clear()).toBe(true)
    expect(calls).toEqual(['get', 'delete', 'clear'])
  })

  it('a reporter that throws changes no answer, and is called once per outage', async () => {
    let now = 0
    let broken = true
    const reports: string[] = []
    const store: CacheStore = {
      get: () => {
        if (broken) throw new Error('down')
        return 'v'
      },
      set: () => {},
      delete: () => {},
    }
    const guarded = new GuardedStore(store, {
      timeoutMs: 20,
      now: () => now,
      onFailure: (operation) => {
        reports.push(operation)
        throw new Error('the reporter is broken too')
      },
    })
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    now += 1_000
    expect(await guarded.get('k')).toBe(STORE_FAILED) // still failing: not reported again
    broken = false
    now += 1_000
    expect(await guarded.get('k')).toBe('v')
    broken = true
    now += 1_000
    expect(await guarded.get('k')).toBe(STORE_FAILED)
    expect(reports).toEqual(['get', 'get'])
  })
})

describe('GuardedStore: what each operation answers', () => {
  it('add: true only for a literal true; false for a taken key or any other answer; STORE_FAILED without add or on failure', async () => {
    for (const [answer, expected] of [
      [true, true],
      [false, false],
      ['OK', false],
      [1, false],
      [undefined, false],
      [null, false],
    ] as const) {
      const guarded = new GuardedStore(slowStore(0, { add: answer }).store, { timeoutMs: 20 })
      expect(await guarded.add('k', 'owner', 100), `add answered ${String(answer)}`).toBe(expected)
    }
    const { store } = slowStore(0)
    const withoutAdd = new GuardedStore({ get: store.get, set: store.set, delete: store.delete }, { timeoutMs: 20 })
    expect(withoutAdd.canLock).toBe(false)
    expect(await withoutAdd.add('k', 'owner', 100)).toBe(STORE_FAILED)
    const broken = new GuardedStore(slowStore(0, { add: new Error('down') }).store, { timeoutMs: 20 })
    expect(broken.canLock).toBe(true)
    expect(await broken.add('k', 'owner', 100)).toBe(STORE_FAILED)
  })

  it('set: true when stored, false when the store failed', async () => {
    expect(await new GuardedStore(slowStore(0).store, { timeoutMs: 20 }).set('k', 1, 100)).toBe(true)
    expect(await new GuardedStore(slowStore(0, { set: new Error('down') }).store, { timeoutMs: 20 }).set('k', 1, 100)).toBe(false)
  })

  it('clear: false without clear or when it failed, true when done', async () => {
    const { store } = slowStore(0)
    expect(await new GuardedStore({ get: store.get, set: store.set, delete: store.delete }, { timeoutMs: 20 }).clear()).toBe(false)
    expect(await new GuardedStore(slowStore(0, { clear: new Error('down') }).store, { timeoutMs: 20 }).clear()).toBe(false)
    expect(await new GuardedStore(slowStore(0).store, { timeoutMs: 20 }).clear()).toBe(true)
  })

  it('calls the store with its own this (a class-based client keeps working)', async () => {
    class Client implements CacheStore {
      readonly map = new Map<string, unknown>()
      get(k: string) {
        return this.map.get(k)
      }
      set(k: string, v: unknown) {
        this.map.set(k, v)
      }
      delete(k: string) {
        this.map.delete(k)
      }
      add(k: string, v: unknown) {
        if (this.map.has(k)) return false
        this.map.set(k, v)
        return true
      }
      clear() {
        this.map.clear()
      }
    }
    const guarded = new GuardedStore(new Client(), { timeoutMs: 20 })
    expect(await guarded.add('k', 'a', 100)).toBe(true)
    expect(await guarded.add('k', 'b', 100)).toBe(false)
    expect(await guarded.get('k')).toBe('a')
    expect(await guarded.clear()).toBe(true)
    expect(await guarded.get('k')).toBeUndefined()
  })
})
