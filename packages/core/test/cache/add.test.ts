/** MemoryCache.add: set-if-absent, with an injected clock, never evicting a live entry. */
import { expect, it } from 'vitest'
import { MemoryCache } from '../../src/index.js'

it('adds only when no live entry holds the key', () => {
  let now = 0
  const cache = new MemoryCache<number>({ clock: () => now })
  expect(cache.add('k', 1, 1000)).toBe(true)
  expect(cache.add('k', 2, 1000)).toBe(false)
  expect(cache.get('k')).toBe(1)
  now = 1000
  expect(cache.add('k', 3, 1000)).toBe(true)
  expect(cache.get('k')).toBe(3)
})

it('when full, drops an expired oldest entry but never a live one (throws instead)', () => {
  let now = 0
  const cache = new MemoryCache<number>({ maxEntries: 2, clock: () => now })
  expect(cache.add('a', 1, 100)).toBe(true)
  expect(cache.add('b', 1, 1000)).toBe(true)
  expect(() => cache.add('c', 1, 1000)).toThrow(RangeError)
  now = 100
  expect(cache.add('c', 1, 1000)).toBe(true)
  expect(cache.get('b')).toBe(1)
  expect(() => cache.add('d', 1, 1000)).toThrow(RangeError)
  expect(cache.add('b', 2, 1000)).toBe(false)
})
