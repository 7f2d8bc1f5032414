/**
 * Route requirements beyond scopes — claims by path, roles/groups/permissions, a predicate, and
 * RFC 9470 step-up (acr, max_age) — on tokens shaped like the vendors' (local vendor-shaped ASes)
 * and like ProConnect's (acr eidas1/eidas2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendorAS, type VendorAS } from '@org/rs-testing'
import {
  BearerError,
  ConfigurationError,
  createResourceServer,
  getClaim,
  protectRoute,
  rolesOf,
  type ResourceServer,
  type RouteOptions,
} from '../../src/index.js'

let keycloak: VendorAS
let auth0: VendorAS
let rsKeycloak: ResourceServer
let rsAuth0: ResourceServer

beforeAll(async () => {
  ;[keycloak, auth0] = await Promise.all([startVendorAS('keycloak'), startVendorAS('auth0')])
  const common = { tokenFormat: 'jwt' as const, jwt: { typ: 'lenient' as const }, allowInsecureRequests: true, logger: false as const }
  rsKeycloak = createResourceServer({ issuer: keycloak.issuer, audience: keycloak.audience, ...common })
  rsAuth0 = createResourceServer({ issuer: auth0.issuer, audience: auth0.audience, ...common })
})
afterAll(async () => {
  await Promise.all([keycloak?.stop(), auth0?.stop()])
})

async function outcome(rs: ResourceServer, token: string, route: RouteOptions): Promise<number> {
  try {
    await rs.authenticate(`Bearer ${token}`, route)
    return 200
  } catch (err) {
    if (!(err instanceof BearerError)) throw err
    return err.status
  }
}

describe('claims and roles', () => {
  it('Keycloak realm and client roles, by nested path and through rolesOf', async () => {
    const token = await keycloak.mintAccessToken({
      realm_access: { roles: ['admin', 'user'] },
      resource_access: { 'my-api': { roles: ['reports'] } },
    })
    const auth = await rsKeycloak.authenticate(`Bearer ${token}`)
    expect(getClaim(auth, 'realm_access.roles')).toEqual(['admin', 'user'])
    expect(rolesOf(auth, { clientId: 'my-api' }).sort()).toEqual(['admin', 'reports', 'user'])
    expect(await outcome(rsKeycloak, token, { claims: { 'realm_access.roles': { includes: 'admin' } } })).toBe(200)
    expect(await outcome(rsKeycloak, token, { claims: { 'realm_access.roles': { includes: ['admin', 'auditor'] } } })).toBe(403)
    expect(await outcome(rsKeycloak, token, { claims: { 'resource_access.my-api.roles': 'reports' } })).toBe(200)
    expect(await outcome(rsKeycloak, token, { roles: ['admin'] })).toBe(200)
    expect(await outcome(rsKeycloak, token, { roles: ['admin', 'auditor'] })).toBe(403)
    expect(await outcome(rsKeycloak, token, { anyRole: ['auditor', 'user'] })).toBe(200)
  })

  it('Auth0 permissions, and a refusal names the missing claim with a 403 insufficient_scope challenge', async () => {
    const token = await auth0.mintAccessToken({ permissions: ['read:orders'] })
    expect(await outcome(rsAuth0, token, { roles: ['read:orders'] })).toBe(200)
    const err = await rsAuth0
      .authenticate(`Bearer ${token}`, { claims: { permissions: { includes: 'write:orders' } } })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BearerError)
    expect((err as BearerError).code).toBe('insufficient_scope')
    expect((err as BearerError).reason).toBe('claim_mismatch')
    expect((err as BearerError).wwwAuthenticate).toContain('error="insufficient_scope"')
  })

  it('one-of values, and array claims never match by substring', async () => {
    const token = await auth0.mintAccessToken({ tier: 'gold', permissions: ['superadmin'] })
    expect(await outcome(rsAuth0, token, { claims: { tier: { oneOf: ['gold', 'platinum'] } } })).toBe(200)
    expect(await outcome(rsAuth0, token, { claims: { tier: { oneOf: ['silver'] } } })).toBe(403)
    expect(await outcome(rsAuth0, token, { roles: ['admin'] })).toBe(403)
    expect(await outcome(rsAuth0, token, { claims: { permissions: 'admin' } })).toBe(403)
  })

  it('a predicate for anything else; a predicate that throws is an error, never an authorization', async () => {
    const token = await auth0.mintAccessToken({ org_id: 'org_1' })
    expect(await outcome(rsAuth0, token, { check: (a) => getClaim(a, 'org_id') === 'org_1' })).toBe(200)
    expect(await outcome(rsAuth0, token, { check: (a) => getClaim(a, 'org_id') === 'org_2' })).toBe(403)
    await expect(
      rsAuth0.authenticate(`Bearer ${token}`, {
        check: () => {
          throw new Error('bug')
        },
      }),
    ).rejects.toThrow('bug')
    expect(await outcome(rsAuth0, token, { check: (() => 'yes') as unknown as RouteOptions['check'] })).toBe(403)
  })
})

describe('step-up (RFC 9470)', () => {
  it('acr: eidas1 where eidas2 is required is a 401 insufficient_user_authentication with acr_values', async () => {
    const weak = await keycloak.mintAccessToken({ acr: 'eidas1', auth_time: Math.floor(Date.now() / 1000) })
    const strong = await keycloak.mintAccessToken({ acr: 'eidas2', auth_time: Math.floor(Date.now() / 1000) })
    const err = (await rsKeycloak.authenticate(`Bearer ${weak}`, { acr: ['eidas2', 'eidas3'] }).catch((e: unknown) => e)) as BearerError
    expect(err.status).toBe(401)
    expect(err.code).toBe('insufficient_user_authentication')
    expect(err.wwwAuthenticate).toContain('error="insufficient_user_authentication"')
    expect(err.wwwAuthenticate).toContain('acr_values="eidas2 eidas3"')
    expect(await outcome(rsKeycloak, strong, { acr: ['eidas2', 'eidas3'] })).toBe(200)
  })

  it('max_age: an old authentication (or none) asks for a new one, with max_age in the challenge', async () => {
    const now = Math.floor(Date.now() / 1000)
    const recent = await keycloak.mintAccessToken({ auth_time: now - 60 })
    const old = await keycloak.mintAccessToken({ auth_time: now - 3600 })
    const none = await keycloak.mintAccessToken({ auth_time: undefined })
    expect(await outcome(rsKeycloak, recent, { maxAge: 300 })).toBe(200)
    const err = (await rsKeycloak.authenticate(`Bearer ${old}`, { maxAge: 300 }).catch((e: unknown) => e)) as BearerError
    expect([err.status, err.code]).toEqual([401, 'insufficient_user_authentication'])
    expect(err.wwwAuthenticate).toContain('max_age=300')
    expect(await outcome(rsKeycloak, none, { maxAge: 300 })).toBe(401)
  })
})

describe('the vocabulary is validated when the route is made', () => {
  it('refuses malformed requirements with the option named', () => {
    const bad: [unknown, string][] = [
      [{ claims: { tier: { oneof: ['a'] } } }, 'claims.tier'],
      [{ claims: { tier: null } }, 'claims.tier'],
      [{ roles: [] }, 'roles'],
      [{ acr: 'eidas2' }, 'acr'],
      [{ maxAge: -1 }, 'maxAge'],
      [{ check: true }, 'check'],
      [{ role: ['admin'] }, 'role'],
    ]
    for (const [options, path] of bad) {
      expect(() => protectRoute(rsAuth0, options), JSON.stringify(options)).toThrow(ConfigurationError)
      try {
        protectRoute(rsAuth0, options)
      } catch (err) {
        expect((err as ConfigurationError).message).toContain(path)
      }
    }
  })
})
