/**
 * The challenge of a refusal on a route that accepts DPoP: which schemes `WWW-Authenticate` lists
 * (`Bearer` unless DPoP is required, `DPoP` with its `algs`), in which the error goes (the scheme the
 * client used; always `DPoP` for a proof or nonce error; none for a missing token), the shared
 * realm / resource metadata, the RFC 9470 step-up parameters, the `DPoP-Nonce` header, and what
 * `withChallenge` and `from` keep of the error.
 */
import { describe, expect, it } from 'vitest'
import { BearerError } from '../../src/errors.js'
import { SenderConstraintError, type SenderConstraintErrorOptions } from '../../src/sender-constraint/challenge.js'

const base: SenderConstraintErrorOptions = { bearer: true, dpopAlgs: ['ES256', 'PS256'], nonce: undefined, usedScheme: 'bearer' }
const www = (code: ConstructorParameters<typeof BearerError>[0], over: Partial<SenderConstraintErrorOptions> = {}) =>
  new SenderConstraintError(code, 'why', { ...base, ...over }).wwwAuthenticate

describe('SenderConstraintError challenge', () => {
  it('puts the error in the Bearer challenge when the client used Bearer, and lists DPoP with its algs', () => {
    expect(www('invalid_token')).toBe('Bearer error="invalid_token", error_description="why", DPoP algs="ES256 PS256"')
  })

  it('puts the error in the DPoP challenge when the client used DPoP', () => {
    expect(www('invalid_token', { usedScheme: 'dpop' })).toBe(
      'Bearer, DPoP error="invalid_token", error_description="why", algs="ES256 PS256"',
    )
  })

  it('always puts a proof or nonce error in the DPoP challenge', () => {
    for (const code of ['invalid_dpop_proof', 'use_dpop_nonce'] as const) {
      expect(www(code)).toBe(`Bearer, DPoP error="${code}", error_description="why", algs="ES256 PS256"`)
      expect(www(code, { dpopAlgs: undefined })).toBe(`Bearer, DPoP error="${code}", error_description="why"`)
    }
  })

  it('lists no Bearer challenge when DPoP is required, the error going in DPoP', () => {
    expect(www('invalid_token', { bearer: false, usedScheme: 'bearer' })).toBe(
      'DPoP error="invalid_token", error_description="why", algs="ES256 PS256"',
    )
    expect(www('invalid_token', { bearer: false, usedScheme: undefined })).toBe(
      'DPoP error="invalid_token", error_description="why", algs="ES256 PS256"',
    )
  })

  it('lists no DPoP challenge when DPoP is not accepted and the error is not a DPoP one', () => {
    expect(www('invalid_token', { dpopAlgs: undefined })).toBe('Bearer error="invalid_token", error_description="why"')
    expect(www('invalid_token', { dpopAlgs: undefined, usedScheme: undefined })).toBe(
      'Bearer error="invalid_token", error_description="why"',
    )
  })

  it('puts no error in any challenge for a missing token', () => {
    expect(www('missing_token', { usedScheme: undefined })).toBe('Bearer, DPoP algs="ES256 PS256"')
    expect(www('missing_token', { usedScheme: undefined, bearer: false })).toBe('DPoP algs="ES256 PS256"')
    expect(www('missing_token', { usedScheme: undefined, dpopAlgs: undefined })).toBe('Bearer')
  })

  it('puts realm and resource metadata in every challenge, scope with the error only', () => {
    expect(www('insufficient_scope', { realm: 'api', resourceMetadata: 'https://rs.example/.well-known/x', scope: 'read write' })).toBe(
      'Bearer error="insufficient_scope", error_description="why", scope="read write", realm="api", resource_metadata="https://rs.example/.well-known/x", ' +
        'DPoP realm="api", resource_metadata="https://rs.example/.well-known/x", algs="ES256 PS256"',
    )
    expect(www('missing_token', { usedScheme: undefined, realm: 'api', dpopAlgs: undefined })).toBe('Bearer realm="api"')
    expect(www('invalid_token', { scope: '' })).toBe('Bearer error="invalid_token", error_description="why", DPoP algs="ES256 PS256"')
  })

  it('drops the characters RFC 6750 forbids from quoted values', () => {
    const err = new SenderConstraintError('invalid_token', 'a "quoted"\\ é\nline', { ...base, dpopAlgs: undefined, realm: 'r"e\\alm' })
    expect(err.wwwAuthenticate).toBe('Bearer error="invalid_token", error_description="a quoted line", realm="realm"')
  })

  it('carries acr_values and max_age of a step-up refusal (RFC 9470), with the error', () => {
    expect(www('insufficient_user_authentication', { acrValues: 'eidas2 eidas3', maxAge: 300.7 })).toBe(
      'Bearer error="insufficient_user_authentication", error_description="why", acr_values="eidas2 eidas3", max_age=300, DPoP algs="ES256 PS256"',
    )
    expect(www('insufficient_user_authentication', { usedScheme: 'dpop', maxAge: Infinity })).toBe(
      'Bearer, DPoP error="insufficient_user_authentication", error_description="why", algs="ES256 PS256"',
    )
  })

  it('is a BearerError with the code, status and description given, its challenge enumerable', () => {
    const err = new SenderConstraintError('invalid_dpop_proof', 'why', base)
    expect(err).toBeInstanceOf(BearerError)
    expect([err.code, err.status, err.description]).toEqual(['invalid_dpop_proof', 401, 'why'])
    expect(Object.keys(err)).toContain('wwwAuthenticate')
  })
})

describe('SenderConstraintError headers and copies', () => {
  it('sends the nonce in DPoP-Nonce, nothing without one', () => {
    expect(new SenderConstraintError('use_dpop_nonce', 'why', { ...base, nonce: 'n0nce' }).responseHeaders).toEqual({
      'dpop-nonce': 'n0nce',
    })
    expect(new SenderConstraintError('use_dpop_nonce', 'why', base).responseHeaders).toBeUndefined()
  })

  it('withChallenge replaces realm and resource metadata, keeping everything else', () => {
    const cause = new Error('cause')
    const err = new SenderConstraintError('invalid_token', 'why', {
      ...base,
      nonce: 'n',
      realm: 'old',
      scope: 's',
      cause,
      reason: 'expired',
    })
    const copy = err.withChallenge({ realm: 'new', resourceMetadata: 'https://rs.example/m' })
    expect(copy).toBeInstanceOf(SenderConstraintError)
    expect([copy.code, copy.description, copy.scope, copy.reason, copy.cause]).toEqual(['invalid_token', 'why', 's', 'expired', cause])
    expect(copy.responseHeaders).toEqual({ 'dpop-nonce': 'n' })
    expect(copy.wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="why", scope="s", realm="new", resource_metadata="https://rs.example/m", DPoP realm="new", resource_metadata="https://rs.example/m", algs="ES256 PS256"',
    )
    expect(err.withChallenge({}).wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="why", scope="s", DPoP algs="ES256 PS256"',
    )
  })

  it('from leaves anything but a plain BearerError as it is', () => {
    const other = new Error('x')
    const already = new SenderConstraintError('invalid_token', 'why', base)
    for (const err of [other, already, 'text', undefined]) expect(SenderConstraintError.from(err, base, 'bearer', undefined)).toBe(err)
  })

  it('from rebuilds a BearerError with the route challenge, the scheme used and the realm, keeping its fields', () => {
    const cause = new Error('cause')
    const original = new BearerError('insufficient_user_authentication', 'step up', {
      scope: 'a',
      reason: 'insufficient_user_authentication',
      detail: 'op detail',
      acrValues: 'eidas2',
      maxAge: 60,
      cause,
    })
    const err = SenderConstraintError.from(original, { bearer: true, dpopAlgs: ['ES256'], nonce: 'n' }, 'dpop', {
      realm: 'r',
    }) as SenderConstraintError
    expect(err).toBeInstanceOf(SenderConstraintError)
    expect([err.code, err.status, err.description, err.scope, err.reason, err.detail, err.acrValues, err.maxAge, err.cause]).toEqual([
      'insufficient_user_authentication',
      401,
      'step up',
      'a',
      'insufficient_user_authentication',
      'op detail',
      'eidas2',
      60,
      cause,
    ])
    expect(err.responseHeaders).toEqual({ 'dpop-nonce': 'n' })
    expect(err.wwwAuthenticate).toBe(
      'Bearer realm="r", DPoP error="insufficient_user_authentication", error_description="step up", scope="a", acr_values="eidas2", max_age=60, realm="r", algs="ES256"',
    )
    const plain = SenderConstraintError.from(new BearerError('invalid_token', 'bad'), base, undefined, undefined) as SenderConstraintError
    expect([plain.reason, plain.detail, plain.acrValues, plain.maxAge, plain.cause]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    expect(plain.wwwAuthenticate).toBe('Bearer error="invalid_token", error_description="bad", DPoP algs="ES256 PS256"')
  })
})
