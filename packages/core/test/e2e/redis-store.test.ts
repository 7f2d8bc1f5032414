/**
 * A shared CacheStore on a real Redis server (started by this test on 127.0.0.1): several resource
 * server instances share introspection results, and several client-credentials managers share one
 * token. The store is the one the README shows.
 */
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  faults,
  redisServerInstalled,
  startHttpServer,
  startRedisServer,
  startTestAS,
  type TestAS,
  type TestRedisServer,
} from '@org/rs-testing'
import { type CacheStore, createClientCredentials, createResourceServer } from '../../src/index.js'

// CI installs redis-server (.ci/run); elsewhere the suite says it is skipped rather than silently passing.
const available = redisServerInstalled()
if (!available && process.env.CI) throw new Error('redis-server is not installed: .ci/run should install it')

describe.skipIf(!available)('a shared CacheStore on a real Redis', () => {
  let redisServer: TestRedisServer
  let redis: ReturnType<typeof createClient>
  let as: TestAS
  let store: CacheStore

  beforeAll(async () => {
    redisServer = await startRedisServer()
    redis = createClient({ url: redisServer.url })
    redis.on('error', () => {})
    await redis.connect()
    // The README's store, verbatim.
    store = {
      async get(key) {
        const v = await redis.get(key)
        return v === null ? undefined : JSON.parse(v)
      },
      async set(key, value, ttlMs) {
        await redis.set(key, JSON.stringify(value), { PX: Math.max(1, Math.ceil(ttlMs)) })
      },
      async delete(key) {
        await redis.del(key)
      },
    }
    as = await startTestAS()
  }, 30_000)

  afterAll(async () => {
    await redis?.quit().catch(() => {})
    await redisServer?.stop()
    await as?.stop()
  })

  it('three resource server instances share introspection results: one request at the AS', async () => {
    const options = {
      issuer: as.issuer,
      clientId: 'rs-json',
      clientSecret: as.clients['rs-json'].clientSecret,
      // A generous bound on store calls: this test is about sharing, and at the default 50 ms a loaded
      // machine turned a slow read into a miss (a second introspection). The bound is tested in test/cache.
      cache: { store, maxTtl: 120, storeTimeout: 2 },
    }
    const [a, b, c] = [createResourceServer(options), createResourceServer(options), createResourceServer(options)]
    const token = await as.issueToken({ sub: 'shared-user', scope: 'read' })
    as.resetCounts()
    expect((await a.authenticate(`Bearer ${token}`)).sub).toBe('shared-user')
    expect((await b.authenticate(`Bearer ${token}`)).sub).toBe('shared-user')
    expect((await c.authenticate(`Bearer ${token}`, { scopes: ['read'] })).scopes).toEqual(['read'])
    expect(as.requestCount('/token/introspection')).toBe(1)

    const keys = await redis.keys('rs:introspection:*')
    expect(keys.length).toBeGreaterThanOrEqual(1)
    for (const key of keys) {
      expect(key).toMatch(/^rs:introspection:[0-9a-f]{64}$/)
      expect(await redis.get(key)).not.toContain(token)
      const ttl = await redis.pTTL(key)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(120_000)
    }
  })

  it('a failing AS leaves nothing in the store', async () => {
    const broken = await startHttpServer(faults.status(500))
    try {
      const rs = createResourceServer({
        issuer: broken.url,
        introspectionEndpoint: `${broken.url}/i`,
        clientId: 'rs',
        clientSecret: 's',
        cache: { store },
      })
      const before = await redis.dbSize()
      await expect(rs.authenticate('Bearer some-opaque-token')).rejects.toMatchObject({ status: 503 })
      expect(await redis.dbSize()).toBe(before)
    } finally {
      await broken.close()
    }
  })

  it('two client-credentials managers share one token through the store', async () => {
    const options = { issuer: as.issuer, clientId: 'app', clientSecret: as.clients.app.clientSecret, scope: 'read', store }
    const first = createClientCredentials(options)
    const second = createClientCredentials(options)
    as.resetCounts()
    const t1 = await first.getAccessToken()
    const t2 = await second.getAccessToken()
    expect(t2).toBe(t1)
    expect(as.requestCount('/token')).toBe(1)
  })
})
