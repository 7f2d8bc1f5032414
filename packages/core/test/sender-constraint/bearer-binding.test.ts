/**
 * A token with a `cnf` confirmation of any kind presented as a plain bearer token is refused
 * `invalid_token` with reason `bound_token`, the detail naming the confirmation kinds (at most four);
 * a token without `cnf` passes.
 */
import { describe, expect, it } from 'vitest'
import { BearerError } from '../../src/errors.js'
import { checkBearerBinding } from '../../src/sender-constraint/bearer-binding.js'
import type { AccessTokenInfo } from '../../src/token-info.js'
import { thrown } from '../support/index.js'

const info = (claims: Record<string, unknown>) => ({ claims }) as unknown as AccessTokenInfo

describe('checkBearerBinding', () => {
  it('lets a token without cnf pass', () => {
    expect(checkBearerBinding(info({ sub: 'a' }))).toBeUndefined()
  })

  it('refuses any cnf, well-formed or not, with invalid_token / bound_token', () => {
    for (const cnf of [{ jkt: 'x' }, { 'x5t#S256': 'y' }, {}, null, 'jkt', 0, false, []]) {
      const err = thrown(() => checkBearerBinding(info({ cnf })), BearerError)
      expect(err.code).toBe('invalid_token')
      expect(err.status).toBe(401)
      expect(err.reason).toBe('bound_token')
    }
  })

  it('names the first four confirmation kinds, or the type of a non-object cnf, in the detail', () => {
    const detail = (cnf: unknown) => thrown(() => checkBearerBinding(info({ cnf })), BearerError).detail
    expect(detail({ jkt: 'x', 'x5t#S256': 'y' })).toContain('(jkt, x5t#S256)')
    expect(detail({ a: 1, b: 2, c: 3, d: 4, e: 5 })).toContain('(a, b, c, d)')
    expect(detail('jkt')).toContain('(string)')
    expect(detail(null)).toContain('(object)')
  })
})
