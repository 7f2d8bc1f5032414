/**
 * Every refusal reason of the README's table is emitted, with the right status, for a request a
 * client could really send — against a real oidc-provider and tokens signed with its own keys.
 */
import { randomUUID } from 'node:crypto'
import * as jose from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { dpopProof, startTestAS, type TestAS } from '@org/rs-testing'
import {
  BearerError,
  createResourceServer,
  type RefusalReason,
  type ResourceServerEvent,
  type ResourceServerOptions,
  type RouteOptions,
} from '../../src/index.js'
import { reasonOf } from '../../src/events/index.js'

const API = 'https://api.example.test'
let as: TestAS
let ec: jose.JWK

beforeAll(async () => {
  as = await startTestAS({ resources: { [API]: { accessTokenFormat: 'jwt' } } } as Parameters<typeof startTestAS>[0])
  ec = as.privateJwks.keys.find((k) => k.kty === 'EC')!
})
afterAll(() => as?.stop())

/** A JWT signed with the AS's own ES256 key; `claims`/`header` override the defaults of a good access token. */
async function jwt(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new jose.SignJWT({
    iss: as.issuer,
    aud: API,
    sub: 'u1',
    scope: 'read',
    client_id: 'app',
    jti: randomUUID(),
    iat: now,
    exp: now + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: ec.kid, ...header } as jose.JWTHeaderParameters)
    .sign(await jose.importJWK(ec, 'ES256'))
}

/** The event of one refused request. */
async function refusal(header: string | undefined, options: Partial<ResourceServerOptions> = {}, route: RouteOptions = {}) {
  const events: ResourceServerEvent[] = []
  const rs = createResourceServer({
    issuer: as.issuer,
    audience: API,
    tokenFormat: 'jwt',
    logger: false,
    onEvent: (e) => events.push(e),
    ...options,
  })
  await expect(rs.authenticate(header, route)).rejects.toBeInstanceOf(BearerError)
  const rejected = events.filter((e) => e.type === 'rejected')
  expect(rejected).toHaveLength(1)
  return rejected[0] as Extract<ResourceServerEvent, { type: 'rejected' }>
}

const seen = new Set<RefusalReason>()
async function expectReason(
  reason: RefusalReason,
  status: number,
  header: string | undefined,
  options: Partial<ResourceServerOptions> = {},
  route: RouteOptions = {},
) {
  const event = await refusal(header, options, route)
  expect([event.reason, event.status]).toEqual([reason, status])
  expect(event.durationMs).toBeGreaterThanOrEqual(0)
  seen.add(reason)
  return event
}

it('names the reason of each refusal', async () => {
  const now = Math.floor(Date.now() / 1000)
  const good = await jwt()
  await expectReason('missing_token', 401, undefined)
  await expectReason('malformed_request', 400, 'Bearer a b')
  await expectReason('expired', 401, `Bearer ${await jwt({ iat: now - 600, exp: now - 300 })}`)
  await expectReason('not_yet_valid', 401, `Bearer ${await jwt({ nbf: now + 600 })}`)
  await expectReason('issued_in_future', 401, `Bearer ${await jwt({ iat: now + 600, exp: now + 900 })}`)
  await expectReason('too_old', 401, `Bearer ${await jwt({ iat: now - 120 })}`, { jwt: { maxTokenAge: 60 } })
  await expectReason('wrong_audience', 401, `Bearer ${await jwt({ aud: 'https://other.example' })}`)
  await expectReason('wrong_type', 401, `Bearer ${await jwt({}, { typ: 'JWT' })}`)
  await expectReason('id_token', 401, `Bearer ${await jwt({ nonce: 'n-0S6_WzA2Mj' }, { typ: 'JWT' })}`, { jwt: { typ: 'lenient' } })
  await expectReason('bound_token', 401, `Bearer ${await jwt({ cnf: { jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' } })}`)
  await expectReason('not_a_jwt', 401, 'Bearer opaque-token-value')
  await expectReason('bad_signature', 401, `Bearer ${good.slice(0, -6)}${good.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`)
  await expectReason('unknown_kid', 401, `Bearer ${await jwt({}, { kid: 'no-such-key' })}`)
  await expectReason('alg_not_allowed', 401, `Bearer ${await jwt()}`, { jwt: { algorithms: ['RS256'] } })
  await expectReason('malformed_token', 401, `Bearer ${await jwt({ exp: 'tomorrow' })}`)
  await expectReason('insufficient_scope', 403, `Bearer ${good}`, {}, { scopes: ['admin'] })
  await expectReason('claim_mismatch', 403, `Bearer ${good}`, {}, { claims: { tier: 'gold' } })
  await expectReason('insufficient_user_authentication', 401, `Bearer ${await jwt({ acr: 'eidas1' })}`, {}, { acr: ['eidas2'] })
  const opaque = await as.issueToken({ sub: 'u2', scope: 'read' })
  await as.revoke(opaque)
  await expectReason('inactive', 401, `Bearer ${opaque}`, {
    tokenFormat: 'introspection',
    clientId: 'rs-json',
    clientSecret: as.clients['rs-json']!.clientSecret,
    audience: undefined,
  })
})

it('names the sender-constraint refusals (DPoP, bound tokens)', async () => {
  const keys = await jose.generateKeyPair('ES256', { extractable: true })
  const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(keys.publicKey))
  const bound = await jwt({ cnf: { jkt } })
  // A bound token sent as a plain bearer token, on a resource server with no sender constraint.
  await expectReason('bound_token', 401, `Bearer ${bound}`)
  const url = 'https://api.example.test/orders'
  async function viaRequest(dpop: Record<string, unknown>, headers: Record<string, string>) {
    const events: ResourceServerEvent[] = []
    const rs = createResourceServer({
      issuer: as.issuer,
      audience: API,
      tokenFormat: 'jwt',
      logger: false,
      onEvent: (e) => events.push(e),
      dpop,
    })
    await expect(rs.authenticateRequest({ method: 'GET', url, headers })).rejects.toBeInstanceOf(BearerError)
    return events.find((e) => e.type === 'rejected') as Extract<ResourceServerEvent, { type: 'rejected' }>
  }
  const unboundWhereRequired = await viaRequest({ mode: 'required' }, { authorization: `Bearer ${await jwt()}` })
  expect([unboundWhereRequired.reason, unboundWhereRequired.status]).toEqual(['sender_constraint', 401])
  seen.add('sender_constraint')
  const noProof = await viaRequest({ mode: 'allowed' }, { authorization: `DPoP ${bound}` })
  expect([noProof.reason, noProof.status]).toEqual(['invalid_dpop_proof', 401])
  seen.add('invalid_dpop_proof')
  const proof = await dpopProof(keys, 'GET', url, { accessToken: bound })
  const noNonce = await viaRequest({ mode: 'allowed', nonce: { secret: 'n'.repeat(40) } }, { authorization: `DPoP ${bound}`, dpop: proof })
  expect([noNonce.reason, noNonce.status]).toEqual(['use_dpop_nonce', 401])
  seen.add('use_dpop_nonce')
})

it('an issuer that differs only by a trailing slash is named for the operator, not for the client', async () => {
  const event = await expectReason('wrong_issuer', 401, `Bearer ${await jwt({ iss: `${as.issuer}/` })}`)
  expect(event.detail).toContain('has a trailing slash the configured issuer')
  expect(event.description).toBe('The access token comes from an unexpected issuer')
  const other = await expectReason('wrong_issuer', 401, `Bearer ${await jwt({ iss: 'https://elsewhere.example' })}`)
  expect(other.detail).toBeUndefined()
})

it('an error whose cause is unknown is still a refusal with the generic reason', () => {
  expect(reasonOf(new BearerError('invalid_token', 'The access token could not be verified'))).toBe('invalid_token')
  seen.add('invalid_token')
})

it('covers every reason of the table', () => {
  const all: RefusalReason[] = [
    'missing_token',
    'malformed_request',
    'inactive',
    'expired',
    'not_yet_valid',
    'issued_in_future',
    'too_old',
    'wrong_audience',
    'wrong_issuer',
    'wrong_type',
    'id_token',
    'bound_token',
    'not_a_jwt',
    'bad_signature',
    'unknown_kid',
    'alg_not_allowed',
    'malformed_token',
    'insufficient_scope',
    'claim_mismatch',
    'insufficient_user_authentication',
    'invalid_dpop_proof',
    'use_dpop_nonce',
    'sender_constraint',
    'invalid_token',
  ]
  expect([...seen].sort()).toEqual([...all].sort())
})
