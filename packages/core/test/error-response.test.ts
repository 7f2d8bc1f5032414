/**
 * toErrorResponse: the answer every adapter sends. A refusal keeps its status (400 / 401 / 403) and
 * challenge; an unavailable AS or replay store is a 503 with Retry-After; anything else a bare 500.
 * The errors are the ones a real resource server throws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthorizationServerError, BearerError, ReplayCacheError, toErrorResponse } from '../src/index.js'
import { type FakeAS, introspectingRs, startFakeAS } from './support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as?.close())

const thrown = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Error)
  return err
}

describe('toErrorResponse', () => {
  it('a refusal keeps its status and challenge: 401 missing / invalid, 400 malformed, 403 scope', async () => {
    as.introspect = () => ({ body: { active: true, sub: 'u', scope: 'read' } })
    const rs = introspectingRs(as, { realm: 'api' })
    const cases: [Promise<unknown>, number, string][] = [
      [rs.authenticate(undefined), 401, 'Bearer realm="api"'],
      [rs.authenticate('Bearer a b'), 400, 'Bearer realm="api", error="invalid_request"'],
      [rs.authenticate('Bearer tok', { scopes: ['admin'] }), 403, 'Bearer realm="api", error="insufficient_scope"'],
    ]
    for (const [call, status, challenge] of cases) {
      const res = toErrorResponse(await thrown(call))
      expect(res.status).toBe(status)
      expect(res.headers['www-authenticate']).toMatch(new RegExp(`^${challenge.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.body.error).toBe(status === 401 ? 'missing_token' : status === 400 ? 'invalid_request' : 'insufficient_scope')
    }
    as.introspect = () => ({ body: { active: false } })
    const inactive = toErrorResponse(await thrown(rs.authenticate('Bearer gone')))
    expect(inactive).toMatchObject({ status: 401, body: { error: 'invalid_token' }, headers: { 'cache-control': 'no-store' } })
    expect(inactive.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it("an unavailable AS is a 503 with the AS's Retry-After, and no detail of the failure", async () => {
    as.introspect = () => ({ status: 503, body: { error: 'down for maintenance at internal-host-7' } })
    const err = await thrown(introspectingRs(as).authenticate('Bearer tok'))
    expect(err).toBeInstanceOf(AuthorizationServerError)
    const res = toErrorResponse(err)
    expect(res).toEqual({
      status: 503,
      headers: { 'retry-after': '5', 'cache-control': 'no-store' },
      body: { error: 'temporarily_unavailable', error_description: 'The authorization server is unavailable' },
    })
    expect(toErrorResponse(new AuthorizationServerError('http_status', 'x', { retryAfter: 42 })).headers['retry-after']).toBe('42')
  })

  it('a failed replay store is a 503 with Retry-After (1 s by default)', () => {
    expect(toErrorResponse(new ReplayCacheError('store down'))).toMatchObject({
      status: 503,
      headers: { 'retry-after': '1', 'cache-control': 'no-store' },
      body: { error: 'temporarily_unavailable' },
    })
    expect(toErrorResponse(new ReplayCacheError('store down', { retryAfter: 3 })).headers['retry-after']).toBe('3')
  })

  it('anything else is a bare 500 that says nothing of the error', () => {
    for (const err of [new Error('secret detail'), new TypeError('x'), 'a string', undefined]) {
      const res = toErrorResponse(err)
      expect(res).toEqual({
        status: 500,
        headers: { 'cache-control': 'no-store' },
        body: { error: 'server_error', error_description: 'Authentication failed unexpectedly' },
      })
    }
  })

  it('a BearerError built by hand answers with its own status', () => {
    expect(toErrorResponse(new BearerError('insufficient_scope', 'needs admin', { scope: 'admin' }))).toMatchObject({
      status: 403,
      body: { error: 'insufficient_scope', error_description: 'needs admin' },
    })
    expect(toErrorResponse(new BearerError('invalid_request', 'bad')).status).toBe(400)
  })
})
