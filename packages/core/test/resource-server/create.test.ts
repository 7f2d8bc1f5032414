/**
 * `createResourceServer` wiring, at a real local AS: the defaults it passes to the runtimes and
 * caches (entry bounds, the shared store's timeout and its error events, bearer length, clock
 * tolerance), the audience check of introspected tokens per format (`audienceClaim`), the
 * deprecated top-level `scopes` / `anyScope`, several introspection endpoints, the verdict scope
 * that keeps resource servers sharing a store apart, `introspect()` and `toJSON()`, and the
 * introspection path's own bounds (claims too large to cache, claims of the wrong type cached as inactive).
 */
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  BearerError,
  type CacheStore,
  ConfigurationError,
  createResourceServer,
  type ResourceServerEvent,
  type ResourceServerOptions,
} from '../../src/index.js'
import {
  type FakeAS,
  goodClaims,
  introspectingOptions,
  introspectingRs,
  jwtRs,
  privateJwk,
  rejection,
  SECRET,
  signedIntrospection,
  signJwt,
  startFakeAS,
  testClock,
} from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())
beforeEach(() => {
  as.introspections = 0
  as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'u', client_id: 'app', scope: 'read', aud: 'api' } })
})

const bearer = (token: string) => `Bearer ${token}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sources = (events: ResourceServerEvent[]) =>
  events.filter((e) => e.type === 'authenticated').map((e) => (e as { source: string }).source)

/** A store whose every call is recorded; `get` answers what `answer` says (a value, a delay, an error). */
function probeStore(answer: (key: string) => Promise<unknown> | unknown = () => undefined) {
  const gets: string[] = []
  const store: CacheStore & { gets: string[] } = {
    gets,
    get: (k) => {
      gets.push(k)
      return answer(k) as never
    },
    set: () => {},
    delete: () => {},
  }
  return store
}

describe('cache entry bounds', () => {
  it('maxEntries bounds the in-memory verdicts', async () => {
    const rs = introspectingRs(as, { cache: { maxEntries: 1 } })
    await rs.authenticate(bearer('a'))
    await rs.authenticate(bearer('a'))
    expect(as.introspections).toBe(1)
    await rs.authenticate(bearer('b'))
    await rs.authenticate(bearer('a'))
    expect(as.introspections).toBe(3)
  })

  it('verified JWTs: verifiedJwtMaxEntries, else maxEntries, else 10,000', async () => {
    // A signature step that accepts anything: any signature makes a distinct token (and cache entry), cheaply.
    const tokenN = (n: number) => {
      const [h, p] = jwt.split('.')
      return `${h}.${p}.${jose.base64url.encode(`sig-${n}`)}`
    }
    const jwt = await signJwt(as, goodClaims(as))
    const run = async (count: number, cache: ResourceServerOptions['cache']) => {
      const events: ResourceServerEvent[] = []
      const rs = jwtRs(as, { cache, signatureVerifier: () => true, onEvent: (e) => events.push(e) })
      for (let n = 0; n < count; n++) await rs.authenticate(bearer(tokenN(n)))
      await rs.authenticate(bearer(tokenN(0)))
      return sources(events).at(-1)
    }
    expect(await run(2, { maxEntries: 1 })).toBe('jwt')
    expect(await run(2, { maxEntries: 1, verifiedJwtMaxEntries: 2 })).toBe('cache')
    expect(await run(2, { maxEntries: 2, verifiedJwtMaxEntries: 1 })).toBe('jwt')
    expect(await run(10_000, {})).toBe('cache')
    expect(await run(10_001, {})).toBe('jwt')
  }, 30_000)
})

describe('the shared store', () => {
  it('a store slower than storeTimeout (default 0.05 s) is a miss, reported as store_error', async () => {
    as.introspect = () => ({ body: { active: false } })
    const slowRecord = (ms: number) => async () => {
      await sleep(ms)
      return { v: 1, active: true, until: Date.now() + 60_000, iss: as.issuer, claims: { active: true, iss: as.issuer, sub: 'stored' } }
    }
    const events: ResourceServerEvent[] = []
    const onEvent = (e: ResourceServerEvent) => void events.push(e)
    // At once: within the default 50 ms.
    expect((await introspectingRs(as, { onEvent, cache: { store: probeStore(slowRecord(0)) } }).authenticate(bearer('t')))?.sub).toBe(
      'stored',
    )
    expect(as.introspections).toBe(0)
    // 100 ms: past it. The AS is asked (and says inactive).
    await rejection(
      () => introspectingRs(as, { onEvent, cache: { store: probeStore(slowRecord(100)) } }).authenticate(bearer('t')),
      BearerError,
      401,
    )
    expect(as.introspections).toBe(1)
    // storeTimeout is seconds: 3 s waits for a 120 ms store.
    const patient = introspectingRs(as, { onEvent, cache: { store: probeStore(slowRecord(120)), storeTimeout: 3 } })
    expect((await patient.authenticate(bearer('t')))?.sub).toBe('stored')
    expect(as.introspections).toBe(1)
    expect(events.filter((e) => e.type === 'store_error')).toEqual([{ type: 'store_error', operation: 'get', message: expect.any(String) }])
  })

  it('a failing store is a miss; the event names the error, cut at 300 characters', async () => {
    const events: ResourceServerEvent[] = []
    const onEvent = (e: ResourceServerEvent) => void events.push(e)
    const failing = (error: unknown) =>
      probeStore(() => {
        throw error
      })
    expect((await introspectingRs(as, { onEvent, cache: { store: failing(new TypeError('boom')) } }).authenticate(bearer('t')))?.sub).toBe(
      'u',
    )
    await introspectingRs(as, { onEvent, cache: { store: failing('plain text') } }).authenticate(bearer('t'))
    const disguised = Object.assign(new RangeError('boom'), { toString: () => 'disguised' })
    await introspectingRs(as, { onEvent, cache: { store: failing(disguised) } }).authenticate(bearer('t'))
    await introspectingRs(as, { onEvent, cache: { store: failing(new Error('x'.repeat(400))) } }).authenticate(bearer('t'))
    await introspectingRs(as, { onEvent, cache: { store: failing(new Error('y'.repeat(293))) } }).authenticate(bearer('t'))
    const messages = events.filter((e) => e.type === 'store_error').map((e) => (e as { message: string }).message)
    expect(messages.slice(0, 3)).toEqual(['TypeError: boom', 'plain text', 'RangeError: boom'])
    expect(messages[3]).toBe(`Error: ${'x'.repeat(293)}…`)
    expect(messages[4]).toBe(`Error: ${'y'.repeat(293)}`)
    expect(as.introspections).toBe(5)
  })

  it('the verdict scope keeps apart resource servers that would judge a token differently', async () => {
    const enc = await privateJwk('RSA-OAEP-256', { kid: 'enc' })
    const enc2 = await privateJwk('RSA-OAEP-256', { kid: 'enc2' })
    const keyOf = async (extra: Partial<ResourceServerOptions>) => {
      const store = probeStore()
      as.introspect = () => ({ status: 500, body: '' })
      await rejection(() => introspectingRs(as, { cache: { store }, ...extra }).authenticate(bearer('same-token')), Error)
      return store.gets[0]!
    }
    const base = await keyOf({})
    expect(await keyOf({})).toBe(base)
    expect(base).toMatch(/^rs:introspection:[0-9a-f]{64}$/)
    const variants: Partial<ResourceServerOptions>[] = [
      { clientId: 'rs-2' },
      { introspection: { response: 'jwt' } },
      { introspection: { response: 'jwt', signingAlgorithms: ['ES256'] } },
      { introspection: { response: 'jwt', encryption: 'optional' }, decryptionKeys: [enc] },
      { introspection: { keyManagementAlgorithms: ['RSA-OAEP-256'] }, decryptionKeys: [enc] },
      { introspection: { contentEncryptionAlgorithms: ['A256GCM'] }, decryptionKeys: [enc] },
      { introspection: { tokenTypeHint: 'access_token' } },
      { introspection: { maxResponseAge: 30 } },
    ]
    const keys = [base]
    for (const v of variants) keys.push(await keyOf(v))
    keys.push(await keyOf({ decryptionKeys: [enc] }), await keyOf({ decryptionKeys: [enc, enc2] }))
    expect(new Set(keys).size).toBe(keys.length)
    // Another issuer (same endpoint): another key.
    const store = probeStore()
    const other = createResourceServer({ ...introspectingOptions(as), issuer: `${as.issuer}/tenant`, cache: { store } })
    await rejection(() => other.authenticate(bearer('same-token')), Error)
    expect(store.gets[0]).not.toBe(base)
  })
})

describe('bearer and time defaults', () => {
  it('a token of up to 8192 characters is read; a longer one refused before the AS', async () => {
    const rs = introspectingRs(as)
    expect((await rs.authenticate(bearer('x'.repeat(8192))))?.sub).toBe('u')
    await rejection(() => rs.authenticate(bearer('x'.repeat(8193))), BearerError)
    expect(as.introspections).toBe(1)
    await rejection(() => introspectingRs(as, { bearer: { maxLength: 16 } }).authenticate(bearer('x'.repeat(17))), BearerError)
  })

  it('a base64-encoded token is sent as is unless bearer.acceptBase64', async () => {
    const seen: string[] = []
    as.introspect = ({ token }) => (seen.push(token), { body: { active: true, iss: as.issuer, sub: 'u' } })
    const encoded = btoa('opaque-token-1')
    await introspectingRs(as).authenticate(bearer(encoded))
    await introspectingRs(as, { bearer: { acceptBase64: true } }).authenticate(bearer(encoded))
    expect(seen).toEqual([encoded, 'opaque-token-1'])
  })

  it('expiry is checked with a 5 s tolerance by default, else clockTolerance', async () => {
    const clock = testClock()
    as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'u', exp: clock.seconds() - 4 } })
    expect((await introspectingRs(as, { clock: clock.now }).authenticate(bearer('t')))?.sub).toBe('u')
    as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'u', exp: clock.seconds() - 5 } })
    await rejection(() => introspectingRs(as, { clock: clock.now }).authenticate(bearer('t')), BearerError, 401)
    await rejection(() => introspectingRs(as, { clock: clock.now, clockTolerance: 0 }).authenticate(bearer('t2')), BearerError, 401)
  })
})

describe('the audience of introspected tokens', () => {
  const wrongAud = () => ({ body: { active: true, iss: as.issuer, sub: 'u', client_id: 'app', aud: 'other' } })

  it('is checked by default when introspection is the only path', async () => {
    as.introspect = wrongAud
    await rejection(() => introspectingRs(as, { audience: 'api' }).authenticate(bearer('t')), BearerError, 401, 'invalid_token')
    // …also on a cached verdict.
    const rs = introspectingRs(as, { audience: 'other' })
    await rs.authenticate(bearer('t'))
    expect((await rs.authenticate(bearer('t')))?.sub).toBe('u')
  })

  it('is not checked by default in auto mode; audienceClaim asks for it (aud or client_id)', async () => {
    as.introspect = wrongAud
    const auto = (extra: Partial<ResourceServerOptions>) => introspectingRs(as, { tokenFormat: 'auto', audience: 'api', ...extra })
    expect((await auto({}).authenticate(bearer('t')))?.sub).toBe('u')
    await rejection(() => auto({ audienceClaim: 'aud' }).authenticate(bearer('t')), BearerError, 401, 'invalid_token')
    await rejection(() => auto({ audienceClaim: 'client_id' }).authenticate(bearer('t')), BearerError, 401, 'invalid_token')
    expect((await auto({ audience: 'app', audienceClaim: 'client_id' }).authenticate(bearer('t')))?.sub).toBe('u')
  })
})

describe('what every route requires', () => {
  it('the deprecated top-level scopes and anyScope act as everyRoute’s', async () => {
    as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'u', scope: 'read b' } })
    expect((await introspectingRs(as, { scopes: ['read'] }).authenticate(bearer('t')))?.sub).toBe('u')
    await rejection(() => introspectingRs(as, { scopes: ['write'] }).authenticate(bearer('t')), BearerError, 403)
    expect((await introspectingRs(as, { anyScope: ['a', 'b'] }).authenticate(bearer('t')))?.sub).toBe('u')
    await rejection(() => introspectingRs(as, { anyScope: ['a', 'c'] }).authenticate(bearer('t')), BearerError, 403)
    await rejection(
      () => introspectingRs(as, { scopes: ['read'], everyRoute: { anyScope: ['c'] } }).authenticate(bearer('t')),
      BearerError,
      403,
    )
    await rejection(
      () => introspectingRs(as, { anyScope: ['c'], everyRoute: { scopes: ['read'] } }).authenticate(bearer('t')),
      BearerError,
      403,
    )
    // everyRoute.scopes and the top-level anyScope both apply.
    expect((await introspectingRs(as, { anyScope: ['b'], everyRoute: { scopes: ['read'] } }).authenticate(bearer('t')))?.sub).toBe('u')
  })
})

describe('several introspection endpoints', () => {
  it('only the first is asked unless tryAllIntrospectionEndpoints', async () => {
    const second = await startFakeAS()
    try {
      as.introspect = () => ({ body: { active: false } })
      second.introspect = () => ({ body: { active: true, iss: second.issuer, sub: 'from-second' } })
      const options = (tryAll: boolean): ResourceServerOptions => ({
        clientId: 'rs-1',
        clientSecret: SECRET,
        tryAllIntrospectionEndpoints: tryAll,
        issuers: [
          { issuer: as.issuer, introspectionEndpoint: as.introspectionEndpoint },
          { issuer: second.issuer, introspectionEndpoint: second.introspectionEndpoint },
        ],
      })
      await rejection(() => createResourceServer(options(false)).authenticate(bearer('t')), BearerError, 401, 'invalid_token')
      expect(second.introspections).toBe(0)
      const rs = createResourceServer(options(true))
      expect((await rs.authenticate(bearer('t')))?.sub).toBe('from-second')
      expect((await rs.authenticate(bearer('t')))?.sub).toBe('from-second')
      expect([as.introspections, second.introspections]).toEqual([2, 1])
    } finally {
      await second.close()
    }
  })
})

describe('the introspection path', () => {
  it('claims of the wrong type or of another issuer make the token inactive, and that verdict is cached', async () => {
    for (const body of [
      { active: true, iss: as.issuer, sub: 'u', exp: 'soon' },
      { active: true, iss: 'https://evil.example', sub: 'u' },
    ]) {
      as.introspections = 0
      as.introspect = () => ({ body })
      const events: ResourceServerEvent[] = []
      const rs = introspectingRs(as, { onEvent: (e) => events.push(e) })
      await rejection(() => rs.authenticate(bearer('t')), BearerError, 401, 'invalid_token')
      await rejection(() => rs.authenticate(bearer('t')), BearerError, 401, 'invalid_token')
      expect(as.introspections).toBe(1)
    }
  })

  it('only active: true (the boolean) is an active token', async () => {
    for (const active of ['true', 1, 'yes']) {
      as.introspect = () => ({ body: { active, iss: as.issuer, sub: 'u' } })
      const settled = await introspectingRs(as)
        .authenticate(bearer('t'))
        .then(
          () => 'authorized',
          (err: unknown) => err,
        )
      expect(settled).not.toBe('authorized')
      expect(settled).toBeInstanceOf(Error)
    }
  })

  it('claims larger than 64 KB (as JSON) are used once but not cached', async () => {
    const store = probeStore()
    const kept: unknown[] = []
    store.set = (_k, v) => void kept.push(v)
    const body = (pad: number) => ({ active: true, iss: as.issuer, sub: 'u', pad: 'p'.repeat(pad) })
    as.introspect = () => ({ body: body(10) })
    await introspectingRs(as, { cache: { store } }).authenticate(bearer('probe'))
    const size = JSON.stringify((kept[0] as { claims: unknown }).claims).length
    const fits = 10 + 64 * 1024 - size
    for (const [pad, cached] of [
      [fits, true],
      [fits + 1, false],
    ] as const) {
      as.introspections = 0
      as.introspect = () => ({ body: body(pad) })
      const rs = introspectingRs(as)
      expect((await rs.authenticate(bearer('t')))?.sub).toBe('u')
      await rs.authenticate(bearer('t'))
      expect(as.introspections).toBe(cached ? 1 : 2)
    }
  })
})

describe('introspect() and toJSON()', () => {
  it('introspect() returns the AS’s claims as they are, and needs an introspecting issuer', async () => {
    expect(await introspectingRs(as).introspect('t')).toMatchObject({ active: true, sub: 'u', aud: 'api' })
    const err = await rejection(() => jwtRs(as).introspect('t'), ConfigurationError)
    expect(err.issues.map((i) => i.path)).toEqual(['clientId'])
  })

  it('introspect() resolves the issuer first: a signed response can be checked on the very first call', async () => {
    as.introspect = async () => ({
      body: await signedIntrospection(as, { active: true, iss: as.issuer, sub: 'signed' }),
      contentType: 'application/token-introspection+jwt',
    })
    const rs = introspectingRs(as, { introspection: { signingAlgorithms: ['ES256'] } })
    expect(await rs.introspect('t')).toMatchObject({ active: true, sub: 'signed' })
  })

  it('toJSON() shows the issuers and the token format only', () => {
    const rs = introspectingRs(as)
    expect(JSON.parse(JSON.stringify(rs))).toEqual({ issuers: [as.issuer], tokenFormat: 'introspection' })
    expect(Object.keys(rs)).not.toContain('toJSON')
    expect(JSON.parse(JSON.stringify(jwtRs(as)))).toEqual({ issuers: [as.issuer], tokenFormat: 'jwt' })
  })
})
