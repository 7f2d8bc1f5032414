/**
 * `ProtectedRoute.authenticateNow`: a token judged before comes back as the value itself (no
 * promise), with the same claims and events as `authenticate`; everything that waits or refuses
 * comes back as a promise, a refusal always as a rejection, never a throw, whatever the request.
 */
import * as fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type AccessTokenInfo,
  BearerError,
  protectRoute,
  type ResourceServer,
  type ResourceServerEvent,
  type RouteAnswer,
} from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())
beforeEach(() => {
  as.introspections = 0
  as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'user-9', client_id: 'app-9', scope: 'read write' } })
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
    const events: ResourceServerEvent[] = []
    const rs = introspectingRs(as, { tokenFormat: 'auto', audience: 'api', onEvent: (e) => void events.push(e) })
    const route = protectRoute(rs, { scopes: ['read'] })
    const jwt = await signJwt(as, goodClaims(as))
    for (const token of [jwt, 'opaque-token_0123456789']) {
      const first = route.authenticateNow(request(`Bearer ${token}`))
      expect(first).toBeInstanceOf(Promise) // first sight: a verification or an introspection
      const judged = await first
      const again = route.authenticateNow(request(`Bearer ${token}`))
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
    const events: ResourceServerEvent[] = []
    const rs = introspectingRs(as, { realm: 'api', onEvent: (e) => void events.push(e) })
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
