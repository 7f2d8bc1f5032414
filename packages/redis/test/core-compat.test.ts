/**
 * The store plugs into @org/rs-core as it is today: a RedisStore is a CacheStore (checked by
 * `pnpm typecheck`), and core's option validation accepts it. No Redis is needed: nothing is called.
 */
import { type CacheStore, createClientCredentials, createResourceServer } from '@org/rs-core'
import { expect, expectTypeOf, it } from 'vitest'
import { createRedisStore, type RedisStore, type SharedStore } from '../src/index.js'

it('a RedisStore is a CacheStore and a SharedStore, accepted by createResourceServer and createClientCredentials', async () => {
  expectTypeOf<RedisStore>().toExtend<CacheStore>()
  expectTypeOf<RedisStore>().toExtend<SharedStore>()
  expectTypeOf<SharedStore>().toExtend<CacheStore>()

  // A port nobody listens on: the store only reconnects in the background until closed.
  const store = createRedisStore({ url: 'redis://127.0.0.1:1' }, { reconnectMaxDelayMs: 50 })
  try {
    const asCacheStore: CacheStore = store
    expect(() =>
      createResourceServer({ issuer: 'https://as.example', clientId: 'rs', clientSecret: 's', cache: { store: asCacheStore } }),
    ).not.toThrow()
    expect(() => createClientCredentials({ issuer: 'https://as.example', clientId: 'app', clientSecret: 's', store })).not.toThrow()
    // Down: a typed rejection, which core treats as a miss.
    await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
  } finally {
    await store.close()
  }
})
