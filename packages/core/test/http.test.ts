/**
 * Outgoing HTTP to the authorization server, piece by piece: the timeout, Retry-After, the media
 * type, the bounded body reader, and which URLs may be called. Bodies come from real local servers
 * (chunked, lying about their length, never ending); the end-to-end behaviour is in test/e2e and
 * test/hostile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { AuthorizationServerError } from '../src/index.js'
import { boundedFetch, isAllowedUrl, isLoopback, mediaType, parseRetryAfter, readBytes, readText, withTimeout } from '../src/http.js'
import { rejection } from './support/index.js'

let server: TestHttpServer
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const url = new URL(req.url!, 'http://x')
    const size = Number(url.searchParams.get('size') ?? 0)
    const chunk = Number(url.searchParams.get('chunk') ?? size)
    if (url.pathname === '/chunked') {
      // No Content-Length: the body's size is known only by reading it.
      res.writeHead(200, { 'content-type': 'text/plain' })
    } else if (url.pathname === '/declared') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(size) })
    } else if (url.pathname === '/status') {
      res.writeHead(Number(url.searchParams.get('code')), { 'content-type': 'application/json', 'content-encoding': 'identity' })
      res.end()
      return
    } else res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    let sent = 0
    while (sent < size) {
      const n = Math.min(chunk, size - sent)
      res.write(Buffer.alloc(n, 'a'))
      sent += n
    }
    res.end()
  })
})
afterAll(() => server.close())

describe('withTimeout', () => {
  it('returns what the call returns, and hands it a signal that is not aborted', async () => {
    expect(await withTimeout('the AS', 1_000, async (signal) => (signal.aborted ? 'aborted' : 'ok'))).toBe('ok')
  })

  it('a call slower than the bound: the signal is aborted and the error is a timeout naming what was called and the bound', async () => {
    let seen: AbortSignal | undefined
    const err = await rejection(
      () =>
        withTimeout('the discovery document', 30, (signal) => {
          seen = signal
          return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
        }),
      AuthorizationServerError,
    )
    expect(err).toMatchObject({ failure: 'timeout', message: 'the discovery document did not answer within 30 ms' })
    expect(seen?.aborted).toBe(true)
    expect((seen?.reason as DOMException).name).toBe('TimeoutError')
  })

  it('a network failure names its cause; an AuthorizationServerError passes through untouched', async () => {
    const cause = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') })
    const err = await rejection(() => withTimeout('the token endpoint', 1_000, () => Promise.reject(cause)), AuthorizationServerError)
    expect(err).toMatchObject({
      failure: 'network',
      message: 'the token endpoint could not be reached (fetch failed: connect ECONNREFUSED 127.0.0.1:1)',
    })
    expect((err as Error).cause).toBe(cause)
    const plain = await rejection(() => withTimeout('the AS', 1_000, () => Promise.reject(new Error('reset'))), AuthorizationServerError)
    expect(plain).toMatchObject({ failure: 'network', message: 'the AS could not be reached (reset)' })
    const notAnError = await rejection(() => withTimeout('the AS', 1_000, () => Promise.reject('just a string')), AuthorizationServerError)
    expect(notAnError).toMatchObject({ failure: 'network', message: 'the AS could not be reached (just a string)' })
    const own = new AuthorizationServerError('bad_response', 'already typed')
    expect(await rejection(() => withTimeout('the AS', 1_000, () => Promise.reject(own)), AuthorizationServerError)).toBe(own)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-30T10:00:00Z')
  it.each([
    [null, undefined],
    ['', undefined],
    ['120', 120],
    [' 7 ', 7],
    ['0', 0],
    ['100000', 300],
    ['soon', undefined],
    ['Mon, 30 Nov 2026 10:00:30 GMT', 30],
    ['Mon, 30 Nov 2026 10:00:00 GMT', 0],
    ['Mon, 30 Nov 2026 09:00:00 GMT', 0],
    ['Mon, 30 Nov 2026 11:00:00 GMT', 300],
  ])('%j -> %j seconds', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })

  it('an HTTP date rounds up to the next second, and the bound is adjustable', () => {
    expect(parseRetryAfter(new Date(now + 2_000).toUTCString(), now + 500)).toBe(2) // 1.5 s
    expect(parseRetryAfter('600', now, 1_000)).toBe(600)
    expect(parseRetryAfter('600', now, 60)).toBe(60)
  })
})

describe('mediaType', () => {
  it.each([
    ['application/json', 'application/json'],
    ['Application/JSON; charset=UTF-8', 'application/json'],
    ['  application/jwt  ;x=1', 'application/jwt'],
    [undefined, ''],
  ])('%j -> %j', (contentType, expected) => {
    const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType }
    expect(mediaType(new Response(null, { headers }))).toBe(expected)
  })
})

describe('readBytes and readText', () => {
  it('reads a body in one chunk or many, whole and in order, up to the bound included', async () => {
    const one = await readBytes(await fetch(`${server.url}/?size=1000`), 'the AS', 1_000)
    expect(one.byteLength).toBe(1_000)
    const many = await readText(await fetch(`${server.url}/chunked?size=3000&chunk=100`), 'the AS', 3_000)
    expect(many).toBe('a'.repeat(3_000))
  })

  it('refuses a body one byte over the bound, declared or not, naming what sent it and the bound', async () => {
    const declared = await rejection(
      async () => readBytes(await fetch(`${server.url}/declared?size=1001`), 'the JWKS', 1_000),
      AuthorizationServerError,
    )
    expect(declared).toMatchObject({ failure: 'bad_response', message: 'the JWKS sent a body larger than 1000 bytes', upstreamStatus: 200 })
    const streamed = await rejection(
      async () => readBytes(await fetch(`${server.url}/chunked?size=1001&chunk=100`), 'the JWKS', 1_000),
      AuthorizationServerError,
    )
    expect(streamed).toMatchObject({ failure: 'bad_response', message: 'the JWKS sent a body larger than 1000 bytes' })
  })

  it('stops reading a body that never ends once past the bound (the stream is cancelled)', async () => {
    const response = await fetch(`${server.url}/chunked?size=100000&chunk=1000`)
    await expect(readBytes(response, 'the AS', 5_000)).rejects.toMatchObject({ failure: 'bad_response' })
  })

  it('an empty body is empty bytes; a body-less Response too', async () => {
    expect((await readBytes(await fetch(`${server.url}/?size=0`), 'the AS')).byteLength).toBe(0)
    expect((await readBytes(new Response(null), 'the AS')).byteLength).toBe(0)
  })

  it('256 KB by default', async () => {
    expect((await readBytes(await fetch(`${server.url}/chunked?size=262144&chunk=65536`), 'the AS')).byteLength).toBe(262_144)
    await expect(readBytes(await fetch(`${server.url}/chunked?size=262145&chunk=65536`), 'the AS')).rejects.toMatchObject({
      failure: 'bad_response',
    })
  })
})

describe('boundedFetch', () => {
  it('hands on a buffered response: same status and headers, minus the encoding and length of the original', async () => {
    const f = boundedFetch(undefined, 10_000, 'the AS')
    const response = await f(`${server.url}/?size=10`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await response.text()).toBe('a'.repeat(10))
    const bodyless = await f(`${server.url}/status?code=204`)
    expect(bodyless.status).toBe(204)
    expect(bodyless.body).toBeNull()
    expect(bodyless.headers.get('content-encoding')).toBeNull()
  })

  it('uses the fetch it is given, and refuses a body over its bound', async () => {
    const calls: string[] = []
    const f = boundedFetch(
      async (input, init) => {
        calls.push(String(input))
        return fetch(input, init)
      },
      100,
      'the introspection endpoint',
    )
    await expect(f(`${server.url}/?size=101`)).rejects.toMatchObject({
      failure: 'bad_response',
      message: 'the introspection endpoint sent a body larger than 100 bytes',
    })
    expect(calls).toEqual([`${server.url}/?size=101`])
  })

  it.each([205, 304])('status %i has no body to read', async (code) => {
    const f = boundedFetch(async () => new Response(null, { status: code }), 10, 'the AS')
    const response = await f('http://127.0.0.1/')
    expect(response.status).toBe(code)
    expect(response.body).toBeNull()
  })
})

describe('isAllowedUrl and isLoopback', () => {
  it.each([
    ['https://as.example/', false, true],
    ['http://as.example/', false, false],
    ['http://as.example/', true, true],
    ['http://localhost:8080/', false, true],
    ['http://127.0.0.1/', false, true],
    ['http://127.255.0.9/', false, true],
    ['http://[::1]:3000/', false, true],
    ['http://128.0.0.1/', false, false],
    ['http://127.0.0.1.nip.io/', false, false],
    ['http://localhost.example/', false, false],
    ['ftp://as.example/', true, false],
    ['file:///etc/passwd', true, false],
  ])('%s (allowInsecureRequests %s) -> %s', (url, insecure, expected) => {
    expect(isAllowedUrl(new URL(url), insecure)).toBe(expected)
  })

  it('isLoopback takes hostnames only: no scheme, no port, four dotted numbers in 127/8', () => {
    expect(isLoopback('127.0.0.1')).toBe(true)
    expect(isLoopback('x127.0.0.1')).toBe(false)
    expect(isLoopback('127.0.0.1x')).toBe(false)
    expect(isLoopback('127.0.0')).toBe(false)
    expect(isLoopback('127.1000.0.1')).toBe(false)
    expect(isLoopback('::1')).toBe(false)
  })
})
