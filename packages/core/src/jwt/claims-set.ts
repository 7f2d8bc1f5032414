/**
 * The JWT claims set checks jose's `jwtVerify` makes with the options core passed it: a JSON object;
 * `exp` required; `iss` exact and `aud` (one of ours) when configured; `iat`, `nbf`, `exp` numbers;
 * `nbf`, `exp` and `maxTokenAge` against the clock, with the clock tolerance. The same errors
 * (jose's classes, messages, `claim`, `reason`), so refusal reasons and descriptions are unchanged;
 * but an `iat` in the future is left to `verifyAccessTokenJwt` (`issued_in_future`, with or
 * without `maxTokenAge`; jose refused it here as a failed `iat`, reported as `too_old`).
 *
 * @module jwt/claims-set
 */
import * as jose from 'jose'
import { jsonObjectOf } from './jws.js'

/** What the claims are checked against. */
export interface ClaimsSetSettings {
  /** Accepted audiences; empty: `aud` is not checked here. */
  audience: readonly string[]
  /** Seconds; a token whose `iat` is older is refused. */
  maxTokenAge: number | undefined
  clockTolerance: number
  /** Milliseconds since the epoch. */
  clock: () => number
}

const failed = (claims: jose.JWTPayload, claim: string, message = `unexpected "${claim}" claim value`) =>
  new jose.errors.JWTClaimValidationFailed(message, claims, claim, 'check_failed')

/** A time claim: a number, or `undefined` when absent (the required ones are checked present before). */
function numericDate(claims: jose.JWTPayload, claim: 'iat' | 'nbf' | 'exp'): number | undefined {
  const value = claims[claim]
  if (value === undefined) return undefined
  if (typeof value !== 'number')
    throw new jose.errors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, claims, claim, 'invalid')
  return value
}

/**
 * The payload segment of a verified JWS, decoded and checked. `issuer`: the exact `iss` required, or
 * `undefined` when it is checked elsewhere (a multi-tenant template). Throws jose's JWT errors.
 */
export function validateClaimsSet(settings: ClaimsSetSettings, issuer: string | undefined, payload: string): jose.JWTPayload {
  const claims = jsonObjectOf(
    payload,
    () => new jose.errors.JWTInvalid('JWT Claims Set must be a top-level JSON object'),
  ) as jose.JWTPayload
  const { audience, maxTokenAge, clockTolerance: tolerance } = settings
  const required = ['exp']
  if (maxTokenAge !== undefined) required.push('iat')
  if (audience.length > 0) required.push('aud')
  if (issuer !== undefined) required.push('iss')
  for (const claim of required.reverse()) {
    if (!Object.hasOwn(claims, claim))
      throw new jose.errors.JWTClaimValidationFailed(`missing required "${claim}" claim`, claims, claim, 'missing')
  }
  if (issuer !== undefined && claims.iss !== issuer) throw failed(claims, 'iss')
  if (audience.length > 0) {
    const aud = claims.aud
    const named = typeof aud === 'string' ? audience.includes(aud) : Array.isArray(aud) && audience.some((a) => aud.includes(a))
    if (!named) throw failed(claims, 'aud')
  }
  const now = Math.floor(settings.clock() / 1000)
  const iat = numericDate(claims, 'iat')
  const nbf = numericDate(claims, 'nbf')
  if (nbf !== undefined && nbf > now + tolerance) throw failed(claims, 'nbf', '"nbf" claim timestamp check failed')
  const exp = numericDate(claims, 'exp')!
  if (exp <= now - tolerance) throw new jose.errors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed')
  if (maxTokenAge !== undefined) {
    const age = now - iat!
    if (age - tolerance > maxTokenAge)
      throw new jose.errors.JWTExpired('"iat" claim timestamp check failed (too far in the past)', claims, 'iat', 'check_failed')
    // An iat in the future is refused by verifyAccessTokenJwt, with or without maxTokenAge, as issued_in_future
    // (jose's own check here was a JWTClaimValidationFailed on "iat", reported as too_old).
  }
  return claims
}
