/**
 * hasInvalidTokenChallenge: when a resource server's 401 means "this token is no longer good" (an
 * `invalid_token` error in a challenge of the token's own scheme), which is when client credentials
 * fetch a new token and retry once. Anything else (another error, another scheme, a parameter that
 * only looks like error) is not a reason to retry.
 */
import { describe, expect, it } from 'vitest'
import { hasInvalidTokenChallenge } from '../../src/client-credentials/fetch.js'

describe('hasInvalidTokenChallenge', () => {
  it.each([
    ['Bearer error="invalid_token"', true],
    ['Bearer error=invalid_token', true],
    ['bearer error="invalid_token"', true],
    ['BEARER ERROR="invalid_token"', true],
    ['Bearer realm="api", error="invalid_token", error_description="expired"', true],
    ['Bearer realm="api",error="invalid_token"', true],
    ['Bearer error = "invalid_token"', true],
    ['Bearer error="invalid\\_token"', true],
    ['Basic realm="x", Bearer error="invalid_token"', true],
    ['Basic realm="x",   Bearer error="invalid_token"', true],
    ['Bearer realm="api", error = "invalid_token"', true],
    ['Bearer error=invalid_token,realm="api"', true],
    ['Bearer realm="a", DPoP error="invalid_token"', false],
    ['Bearer error="insufficient_scope"', false],
    ['Bearer error="invalid_token2"', false],
    ['Bearer error_description="invalid_token"', false],
    ['Bearer realm="error=invalid_token"', false],
    ['Bearer', false],
    ['Bearer realm="api"', false],
    ['Basic error="invalid_token"', false],
    ['Bearerx error="invalid_token"', false],
    ['', false],
  ])('%j -> %s', (header, expected) => {
    expect(hasInvalidTokenChallenge(header)).toBe(expected)
  })

  it('null (no header) is no challenge', () => {
    expect(hasInvalidTokenChallenge(null)).toBe(false)
  })

  it('a DPoP-bound token reads only the DPoP challenge', () => {
    expect(hasInvalidTokenChallenge('DPoP algs="ES256", error="invalid_token"', 'dpop')).toBe(true)
    expect(hasInvalidTokenChallenge('Bearer error="invalid_token", DPoP algs="ES256"', 'dpop')).toBe(false)
    expect(hasInvalidTokenChallenge('DPoP error="use_dpop_nonce", Bearer error="invalid_token"', 'dpop')).toBe(false)
    expect(hasInvalidTokenChallenge('DPoP error="use_dpop_nonce", Bearer error="invalid_token"', 'bearer')).toBe(true)
  })
})
