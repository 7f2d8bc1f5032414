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
export const DEFAULT_JWT_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const

/** The placeholder of a multi-tenant issuer (Entra ID's `common` / `organizations` metadata). */
export const TENANT_PLACEHOLDER = '{tenantid}'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A multi-tenant issuer: `template` holds {@link TENANT_PLACEHOLDER}, replaced by the token's `tid`. */
export interface TenantIssuer {
  template: string
  /** Lower-case tenant ids accepted; `undefined`: any tenant. */
  allowed: ReadonlySet<string> | undefined
}

/** Everything one verification needs, resolved at construction. */
export interface JwtVerifierSettings {
  /** The exact issuer; for a {@link TenantIssuer}, its template. */
  issuer: string
  /** Set when `issuer` is a multi-tenant template: the token's `iss` must be the template with its own `tid`. */
  tenant?: TenantIssuer | undefined
  /**
   * Accepted audiences. Empty: no audience is configured (the calling client is checked instead,
   * `allowedClients`), and a token that names an audience is refused: it is meant for someone else.
   */
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
}

const STRICT_TYPS = new Set(['at+jwt', 'application/at+jwt'])
const LENIENT_TYPS = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt'])

/**
 * The header checks that need no key and no network, made before anything else: `alg` a string on
 * the allow-list (never `none`; HS* only with a secret), `typ`, `kid` and `cty` strings when present,
 * `typ` of the expected kind. Throws {@link BearerError} `invalid_token`.
 */
export function checkJwtHeader(
  settings: Pick<JwtVerifierSettings, 'algorithms' | 'secret' | 'typ'>,
  header: Record<string, unknown>,
): void {
  const { alg, typ, kid, cty } = header
  if (
    typeof alg !== 'string' ||
    alg.toLowerCase() === 'none' ||
    !settings.algorithms.includes(alg) ||
    (alg.startsWith('HS') && settings.secret === undefined)
  ) {
    throw new BearerError('invalid_token', 'The access token is signed with an algorithm that is not allowed', {
      reason: 'alg_not_allowed',
    })
  }
  if (
    (typ !== undefined && typeof typ !== 'string') ||
    (kid !== undefined && typeof kid !== 'string') ||
    (cty !== undefined && typeof cty !== 'string')
  ) {
    throw new BearerError('invalid_token', 'The access token has a malformed header', { reason: 'malformed_token' })
  }
  const typs = settings.typ === 'strict' ? STRICT_TYPS : LENIENT_TYPS
  if (typ === undefined ? settings.typ === 'strict' : !typs.has(typ.toLowerCase())) {
    throw new BearerError(
      'invalid_token',
      `The access token has the wrong type (typ ${typ === undefined ? 'missing' : JSON.stringify(typ).slice(0, 40)}; at+jwt expected)`,
      { reason: 'wrong_type' },
    )
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
        ...(settings.tenant === undefined ? { issuer: settings.issuer } : {}),
        ...(settings.audience.length > 0 ? { audience: [...settings.audience] } : {}),
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
  const issuer = settings.tenant === undefined ? settings.issuer : tenantIssuer(settings.tenant, payload)
  if (payload.iss !== issuer)
    throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer', { reason: 'wrong_issuer' })
  const info = toTokenInfo(payload, 'jwt', issuer, protectedHeader.typ) // an ID token is named as such before any audience check
  if (settings.audience.length === 0 && payload.aud !== undefined) {
    throw new BearerError('invalid_token', 'The access token is not meant for this resource server', {
      reason: 'wrong_audience',
      detail: 'The token names an audience (aud) and no audience is configured: set audience to accept it',
    })
  }
  return { info, kid: protectedHeader.kid }
}

/**
 * The issuer a multi-tenant token must carry: the template with the token's own `tid` (a GUID, in
 * `allowed` when that is set). {@link toTokenInfo} then compares it exactly with `iss`.
 */
export function tenantIssuer(tenant: TenantIssuer, payload: Record<string, unknown>): string {
  const tid = payload.tid
  if (typeof tid !== 'string' || !GUID.test(tid)) {
    throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer', {
      reason: 'wrong_issuer',
      detail: 'A multi-tenant issuer needs a tenant id (tid, a GUID) in the token',
    })
  }
  if (tenant.allowed !== undefined && !tenant.allowed.has(tid.toLowerCase())) {
    throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer', {
      reason: 'wrong_issuer',
      detail: `The tenant ${tid} is not in allowedTenants`,
    })
  }
  return tenant.template.replace(TENANT_PLACEHOLDER, tid)
}

/** Could `iss` come from the multi-tenant template `template` (same text around the tenant id)? Routing only: verification is exact. */
export function matchesTenantTemplate(template: string, iss: string): boolean {
  const at = template.indexOf(TENANT_PLACEHOLDER)
  const prefix = template.slice(0, at)
  const suffix = template.slice(at + TENANT_PLACEHOLDER.length)
  return (
    iss.length === prefix.length + 36 + suffix.length &&
    iss.startsWith(prefix) &&
    iss.endsWith(suffix) &&
    GUID.test(iss.slice(prefix.length, prefix.length + 36))
  )
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
