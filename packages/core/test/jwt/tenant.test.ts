/**
 * A multi-tenant issuer (`…/{tenantid}/v2.0`, Entra ID's `common`), against the fake AS's real JWKS:
 * the token's `iss` must be the template with the token's own `tid` (a GUID, in `allowedTenants`
 * when set); an `iss` that does not fit the template is refused before any key is fetched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, type ResourceServerOptions } from '../../src/index.js'
import { reasonOf } from '../../src/events/index.js'
import { matchesTenantTemplate, tenantIssuer } from '../../src/jwt/index.js'
import { type FakeAS, goodClaims, jwtRs, rejection, signJwt, startFakeAS, thrown } from '../support/index.js'

let as: FakeAS
let template: string
beforeAll(async () => {
  as = await startFakeAS()
  template = `${as.issuer}/{tenantid}/v2.0`
})
afterAll(() => as?.close())

const A = '0d4f7a10-2222-4bbb-8ccc-000000000a0a'
const B = '0d4f7a10-2222-4bbb-8ccc-000000000b0b'
const iss = (tid: string) => template.replace('{tenantid}', tid)
const rs = (extra: Partial<ResourceServerOptions> = {}) => jwtRs(as, { issuer: template, cache: false, ...extra })
const token = (claims: Record<string, unknown>) => {
  const c: Record<string, unknown> = { ...goodClaims(as), ...claims }
  for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k]
  return signJwt(as, c)
}
const refused = async (jwt: string, extra: Partial<ResourceServerOptions> = {}) => {
  const err = await rejection(() => rs(extra).authenticate(`Bearer ${jwt}`), BearerError, 401, 'invalid_token')
  expect(reasonOf(err)).toBe('wrong_issuer')
  return err
}

describe('a multi-tenant issuer', () => {
  it('accepts the template with the token’s own tid, of any tenant, or of an allowed one', async () => {
    expect(await rs().authenticate(`Bearer ${await token({ iss: iss(A), tid: A })}`)).toMatchObject({ iss: iss(A), sub: 'user-1' })
    expect(await rs().authenticate(`Bearer ${await token({ iss: iss(B), tid: B })}`)).toMatchObject({ iss: iss(B) })
    const upper = A.toUpperCase()
    expect(await rs({ allowedTenants: [A] }).authenticate(`Bearer ${await token({ iss: iss(upper), tid: upper })}`)).toMatchObject({
      iss: iss(upper),
    })
  })

  it('refuses a tid that is missing, not a GUID, another tenant’s, or not allowed', async () => {
    const missing = await refused(await token({ iss: iss(A), tid: undefined }))
    expect(missing.detail).toMatch(/tenant id/)
    await refused(await token({ iss: iss(A), tid: `${A}x` }))
    await refused(await token({ iss: iss(A), tid: `x${A}` }))
    await refused(await token({ iss: iss(A), tid: 42 }))
    await refused(await token({ iss: iss(A), tid: [A] })) // its string form is the GUID: still not a string
    await refused(await token({ iss: iss(A), tid: B })) // iss of tenant A, tid of tenant B
    const other = await refused(await token({ iss: iss(B), tid: B }), { allowedTenants: [A] })
    expect(other.detail).toBe(`The tenant ${B} is not in allowedTenants`)
  })

  it('an iss that does not fit the template is refused before any key is fetched', async () => {
    const server = rs()
    const before = as.server.requests
    for (const wrong of [
      `${as.issuer}/${A}/v1.0`, // another suffix
      `${as.issuer.replace('127.0.0.1', '127.0.0.2')}/${A}/v2.0`, // another prefix, same length
      `${as.issuer}/${A}a/v2.0`, // longer
      `${as.issuer}/${A.slice(1)}/v2.0`, // shorter
      `${as.issuer}/${'z'.repeat(36)}/v2.0`, // not a GUID
      `https://other.example/${A}/v2.0`,
    ]) {
      await rejection(async () => server.authenticate(`Bearer ${await token({ iss: wrong, tid: A })}`), BearerError, 401, 'invalid_token')
    }
    expect(as.server.requests).toBe(before)
  })
})

describe('tenantIssuer and matchesTenantTemplate', () => {
  const tenant = { template: 'https://login.example/{tenantid}/v2.0', allowed: undefined }
  it('tenantIssuer: a whole GUID only', () => {
    expect(tenantIssuer(tenant, { tid: A })).toBe(`https://login.example/${A}/v2.0`)
    for (const tid of [`x${A}`, `${A}x`, A.slice(1), '', undefined]) thrown(() => tenantIssuer(tenant, { tid }), BearerError)
    expect(tenantIssuer({ ...tenant, allowed: new Set([A]) }, { tid: A.toUpperCase() })).toBe(
      `https://login.example/${A.toUpperCase()}/v2.0`,
    )
    thrown(() => tenantIssuer({ ...tenant, allowed: new Set([A]) }, { tid: B }), BearerError)
  })

  it('matchesTenantTemplate: same text around a GUID, nothing more', () => {
    expect(matchesTenantTemplate(tenant.template, `https://login.example/${A}/v2.0`)).toBe(true)
    for (const iss of [
      `https://login.example/${A}/v2.1`,
      `https://login.exampl_/${A}/v2.0`,
      `https://login.example/${A}/v2.0/`,
      `https://login.example/${A}x/v2.0`.replace('/v2.0', '/v2.'),
      `https://login.example/${'g'.repeat(36)}/v2.0`,
      `xhttps://login.example/${A}/v2.`,
    ])
      expect(matchesTenantTemplate(tenant.template, iss), iss).toBe(false)
  })
})
