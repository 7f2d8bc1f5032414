/**
 * RequestRequirements on its own: what a validated token must also satisfy on each request (its
 * time window, the route's scopes, acr, max_age, claims, roles and predicate, and the everyRoute
 * options on top), the exact boundaries, and the error, reason and challenge parameters of each
 * refusal. The same rules over HTTP are in test/e2e/route-requirements.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { BearerError, type RouteOptions } from '../../src/index.js'
import { RequestRequirements } from '../../src/resource-server/requirements.js'
import { toTokenInfo } from '../../src/token-info.js'
import { thrown } from '../support/index.js'

const NOW = 1_800_000_000
const token = (claims: Record<string, unknown> = {}) =>
  toTokenInfo(
    { iss: 'https://as.example', sub: 'u1', aud: 'api', exp: NOW + 600, iat: NOW - 60, scope: 'read write', ...claims },
    'jwt',
    'https://as.example',
  )
const requirements = (options: { tolerance?: number; everyRoute?: RouteOptions; now?: number } = {}) =>
  new RequestRequirements(() => (options.now ?? NOW) * 1000, options.tolerance ?? 0, options.everyRoute)
const refusal = (run: () => unknown) => thrown(run, BearerError)

describe('the time window, on every request', () => {
  it('expired at exp (not one second later), within the clock tolerance', () => {
    const info = token({ exp: NOW + 10 })
    expect(requirements({ now: NOW + 9 }).accept(info, undefined)).toBe(info)
    expect(refusal(() => requirements({ now: NOW + 10 }).accept(info, undefined))).toMatchObject({
      code: 'invalid_token',
      reason: 'expired',
    })
    expect(requirements({ now: NOW + 14, tolerance: 5 }).accept(info, undefined)).toBe(info)
    expect(refusal(() => requirements({ now: NOW + 15, tolerance: 5 }).accept(info, undefined)).reason).toBe('expired')
  })

  it('not before nbf', () => {
    const info = token({ nbf: NOW + 10 })
    expect(refusal(() => requirements({ now: NOW + 9 }).accept(info, undefined)).reason).toBe('not_yet_valid')
    expect(requirements({ now: NOW + 10 }).accept(info, undefined)).toBe(info)
  })
})

describe('scopes', () => {
  it('every scope of scopes; one of anyScope; the missing scope in the challenge', () => {
    const r = requirements()
    expect(r.accept(token(), { scopes: ['read', 'write'] })).toBeDefined()
    const missing = refusal(() => r.accept(token(), { scopes: ['read', 'admin'] }))
    expect(missing).toMatchObject({ code: 'insufficient_scope', status: 403 })
    expect(missing.scope).toContain('admin')
    expect(r.accept(token(), { anyScope: ['admin', 'write'] })).toBeDefined()
    expect(refusal(() => r.accept(token(), { anyScope: ['admin', 'root'] })).code).toBe('insufficient_scope')
  })
})

describe('acr', () => {
  it('the token acr must be one of the listed values, exactly; the challenge lists them all', () => {
    const r = requirements()
    expect(r.accept(token({ acr: 'eidas2' }), { acr: ['eidas2', 'eidas3'] })).toBeDefined()
    for (const acr of ['eidas1', 'EIDAS2', 'eidas', undefined, 2, ['eidas2']]) {
      const err = refusal(() => r.accept(token({ acr }), { acr: ['eidas2', 'eidas3'] }))
      expect(err).toMatchObject({
        code: 'insufficient_user_authentication',
        status: 401,
        reason: 'insufficient_user_authentication',
        acrValues: 'eidas2 eidas3',
      })
      expect(err.maxAge).toBeUndefined()
    }
  })
})

describe('maxAge', () => {
  it('auth_time no older than maxAge seconds, plus the clock tolerance; max_age in the challenge', () => {
    const info = token({ auth_time: NOW - 300 })
    expect(requirements().accept(info, { maxAge: 300 })).toBe(info)
    const old = refusal(() => requirements().accept(info, { maxAge: 299 }))
    expect(old).toMatchObject({ code: 'insufficient_user_authentication', reason: 'insufficient_user_authentication', maxAge: 299 })
    expect(old.acrValues).toBeUndefined()
    expect(requirements({ tolerance: 1 }).accept(info, { maxAge: 299 })).toBe(info)
    expect(refusal(() => requirements({ tolerance: 1 }).accept(info, { maxAge: 298 })).maxAge).toBe(298)
  })

  it('no auth_time, or one that is not a finite number, is refused', () => {
    for (const auth_time of [undefined, String(NOW), Number.NaN, Infinity, null]) {
      expect(refusal(() => requirements().accept(token({ auth_time }), { maxAge: 3600 })).reason, String(auth_time)).toBe(
        'insufficient_user_authentication',
      )
    }
  })

  it('acr and maxAge together: both in every challenge', () => {
    const err = refusal(() => requirements().accept(token({ acr: 'eidas2' }), { acr: ['eidas2'], maxAge: 60 }))
    expect(err).toMatchObject({ acrValues: 'eidas2', maxAge: 60 })
  })
})

describe('claims', () => {
  const r = requirements()
  const ok = (claims: Record<string, unknown>, condition: RouteOptions['claims']) => {
    try {
      r.accept(token(claims), { claims: condition })
      return true
    } catch (err) {
      expect(err).toMatchObject({ code: 'insufficient_scope', status: 403, reason: 'claim_mismatch' })
      return false
    }
  }

  it('a value: equal, or contained in an array claim; never by type coercion or substring', () => {
    expect(ok({ tenant: 'a' }, { tenant: 'a' })).toBe(true)
    expect(ok({ tenant: ['b', 'a'] }, { tenant: 'a' })).toBe(true)
    expect(ok({ tenant: 'ab' }, { tenant: 'a' })).toBe(false)
    expect(ok({ level: '2' }, { level: 2 })).toBe(false)
    expect(ok({ admin: true }, { admin: true })).toBe(true)
    expect(ok({}, { admin: false })).toBe(false)
  })

  it('oneOf: any of the values', () => {
    expect(ok({ tenant: 'b' }, { tenant: { oneOf: ['a', 'b'] } })).toBe(true)
    expect(ok({ tenant: ['x', 'b'] }, { tenant: { oneOf: ['a', 'b'] } })).toBe(true)
    expect(ok({ tenant: 'c' }, { tenant: { oneOf: ['a', 'b'] } })).toBe(false)
  })

  it('includes: an array claim holding every value', () => {
    expect(ok({ groups: ['a', 'b', 'c'] }, { groups: { includes: ['a', 'c'] } })).toBe(true)
    expect(ok({ groups: ['a', 'b'] }, { groups: { includes: ['a', 'c'] } })).toBe(false)
    expect(ok({ groups: ['a'] }, { groups: { includes: 'a' } })).toBe(true)
    expect(ok({ groups: 'a' }, { groups: { includes: 'a' } })).toBe(false)
  })

  it('every condition must hold; nested paths', () => {
    expect(ok({ org: { id: 'o1' }, tenant: 'a' }, { 'org.id': 'o1', tenant: 'a' })).toBe(true)
    expect(ok({ org: { id: 'o1' }, tenant: 'b' }, { 'org.id': 'o1', tenant: 'a' })).toBe(false)
  })
})

describe('roles', () => {
  const r = requirements()
  it('roles: every one; anyRole: one of them; both may be required together', () => {
    const info = token({ roles: ['a', 'b'] })
    expect(r.accept(info, { roles: ['a', 'b'] })).toBe(info)
    expect(refusal(() => r.accept(info, { roles: ['a', 'c'] }))).toMatchObject({ code: 'insufficient_scope', reason: 'claim_mismatch' })
    expect(r.accept(info, { anyRole: ['c', 'b'] })).toBe(info)
    expect(refusal(() => r.accept(info, { anyRole: ['c', 'd'] })).reason).toBe('claim_mismatch')
    expect(r.accept(info, { roles: ['a'], anyRole: ['b'] })).toBe(info)
    expect(refusal(() => r.accept(info, { roles: ['a'], anyRole: ['c'] })).reason).toBe('claim_mismatch')
    expect(refusal(() => r.accept(info, { roles: ['c'], anyRole: ['a'] })).reason).toBe('claim_mismatch')
  })
})

describe('check', () => {
  it('only a literal true passes; the predicate sees the token', () => {
    const r = requirements()
    let seen: unknown
    expect(r.accept(token(), { check: (a) => ((seen = a), true) })).toBeDefined()
    expect(seen).toMatchObject({ sub: 'u1' })
    for (const answer of [false, 1, 'yes', {}, undefined]) {
      expect(refusal(() => r.accept(token(), { check: () => answer as boolean })).reason).toBe('claim_mismatch')
    }
  })
})

describe('everyRoute', () => {
  it('applies to every request, before and besides the route own requirements', () => {
    const r = requirements({ everyRoute: { scopes: ['read'], claims: { tenant: 'a' } } })
    expect(r.accept(token({ tenant: 'a' }), undefined)).toBeDefined()
    expect(refusal(() => r.accept(token({ tenant: 'b' }), undefined)).reason).toBe('claim_mismatch')
    expect(refusal(() => r.accept(token({ tenant: 'a', scope: 'write' }), { scopes: ['write'] })).code).toBe('insufficient_scope')
    expect(refusal(() => r.accept(token({ tenant: 'a' }), { scopes: ['admin'] })).scope).toContain('admin')
  })
})
