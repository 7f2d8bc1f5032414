/**
 * What counts as a CacheStore at construction: the three required methods, and the optional ones
 * either absent or functions. A wrong store is refused when the options are read, never at the
 * first request.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError, createResourceServer, MemoryCache } from '../../src/index.js'
import { isCacheStore } from '../../src/cache/index.js'

const fn = () => undefined
const complete = { get: fn, set: fn, delete: fn }

describe('isCacheStore', () => {
  it('accepts get/set/delete, with or without the optional add, clear and onClear; methods may come from a prototype', () => {
    expect(isCacheStore(complete)).toBe(true)
    expect(isCacheStore({ ...complete, add: fn, clear: fn, onClear: fn })).toBe(true)
    expect(isCacheStore({ ...complete, add: undefined })).toBe(true)
    expect(isCacheStore(new MemoryCache())).toBe(true)
  })

  it.each([
    ['null', null],
    ['a string', 'redis://localhost'],
    ['a function', fn],
    ['no get', { set: fn, delete: fn }],
    ['no set', { get: fn, delete: fn }],
    ['no delete', { get: fn, set: fn }],
    ['get not a function', { ...complete, get: 'x' }],
    ['set not a function', { ...complete, set: {} }],
    ['delete not a function', { ...complete, delete: 1 }],
    ['add not a function', { ...complete, add: true }],
    ['clear not a function', { ...complete, clear: 'yes' }],
    ['onClear not a function', { ...complete, onClear: {} }],
  ])('refuses %s', (_, value) => {
    expect(isCacheStore(value)).toBe(false)
  })

  it('a wrong store is a ConfigurationError naming cache.store and what is expected, at construction', () => {
    const options = { issuer: 'https://as.example', audience: 'api', tokenFormat: 'jwt' } as const
    const error = (() => {
      try {
        createResourceServer({ ...options, cache: { store: { ...complete, add: true } as never } })
      } catch (err) {
        return err
      }
    })()
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as ConfigurationError).issues).toEqual([{ path: 'cache.store', message: 'expected a CacheStore ({ get, set, delete })' }])
    expect(() => createResourceServer({ ...options, cache: { store: complete } })).not.toThrow()
  })
})
