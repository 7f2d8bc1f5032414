/**
 * The credentials of an `Authorization` header where DPoP is accepted: `Bearer` or `DPoP` (any case,
 * leading spaces), the scheme each is reported as, the token bounds, and `invalid_request` for several
 * headers or a DPoP scheme without a valid token; another scheme is no credentials.
 */
import { describe, expect, it } from 'vitest'
import { BearerError } from '../../src/errors.js'
import { extractCredentials } from '../../src/sender-constraint/credentials.js'
import { thrown } from '../support/index.js'

const invalid = (header: string | readonly string[], options = {}) => {
  const err = thrown(() => extractCredentials(header, options), BearerError)
  expect(err.code).toBe('invalid_request')
  expect(err.status).toBe(400)
}

describe('extractCredentials', () => {
  it('is undefined without a header, for an empty list and for another scheme', () => {
    expect(extractCredentials(undefined, {})).toBeUndefined()
    expect(extractCredentials(null, {})).toBeUndefined()
    expect(extractCredentials([], {})).toBeUndefined()
    expect(extractCredentials('Basic YTpi', {})).toBeUndefined()
    expect(extractCredentials('DPoPx abc', {})).toBeUndefined()
    expect(extractCredentials('Basic DPoP abc', {})).toBeUndefined()
    expect(extractCredentials('', {})).toBeUndefined()
  })

  it('reads a Bearer token as scheme bearer, with the bearer options', () => {
    expect(extractCredentials('Bearer abc', {})).toEqual({ scheme: 'bearer', token: 'abc' })
    expect(extractCredentials(['bearer abc'], {})).toEqual({ scheme: 'bearer', token: 'abc' })
    expect(extractCredentials(`Bearer ${btoa('tok.en')}`, { acceptBase64: true })).toEqual({ scheme: 'bearer', token: 'tok.en' })
  })

  it('reads a DPoP token in any case, after leading spaces, as scheme dpop', () => {
    for (const header of ['DPoP abc', 'dpop abc', 'DPOP abc', 'dPoP abc', '  DPoP abc', 'DPoP   abc ', ['DPoP abc']]) {
      expect(extractCredentials(header, {})).toEqual({ scheme: 'dpop', token: 'abc' })
    }
    expect(extractCredentials('DPoP a-b.c_d~e+f/g==', {})).toEqual({ scheme: 'dpop', token: 'a-b.c_d~e+f/g==' })
  })

  it('never base64-decodes a DPoP token', () => {
    const encoded = btoa('tok.en')
    expect(extractCredentials(`DPoP ${encoded}`, { acceptBase64: true })).toEqual({ scheme: 'dpop', token: encoded })
  })

  it('bounds a DPoP token by maxLength, 8192 by default', () => {
    expect(extractCredentials(`DPoP ${'a'.repeat(8192)}`, {})?.token).toHaveLength(8192)
    invalid(`DPoP ${'a'.repeat(8193)}`)
    expect(extractCredentials(`DPoP ${'a'.repeat(10)}`, { maxLength: 10 })?.token).toHaveLength(10)
    invalid(`DPoP ${'a'.repeat(11)}`, { maxLength: 10 })
  })

  it('refuses several headers, and a DPoP scheme with no or a malformed token', () => {
    invalid(['DPoP a', 'DPoP b'])
    invalid(['Bearer a', 'Bearer b'])
    for (const header of ['DPoP ', 'DPoP    ', 'DPoP a b', 'DPoP a,b', 'DPoP a!b']) invalid(header)
  })
})
