import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { joseReason } from '../src/jose-errors.js'

describe('joseReason', () => {
  it("jose's code and message; any other error's message; anything else as a string", () => {
    expect(joseReason(new jose.errors.JWTExpired('"exp" claim timestamp check failed', {}))).toBe(
      'ERR_JWT_EXPIRED: "exp" claim timestamp check failed',
    )
    expect(joseReason(new jose.errors.JWSSignatureVerificationFailed())).toBe(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed',
    )
    expect(joseReason(new TypeError('bad'))).toBe('bad')
    expect(joseReason('text')).toBe('text')
    expect(joseReason(undefined)).toBe('undefined')
  })
})
