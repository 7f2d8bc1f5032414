/**
 * MetadataSource on its own, against a real local server whose metadata each test sets, with an
 * injected clock: one discovery for concurrent callers, failures not remembered, the last good
 * metadata kept, rediscovery after markStale at most once per cooldown, the periodic refresh, and
 * what discovered metadata must hold. The interop suite (test/interop/discovery.test.ts) covers the
 * document locations and vendors' layouts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { AuthorizationServerError } from '../src/index.js'
import { describe as describeError, MetadataSource, type MetadataSourceOptions } from '../src/metadata.js'
import { rejection } from './support/index.js'

let server: TestHttpServer
let metadata: (issuer: string) => Record<string, unknown> | number
let hits: string[]
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    hits.push(req.url!)
    const answer = metadata(server.url)
    if (typeof answer === 'number') {
      res.writeHead(answer)
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer))
  })
})
afterAll(() => server.close())
beforeEach(() => {
  hits = []
  metadata = (issuer) => ({
    issuer,
    jwks_uri: `${issuer}/jwks`,
    introspection_endpoint: `${issuer}/introspect`,
    token_endpoint: `${issuer}/token`,
  })
})

function source(options: Partial<MetadataSourceOptions> & { now?: { t: number } } = {}) {
  const now = options.now ?? { t: 1_000_000 }
  return new MetadataSource({
    issuer: server.url,
    required: ['jwks_uri'],
    timeoutMs: 2_000,
    allowInsecureRequests: false,
    clock: () => now.t,
    ...options,
  })
}

/** Lets a background refresh finish. */
const settle = () => new Promise((r) => setTimeout(r, 50))

describe('MetadataSource: discovery', () => {
  it('concurrent callers share one discovery; later calls reuse its result without a request', async () => {
    const s = source()
    const results = await Promise.all([s.get(), s.get(), s.get()])
    expect(hits).toEqual(['/.well-known/openid-configuration'])
    expect(results[0]).toBe(results[2])
    expect(results[0]!.jwks_uri).toBe(`${server.url}/jwks`)
    expect(await s.get()).toBe(results[0])
    expect(hits).toHaveLength(1)
  })

  it('calls onDiscovered with the issuer after each successful discovery only', async () => {
    const seen: string[] = []
    const s = source({ onDiscovered: (issuer) => seen.push(issuer) })
    metadata = () => 500
    await rejection(async () => s.get(), AuthorizationServerError)
    expect(seen).toEqual([])
    metadata = (issuer) => ({ issuer, jwks_uri: `${issuer}/jwks` })
    await s.get()
    expect(seen).toEqual([server.url])
  })

  it('a failed discovery is not remembered: the next call tries again, at once', async () => {
    const now = { t: 0 }
    const s = source({ now })
    metadata = () => 503
    const err = await rejection(async () => s.get(), AuthorizationServerError)
    expect(err.failure).toBe('metadata')
    expect(err.message).toContain('/.well-known/openid-configuration answered 503')
    expect(err.message).toContain('/.well-known/oauth-authorization-server answered 503')
    metadata = (issuer) => ({ issuer, jwks_uri: `${issuer}/jwks` })
    expect((await s.get()).jwks_uri).toBe(`${server.url}/jwks`)
  })

  it('explicit endpoints win over discovered ones; an explicit undefined does not erase a discovered one', async () => {
    const s = source({
      required: ['jwks_uri', 'introspection_endpoint'],
      endpoints: { jwks_uri: undefined, introspection_endpoint: 'https://other.example/introspect' },
    })
    const as = await s.get()
    expect(as.introspection_endpoint).toBe('https://other.example/introspect')
    expect(as.jwks_uri).toBe(`${server.url}/jwks`)
    expect(as.token_endpoint).toBe(`${server.url}/token`)
  })

  it('every required endpoint given explicitly: no request, ever, even when marked stale', async () => {
    const s = source({ required: ['jwks_uri'], endpoints: { jwks_uri: 'https://as.example/jwks' } })
    expect(await s.get()).toEqual({ issuer: server.url, jwks_uri: 'https://as.example/jwks' })
    s.markStale()
    await s.get()
    expect(hits).toEqual([])
  })

  it('a required endpoint missing from the metadata is a metadata failure naming it', async () => {
    metadata = (issuer) => ({ issuer, jwks_uri: `${issuer}/jwks` })
    const err = await rejection(async () => source({ required: ['jwks_uri', 'introspection_endpoint'] }).get(), AuthorizationServerError)
    expect(err).toMatchObject({ failure: 'metadata', message: `The metadata of ${server.url} has no introspection_endpoint` })
  })

  it.each(['introspection_endpoint', 'jwks_uri', 'token_endpoint'])(
    'a discovered %s over plain http (not loopback) is refused; allowed with allowInsecureRequests',
    async (name) => {
      metadata = (issuer) => ({ issuer, jwks_uri: `${issuer}/jwks`, [name]: 'http://as.example/x' })
      const err = await rejection(async () => source().get(), AuthorizationServerError)
      expect(err).toMatchObject({ failure: 'metadata', message: `The metadata of ${server.url} has an ${name} that is not https: refused` })
      expect((await source({ allowInsecureRequests: true }).get())[name]).toBe('http://as.example/x')
    },
  )

  it('an endpoint that is not a URL is refused too', async () => {
    metadata = (issuer) => ({ issuer, jwks_uri: 'not a url' })
    expect(await rejection(async () => source({ allowInsecureRequests: true }).get(), AuthorizationServerError)).toMatchObject({
      failure: 'metadata',
    })
  })

  it('an issuer that differs only by a trailing slash says so, both ways', async () => {
    metadata = (issuer) => ({ issuer: `${issuer}/`, jwks_uri: `${issuer}/jwks` })
    const withSlash = await rejection(async () => source().get(), AuthorizationServerError)
    expect(withSlash.failure).toBe('issuer_mismatch')
    expect(withSlash.message).toBe(
      `The authorization server calls itself "${server.url}/", not "${server.url}" (with a trailing slash): set issuer to exactly "${server.url}/"`,
    )

    metadata = (issuer) => ({ issuer: issuer.replace(/\/+$/, ''), jwks_uri: `${issuer}/jwks` })
    const configuredWithSlash = await rejection(async () => source({ issuer: `${server.url}/` }).get(), AuthorizationServerError)
    expect(configuredWithSlash.message).toContain('(without a trailing slash)')

    metadata = () => ({ issuer: 'https://elsewhere.example', jwks_uri: 'https://elsewhere.example/jwks' })
    const other = await rejection(async () => source().get(), AuthorizationServerError)
    expect(other.message).toBe(
      `The authorization server calls itself "https://elsewhere.example", not "${server.url}": set issuer to exactly "https://elsewhere.example"`,
    )
  })
})

describe('MetadataSource: after a discovery', () => {
  it('markStale: rediscovered on the next call once the cooldown has passed since the last attempt, the old metadata served meanwhile', async () => {
    const now = { t: 1_000_000 }
    const s = source({ now, retryCooldownMs: 10_000 })
    const first = await s.get()
    s.markStale()
    now.t += 9_999
    expect(s.get()).toBe(first) // within the cooldown: no request, synchronously
    expect(hits).toHaveLength(1)
    now.t += 1
    metadata = (issuer) => ({ issuer, jwks_uri: `${issuer}/jwks2` })
    expect((await s.get()).jwks_uri).toBe(`${server.url}/jwks2`)
    expect(hits).toHaveLength(2)
    expect(s.get()).toMatchObject({ jwks_uri: `${server.url}/jwks2` }) // fresh again: no request
    expect(hits).toHaveLength(2)
  })

  it('a failed rediscovery serves the last good metadata, and waits a cooldown before trying again', async () => {
    const now = { t: 1_000_000 }
    const s = source({ now, retryCooldownMs: 10_000 })
    const good = await s.get()
    s.markStale()
    now.t += 10_000
    metadata = () => 500
    expect(await s.get()).toBe(good)
    expect(hits).toHaveLength(3) // both document locations tried
    now.t += 5_000
    expect(await s.get()).toBe(good)
    expect(hits).toHaveLength(3)
    now.t += 5_000
    expect(await s.get()).toBe(good)
    expect(hits).toHaveLength(5)
  })

  it('the default cooldown is 10 s', async () => {
    const now = { t: 1_000_000 }
    const s = source({ now })
    await s.get()
    s.markStale()
    now.t += 9_999
    await s.get()
    expect(hits).toHaveLength(1)
    now.t += 1
    await s.get()
    expect(hits).toHaveLength(2)
  })

  it('refreshed in the background once maxAgeMs old: the call that notices is served at once with the current metadata', async () => {
    const now = { t: 1_000_000 }
    const s = source({ now, maxAgeMs: 60_000 })
    const first = await s.get()
    now.t += 59_999
    expect(s.get()).toBe(first)
    await settle()
    expect(hits).toHaveLength(1)
    now.t += 1
    metadata = (issuer) => ({ issuer, jwks_uri: `${issuer}/rotated` })
    expect(s.get()).toBe(first) // not awaited: served with what it has
    await settle()
    expect(hits).toHaveLength(2)
    expect(s.get()).toMatchObject({ jwks_uri: `${server.url}/rotated` })
  })

  it('the default refresh age is one hour', async () => {
    const now = { t: 1_000_000 }
    const s = source({ now })
    await s.get()
    now.t += 3_599_999
    s.get()
    await settle()
    expect(hits).toHaveLength(1)
    now.t += 1
    s.get()
    await settle()
    expect(hits).toHaveLength(2)
  })

  it('no periodic refresh within the cooldown of the last attempt', async () => {
    const now = { t: 1_000_000 }
    const s = source({ now, maxAgeMs: 1_000, retryCooldownMs: 10_000 })
    await s.get()
    now.t += 5_000 // older than maxAgeMs, but the last attempt was 5 s ago
    s.get()
    await settle()
    expect(hits).toHaveLength(1)
  })
})

describe('describe (error text for messages)', () => {
  it("an Error's message, or anything else as a string", () => {
    expect(describeError(new Error('boom'))).toBe('boom')
    expect(describeError('text')).toBe('text')
    expect(describeError(42)).toBe('42')
  })
})
