/**
 * JWT access tokens (RFC 9068) verified locally: signature against the AS's published keys (or a
 * configured shared secret for HS*), algorithm allow-list, `typ`, `iss`, `aud`, lifetime, `crit`.
 *
 * @module jwt/verify
 */
import * as jose from 'jose'
import { AuthorizationServerError, BearerError } from '../errors.js'
import { joseReason } from '../jose-errors.js'
import type { RemoteKeySet } from '../keys/index.js'
import { type AccessTokenInfo, toTokenInfo } from '../token-info.js'

/** Asymmetric algorithms accepted for JWT access tokens unless configured otherwise. */
export const DEFAULT_JWT_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const

/** Everything one verification needs, resolved at construction. */
export interface JwtVerifierSettings {
  issuer: string
  audience: readonly string[]
  algorithms: readonly string[]
  /** Shared secret for HS* algorithms (only then are they allowed). */
  secret: Uint8Array | undefined
  /** `strict`: `typ` must be `at+jwt`; `lenient`: `at+jwt`, `JWT` or none. */
  typ: 'strict' | 'lenient'
  /** Seconds; a token whose `iat` is older is refused. */
  maxTokenAge: number | undefined
  keySet: () => RemoteKeySet
  clockTolerance: number
  clock: () => number
}

/** The result of a verification: the token and the `kid` that verified it (for the verified-token cache). */
export interface VerifiedJwt {
  info: AccessTokenInfo
  kid: string | undefined
  alg: string
}

const STRICT_TYPS = new Set(['at+jwt', 'application/at+jwt'])
const LENIENT_TYPS = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt'])

/**
 * The header checks that need no key and no network, made before anything else: `alg` a string on
 * the allow-list (never `none`; HS* only with a secret), `typ`, `kid` and `cty` strings when present,
 * `typ` of the expected kind. Throws {@link BearerError} `invalid_token`.
 */
export function checkJwtHeader(settings: Pick<JwtVerifierSettings, 'algorithms' | 'secret' | 'typ'>, header: Record<string, unknown>): void {
  const { alg, typ, kid, cty } = header
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none' || !settings.algorithms.includes(alg) || (alg.startsWith('HS') && settings.secret === undefined)) {
    throw new BearerError('invalid_token', 'The access token is signed with an algorithm that is not allowed', { reason: 'alg_not_allowed' })
  }
  if ((typ !== undefined && typeof typ !== 'string') || (kid !== undefined && typeof kid !== 'string') || (cty !== undefined && typeof cty !== 'string')) {
    throw new BearerError('invalid_token', 'The access token has a malformed header', { reason: 'malformed_token' })
  }
  const typs = settings.typ === 'strict' ? STRICT_TYPS : LENIENT_TYPS
  if (typ === undefined ? settings.typ === 'strict' : !typs.has(typ.toLowerCase())) {
    throw new BearerError('invalid_token', `The access token has the wrong type (typ ${typ === undefined ? 'missing' : JSON.stringify(typ).slice(0, 40)}; at+jwt expected)`, { reason: 'wrong_type' })
  }
}

/**
 * Verifies a JWT access token. Rejects with {@link BearerError} `invalid_token` when the token is
 * bad, with {@link AuthorizationServerError} when the AS's keys cannot be fetched.
 */
export async function verifyAccessTokenJwt(settings: JwtVerifierSettings, token: string): Promise<VerifiedJwt> {
  let result: jose.JWTVerifyResult
  try {
    result = await jose.jwtVerify(
      token,
      (header, input) => {
        if (header.alg?.startsWith('HS')) {
          if (settings.secret === undefined) throw new jose.errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed')
          return settings.secret
        }
        return settings.keySet().getKey(header, input)
      },
      {
        algorithms: [...settings.algorithms],
        issuer: settings.issuer,
        audience: [...settings.audience],
        requiredClaims: ['exp'],
        clockTolerance: settings.clockTolerance,
        currentDate: new Date(settings.clock()),
        ...(settings.maxTokenAge !== undefined ? { maxTokenAge: settings.maxTokenAge } : {}),
      },
    )
  } catch (err) {
    if (err instanceof AuthorizationServerError) throw err
    throw new BearerError('invalid_token', describeJwtFailure(err), { cause: err })
  }
  const { payload, protectedHeader } = result
  checkJwtHeader(settings, protectedHeader as Record<string, unknown>)
  const nowSeconds = settings.clock() / 1000
  if (payload.iat !== undefined && payload.iat > nowSeconds + settings.clockTolerance) {
    throw new BearerError('invalid_token', 'The access token was issued in the future', { reason: 'issued_in_future' })
  }
  return { info: toTokenInfo(payload, 'jwt', settings.issuer), kid: protectedHeader.kid, alg: protectedHeader.alg }
}

function describeJwtFailure(err: unknown): string {
  if (err instanceof jose.errors.JWTExpired) return 'The access token expired'
  if (err instanceof jose.errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'The access token is not meant for this resource server'
    if (err.claim === 'iss') return 'The access token comes from an unexpected issuer'
    if (err.claim === 'nbf') return 'The access token is not valid yet'
    if (err.claim === 'iat') return 'The access token is too old'
    return `The access token has an invalid "${err.claim}" claim`
  }
  if (err instanceof jose.errors.JOSEAlgNotAllowed) return 'The access token is signed with an algorithm that is not allowed'
  if (err instanceof jose.errors.JWKSNoMatchingKey) return 'The access token is signed with an unknown key'
  if (err instanceof jose.errors.JWSSignatureVerificationFailed) return 'The access token signature is invalid'
  if (err instanceof jose.errors.JOSENotSupported) return 'The access token uses an unsupported algorithm or header'
  if (err instanceof jose.errors.JOSEError) return `The access token is malformed (${joseReason(err)})`
  return 'The access token could not be verified'
}
