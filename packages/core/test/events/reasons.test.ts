/**
 * The refusal reason read from a BearerError: its own reason first, then its code, then the jose
 * error that caused it (each class and claim), then core's own descriptions; and the near misses of
 * an issuer (trailing slash, letter case, the same URL written differently) named for the operator.
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { BearerError, type BearerErrorCode } from '../../src/errors.js'
import { nearMiss, nearMissOfAny, reasonOf } from '../../src/events/reasons.js'

const withCause = (cause: unknown, description = 'The access token is not valid') =>
  new BearerError('invalid_token', description, { cause })
const claimFailed = (claim: string, reason = 'check_failed') => new jose.errors.JWTClaimValidationFailed('x', {}, claim, reason)

describe('reasonOf', () => {
  it('is the error own reason when set, whatever else it says', () => {
    expect(reasonOf(new BearerError('missing_token', 'x', { reason: 'expired' }))).toBe('expired')
    expect(reasonOf(new BearerError('invalid_token', 'x', { reason: 'bound_token', cause: new jose.errors.JWTExpired('x', {}) }))).toBe(
      'bound_token',
    )
  })

  it('follows the code for every code but invalid_token', () => {
    const byCode: [BearerErrorCode, string][] = [
      ['missing_token', 'missing_token'],
      ['invalid_request', 'malformed_request'],
      ['insufficient_scope', 'insufficient_scope'],
      ['insufficient_user_authentication', 'insufficient_user_authentication'],
      ['invalid_dpop_proof', 'invalid_dpop_proof'],
      ['use_dpop_nonce', 'use_dpop_nonce'],
    ]
    for (const [code, reason] of byCode)
      expect(reasonOf(new BearerError(code, 'is not active', { cause: new jose.errors.JWTExpired('x', {}) }))).toBe(reason)
  })

  it('reads the jose error that caused an invalid_token', () => {
    expect(reasonOf(withCause(new jose.errors.JWTExpired('x', {}, 'exp')))).toBe('expired')
    expect(reasonOf(withCause(new jose.errors.JWTExpired('x', {}, 'iat')))).toBe('too_old')
    expect(reasonOf(withCause(claimFailed('aud')))).toBe('wrong_audience')
    expect(reasonOf(withCause(claimFailed('iss')))).toBe('wrong_issuer')
    expect(reasonOf(withCause(claimFailed('nbf')))).toBe('not_yet_valid')
    expect(reasonOf(withCause(claimFailed('iat')))).toBe('too_old')
    expect(reasonOf(withCause(claimFailed('sub')))).toBe('malformed_token')
    for (const claim of ['aud', 'iss', 'nbf', 'iat']) expect(reasonOf(withCause(claimFailed(claim, 'invalid')))).toBe('malformed_token')
    expect(reasonOf(withCause(new jose.errors.JOSEAlgNotAllowed('x')))).toBe('alg_not_allowed')
    expect(reasonOf(withCause(new jose.errors.JWKSNoMatchingKey()))).toBe('unknown_kid')
    expect(reasonOf(withCause(new jose.errors.JWSSignatureVerificationFailed()))).toBe('bad_signature')
    expect(reasonOf(withCause(new jose.errors.JWSInvalid('x'), 'is not active'))).toBe('malformed_token')
  })

  it('reads core own descriptions when no jose error caused it', () => {
    const cases: [string, string][] = [
      ['The access token is not active', 'inactive'],
      ['The access token expired', 'expired'],
      ['The access token expired.', 'invalid_token'],
      ['expired', 'invalid_token'],
      ['The access token is not valid yet', 'not_yet_valid'],
      ['The access token was issued in the future', 'issued_in_future'],
      ['The access token is not meant for this resource server', 'wrong_audience'],
      ['The token has an unexpected issuer', 'wrong_issuer'],
      ['The token is of the wrong type', 'wrong_type'],
      ['The credential is not a JWT', 'not_a_jwt'],
      ['The token is malformed', 'malformed_token'],
      ['Something else', 'invalid_token'],
    ]
    for (const [description, reason] of cases) expect(reasonOf(withCause(new Error('not jose'), description)), description).toBe(reason)
    expect(reasonOf(new BearerError('invalid_token', 'The access token is not active'))).toBe('inactive')
  })

  it('takes the first description that matches', () => {
    expect(reasonOf(withCause(undefined, 'is not active and malformed'))).toBe('inactive')
  })
})

describe('nearMiss', () => {
  it('is undefined for the same issuer or an unrelated one', () => {
    expect(nearMiss('https://as.example', 'https://as.example')).toBeUndefined()
    expect(nearMiss('https://as.example', 'https://other.example')).toBeUndefined()
    expect(nearMiss('not a url', 'also not')).toBeUndefined()
  })

  it('names a missing or extra trailing slash', () => {
    expect(nearMiss('https://as.example', 'https://as.example/')).toBe(
      '"https://as.example" lacks the trailing slash of the configured issuer "https://as.example/"',
    )
    expect(nearMiss('https://as.example/', 'https://as.example')).toBe(
      '"https://as.example/" has a trailing slash the configured issuer "https://as.example" does not',
    )
  })

  it('names a difference of letter case only', () => {
    expect(nearMiss('https://as.example/Realm', 'https://as.example/realm')).toBe(
      '"https://as.example/Realm" differs from the configured issuer "https://as.example/realm" only by letter case',
    )
  })

  it('names the same URL written differently', () => {
    expect(nearMiss('https://as.example:443/a', 'https://as.example/a')).toBe(
      '"https://as.example:443/a" and the configured issuer "https://as.example/a" are the same URL written differently (default port, case or encoding)',
    )
    expect(nearMiss('https://as.example/a/./b', 'https://as.example/a/b')).toMatch(
      /^"https:\/\/as.example\/a\/.\/b" and the configured issuer/,
    )
    expect(nearMiss('https://as.example:8443/a', 'https://as.example/a')).toBeUndefined()
    expect(nearMiss('as.example:443', 'https://as.example')).toBeUndefined()
    expect(nearMiss('not a url', 'https://as.example')).toBeUndefined()
    expect(nearMiss('https://as.example', 'not a url')).toBeUndefined()
  })
})

describe('nearMissOfAny', () => {
  it('names the first configured issuer missed narrowly', () => {
    expect(nearMissOfAny('https://as.example', ['https://other.example', 'https://as.example/', 'https://AS.example'])).toBe(
      'The token\'s issuer "https://as.example" lacks the trailing slash of the configured issuer "https://as.example/": set issuer to exactly the AS\'s issuer',
    )
  })

  it('is undefined for a non-string, an exact match, or no near miss', () => {
    expect(nearMissOfAny(42, ['42'])).toBeUndefined()
    expect(nearMissOfAny(undefined, ['https://as.example'])).toBeUndefined()
    expect(nearMissOfAny('https://as.example', ['https://as.example'])).toBeUndefined()
    expect(nearMissOfAny('https://x.example', ['https://as.example', 'https://b.example'])).toBeUndefined()
    expect(nearMissOfAny('https://x.example', [])).toBeUndefined()
  })
})
