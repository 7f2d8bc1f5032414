/**
 * Class 5: every response body from the AS (introspection, discovery, JWKS, token endpoint) is read
 * through a byte-limited stream reader; a body past `maxResponseBytes` (default 256 KB) is aborted
 * without reading the rest, Content-Length or not. The 50 MB case also measures peak memory.
 */
import type { ServerResponse } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { AuthorizationServerError, createClientCredentials, createResourceServer } from '../../src/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** How one response ended; `closed` settles when its connection closes (the client's abort, or the end). */
interface Log {
  written: number
  completed: boolean
  aborted: boolean
  closed: Promise<void>
}
function newLog(): Log & { close: () => void } {
  let close!: () => void
  const closed = new Promise<void>((resolve) => (close = resolve))
  return { written: 0, completed: false, aborted: false, closed, close }
}

/** Streams `total` bytes of `fill` in 64 KB chunks, chunked (no Content-Length), honouring backpressure; records how it ended. */
function stream(res: ServerResponse, total: number, contentType: string, log: Log & { close: () => void }) {
  res.writeHead(200, { 'content-type': contentType }) // no content-length: chunked
  const chunk = Buffer.alloc(64 * 1024, 0x61)
  res.on('close', () => {
    if (!log.completed) log.aborted = true
    log.close()
  })
  const pump = () => {
    while (log.written < total) {
      if (res.destroyed) return
      log.written += chunk.length
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    log.completed = true
    res.end()
  }
  pump()
}

let big: TestHttpServer
let log = newLog()
let size = 50 * 1024 * 1024
beforeAll(async () => {
  big = await startHttpServer((req, res) => {
    req.resume()
    log = newLog() // one record per response: the last one
    stream(res, size, req.url?.includes('jwks') ? 'application/jwk-set+json' : 'application/json', log)
  })
})
afterAll(() => big.close())

function memory(): number {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

describe('a 50 MB introspection body without Content-Length', () => {
  it('is aborted past 256 KB with AuthorizationServerError bad_response; peak memory stays < 20 MB above baseline', async () => {
    size = 50 * 1024 * 1024
    const rs = createResourceServer({
      issuer: big.url,
      introspectionEndpoint: `${big.url}/introspect`,
      clientId: 'rs',
      clientSecret: 'secret-secret',
      cache: false,
    })
    gc()
    const baseline = memory()
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 1)
    const err = await rs.authenticate('Bearer opaque-token-1').catch((e: unknown) => e)
    clearInterval(sampler)
    peak = Math.max(peak, memory())
    expect(err).toBeInstanceOf(AuthorizationServerError)
    expect((err as AuthorizationServerError).failure).toBe('bad_response')
    expect((err as Error).message).toMatch(/larger than 262144 bytes/)
    await log.closed // the server sees the client's abort (if it never came, the test would time out)
    expect(log.completed).toBe(false)
    expect(log.aborted).toBe(true)
    const aboveMb = (peak - baseline) / 2 ** 20
    console.log(
      `hostile: 50 MB body aborted after the server wrote ${(log.written / 2 ** 20).toFixed(1)} MB; peak heap+buffers ${aboveMb.toFixed(1)} MB above baseline`,
    )
    expect(aboveMb).toBeLessThan(20)
  })
})

describe('the bound applies to every AS response', () => {
  beforeAll(() => {
    size = 512 * 1024 // over the new 256 KB default, under the old 1 MB bound
  })
  const isBadResponse = (err: unknown) => {
    expect(err, String(err) + String((err as Error).cause)).toBeInstanceOf(AuthorizationServerError)
    expect((err as AuthorizationServerError).failure, (err as Error).message).toBe('bad_response')
    expect(err).toBeInstanceOf(AuthorizationServerError)
    expect((err as AuthorizationServerError).failure).toBe('bad_response')
  }

  it('discovery', async () => {
    const rs = createResourceServer({ issuer: big.url, clientId: 'rs', clientSecret: 'secret-secret' })
    isBadResponse(await rs.authenticate('Bearer opaque').catch((e: unknown) => e))
  })

  it('JWKS (jose customFetch)', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256')
    const jwt = await new jose.SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k' })
      .setIssuer(big.url)
      .setAudience('api')
      .setExpirationTime('5m')
      .sign(privateKey)
    const rs = createResourceServer({ issuer: big.url, jwksUri: `${big.url}/jwks`, audience: 'api', tokenFormat: 'jwt' })
    isBadResponse(await rs.authenticate(`Bearer ${jwt}`).catch((e: unknown) => e))
  })

  it('token endpoint', async () => {
    const cc = createClientCredentials({
      tokenEndpoint: `${big.url}/token`,
      clientId: 'c',
      clientSecret: 'secret-secret',
      retry: { attempts: 1 },
    })
    isBadResponse(await cc.getAccessToken().catch((e: unknown) => e))
  })

  it('maxResponseBytes is configurable, and validated', async () => {
    size = 10 * 1024
    const rs = createResourceServer({
      issuer: big.url,
      introspectionEndpoint: `${big.url}/i`,
      clientId: 'rs',
      clientSecret: 'secret-secret',
      maxResponseBytes: 4096,
    })
    const err = await rs.authenticate('Bearer opaque').catch((e: unknown) => e)
    isBadResponse(err)
    expect((err as Error).message).toMatch(/larger than 4096 bytes/)
    expect(() => createResourceServer({ issuer: big.url, clientId: 'rs', clientSecret: 's', maxResponseBytes: 10 })).toThrow(
      /maxResponseBytes: must be at least 1024/,
    )
  })
})
