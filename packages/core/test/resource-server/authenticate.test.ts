/**
 * The request-facing entry points (`authenticate`, `authenticateRequest`, `verifyToken`, a route's
 * `authenticateNow`) at a real
 * local AS: what each returns or refuses (class, status, code), the events each emits
 * (`authenticated` with its source and token fields, `rejected` with its reason, status, description
 * and detail, `authorization_server_error` with its failure and upstream status), the optional
 * bearer, invalid per-call options refused as a rejected promise, and the challenge added to refusals.
 * `authenticateNow` answers a token judged before as the value itself (no promise), with the same
 * claims and events; everything that waits or refuses is a promise, never a throw.
 */
import * as fc from 'fast-check'
import * as jose from 'jose'
import { dpopProof } from '@org/rs-testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type AccessTokenInfo,
  AuthorizationServerError,
  BearerError,
  ConfigurationError,
  extractBearerToken,
  MemoryCache,
  protectRoute,
  type ResourceServer,
  type ResourceServerEvent,
  type RouteAnswer,
} from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, jwtRs, rejection, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())
beforeEach(() => {
  as.introspections = 0
  as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'user-9', client_id: 'app-9', scope: 'read write' } })
})

const bearer = (token: string) => `Bearer ${token}`
function listening() {
  const events: ResourceServerEvent[] = []
  return { events, onEvent: (e: ResourceServerEvent) => void events.push(e) }
}

describe('authenticate', () => {
  it('emits authenticated with the source, the token’s issuer, client and subject, and a duration', async () => {
    const { events, onEvent } = listening()
    const rs = introspectingRs(as, { onEvent })
    const info = await rs.authenticate(bearer('tok'))
    expect(info).toMatchObject({ sub: 'user-9', clientId: 'app-9', iss: as.issuer, scopes: ['read', 'write'], source: 'introspection' })
    await rs.authenticate(bearer('tok'))
    const authenticated = events.filter((e) => e.type === 'authenticated')
    expect(authenticated).toEqual([
      {
        type: 'authenticated',
        source: 'introspection',
        issuer: as.issuer,
        clientId: 'app-9',
        sub: 'user-9',
        durationMs: expect.any(Number),
      },
      { type: 'authenticated', source: 'cache', issuer: as.issuer, clientId: 'app-9', sub: 'user-9', durationMs: expect.any(Number) },
    ])
    for (const e of authenticated) expect((e as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0)
  })

  it('a missing token is refused (missing_token, 401) unless optional, then undefined without an event', async () => {
    const { events, onEvent } = listening()
    const rs = introspectingRs(as, { onEvent })
    for (const header of [undefined, null, '', 'Basic abc']) {
      const err = await rejection(() => rs.authenticate(header), BearerError, 401)
      expect(err.code).toBe('missing_token')
      expect(await rs.authenticate(header, { optional: true })).toBeUndefined()
    }
    expect(events.map((e) => e.type)).toEqual(['rejected', 'rejected', 'rejected', 'rejected'])
    expect(events[0]).toMatchObject({ reason: 'missing_token', status: 401, description: expect.any(String) })
    expect(events[0]).not.toHaveProperty('detail')
  })

  it('an optional route still refuses a bad token', async () => {
    as.introspect = () => ({ body: { active: false } })
    const rs = introspectingRs(as)
    await rejection(() => rs.authenticate(bearer('dead'), { optional: true }), BearerError, 401, 'invalid_token')
  })

  it('emits rejected with the reason, status, description and, when there is one, the detail', async () => {
    const { events, onEvent } = listening()
    const rs = jwtRs(as, { onEvent })
    await rejection(async () => rs.authenticate(bearer(await signJwt(as, { ...goodClaims(as), iss: `${as.issuer}/` }))), BearerError, 401)
    expect(events.at(-1)).toEqual({
      type: 'rejected',
      reason: 'wrong_issuer',
      status: 401,
      description: expect.any(String),
      detail: expect.any(String),
      durationMs: expect.any(Number),
    })
    await rejection(async () => rs.authenticate(bearer(await signJwt(as, goodClaims(as))), { scopes: ['admin'] }), BearerError, 403)
    expect(events.at(-1)).toMatchObject({ type: 'rejected', reason: 'insufficient_scope', status: 403 })
  })

  it('refuses (cached or not) what the route requires and the token lacks', async () => {
    const rs = introspectingRs(as)
    expect((await rs.authenticate(bearer('tok'), { scopes: ['read'] }))?.sub).toBe('user-9')
    await rejection(() => rs.authenticate(bearer('tok'), { scopes: ['admin'] }), BearerError, 403, 'insufficient_scope')
    await rejection(() => rs.authenticate(bearer('other'), { scopes: ['admin'] }), BearerError, 403, 'insufficient_scope')
  })

  it('an AS failure is an AuthorizationServerError (503), with an authorization_server_error event, never cached', async () => {
    as.introspect = () => ({ status: 500, body: 'down' })
    const { events, onEvent } = listening()
    const rs = introspectingRs(as, { onEvent })
    const err = await rejection(() => rs.authenticate(bearer('tok')), AuthorizationServerError, 503)
    expect(err.failure).toBe('http_status')
    expect(events.at(-1)).toEqual({
      type: 'authorization_server_error',
      failure: 'http_status',
      message: err.message,
      upstreamStatus: 500,
      durationMs: expect.any(Number),
    })
    as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'back' } })
    expect((await rs.authenticate(bearer('tok')))?.sub).toBe('back')
    expect(as.introspections).toBe(2)
  })

  it('invalid per-call options are a rejected promise (ConfigurationError), with nothing sent to the AS', async () => {
    const rs = introspectingRs(as)
    const pending = rs.authenticate(bearer('tok'), { scopes: 'read' } as never)
    await rejection(() => pending, ConfigurationError)
    await rejection(() => rs.authenticateRequest({ headers: { authorization: bearer('tok') } }, { bogus: 1 } as never), ConfigurationError)
    await rejection(() => rs.verifyToken('tok', { bogus: 1 } as never), ConfigurationError)
    expect(as.introspections).toBe(0)
  })

  it('adds the challenge (realm, resource_metadata) to refusals, never to AS failures', async () => {
    const rs = introspectingRs(as, { realm: 'api', resource: 'https://api.example.com' })
    const err = await rejection(() => rs.authenticate(undefined), BearerError, 401)
    expect(err.wwwAuthenticate).toContain('realm="api"')
    expect(err.wwwAuthenticate).toContain('resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"')
    as.introspect = () => ({ body: { active: false } })
    expect((await rejection(() => rs.authenticate(bearer('dead')), BearerError, 401)).wwwAuthenticate).toContain('realm="api"')
    const plain = await rejection(() => introspectingRs(as).authenticate(undefined), BearerError, 401)
    expect(plain.wwwAuthenticate).toBe('Bearer')
  })

  it('the challenge names the resource metadata even without a realm', async () => {
    const err = await rejection(
      () => introspectingRs(as, { resource: 'https://api.example.com' }).authenticate(undefined),
      BearerError,
      401,
    )
    expect(err.wwwAuthenticate).toContain('resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"')
    expect(err.wwwAuthenticate).not.toContain('realm')
  })

  it('an AS failure keeps no challenge (and is no BearerError) even with a realm', async () => {
    as.introspect = () => ({ status: 502, body: 'bad gateway' })
    const rs = introspectingRs(as, { realm: 'api' })
    const err = await rejection(() => rs.authenticate(bearer('tok')), AuthorizationServerError, 503)
    expect(err).not.toHaveProperty('wwwAuthenticate')
  })

  it('takes the first of several Authorization values', async () => {
    const rs = introspectingRs(as)
    await rejection(() => rs.authenticate([bearer('a'), bearer('b')]), BearerError, 400)
  })
})

describe('a warm request: the credential as written is looked up before the RFC 6750 check', () => {
  // Only tokens judged before are found that way, so a header is accepted exactly when the full
  // check (extractBearerToken) gives one of them; anything else is refused as before.
  it('accepts a header exactly when extractBearerToken gives a cached token, and refuses the rest with the same code', async () => {
    const rs = introspectingRs(as, { tokenFormat: 'auto', audience: 'api' })
    const jwt = await signJwt(as, goodClaims(as))
    const opaque = 'opaque-token_0123456789'
    expect((await rs.authenticate(bearer(jwt)))?.source).toBe('jwt')
    expect((await rs.authenticate(bearer(opaque)))?.source).toBe('introspection')
    as.introspect = () => ({ body: { active: false } }) // from here on, only the cached tokens are active
    const cached = [jwt, opaque]
    const mutations: ((t: string) => string)[] = [
      (t) => t,
      (t) => `${t} `,
      (t) => `${t}\t`,
      (t) => `${t},${t}`,
      (t) => `${t} ${t}`,
      (t) => `${t}=`,
      (t) => `${t}\u0000`,
      (t) => `\t${t}`,
      (t) => `${t.slice(0, -1)}`,
      (t) => `${t.slice(0, -1)}~`,
      (t) => `${t.slice(0, 5)}!${t.slice(6)}`,
    ]
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'Bearer:', 'Basic', 'Bear', ''),
        fc.constantFrom(' ', '  ', '\t', ''),
        fc.constantFrom(...cached),
        fc.constantFrom(...mutations),
        fc.constantFrom('', ' ', '\r\n'),
        async (scheme, separator, token, mutate, tail) => {
          const header = `${scheme}${separator}${mutate(token)}${tail}`
          let expected: string | undefined | BearerError
          try {
            expected = extractBearerToken(header)
          } catch (err) {
            expected = err as BearerError
          }
          const outcome = await rs.authenticate(header).then(
            (info) => info,
            (err: unknown) => err as BearerError,
          )
          if (typeof expected === 'string' && cached.includes(expected)) {
            expect(outcome).not.toBeInstanceOf(Error)
            expect(outcome).toMatchObject({ sub: expected === jwt ? 'user-1' : 'user-9' })
          } else {
            expect(outcome).toBeInstanceOf(BearerError)
            const code = (outcome as BearerError).code
            if (expected instanceof BearerError) expect(code).toBe(expected.code)
            else if (expected === undefined) expect(code).toBe('missing_token')
            else expect(code).toBe('invalid_token')
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('a cached token longer than this resource server allows is still refused (a MemoryCache shared with another)', async () => {
    const store = new MemoryCache({ maxEntries: 100 })
    const token = 'x'.repeat(60)
    const roomy = introspectingRs(as, { cache: { store } })
    expect((await roomy.authenticate(bearer(token)))?.sub).toBe('user-9')
    const strict = introspectingRs(as, { cache: { store }, bearer: { maxLength: 50 } })
    await rejection(() => strict.authenticate(bearer(token)), BearerError, 400, 'invalid_request')
    expect(as.introspections).toBe(1)
  })

  it('with acceptBase64, a credential is judged as the token it decodes to, even when that credential was cached as a token', async () => {
    const rs = introspectingRs(as, { bearer: { acceptBase64: true } })
    as.introspect = (req) => ({ body: { active: true, iss: as.issuer, sub: req.token, client_id: 'app-9' } })
    const token = 'token-with-a-dash'
    const once = btoa(token) // strict base64 that decodes to a token
    // Sent encoded twice, it is decoded once: `once` is judged (and cached) as a token itself.
    expect((await rs.authenticate(bearer(btoa(once))))?.sub).toBe(once)
    // Sent as written, `once` is decoded again: the token judged is `token`, not the cached `once`.
    expect((await rs.authenticate(bearer(once)))?.sub).toBe(token)
    expect(as.introspections).toBe(2)
  })
})

describe('authenticateRequest', () => {
  it('reads the Authorization header of a request (plain headers or a Headers object)', async () => {
    const rs = introspectingRs(as)
    expect((await rs.authenticateRequest({ headers: { authorization: bearer('tok') } }))?.sub).toBe('user-9')
    expect(
      (await rs.authenticateRequest(new Request('https://api.example.com/', { headers: { authorization: bearer('tok') } })))?.sub,
    ).toBe('user-9')
    expect(await rs.authenticateRequest({ headers: {} }, { optional: true })).toBeUndefined()
    await rejection(() => rs.authenticateRequest({ headers: {} }), BearerError, 401, 'missing_token')
    await rejection(() => rs.authenticateRequest({ headers: { authorization: bearer('tok') } }, { scopes: ['admin'] }), BearerError, 403)
  })

  it('emits the same events as authenticate', async () => {
    const { events, onEvent } = listening()
    const rs = introspectingRs(as, { onEvent })
    await rs.authenticateRequest({ headers: { authorization: bearer('tok') } })
    await rejection(() => rs.authenticateRequest({ headers: {} }), BearerError, 401)
    expect(events.map((e) => [e.type, (e as { reason?: string }).reason])).toEqual([
      ['authenticated', undefined],
      ['rejected', 'missing_token'],
    ])
  })
})

describe('with DPoP on (the sender-constraint path)', () => {
  const HREF = 'http://127.0.0.1:8080/api/me'

  it('emits authenticated for a proven token, and rejected (with the challenge) for a token without its proof', async () => {
    const key = await jose.generateKeyPair('ES256')
    const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(key.publicKey))
    as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'bound', client_id: 'app', cnf: { jkt } } })
    const { events, onEvent } = listening()
    const rs = introspectingRs(as, { onEvent, dpop: {}, realm: 'api' })
    const request = (proof?: string) => ({
      method: 'GET',
      url: '/api/me',
      href: HREF,
      headers: { authorization: 'DPoP tok', ...(proof === undefined ? {} : { dpop: proof }) },
    })
    const proof = await dpopProof(key, 'GET', HREF, { accessToken: 'tok' })
    expect((await rs.authenticateRequest(request(proof)))?.sub).toBe('bound')
    expect(events.at(-1)).toMatchObject({ type: 'authenticated', source: 'introspection', sub: 'bound', clientId: 'app' })
    const err = await rejection(() => rs.authenticateRequest(request()), BearerError, 401)
    expect(err.wwwAuthenticate).toContain('realm="api"')
    expect(events.at(-1)).toMatchObject({ type: 'rejected', status: 401 })
    // A header alone carries no proof: refused too, through the same path.
    await rejection(() => rs.authenticate('DPoP tok'), BearerError, 401)
    expect(events.filter((e) => e.type === 'rejected')).toHaveLength(2)
  })
})

describe('verifyToken', () => {
  it('judges a bare token (cached or not) and applies the requirement', async () => {
    const rs = introspectingRs(as)
    expect((await rs.verifyToken('tok')).sub).toBe('user-9')
    expect((await rs.verifyToken('tok', { scopes: ['write'] })).sub).toBe('user-9')
    expect(as.introspections).toBe(1)
    await rejection(() => rs.verifyToken('tok', { scopes: ['admin'] }), BearerError, 403)
  })

  it('answers a JWT already verified from the cache, without verifying its signature again', async () => {
    let verifications = 0
    const rs = jwtRs(as, { signatureVerifier: () => ++verifications > 0 })
    const jwt = await signJwt(as, goodClaims(as))
    expect((await rs.verifyToken(jwt)).sub).toBe('user-1')
    expect((await rs.verifyToken(jwt)).sub).toBe('user-1')
    expect(verifications).toBe(1)
  })

  it('checks the token’s syntax and length first, without asking the AS', async () => {
    const rs = introspectingRs(as, { bearer: { maxLength: 16 } })
    await rejection(() => rs.verifyToken('has space'), BearerError, 400)
    await rejection(() => rs.verifyToken('x'.repeat(17)), BearerError)
    expect((await rs.verifyToken('x'.repeat(16))).sub).toBe('user-9')
    expect(as.introspections).toBe(1)
  })

  it('applies the issuer policies, cached or not', async () => {
    const rs = introspectingRs(as, { allowedClients: ['someone-else'] })
    await rejection(() => rs.verifyToken('tok'), BearerError, 401, 'invalid_token')
    await rejection(() => rs.verifyToken('tok'), BearerError, 401, 'invalid_token')
    await rejection(() => rs.authenticate(bearer('tok')), BearerError, 401, 'invalid_token')
    expect(as.introspections).toBe(1)
  })
})

const request = (authorization?: string) => ({
  method: 'GET',
  url: '/api',
  rawHeaders: authorization === undefined ? ['Host', 'api'] : ['Host', 'api', 'Authorization', authorization],
})

/** What an answer settles to: the value, or the error it rejects with. */
async function settled(answer: RouteAnswer): Promise<AccessTokenInfo | undefined | BearerError> {
  return Promise.resolve(answer).then(
    (info) => info,
    (err: unknown) => err as BearerError,
  )
}

describe('protectRoute(rs).authenticateNow', () => {
  it('answers a token judged before now, with the claims authenticate gives and an authenticated event from the cache', async () => {
    const { events, onEvent } = listening()
    const rs = introspectingRs(as, { tokenFormat: 'auto', audience: 'api', onEvent })
    const route = protectRoute(rs, { scopes: ['read'] })
    const jwt = await signJwt(as, goodClaims(as))
    for (const token of [jwt, 'opaque-token_0123456789']) {
      const first = route.authenticateNow(request(bearer(token)))
      expect(first).toBeInstanceOf(Promise) // first sight: a verification or an introspection
      const judged = await first
      const again = route.authenticateNow(request(bearer(token)))
      expect(again).not.toBeInstanceOf(Promise)
      expect(again).toEqual(judged)
      expect(events.at(-1)).toMatchObject({ type: 'authenticated', source: 'cache', sub: judged!.sub })
    }
    expect(as.introspections).toBe(1)
  })

  it('an optional route without a token is answered now, undefined', () => {
    const rs = introspectingRs(as)
    expect(protectRoute(rs, { optional: true }).authenticateNow(request())).toBeUndefined()
  })

  it('refusals are rejected promises, never throws: no token, a scope the cached token lacks, a request that is no request', async () => {
    const { events, onEvent } = listening()
    const rs = introspectingRs(as, { realm: 'api', onEvent })
    await rs.authenticate('Bearer tok') // judged and cached
    const admin = protectRoute(rs, { scopes: ['admin'] })
    const cases: [unknown, number, string][] = [
      [request(), 401, 'missing_token'],
      [request('Bearer tok'), 403, 'insufficient_scope'],
      [request('Basic dXNlcjpwYXNz'), 401, 'missing_token'],
      [{ rawHeaders: ['Authorization', 'Bearer tok', 'authorization', 'Bearer tok'] }, 400, 'invalid_request'],
      [null, 400, 'invalid_request'],
      ['Bearer tok', 400, 'invalid_request'],
    ]
    for (const [req, status, code] of cases) {
      let answer: RouteAnswer | undefined
      expect(() => {
        answer = admin.authenticateNow(req as never)
      }).not.toThrow()
      expect(answer).toBeInstanceOf(Promise)
      const err = await settled(answer!)
      expect(err).toBeInstanceOf(BearerError)
      expect({ status: (err as BearerError).status, code: (err as BearerError).code }).toEqual({ status, code })
      expect((err as BearerError).wwwAuthenticate).toContain('realm="api"')
    }
    expect(events.filter((e) => e.type === 'rejected')).toHaveLength(cases.length)
  })

  it('a route that wants a DPoP proof never takes a cached token now: the proof is checked, so a header alone is refused', async () => {
    const rs = introspectingRs(as, { dpop: {} })
    await rs.authenticate('Bearer tok') // cached as a plain bearer token
    const answer = protectRoute(rs, { dpop: 'required' }).authenticateNow(request('Bearer tok'))
    expect(answer).toBeInstanceOf(Promise)
    expect(await settled(answer)).toMatchObject({ status: 401 })
  })

  it('a resource server not built by createResourceServer (a wrapper) answers through its own promise', async () => {
    const inner = introspectingRs(as)
    await inner.authenticate('Bearer tok')
    const wrapper: ResourceServer = { ...inner } // the same calls, on another object
    const answer = protectRoute(wrapper).authenticateNow(request('Bearer tok'))
    expect(answer).toBeInstanceOf(Promise)
    expect((await answer)?.sub).toBe('user-9')
  })

  it('for any Authorization header, never throws and settles as authenticate does', async () => {
    const rs = introspectingRs(as, { tokenFormat: 'auto', audience: 'api' })
    const jwt = await signJwt(as, goodClaims(as))
    await rs.authenticate(`Bearer ${jwt}`)
    await rs.authenticate('Bearer tok')
    as.introspect = () => ({ body: { active: false } }) // only the cached tokens are active from here on
    const route = protectRoute(rs, { scopes: ['read'] })
    const header = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(`Bearer ${jwt}`, 'Bearer tok', `bearer ${jwt}`, `Bearer ${jwt} `, 'Bearer  tok', 'Bearer tok,tok'),
      fc.tuple(fc.constantFrom('Bearer ', 'DPoP ', ''), fc.string({ maxLength: 60 })).map(([s, t]) => s + t),
    )
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const now = route.authenticateNow(request(authorization))
        const later = await settled(route.authenticate(request(authorization)))
        const answer = await settled(now)
        if (later instanceof Error) {
          expect(answer).toBeInstanceOf(BearerError)
          expect((answer as BearerError).code).toBe(later.code)
        } else expect(answer).toEqual(later)
      }),
      { numRuns: 200 },
    )
  })
})
