import { describe, expect, it } from 'vitest'
import { MemoryCache } from '../../src/index.js'
import { sha256Hex, SingleFlight } from '../../src/cache/index.js'

describe('MemoryCache', () => {
  it('expires entries at their lifetime (injected clock)', () => {
    let now = 1_000_000
    const cache = new MemoryCache<string>({ clock: () => now })
    cache.set('a', 'A', 1000)
    expect(cache.get('a')).toBe('A')
    now += 999
    expect(cache.get('a')).toBe('A')
    now += 1
    expect(cache.get('a')).toBeUndefined()
    cache.set('b', 'B', 0)
    expect(cache.get('b')).toBeUndefined()
  })

  it('holds its bound, evicting the least recently used', () => {
    const cache = new MemoryCache<number>({ maxEntries: 3 })
    cache.set('a', 1, 60_000)
    cache.set('b', 2, 60_000)
    cache.set('c', 3, 60_000)
    expect(cache.get('a')).toBe(1) // a is now the most recent
    cache.set('d', 4, 60_000)
    expect(cache.size).toBe(3)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe(1)
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i, 60_000)
    expect(cache.size).toBe(3)
  })

  it('rejects a nonsensical bound', () => {
    expect(() => new MemoryCache({ maxEntries: 0 })).toThrow(RangeError)
  })
})

describe('sha256Hex', () => {
  it('is the SHA-256 of the string, so a key never reveals the token', async () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})

describe('SingleFlight', () => {
  it('shares one call among concurrent callers and forgets it once settled', async () => {
    const sf = new SingleFlight<number>()
    let calls = 0
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const fn = async () => {
      calls++
      await gate
      return calls
    }
    const pending = Array.from({ length: 100 }, () => sf.run('k', fn))
    expect(sf.size).toBe(1)
    release()
    const results = await Promise.all(pending)
    expect(new Set(results)).toEqual(new Set([1]))
    expect(sf.size).toBe(0)
    expect(await sf.run('k', fn)).toBe(2)
    // failures are not remembered either
    await expect(sf.run('e', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await sf.run('e', async () => 7)).toBe(7)
  })
})
