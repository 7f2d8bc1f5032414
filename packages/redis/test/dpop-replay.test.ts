/**
 * DPoP replay detection shared across resource server instances through a RedisStore (`add` is
 * `SET NX PX`, atomic), on a real redis-server and a real oidc-provider: a proof accepted by one
 * instance is refused by the other; with Redis down the request is answered 503, never accepted.
 */
import { createResourceServer, ReplayCacheError, type ResourceServer, toErrorResponse } from '@org/rs-core'
import { dpopProof, redisServerInstalled, startRedisServer, startTestAS, type TestAS, type TestRedisServer } from '@org/rs-testing'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'

const available = redisServerInstalled()
if (!available && process.env.CI) throw new Error('redis-server is not installed: .ci/run should install it')

const API = 'https://api.example.test'
const HREF = 'https://api.example.com/orders'

describe.skipIf(!available)('DPoP replay detection shared through Redis', () => {
  let redis: TestRedisServer
  let as: TestAS
  let key: CryptoKeyPair
  let token: string
  const stores: RedisStore[] = []
  const instance = (): ResourceServer => {
    const store = createRedisStore({ url: redis.url }, { prefix: 'api:dpop:', timeout: 300, reconnectMaxDelayMs: 50 })
    stores.push(store)
    return createResourceServer({
      issuer: as.issuer,
      tokenFormat: 'jwt',
      audience: API,
      allowInsecureRequests: true,
      dpop: { replay: { store } },
    })
  }
  beforeAll(async () => {
    ;[redis, as, key] = await Promise.all([startRedisServer(), startTestAS(), jose.generateKeyPair('ES256')])
    token = await as.issueToken({ scope: 'read', resource: API, dpop: key })
  })
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await redis?.stop()
    await as?.stop()
  })

  const request = async (proof?: string) => ({
    method: 'GET',
    url: '/orders',
    href: HREF,
    headers: { authorization: `DPoP ${token}`, dpop: proof ?? (await dpopProof(key, 'GET', HREF, { accessToken: token })) },
  })

  it('a proof accepted by one instance is refused by another', async () => {
    const [a, b] = [instance(), instance()]
    const req = await request()
    await expect(a.authenticateRequest(req)).resolves.toMatchObject({ clientId: 'app' })
    await expect(b.authenticateRequest(req)).rejects.toMatchObject({ code: 'invalid_dpop_proof', status: 401 })
    await expect(a.authenticateRequest(req)).rejects.toMatchObject({ code: 'invalid_dpop_proof' })
  })

  it('concurrent replays on two instances: exactly one is accepted', async () => {
    const [a, b] = [instance(), instance()]
    const req = await request()
    const results = await Promise.allSettled([a, b, a, b].map((rs) => rs.authenticateRequest(req)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })

  it('Redis down: 503 with Retry-After, never accepted', async () => {
    const rs = instance()
    await rs.authenticateRequest(await request()) // warm: token verified and cached
    await redis.stop('SIGKILL')
    const err = await rs.authenticateRequest(await request()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ReplayCacheError)
    expect(toErrorResponse(err)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } })
  })
})
