/**
 * Signed introspection responses (RFC 9701): accepted only when signed by the AS (or HS256 with our
 * client secret) for us, fresh, and of the right type; anything else is a 503 (the AS, not the
 * token, is at fault) and never a token. Real keys, a real local AS, an injected clock.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startHttpServer } from '@org/rs-testing'
import { AuthorizationServerError, type ResourceServerOptions } from '../../src/index.js'
import {
  type FakeAS,
  introspectingRs,
  rejection,
  SECRET,
  signedIntrospection,
  startFakeAS,
  type TestClock,
  testClock,
} from '../support/index.js'

let as: FakeAS
let clock: TestClock
let body: () => Promise<string>
const ACTIVE = { active: true, sub: 'user-1', scope: 'read' }
const JWT_TYPE = 'application/token-introspection+jwt'

beforeAll(async () => {
  as = await startFakeAS()
  as.introspect = async () => ({ body: await body(), contentType: JWT_TYPE })
})
afterAll(() => as?.close())
beforeEach(() => {
  clock = testClock()
})

const rs = (extra: Partial<ResourceServerOptions> = {}) =>
  introspectingRs(as, { clock: clock.now, introspection: { response: 'jwt' }, ...extra })
const ok = (extra: Partial<ResourceServerOptions> = {}) =>
  expect(rs(extra).authenticate('Bearer tok')).resolves.toMatchObject({ sub: 'user-1' })
const failure = async (extra: Partial<ResourceServerOptions> = {}) =>
  ((await rejection(() => rs(extra).authenticate('Bearer tok'), AuthorizationServerError, 503)) as AuthorizationServerError).failure
const serve = (options: Parameters<typeof signedIntrospection>[2] = {}, members: Record<string, unknown> = ACTIVE) => {
  body = () => signedIntrospection(as, members, { now: clock.now(), ...options })
}

describe('freshness: iat is required, not in the future, not older than maxResponseAge', () => {
  it('a response without iat is refused', async () => {
    serve({ payload: { iat: undefined } })
    expect(await failure()).toBe('bad_signature')
  })

  it('iat up to clockTolerance ahead is accepted, one second more is refused', async () => {
    serve({ now: clock.now() + 5_000 })
    await ok()
    serve({ now: clock.now() + 6_000 })
    expect(await failure()).toBe('bad_signature')
    serve({ now: clock.now() + 1_000 })
    expect(await failure({ clockTolerance: 0 })).toBe('bad_signature')
  })

  it('iat up to maxResponseAge (default 60 s) + clockTolerance old is accepted, one second more is refused', async () => {
    serve({ now: clock.now() - 65_000 })
    await ok()
    serve({ now: clock.now() - 66_000 })
    expect(await failure()).toBe('bad_signature')
    serve({ now: clock.now() - 10_000 })
    await ok({ clockTolerance: 0, introspection: { response: 'jwt', maxResponseAge: 10 } })
    serve({ now: clock.now() - 11_000 })
    expect(await failure({ clockTolerance: 0, introspection: { response: 'jwt', maxResponseAge: 10 } })).toBe('bad_signature')
  })
})

describe('who signed it, for whom, and what it is', () => {
  it('aud must be our client id, iss the AS, typ token-introspection+jwt', async () => {
    serve()
    await ok()
    serve({ payload: { aud: 'another-client' } })
    expect(await failure()).toBe('bad_signature')
    serve({ payload: { aud: undefined } })
    expect(await failure()).toBe('bad_signature')
    serve({ payload: { iss: 'https://evil.example' } })
    expect(await failure()).toBe('bad_signature')
    serve({ header: { typ: 'JWT' } })
    expect(await failure()).toBe('bad_signature')
  })

  it('only the configured signing algorithms (default RS256, PS256, ES256, EdDSA)', async () => {
    serve()
    expect(await failure({ introspection: { response: 'jwt', signingAlgorithms: ['RS256'] } })).toBe('bad_signature')
    await ok({ introspection: { response: 'jwt', signingAlgorithms: ['ES256'] } })
  })

  it('HS256 keyed with our client secret only, and only when HS256 is allowed', async () => {
    const secret = new TextEncoder().encode(SECRET)
    serve({ header: { alg: 'HS256', kid: undefined }, key: secret })
    await ok({ introspection: { response: 'jwt', signingAlgorithms: ['HS256'] } })
    expect(await failure()).toBe('bad_signature')
    serve({ header: { alg: 'HS256', kid: undefined }, key: new TextEncoder().encode(`${SECRET}-not-ours`) })
    expect(await failure({ introspection: { response: 'jwt', signingAlgorithms: ['HS256'] } })).toBe('bad_signature')
  })

  it("a signature by a key the AS does not publish is refused, with jose's error as the cause (for the operator)", async () => {
    const { privateKey } = await jose.generateKeyPair('ES256')
    serve({ key: privateKey })
    const err = await rejection(() => rs().authenticate('Bearer tok'), AuthorizationServerError, 503)
    expect(err).toMatchObject({ failure: 'bad_signature' })
    expect(err.cause).toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed)
  })

  it("the AS's keys that cannot be fetched are that failure (network), not a bad signature", async () => {
    serve()
    const closed = await startHttpServer(() => {})
    const jwksUri = `${closed.url}/jwks`
    await closed.close()
    expect(await failure({ jwksUri })).toBe('network')
  })

  it('the members are those of token_introspection, which must be there and be an answer', async () => {
    serve({}, { active: true, sub: 'inner', scope: 'read' })
    await expect(rs().authenticate('Bearer tok')).resolves.toMatchObject({ sub: 'inner' })
    serve({ payload: { token_introspection: undefined, active: true, sub: 'outer' } })
    expect(await failure()).toBe('bad_response')
    serve({ payload: { token_introspection: 'active' } })
    expect(await failure()).toBe('bad_response')
    serve({ payload: { token_introspection: { sub: 'no-active' } } })
    expect(await failure()).toBe('bad_response')
  })

  it('surrounding whitespace is tolerated; a body that is neither a JWS nor a JWE is not', async () => {
    body = async () => `\n ${await signedIntrospection(as, ACTIVE, { now: clock.now() })} \n`
    await ok()
    body = async () => 'a.b.c.d'
    expect(await failure()).toBe('bad_response')
    body = async () => 'not-a-jwt'
    expect(await failure()).toBe('bad_response')
  })

  it('a JWE when no decryption key is configured is refused', async () => {
    body = async () => 'aaaa.bbbb.cccc.dddd.eeee'
    expect(await failure()).toBe('bad_response')
  })
})
