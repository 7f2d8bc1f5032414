/** MemoryCache against a plain reference model: the same answers, the same size, after any sequence of calls. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemoryCache } from '../../src/index.js'

/** The reference: entries in an array, most recently used first; every operation a linear scan. */
class Model {
  entries: { key: string; value: number; expiresAt: number }[] = []
  constructor(
    readonly max: number,
    readonly now: () => number,
  ) {}
  #find(key: string) {
    return this.entries.findIndex((e) => e.key === key)
  }
  #remove(key: string) {
    const i = this.#find(key)
    if (i >= 0) this.entries.splice(i, 1)
  }
  get(key: string): number | undefined {
    const i = this.#find(key)
    if (i < 0) return undefined
    const [entry] = this.entries.splice(i, 1)
    if (entry!.expiresAt <= this.now()) return undefined
    this.entries.unshift(entry!)
    return entry!.value
  }
  set(key: string, value: number, ttl: number) {
    this.#remove(key)
    if (!(ttl > 0)) return
    if (this.entries.length >= this.max) this.entries.pop()
    this.entries.unshift({ key, value, expiresAt: this.now() + ttl })
  }
  delete(key: string) {
    this.#remove(key)
  }
  add(key: string, value: number, ttl: number): boolean | 'throws' {
    if (!(ttl > 0)) return false
    const entry = this.entries[this.#find(key)]
    if (entry !== undefined && entry.expiresAt > this.now()) return false
    if (entry === undefined && this.entries.length >= this.max) {
      if (this.entries.at(-1)!.expiresAt > this.now()) return 'throws'
      this.entries.pop()
    }
    this.set(key, value, ttl)
    return true
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g')
const ttl = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -5, Number.NaN, Infinity) },
)
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('get' as const), key }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer(), ttl }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('add' as const), key, value: fc.integer(), ttl }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 10 }) }) },
)

it('answers get and add, and holds the size, exactly as an LRU with lifetimes would (model, property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 80 }), (maxEntries, ops) => {
      let now = 1_000
      const clock = () => now
      const cache = new MemoryCache<number>({ maxEntries, clock })
      const model = new Model(maxEntries, clock)
      for (const o of ops) {
        switch (o.op) {
          case 'get':
            expect(cache.get(o.key)).toBe(model.get(o.key))
            break
          case 'set':
            cache.set(o.key, o.value, o.ttl)
            model.set(o.key, o.value, o.ttl)
            break
          case 'add': {
            const expected = model.add(o.key, o.value, o.ttl)
            if (expected === 'throws') expect(() => cache.add(o.key, o.value, o.ttl)).toThrow(RangeError)
            else expect(cache.add(o.key, o.value, o.ttl)).toBe(expected)
            break
          }
          case 'delete':
            cache.delete(o.key)
            model.delete(o.key)
            break
          case 'clear':
            cache.clear()
            model.entries = []
            break
          case 'tick':
            now += o.ms
        }
        expect(cache.size).toBe(model.entries.length)
        expect(cache.size).toBeLessThanOrEqual(maxEntries)
      }
      // Every key still answers as the model says (reading in the model's order keeps both in step).
      for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(cache.get(k)).toBe(model.get(k))
    }),
    { numRuns: 1000 },
  )
})

it('an evicted entry is gone for good and the entry that took its place has its own value and lifetime', () => {
  let now = 0
  const cache = new MemoryCache<string>({ maxEntries: 2, clock: () => now })
  cache.set('a', 'A', 10)
  cache.set('b', 'B', 100)
  cache.set('c', 'C', 50) // evicts a
  expect(cache.get('a')).toBeUndefined()
  expect([cache.get('b'), cache.get('c'), cache.size]).toEqual(['B', 'C', 2])
  now = 50
  expect([cache.get('b'), cache.get('c')]).toEqual(['B', undefined])
  cache.clear()
  expect([cache.size, cache.get('b')]).toEqual([0, undefined])
  cache.set('d', 'D', 1)
  expect(cache.get('d')).toBe('D')
})

it('holds one entry when maxEntries is 1', () => {
  const cache = new MemoryCache<number>({ maxEntries: 1 })
  cache.set('a', 1, 60_000)
  cache.set('b', 2, 60_000)
  expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([undefined, 2, 1])
})

describe('MemoryCache past its first 64 slots', () => {
  it('grows its slots on demand up to maxEntries, keeps every entry, then evicts the least recently used', () => {
    let now = 0
    const cache = new MemoryCache<number>({ maxEntries: 300, clock: () => now })
    for (let i = 0; i < 300; i++) cache.set(`k${i}`, i, 1_000)
    expect(cache.size).toBe(300)
    for (let i = 0; i < 300; i++) expect(cache.get(`k${i}`), `k${i}`).toBe(i)
    cache.get('k0') // k0 is now the most recently used: k1 is the oldest
    cache.set('k300', 300, 1_000)
    expect(cache.size).toBe(300)
    expect(cache.get('k1')).toBeUndefined()
    expect(cache.get('k0')).toBe(0)
    expect(cache.get('k300')).toBe(300)
    now += 1_000
    expect(cache.get('k0')).toBeUndefined() // every lifetime is kept in the grown slots too
  })
})
