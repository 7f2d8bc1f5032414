/**
 * DPoP replay detection shared across resource server instances through a RedisStore (`add` is
 * `SET NX PX`, atomic), on a real redis-server and a real oidc-provider: a proof accepted by one
 * instance is refused by the other; with Redis down the request is answered 503, never accepted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, createServer } from 'node:net'
import { createResourceServer, ReplayCacheError, type ResourceServer, toErrorResponse } from '@org/rs-core'
import { dpopProof, startTestAS, type TestAS } from '@org/rs-testing'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisStore, type RedisStore } from '../src/index.js'

function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const available = hasRedis()
if (!available && process.env.CI) throw new Error('redis-server is not installed: .ci/run should install it')

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (ok) return child
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server did not start on port ${port}`)
}

const API = 'https://api.example.test'
const HREF = 'https://api.example.com/orders'

describe.skipIf(!available)('DPoP replay detection shared through Redis', () => {
  let redis: ChildProcess
  let as: TestAS
  let key: CryptoKeyPair
  let token: string
  const stores: RedisStore[] = []
  const instance = (): ResourceServer => {
    const store = createRedisStore({ url: `redis://127.0.0.1:${port}` }, { prefix: 'api:dpop:', timeout: 300, reconnectMaxDelayMs: 50 })
    stores.push(store)
    return createResourceServer({
      issuer: as.issuer,
      tokenFormat: 'jwt',
      audience: API,
      allowInsecureRequests: true,
      dpop: { replay: { store } },
    })
  }
  let port: number

  beforeAll(async () => {
    port = await freePort()
    ;[redis, as, key] = await Promise.all([startRedis(port), startTestAS(), jose.generateKeyPair('ES256')])
    token = await as.issueToken({ scope: 'read', resource: API, dpop: key })
  })
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()))
    if (redis && redis.exitCode === null && redis.signalCode === null) {
      const exited = once(redis, 'exit')
      redis.kill('SIGTERM')
      await exited
    }
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
    const exited = once(redis, 'exit')
    redis.kill('SIGKILL')
    await exited
    const err = await rs.authenticateRequest(await request()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ReplayCacheError)
    expect(toErrorResponse(err)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } })
  })
})
