/**
 * A shared store may be readable and writable by others, slow, or dead (classes 1-4), and an AS may
 * send claims of the wrong type (class 9), big claims (class 14) or stale signed answers (class 10).
 */
import * as jose from 'jose'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AuthorizationServerError, BearerError, type CacheStore, ConfigurationError } from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, jwtRs, rejection, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())

/** A store like Redis: values go through JSON, so nothing read back is the object written. */
function jsonStore(): CacheStore & { map: Map<string, string>; clears: number } {
  const map = new Map<string, string>()
  return {
    map,
    clears: 0,
    async get(k) {
      const v = map.get(k)
      return v === undefined ? undefined : JSON.parse(v)
    },
    async set(k, v) {
      map.set(k, JSON.stringify(v))
    },
    async delete(k) {
      map.delete(k)
    },
    async clear() {
      this.clears++
      map.clear()
    },
  }
}

const active = (extra: Record<string, unknown> = {}) => ({
  active: true,
  sub: 'user-1',
  client_id: 'app',
  scope: 'read',
  aud: 'api',
  iss: as.issuer,
  exp: Math.floor(Date.now() / 1000) + 600,
  ...extra,
})

describe('class 1: a verdict is keyed by everything that changes it and re-checked on every read', () => {
  it('two resource servers (different clientId) sharing a store never read each other’s verdicts', async () => {
    const store = jsonStore()
    as.introspect = (req) => ({ body: req.clientId === 'rs-1' ? active() : { active: false } })
    const rs1 = introspectingRs(as, { cache: { store } })
    const rs2 = introspectingRs(as, { clientId: 'rs-2', cache: { store } })
    expect((await rs1.authenticate('Bearer shared-token')).sub).toBe('user-1')
    const before = as.introspections
    await rejection(() => rs2.authenticate('Bearer shared-token'), BearerError, 401, 'invalid_token')
    expect(as.introspections).toBe(before + 1) // rs-2 asked the AS itself
  })

  it('response format settings are part of the key', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active() })
    await introspectingRs(as, { cache: { store } }).authenticate('Bearer fmt-token')
    await introspectingRs(as, { cache: { store }, introspection: { tokenTypeHint: 'access_token' } }).authenticate('Bearer fmt-token')
    expect(store.map.size).toBe(2)
  })

  it('a cached verdict is re-checked against the reading resource server’s audience (memory or shared store)', async () => {
    const store = jsonStore()
    as.introspect = () => ({ body: active({ aud: 'api' }) })
    await introspectingRs(as, { audience: 'api', cache: { store } }).authenticate('Bearer aud-token')
    const before = as.introspections
    await rejection(
      () => introspectingRs(as, { audience: 'other-api', cache: { store } }).authenticate('Bearer aud-token'),
      BearerError,
      401,
      'invalid_token',
    )
    expect(as.introspections).toBe(before)
  })
})

describe('class 2: values read from a store are untrusted', () => {
  const now = () => Date.now()
  const hostile: [string, () => unknown][] = [
    ['{active:"yes"}', () => ({ active: 'yes' })],
    ['{active:1, scopes:["admin"]}', () => ({ active: 1, scopes: ['admin'] })],
    [
      'an old unversioned AccessTokenInfo',
      () => ({ active: true, sub: 'x', scopes: ['admin'], aud: ['api'], iss: as.issuer, source: 'introspection', claims: {} }),
    ],
    [
      'a foreign iss',
      () => ({ v: 1, active: true, until: now() + 60_000, iss: 'https://evil.example', claims: active({ iss: 'https://evil.example' }) }),
    ],
    [
      'our iss on the record, a foreign iss in its claims',
      () => ({
        v: 1,
        active: true,
        until: now() + 60_000,
        iss: as.issuer,
        claims: active({ iss: 'https://evil.example', scope: 'admin' }),
      }),
    ],
    ['a string exp', () => ({ v: 1, active: true, until: now() + 60_000, iss: as.issuer, claims: active({ exp: '9999999999' }) })],
    ['scopes:null', () => ({ v: 1, active: true, until: now() + 60_000, iss: as.issuer, claims: active({ scope: null }) })],
    [
      'scope as an array holding a number',
      () => ({ v: 1, active: true, until: now() + 60_000, iss: as.issuer, claims: active({ scope: ['admin', 1] }) }),
    ],
    ['claims not an object', () => ({ v: 1, active: true, until: now() + 60_000, iss: as.issuer, claims: 'admin' })],
    ['claims.active missing', () => ({ v: 1, active: true, until: now() + 60_000, iss: as.issuer, claims: { sub: 'x', scope: 'admin' } })],
    [
      'expired by our clock (the store ignored the TTL)',
      () => ({ v: 1, active: true, until: now() - 1, iss: as.issuer, claims: active() }),
    ],
    ['a future version', () => ({ v: 2, active: true, until: now() + 60_000, iss: as.issuer, claims: active() })],
    ['null', () => null],
    ['a number', () => 42],
    ['a string', () => 'active'],
    ['an array', () => [1]],
  ]
  it.each(hostile)('%s is a miss: the AS is asked (and says inactive): 401', async (_n, value) => {
    as.introspect = () => ({ body: { active: false } })
    const store: CacheStore = { get: () => value(), set: () => {}, delete: () => {} }
    const rs = introspectingRs(as, { audience: 'api', scopes: ['admin'], cache: { store } })
    const before = as.introspections
    await rejection(() => rs.authenticate('Bearer stored-token'), BearerError, 401, 'invalid_token')
    expect(as.introspections).toBe(before + 1)
  })

  it('scope "superadmin" never satisfies "admin" (no substring match): 403', async () => {
    const store: CacheStore = {
      get: () => ({ v: 1, active: true, until: Date.now() + 60_000, iss: as.issuer, claims: active({ scope: 'superadmin' }) }),
      set: () => {},
      delete: () => {},
    }
    await rejection(
      () => introspectingRs(as, { audience: 'api', scopes: ['admin'], cache: { store } }).authenticate('Bearer s'),
      BearerError,
      403,
      'insufficient_scope',
    )
  })
})

describe('class 3: a store that never answers is a miss, never a hang', () => {
  it('get and set that never settle: answered from the AS within the storeTimeout', async () => {
    as.introspect = () => ({ body: active() })
    const never = () => new Promise<never>(() => {})
    const store: CacheStore = { get: never, set: never, delete: never, clear: never }
    const rs = introspectingRs(as, { cache: { store, storeTimeout: 0.03 } })
    const started = Date.now()
    expect((await rs.authenticate('Bearer hang-token')).sub).toBe('user-1')
    await rs.clearCache()
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('storeTimeout is validated', () => {
    expect(() => introspectingRs(as, { cache: { storeTimeout: 0 } })).toThrow(ConfigurationError)
  })
})

describe('class 4: clearCache() clears a custom store that offers clear()', () => {
  it('a revoked token is refused after clearCache()', async () => {
    const store = jsonStore()
    let revoked = false
    as.introspect = () => ({ body: revoked ? { active: false } : active() })
    const rs = introspectingRs(as, { cache: { store } })
    await rs.authenticate('Bearer revoke-me')
    revoked = true
    expect((await rs.authenticate('Bearer revoke-me')).sub).toBe('user-1') // still cached
    await rs.clearCache()
    expect(store.clears).toBe(1)
    await rejection(() => rs.authenticate('Bearer revoke-me'), BearerError, 401)
  })
})

describe('class 9: claims of the wrong type make the token invalid', () => {
  const s = () => Math.floor(Date.now() / 1000)
  it.each([
    ['exp "1"', () => active({ exp: '1' })],
    ['exp 1e400', () => JSON.stringify(active()).replace(/"exp":\d+/, '"exp":1e400')],
    ['non-string iss', () => active({ iss: 123 })],
    ['token_type refresh_token', () => active({ token_type: 'refresh_token' })],
    ['token_type urn refresh', () => active({ token_type: 'urn:ietf:params:oauth:token-type:refresh_token' })],
    ['sub 1', () => active({ sub: 1 })],
    ['aud 5', () => active({ aud: 5 })],
    ['aud [1]', () => active({ aud: [1] })],
    ['scope neither a string nor an array of strings', () => active({ scope: ['read', 1] })],
    ['client_id object', () => active({ client_id: {} })],
    ['nbf "0"', () => active({ nbf: '0' })],
  ])('introspection: %s → 401', async (_n, body) => {
    as.introspect = () => ({ body: body() })
    await rejection(
      () => introspectingRs(as, { cache: false }).authenticate(`Bearer claims-${_n.replace(/\W/g, '')}`),
      BearerError,
      401,
      'invalid_token',
    )
  })

  it.each([
    ['exp 1e400', () => JSON.stringify(goodClaims(as)).replace(/"exp":\d+/, '"exp":1e400')],
    ['exp "9999999999"', () => ({ ...goodClaims(as), exp: '9999999999' })],
    ['sub 1', () => ({ ...goodClaims(as), sub: 1 })],
    ['aud object', () => ({ ...goodClaims(as), aud: { a: 'api' } })],
    ['aud [api, 1]', () => ({ ...goodClaims(as), aud: ['api', 1] })],
    ['scope 5', () => ({ ...goodClaims(as), scope: 5 })],
    ['iat -1', () => ({ ...goodClaims(as), iat: -1 })],
    ['scp [1]', () => ({ ...goodClaims(as), scope: undefined, scp: [1] })],
  ])('JWT: %s → 401', async (_n, payload) => {
    void s
    await rejection(async () => jwtRs(as).authenticate(`Bearer ${await signJwt(as, payload())}`), BearerError, 401, 'invalid_token')
  })
})

describe('class 10: signed introspection responses must be fresh', () => {
  const signed = (iat: number) =>
    new jose.SignJWT({ token_introspection: active() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'token-introspection+jwt' })
      .setIssuer(as.issuer)
      .setAudience('rs-1')
      .setIssuedAt(iat)
      .sign(as.privateKey)
  const rsJwt = (extra = {}) =>
    introspectingRs(as, { introspection: { response: 'jwt', signingAlgorithms: ['ES256'], ...extra }, cache: false })
  const now = () => Math.floor(Date.now() / 1000)

  it('a fresh one is accepted; a day-old one (a replay) and a future one are refused (503)', async () => {
    as.introspect = async () => ({ body: await signed(now()), contentType: 'application/token-introspection+jwt' })
    expect((await rsJwt().authenticate('Bearer signed-1')).sub).toBe('user-1')
    as.introspect = async () => ({ body: await signed(now() - 86_400), contentType: 'application/token-introspection+jwt' })
    const err = await rejection(() => rsJwt().authenticate('Bearer signed-1'), AuthorizationServerError, 503)
    expect(err.message).toMatch(/more than 60 s ago/)
    as.introspect = async () => ({ body: await signed(now() + 3600), contentType: 'application/token-introspection+jwt' })
    await rejection(() => rsJwt().authenticate('Bearer signed-1'), AuthorizationServerError, 503)
  })

  it('introspection.maxResponseAge is configurable', async () => {
    as.introspect = async () => ({ body: await signed(now() - 100), contentType: 'application/token-introspection+jwt' })
    await rejection(() => rsJwt().authenticate('Bearer signed-2'), AuthorizationServerError, 503)
    expect((await rsJwt({ maxResponseAge: 300 }).authenticate('Bearer signed-2')).sub).toBe('user-1')
  })
})

describe('class 14: big claims do not outlive the cache bound', () => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  beforeEach(() => gc())

  it('200 unique 256 KB scopes with maxEntries 10: memory after GC stays small', async () => {
    let n = 0
    as.introspect = () => ({ body: active({ scope: `s${n++}-${'x'.repeat(256 * 1024)}` }) })
    const rs = introspectingRs(as, { maxResponseBytes: 1024 * 1024, cache: { maxEntries: 10 } })
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 200; i++) await rs.authenticate(`Bearer big-${i}`)
    gc()
    const retainedMb = (process.memoryUsage().heapUsed - before) / 2 ** 20
    console.log(`hostile: 200 unique 256 KB scopes, maxEntries 10: ${retainedMb.toFixed(1)} MB retained after GC`)
    expect(retainedMb).toBeLessThan(10)
  })
})
