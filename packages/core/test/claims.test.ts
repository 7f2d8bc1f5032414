/** getClaim and rolesOf on the claim shapes of the vendors (VENDORS.md), and on hostile ones. */
import { describe, expect, it } from 'vitest'
import { getClaim, rolesOf } from '../src/index.js'

const auth = (claims: Record<string, unknown>) => ({ claims })

describe('getClaim', () => {
  it('a top-level claim by its exact name wins, even with a dot in it (URL-named claims of Auth0)', () => {
    const a = auth({ 'https://example.com/roles': ['x'], https: { '//example': 'no' }, 'a.b': 'flat', a: { b: 'nested' } })
    expect(getClaim(a, 'https://example.com/roles')).toEqual(['x'])
    expect(getClaim(a, 'a.b')).toBe('flat')
  })

  it('a dotted path walks nested objects', () => {
    const a = auth({ realm_access: { roles: ['admin'] }, deep: { er: { still: 0 } } })
    expect(getClaim(a, 'realm_access.roles')).toEqual(['admin'])
    expect(getClaim(a, 'deep.er.still')).toBe(0)
    expect(getClaim(a, 'deep.er')).toEqual({ still: 0 })
  })

  it('undefined when any step is missing, null, a primitive or an array, or only inherited', () => {
    const a = auth({ n: null, s: 'str', arr: [{ x: 1 }], o: {} })
    for (const path of [
      'missing',
      'missing.x',
      'n.x',
      's.length',
      'arr.0',
      'arr.length',
      'o.toString',
      'o.__proto__',
      'toString',
      'constructor.name',
    ]) {
      expect(getClaim(a, path), path).toBeUndefined()
    }
  })
})

describe('rolesOf', () => {
  it('collects every usual roles claim, strings and string arrays, without duplicates', () => {
    const a = auth({
      roles: ['a', 'b'],
      role: 'c',
      groups: ['b', 'd', 7, null],
      permissions: ['read:x'],
      entitlements: 'e',
      realm_access: { roles: ['f'] },
      'cognito:groups': ['g'],
      other: ['not a role'],
    })
    expect(rolesOf(a).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'read:x'])
  })

  it("adds Keycloak's client roles of the given client id only", () => {
    const a = auth({ resource_access: { api: { roles: ['api-admin'] }, other: { roles: ['other-admin'] } } })
    expect(rolesOf(a)).toEqual([])
    expect(rolesOf(a, { clientId: 'api' })).toEqual(['api-admin'])
    expect(rolesOf(a, { clientId: 'missing' })).toEqual([])
    expect(rolesOf(a, { clientId: 'toString' })).toEqual([])
    expect(rolesOf(auth({ resource_access: 'nope' }), { clientId: 'api' })).toEqual([])
    expect(rolesOf(auth({ resource_access: null }), { clientId: 'api' })).toEqual([])
    expect(rolesOf(auth({ resource_access: { api: null } }), { clientId: 'api' })).toEqual([])
  })

  it('nothing for a token without roles, or with roles of the wrong type', () => {
    expect(rolesOf(auth({}))).toEqual([])
    expect(rolesOf(auth({ roles: { admin: true }, role: 42 }))).toEqual([])
  })
})
