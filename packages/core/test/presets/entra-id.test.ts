/**
 * The entraId() preset: issuer and JWKS for a single tenant (v2 and v1 tokens), a multi-tenant API
 * (`common` / `organizations`: issuer with the tenant placeholder, allowed tenants), another
 * authority, an issuer override, and a ConfigurationError on `tenant`, `version` or `allowedTenants`.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { entraId } from '../../src/presets/entra-id.js'
import { thrown } from '../support/index.js'

const TENANT = '6f2a1c3e-0b4d-4e5f-8a9b-1c2d3e4f5a6b'
const issuePaths = (call: () => unknown) => thrown(call, ConfigurationError).issues.map((i) => i.path)

describe('entraId', () => {
  it('one tenant, v2 tokens by default', () => {
    expect(entraId({ tenant: TENANT, audience: 'api://orders' })).toEqual({
      audience: 'api://orders',
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      jwksUri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
    })
  })

  it('one tenant, v1 tokens: the sts.windows.net issuer and the v1 keys', () => {
    expect(entraId({ tenant: TENANT.toUpperCase(), audience: 'a', version: 1 })).toEqual({
      audience: 'a',
      issuer: `https://sts.windows.net/${TENANT.toUpperCase()}/`,
      jwksUri: `https://login.microsoftonline.com/${TENANT.toUpperCase()}/discovery/keys`,
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
    })
  })

  it('several tenants: the issuer has the tenant placeholder, keys of the common endpoint, allowed tenants kept', () => {
    expect(entraId({ tenant: 'common', audience: 'a', allowedTenants: [TENANT] })).toEqual({
      audience: 'a',
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      jwksUri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
      allowedTenants: [TENANT],
    })
    expect(entraId({ tenant: 'organizations', audience: 'a', version: 1 })).toMatchObject({
      issuer: 'https://sts.windows.net/{tenantid}/',
      jwksUri: 'https://login.microsoftonline.com/organizations/discovery/keys',
    })
    expect(entraId({ tenant: 'organizations', audience: 'a' })).not.toHaveProperty('allowedTenants')
  })

  it('another authority (trailing slashes dropped), an issuer override, jwt options kept', () => {
    expect(
      entraId({
        tenant: TENANT,
        audience: 'a',
        authority: 'https://login.microsoftonline.us//',
        issuer: 'https://custom/',
        jwt: { typ: 'strict' },
      }),
    ).toEqual({
      audience: 'a',
      issuer: 'https://custom/',
      jwksUri: `https://login.microsoftonline.us/${TENANT}/discovery/v2.0/keys`,
      tokenFormat: 'jwt',
      jwt: { typ: 'strict' },
    })
    expect(entraId({ tenant: TENANT, audience: 'a', authority: 'https://login.microsoftonline.us/' }).issuer).toBe(
      `https://login.microsoftonline.us/${TENANT}/v2.0`,
    )
  })

  it('refuses a tenant that is missing, a domain name or not a whole GUID', () => {
    for (const tenant of ['', undefined, 'contoso.onmicrosoft.com', `${TENANT}x`, `x${TENANT}`, TENANT.slice(1), 'consumers', 'Common']) {
      expect(
        issuePaths(() => entraId({ tenant: tenant as string, audience: 'a' })),
        String(tenant),
      ).toEqual(['tenant'])
    }
  })

  it('refuses a version other than 1 or 2, and allowedTenants with one tenant', () => {
    for (const version of [0, 3, '2'])
      expect(issuePaths(() => entraId({ tenant: TENANT, audience: 'a', version: version as 2 }))).toEqual(['version'])
    expect(issuePaths(() => entraId({ tenant: TENANT, audience: 'a', allowedTenants: [TENANT] }))).toEqual(['allowedTenants'])
  })
})
