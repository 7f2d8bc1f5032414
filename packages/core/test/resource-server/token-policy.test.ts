/**
 * The per-issuer token policies, through real resource servers at a real local AS:
 * `allowedClients` (the calling client must be listed; a token naming none is refused) and
 * `oidcClientIds` (an `aud` naming one is an ID token), checked on every request (cached answers
 * and introspected tokens included), only for the issuer that set them, multi-tenant templates
 * included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, type ResourceServerEvent } from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, jwtRs, rejection, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
let other: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
  other = await startFakeAS()
})
afterAll(async () => {
  await as.close()
  await other.close()
})

const bearer = (token: string) => `Bearer ${token}`

async function refused(call: () => Promise<unknown>, events: ResourceServerEvent[], reason: string) {
  const err = await rejection(call, BearerError, 401, 'invalid_token')
  expect(events.filter((e) => e.type === 'rejected').at(-1)).toMatchObject({ reason, status: 401 })
  return err
}

describe('allowedClients', () => {
  it('accepts a listed client (client_id or azp), on every request', async () => {
    const rs = jwtRs(as, { audience: undefined, allowedClients: ['app', 'web'] })
    const jwt = await signJwt(as, { ...goodClaims(as), aud: undefined })
    expect((await rs.authenticate(bearer(jwt)))?.clientId).toBe('app')
    expect((await rs.authenticate(bearer(jwt)))?.clientId).toBe('app')
    const web = await signJwt(as, { ...goodClaims(as), aud: undefined, client_id: undefined, azp: 'web' })
    expect((await rs.authenticate(bearer(web)))?.clientId).toBe('web')
  })

  it('refuses another client as wrong_audience, cached or not', async () => {
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e), allowedClients: ['web'] })
    const jwt = await signJwt(as, goodClaims(as))
    await refused(() => rs.authenticate(bearer(jwt)), events, 'wrong_audience')
    expect(events.at(-1)).toHaveProperty('detail', expect.stringContaining('"app"'))
    await refused(() => rs.authenticate(bearer(jwt)), events, 'wrong_audience')
    await rejection(() => rs.verifyToken(jwt), BearerError, 401, 'invalid_token')
  })

  it('refuses a token that names no calling client', async () => {
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e), allowedClients: ['app'] })
    const jwt = await signJwt(as, { ...goodClaims(as), client_id: undefined })
    await refused(() => rs.authenticate(bearer(jwt)), events, 'wrong_audience')
    expect(events.at(-1)).toHaveProperty('detail', expect.stringContaining('allowedClients'))
    expect(events.at(-1)).not.toHaveProperty('detail', expect.stringContaining('"'))
  })

  it('applies to introspected tokens too', async () => {
    as.introspect = ({ token }) => ({ body: { active: true, iss: as.issuer, sub: 's', client_id: token } })
    const events: ResourceServerEvent[] = []
    const rs = introspectingRs(as, { onEvent: (e) => events.push(e), allowedClients: ['good'] })
    expect((await rs.authenticate(bearer('good')))?.clientId).toBe('good')
    await refused(() => rs.authenticate(bearer('bad')), events, 'wrong_audience')
  })

  it('binds only the issuer that set it', async () => {
    const rs = jwtRs(as, {
      issuer: undefined,
      jwksUri: undefined,
      issuers: [
        { issuer: as.issuer, jwksUri: as.jwksUri, allowedClients: ['web'] },
        { issuer: other.issuer, jwksUri: other.jwksUri },
      ],
    })
    expect((await rs.authenticate(bearer(await signJwt(other, goodClaims(other)))))?.clientId).toBe('app')
    await rejection(async () => rs.authenticate(bearer(await signJwt(as, goodClaims(as)))), BearerError, 401, 'invalid_token')
  })

  it('binds the tenants of a multi-tenant issuer', async () => {
    const tid = '0f3c2b1a-1111-4222-8333-444455556666'
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e), issuer: `${as.issuer}/{tenantid}/v2.0`, allowedClients: ['web'] })
    const claims = { ...goodClaims(as), iss: `${as.issuer}/${tid}/v2.0`, tid }
    await refused(async () => rs.authenticate(bearer(await signJwt(as, claims))), events, 'wrong_audience')
    expect((await rs.authenticate(bearer(await signJwt(as, { ...claims, client_id: 'web' }))))?.clientId).toBe('web')
  })
})

describe('oidcClientIds', () => {
  it('refuses a token whose aud names one of them as id_token, before allowedClients', async () => {
    const events: ResourceServerEvent[] = []
    const rs = jwtRs(as, { onEvent: (e) => events.push(e), audience: ['api', 'spa'], oidcClientIds: ['spa'], allowedClients: ['other'] })
    await refused(async () => rs.authenticate(bearer(await signJwt(as, { ...goodClaims(as), aud: ['api', 'spa'] }))), events, 'id_token')
    expect(events.at(-1)).toHaveProperty('detail')
  })

  it('accepts a token whose aud names none of them', async () => {
    const rs = jwtRs(as, { audience: ['api', 'spa'], oidcClientIds: ['spa', 'mobile'] })
    expect((await rs.authenticate(bearer(await signJwt(as, goodClaims(as)))))?.aud).toEqual(['api'])
  })
})
