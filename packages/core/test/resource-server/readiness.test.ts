/**
 * rs.ready(): the start-up check that turns a set-up which could never authenticate anyone into a
 * ConfigurationError naming the option, against a real local AS whose keys and answers each test
 * sets: the AS's published keys against the configured algorithms (key type, curve, `use`, `alg`),
 * the introspection credentials, and an endpoint that says a random token is active.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ConfigurationError, type ResourceServerEvent } from '../../src/index.js'
import { type FakeAS, introspectingRs, jwtRs, rejection, startFakeAS } from '../support/index.js'

let as: FakeAS
let es256: jose.JWK
beforeAll(async () => {
  as = await startFakeAS()
  es256 = as.jwks[0]!
})
afterAll(() => as.close())
beforeEach(() => {
  as.jwks = [es256]
  as.introspect = () => ({ body: { active: false } })
})

const jwkOf = async (alg: string, options: { crv?: string; modulusLength?: number } = {}) => {
  const { publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...options })
  return jose.exportJWK(publicKey)
}

describe('ready(): the AS publishes a key for a configured algorithm', () => {
  it('a key whose alg is one of the algorithms: ready', async () => {
    await jwtRs(as, { jwt: { algorithms: ['ES256'] } }).ready()
  })

  it('keys without alg are matched by type and curve', async () => {
    const cases: [string, jose.JWK, boolean][] = [
      ['ES256', await jwkOf('ES256'), true],
      ['ES384', await jwkOf('ES384'), true],
      ['ES512', await jwkOf('ES512'), true],
      ['ES256', await jwkOf('ES384'), false],
      ['ES384', await jwkOf('ES512'), false],
      ['ES512', await jwkOf('ES256'), false],
      ['RS256', await jwkOf('RS256'), true],
      ['PS384', await jwkOf('PS384'), true],
      ['RS256', await jwkOf('ES256'), false],
      ['EdDSA', await jwkOf('Ed25519'), true],
      ['Ed25519', await jwkOf('Ed25519'), true],
      ['EdDSA', await jwkOf('ES256'), false],
      ['ES256', await jwkOf('Ed25519'), false],
    ]
    for (const [alg, jwk, ok] of cases) {
      as.jwks = [jwk]
      const rs = jwtRs(as, { jwt: { algorithms: [alg as 'ES256'] } })
      if (ok) await expect(rs.ready(), `${alg} with ${jwk.kty} ${jwk.crv ?? ''}`).resolves.toBeUndefined()
      else
        expect((await rejection(() => rs.ready(), ConfigurationError)).issues[0]!.path, `${alg} with ${jwk.kty} ${jwk.crv ?? ''}`).toBe(
          'jwt.algorithms',
        )
    }
  })

  it('a key for encryption (use: enc) or for another alg does not count; the error lists what the AS publishes', async () => {
    as.jwks = [
      { ...(await jwkOf('ES256')), use: 'enc' },
      { ...(await jwkOf('RS256')), alg: 'RS512' },
    ]
    const err = await rejection(() => jwtRs(as, { jwt: { algorithms: ['ES256', 'RS256'] } }).ready(), ConfigurationError)
    expect(err.issues).toEqual([
      { path: 'jwt.algorithms', message: "none of ES256, RS256 can be verified with the AS's published keys (EC P-256, RS512)" },
    ])
  })

  it('an empty JWKS: "no key"; a configuration_problem event says the same', async () => {
    as.jwks = []
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { jwt: { algorithms: ['ES256'] }, onEvent: (e: ResourceServerEvent) => events.push(e) })
    const err = await rejection(() => rs.ready(), ConfigurationError)
    expect(err.issues[0]!.message).toBe("none of ES256 can be verified with the AS's published keys (no key)")
    expect(events).toContainEqual({ type: 'configuration_problem', message: `jwt.algorithms: ${err.issues[0]!.message}` })
  })

  it('HS algorithms need no published key; with a JWT secret, the JWKS is not read at all', async () => {
    as.jwks = []
    await jwtRs(as, { jwt: { algorithms: ['HS256'], secret: 'a-shared-secret-of-at-least-32-bytes!' } }).ready()
  })
})

describe('ready(): introspection', () => {
  it('checks the credentials with a random token: active false is ready', async () => {
    const seen: string[] = []
    as.introspect = ({ token }) => (seen.push(token), { body: { active: false } })
    await introspectingRs(as).ready()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatch(/^rs-ready-[0-9a-f-]{36}$/)
  })

  it('an endpoint that says a random token is active is not to be trusted', async () => {
    as.introspect = () => ({ body: { active: true, sub: 'anyone' } })
    const err = await rejection(() => introspectingRs(as).ready(), ConfigurationError)
    expect(err.issues[0]!.path).toBe('introspectionEndpoint')
  })

  it('credentials the AS refuses name clientSecret', async () => {
    as.introspect = () => ({ status: 401, body: { error: 'invalid_client' } })
    const err = await rejection(() => introspectingRs(as).ready(), ConfigurationError)
    expect(err.issues[0]!.path).toBe('clientSecret')
  })

  it('with several issuers, each problem is named under its index', async () => {
    as.introspect = () => ({ body: { active: true } })
    const other = await startFakeAS()
    try {
      const rs = introspectingRs(as, {
        issuer: undefined,
        introspectionEndpoint: undefined,
        jwksUri: undefined,
        clientId: undefined,
        clientSecret: undefined,
        issuers: [
          {
            issuer: other.issuer,
            introspectionEndpoint: other.introspectionEndpoint,
            jwksUri: other.jwksUri,
            clientId: 'rs-1',
            clientSecret: 'client-secret-with-enough-length-0123',
          },
          {
            issuer: as.issuer,
            introspectionEndpoint: as.introspectionEndpoint,
            jwksUri: as.jwksUri,
            clientId: 'rs-1',
            clientSecret: 'client-secret-with-enough-length-0123',
          },
        ],
      } as never)
      const err = await rejection(() => rs.ready(), ConfigurationError)
      expect(err.issues[0]!.path).toBe('issuers.1.introspectionEndpoint')
    } finally {
      await other.close()
    }
  })
})
