/**
 * DPoP replay detection: a `jti` is accepted once per proof key for the TTL given, through `add`
 * (SET NX) when the store has it or `get` then `set`; the store key and TTL handed to the store; and
 * failing closed with a `ReplayCacheError` (503) when the store throws, rejects, answers
 * something other than a boolean, or does not answer within the timeout.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryCache, sha256Hex, type CacheStore } from '../../src/cache/index.js'
import { ReplayCache } from '../../src/dpop/replay.js'
import { BearerError, ReplayCacheError } from '../../src/errors.js'
import { rejection, testClock } from '../support/index.js'

const proof = (jti: string, jkt = 'thumb') => ({ jti, jkt, iat: 0 })

describe('ReplayCache with an atomic add', () => {
  it('accepts a jti once per proof key; a replay is invalid_dpop_proof (401)', async () => {
    const replay = new ReplayCache(new MemoryCache<number>(), 60_000, 50)
    await replay.check(proof('a'))
    await replay.check(proof('a', 'other key'))
    await replay.check(proof('b'))
    const err = await rejection(() => replay.check(proof('a')), BearerError, 401, 'invalid_dpop_proof')
    expect(err).not.toBeInstanceOf(ReplayCacheError)
  })

  it('stores 1 under a hash of the key and jti, for the TTL given', async () => {
    const calls: unknown[][] = []
    const store: CacheStore<number> = {
      get: () => undefined,
      set: () => undefined,
      delete: () => undefined,
      add: (...args) => (calls.push(args), true),
    }
    await new ReplayCache(store, 123_000, 50).check(proof('the-jti', 'the-jkt'))
    expect(calls).toEqual([[sha256Hex('the-jkt.the-jti', 'dpop-jti:'), 1, 123_000]])
  })

  it('forgets a jti once the TTL is over', async () => {
    const clock = testClock()
    const replay = new ReplayCache(new MemoryCache<number>({ clock: clock.now }), 1000, 50)
    await replay.check(proof('a'))
    clock.advance(999)
    await rejection(() => replay.check(proof('a')), BearerError, 401, 'invalid_dpop_proof')
    clock.advance(1)
    await replay.check(proof('a'))
  })

  it('takes an asynchronous answer of add', async () => {
    const answers = [true, false]
    const store: CacheStore<number> = {
      get: () => undefined,
      set: () => undefined,
      delete: () => undefined,
      add: async () => answers.shift()!,
    }
    const replay = new ReplayCache(store, 1000, 50)
    await replay.check(proof('a'))
    await rejection(() => replay.check(proof('a')), BearerError, 401, 'invalid_dpop_proof')
  })
})

describe('ReplayCache with get and set only', () => {
  it('is fresh when get finds nothing, then sets 1 for the TTL; a replay when get finds something', async () => {
    const sets: unknown[][] = []
    const seen = new Map<string, number>()
    const store: CacheStore<number> = {
      get: async (key) => seen.get(key),
      set: async (key, value, ttl) => void (sets.push([key, value, ttl]), seen.set(key, value)),
      delete: () => undefined,
    }
    const replay = new ReplayCache(store, 5000, 50)
    await replay.check(proof('x', 'k'))
    expect(sets).toEqual([[sha256Hex('k.x', 'dpop-jti:'), 1, 5000]])
    await rejection(() => replay.check(proof('x', 'k')), BearerError, 401, 'invalid_dpop_proof')
    expect(sets).toHaveLength(1)
  })
})

describe('ReplayCache failing closed', () => {
  afterEach(() => void vi.useRealTimers())

  const withAdd = (add: CacheStore<number>['add']): CacheStore<number> => ({
    get: () => undefined,
    set: () => undefined,
    delete: () => undefined,
    add,
  })

  it('answers ReplayCacheError (503) with the store error as cause when add throws or rejects', async () => {
    const boom = new Error('boom')
    for (const add of [
      () => {
        throw boom
      },
      () => Promise.reject(boom),
    ]) {
      const err = await rejection(() => new ReplayCache(withAdd(add), 1000, 50).check(proof('a')), ReplayCacheError, 503)
      expect(err.code).toBe('replay_cache_unavailable')
      expect(err.cause).toBe(boom)
    }
  })

  it('answers ReplayCacheError when get fails', async () => {
    const store: CacheStore<number> = { get: () => Promise.reject(new Error('down')), set: () => undefined, delete: () => undefined }
    await rejection(() => new ReplayCache(store, 1000, 50).check(proof('a')), ReplayCacheError, 503)
  })

  it('answers ReplayCacheError when add answers something other than a boolean', async () => {
    for (const answer of ['yes', 1, undefined, null]) {
      await rejection(
        () =>
          new ReplayCache(
            withAdd(() => answer as never),
            1000,
            50,
          ).check(proof('a')),
        ReplayCacheError,
        503,
      )
      await rejection(
        () =>
          new ReplayCache(
            withAdd(async () => answer as never),
            1000,
            50,
          ).check(proof('a')),
        ReplayCacheError,
        503,
      )
    }
  })

  it('answers ReplayCacheError when the store does not answer within the timeout, and leaves no timer', async () => {
    vi.useFakeTimers()
    const pending = new ReplayCache(
      withAdd(() => new Promise<boolean>(() => {})),
      1000,
      40,
    ).check(proof('a'))
    let settled = false
    pending.then(
      () => (settled = true),
      () => (settled = true),
    )
    await vi.advanceTimersByTimeAsync(39)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(settled).toBe(true)
    await rejection(() => pending, ReplayCacheError, 503)
  })

  it('clears its timer once the store answered', async () => {
    vi.useFakeTimers()
    await new ReplayCache(
      withAdd(async () => true),
      1000,
      40,
    ).check(proof('a'))
    expect(vi.getTimerCount()).toBe(0)
  })
})
