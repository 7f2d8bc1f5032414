/**
 * Token routing, per `tokenFormat`, against a real local AS that counts introspections: which path
 * judges a token (`introspection`: every token goes to the AS; `jwt`: verified locally; `auto`: JWTs
 * of a configured issuer locally, the rest introspected), and what is refused before any network
 * call (reason and the near-miss issuer hint of the `rejected` event), multi-tenant templates
 * included.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BearerError, type ResourceServer, type ResourceServerEvent } from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, jwtRs, rejection, SECRET, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())
beforeEach(() => {
  as.introspections = 0
  as.introspect = ({ token }) => ({
    body: { active: true, iss: as.issuer, sub: `opaque:${token.slice(0, 8)}`, client_id: 'app', aud: 'api' },
  })
})

const bearer = (token: string) => `Bearer ${token}`
const b64 = (value: unknown) => jose.base64url.encode(typeof value === 'string' ? value : JSON.stringify(value))

/** A resource server that records its events. */
function recorded(make: (onEvent: (e: ResourceServerEvent) => void) => ResourceServer) {
  const events: ResourceServerEvent[] = []
  return { rs: make((e) => events.push(e)), events }
}
const rejected = (events: ResourceServerEvent[]) => events.filter((e) => e.type === 'rejected')
const sources = (events: ResourceServerEvent[]) =>
  events.filter((e) => e.type === 'authenticated').map((e) => (e as { source: string }).source)

/** Refused with `reason`, the AS never asked. */
async function refusedLocally(rs: ResourceServer, events: ResourceServerEvent[], token: string, reason: string) {
  const err = await rejection(() => rs.authenticate(bearer(token)), BearerError, 401, 'invalid_token')
  expect(rejected(events).at(-1)).toMatchObject({ type: 'rejected', reason, status: 401 })
  expect(as.introspections).toBe(0)
  return err
}

describe('tokenFormat: introspection', () => {
  it('sends every token to the AS, a valid JWT of the issuer included', async () => {
    const { rs, events } = recorded((onEvent) => introspectingRs(as, { onEvent, audience: 'api' }))
    const jwt = await signJwt(as, goodClaims(as))
    expect((await rs.authenticate(bearer(jwt)))?.source).toBe('introspection')
    expect((await rs.authenticate(bearer('opaque-one')))?.sub).toBe('opaque:opaque-o')
    expect(as.introspections).toBe(2)
    expect(sources(events)).toEqual(['introspection', 'introspection'])
    // The cached answer of a JWT-looking token is the introspection's.
    await rs.authenticate(bearer(jwt))
    expect(sources(events)).toEqual(['introspection', 'introspection', 'cache'])
    expect(as.introspections).toBe(2)
  })

  it('refuses a JWT in non-canonical base64url before asking the AS', async () => {
    const { rs, events } = recorded((onEvent) => introspectingRs(as, { onEvent }))
    await refusedLocally(rs, events, `${b64({ alg: 'ES256' })}.${b64({ iss: as.issuer })}.c2ln=`, 'malformed_token')
  })
})

describe('tokenFormat: jwt', () => {
  it('verifies JWTs of the issuer locally', async () => {
    const { rs, events } = recorded((onEvent) => jwtRs(as, { onEvent }))
    const info = await rs.authenticate(bearer(await signJwt(as, goodClaims(as))))
    expect(info).toMatchObject({ source: 'jwt', iss: as.issuer, sub: 'user-1' })
    expect(sources(events)).toEqual(['jwt'])
  })

  it('refuses an opaque token as not_a_jwt', async () => {
    const { rs, events } = recorded((onEvent) => jwtRs(as, { onEvent }))
    await refusedLocally(rs, events, 'opaque-token', 'not_a_jwt')
  })

  it('refuses a JWE, and a payload that is not a JSON object, as malformed_token', async () => {
    const { rs, events } = recorded((onEvent) => jwtRs(as, { onEvent }))
    await refusedLocally(rs, events, `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`, 'malformed_token')
    await refusedLocally(rs, events, `${b64({ alg: 'ES256', kid: 'k1' })}.${b64([1, 2])}.c2ln`, 'malformed_token')
    await refusedLocally(rs, events, `${b64({ alg: 'ES256', kid: 'k1' })}.${b64('"iss"')}.c2ln`, 'malformed_token')
  })

  it('refuses a token of another issuer as wrong_issuer, with a hint only for a near miss', async () => {
    const { rs, events } = recorded((onEvent) => jwtRs(as, { onEvent }))
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: `${as.issuer}/` }), 'wrong_issuer')
    expect(rejected(events).at(-1)).toHaveProperty('detail', expect.stringContaining('trailing slash'))
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: 'https://elsewhere.example' }), 'wrong_issuer')
    expect(rejected(events).at(-1)).not.toHaveProperty('detail')
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: 42 }), 'wrong_issuer')
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: undefined }), 'wrong_issuer')
  })

  it('checks the header against the issuer’s allow-list before any key is fetched', async () => {
    const { rs, events } = recorded((onEvent) => jwtRs(as, { onEvent, jwt: { algorithms: ['RS256'] } }))
    await refusedLocally(rs, events, await signJwt(as, goodClaims(as)), 'alg_not_allowed')
    expect(events.some((e) => e.type === 'jwks_refreshed')).toBe(false)
  })

  it('routes a JWT by its iss among several issuers', async () => {
    const other = await startFakeAS()
    try {
      const { rs } = recorded((onEvent) =>
        jwtRs(as, {
          onEvent,
          issuer: undefined,
          jwksUri: undefined,
          issuers: [
            { issuer: as.issuer, jwksUri: as.jwksUri },
            { issuer: other.issuer, jwksUri: other.jwksUri },
          ],
        }),
      )
      expect((await rs.authenticate(bearer(await signJwt(other, goodClaims(other)))))?.iss).toBe(other.issuer)
      expect((await rs.authenticate(bearer(await signJwt(as, goodClaims(as)))))?.iss).toBe(as.issuer)
      // Signed by one issuer's key, claiming the other: verified against the claimed one's keys, refused.
      await rejection(async () => rs.authenticate(bearer(await signJwt(as, goodClaims(other)))), BearerError, 401)
    } finally {
      await other.close()
    }
  })

  it('routes a tenant’s token to a multi-tenant issuer template', async () => {
    const tid = '0f3c2b1a-1111-4222-8333-444455556666'
    const { rs, events } = recorded((onEvent) => jwtRs(as, { onEvent, issuer: `${as.issuer}/{tenantid}/v2.0` }))
    const info = await rs.authenticate(bearer(await signJwt(as, { ...goodClaims(as), iss: `${as.issuer}/${tid}/v2.0`, tid })))
    expect(info?.iss).toBe(`${as.issuer}/${tid}/v2.0`)
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: `${as.issuer}/not-a-guid/v2.0`, tid }), 'wrong_issuer')
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: undefined, tid }), 'wrong_issuer')
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: 7, tid }), 'wrong_issuer')
    // The template is no issuer of its own: no near-miss hint points at it.
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: `${as.issuer}/{tenantid}/v2.0/`, tid }), 'wrong_issuer')
    expect(rejected(events).at(-1)).not.toHaveProperty('detail')
  })
})

describe('tokenFormat: auto', () => {
  const autoRs = (onEvent: (e: ResourceServerEvent) => void) =>
    jwtRs(as, { onEvent, tokenFormat: 'auto', clientId: 'rs-1', clientSecret: SECRET, introspectionEndpoint: as.introspectionEndpoint })

  it('verifies a JWT of the issuer locally and introspects an opaque token', async () => {
    const { rs, events } = recorded(autoRs)
    const jwt = await signJwt(as, goodClaims(as))
    expect((await rs.authenticate(bearer(jwt)))?.source).toBe('jwt')
    expect(as.introspections).toBe(0)
    expect((await rs.authenticate(bearer('opaque-token')))?.source).toBe('introspection')
    expect(as.introspections).toBe(1)
    await rs.authenticate(bearer(jwt))
    await rs.authenticate(bearer('opaque-token'))
    expect(sources(events)).toEqual(['jwt', 'introspection', 'cache', 'cache'])
    expect(as.introspections).toBe(1)
  })

  it('never sends a JWT of a foreign issuer to the AS', async () => {
    const { rs, events } = recorded(autoRs)
    await refusedLocally(rs, events, await signJwt(as, { ...goodClaims(as), iss: 'https://elsewhere.example' }), 'wrong_issuer')
  })

  it('the verifyToken entry point routes the same way', async () => {
    const { rs } = recorded(autoRs)
    expect((await rs.verifyToken(await signJwt(as, goodClaims(as)))).source).toBe('jwt')
    expect((await rs.verifyToken('opaque-token')).source).toBe('introspection')
    expect((await rs.verifyToken('opaque-token')).source).toBe('introspection') // the cached verdict keeps its source
    expect(as.introspections).toBe(1)
  })
})
