/**
 * JWT access tokens (RFC 9068) verified locally: signature against the AS's published keys (or a
 * configured shared secret for HS*), algorithm allow-list, `typ`, `iss`, `aud`, lifetime, `crit`.
 *
 * @module jwt/verify
 */
import * as jose from 'jose'
import { AuthorizationServerError, BearerError } from '../errors.js'
import { joseReason } from '../jose-errors.js'
import { type AccessTokenInfo, toTokenInfo } from '../token-info.js'
import { validateClaimsSet } from './claims-set.js'
import { type JwsSettings, verifyCompactJws } from './jws.js'

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
export interface JwtVerifierSettings extends JwsSettings {
  /** The exact issuer; for a {@link TenantIssuer}, its template. */
  issuer: string
  /** Set when `issuer` is a multi-tenant template: the token's `iss` must be the template with its own `tid`. */
  tenant?: TenantIssuer | undefined
  /**
   * Accepted audiences. Empty: no audience is configured (the calling client is checked instead,
   * `allowedClients`), and a token that names an audience is refused: it is meant for someone else.
   */
  audience: readonly string[]
  /** Seconds; a token whose `iat` is older is refused. */
  maxTokenAge: number | undefined
  clockTolerance: number
  clock: () => number
}

/** The result of a verification: the token and the `kid` that verified it (for the verified-token cache). */
export interface VerifiedJwt {
  info: AccessTokenInfo
  kid: string | undefined
}

/**
 * Verifies a JWT access token. Rejects with {@link BearerError} `invalid_token` when the token is
 * bad, with {@link AuthorizationServerError} when the AS's keys cannot be fetched.
 */
export async function verifyAccessTokenJwt(settings: JwtVerifierSettings, token: string): Promise<VerifiedJwt> {
  let protectedHeader: Record<string, unknown>
  let payload: jose.JWTPayload
  try {
    const jws = await verifyCompactJws(settings, token)
    protectedHeader = jws.header
    payload = validateClaimsSet(settings, settings.tenant === undefined ? settings.issuer : undefined, jws.payload)
  } catch (err) {
    if (err instanceof AuthorizationServerError || err instanceof BearerError) throw err
    throw new BearerError('invalid_token', describeJwtFailure(err), { cause: err })
  }
  const nowSeconds = settings.clock() / 1000
  if (payload.iat !== undefined && payload.iat > nowSeconds + settings.clockTolerance) {
    throw new BearerError('invalid_token', 'The access token was issued in the future', { reason: 'issued_in_future' })
  }
  const issuer = settings.tenant === undefined ? settings.issuer : tenantIssuer(settings.tenant, payload)
  if (payload.iss !== issuer)
    throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer', { reason: 'wrong_issuer' })
  const info = toTokenInfo(payload, 'jwt', issuer, protectedHeader.typ as string | undefined) // an ID token is named as such before any audience check
  if (settings.audience.length === 0 && payload.aud !== undefined) {
    throw new BearerError('invalid_token', 'The access token is not meant for this resource server', {
      reason: 'wrong_audience',
      detail: 'The token names an audience (aud) and no audience is configured: set audience to accept it',
    })
  }
  return { info, kid: protectedHeader.kid as string | undefined }
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
    if (err.reason === 'invalid') return `The access token has an invalid "${err.claim}" claim`
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
