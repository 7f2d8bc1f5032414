/**
 * The reason of a refusal, from the error that caused it, and the names of near misses: an issuer
 * that differs from a configured one only by a trailing slash, letter case or a default port.
 *
 * @module events/reasons
 */
import * as jose from 'jose'
import { BearerError } from '../errors.js'
import type { RefusalReason } from './types.js'

/** The {@link RefusalReason} of a {@link BearerError}: its own when set, else read from its cause and description. */
export function reasonOf(err: BearerError): RefusalReason {
  if (err.reason !== undefined) return err.reason
  switch (err.code) {
    case 'missing_token':
      return 'missing_token'
    case 'invalid_request':
      return 'malformed_request'
    case 'insufficient_scope':
      return 'insufficient_scope'
    case 'insufficient_user_authentication':
      return 'insufficient_user_authentication'
    case 'invalid_dpop_proof':
      return 'invalid_dpop_proof'
    case 'use_dpop_nonce':
      return 'use_dpop_nonce'
  }
  const cause = err.cause
  // jose reports a token older than maxTokenAge as JWTExpired on the "iat" claim.
  if (cause instanceof jose.errors.JWTExpired) return cause.claim === 'iat' ? 'too_old' : 'expired'
  if (cause instanceof jose.errors.JWTClaimValidationFailed) {
    // A claim of the wrong type ("nbf": "1"): malformed, whatever the claim.
    if (cause.reason === 'invalid') return 'malformed_token'
    if (cause.claim === 'aud') return 'wrong_audience'
    if (cause.claim === 'iss') return 'wrong_issuer'
    if (cause.claim === 'nbf') return 'not_yet_valid'
    if (cause.claim === 'iat') return 'too_old'
    return 'malformed_token'
  }
  if (cause instanceof jose.errors.JOSEAlgNotAllowed) return 'alg_not_allowed'
  if (cause instanceof jose.errors.JWKSNoMatchingKey) return 'unknown_kid'
  if (cause instanceof jose.errors.JWSSignatureVerificationFailed) return 'bad_signature'
  if (cause instanceof jose.errors.JOSEError) return 'malformed_token'
  return BY_DESCRIPTION.find(([pattern]) => pattern.test(err.description))?.[1] ?? 'invalid_token'
}

/** Refusals made by core itself (not by jose), by their description. */
const BY_DESCRIPTION: readonly (readonly [RegExp, RefusalReason])[] = [
  [/is not active/, 'inactive'],
  [/ expired$/, 'expired'],
  [/not valid yet/, 'not_yet_valid'],
  [/issued in the future/, 'issued_in_future'],
  [/not meant for this resource server/, 'wrong_audience'],
  [/unexpected issuer/, 'wrong_issuer'],
  [/wrong type/, 'wrong_type'],
  [/is not a JWT/, 'not_a_jwt'],
  [/malformed/, 'malformed_token'],
]

/**
 * How `actual` differs from `expected` when they are the same issuer but for a detail, or
 * `undefined`. Used to explain a refusal; the comparison itself stays exact.
 */
export function nearMiss(actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined
  if (`${actual}/` === expected) return `"${actual}" lacks the trailing slash of the configured issuer "${expected}"`
  if (actual === `${expected}/`) return `"${actual}" has a trailing slash the configured issuer "${expected}" does not`
  if (actual.toLowerCase() === expected.toLowerCase())
    return `"${actual}" differs from the configured issuer "${expected}" only by letter case`
  if (URL.canParse(actual) && URL.canParse(expected) && new URL(actual).href === new URL(expected).href) {
    return `"${actual}" and the configured issuer "${expected}" are the same URL written differently (default port, case or encoding)`
  }
  return undefined
}

/** {@link nearMiss} against several configured issuers. */
export function nearMissOfAny(actual: unknown, configured: readonly string[]): string | undefined {
  if (typeof actual !== 'string') return undefined
  for (const expected of configured) {
    const miss = nearMiss(actual, expected)
    if (miss !== undefined) return `The token's issuer ${miss}: set issuer to exactly the AS's issuer`
  }
  return undefined
}
