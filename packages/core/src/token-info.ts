/**
 * The validated token handed to the application, whichever way it was checked, and the checks
 * made on it on every request: lifetime, audience, scopes.
 *
 * @module token-info
 */
import { BearerError } from './errors.js'

/**
 * A validated access token. Plain, frozen, JSON-serialisable data; never contains the token itself.
 *
 * @example
 * ```ts
 * const auth = await rs.authenticate(req.headers.authorization)
 * auth.sub          // 'user-1'
 * auth.scopes       // ['openid', 'email']
 * auth.claims.email // any other claim the AS sent
 * ```
 */
export interface AccessTokenInfo {
  readonly active: true
  /** Subject: the user (or, for client credentials, often the client). */
  readonly sub: string | undefined
  /** Scopes granted, from `scope` (space-separated) or `scp` (array). */
  readonly scopes: readonly string[]
  /** The OAuth client the token was issued to. */
  readonly clientId: string | undefined
  /** Audiences, always as an array (empty when the token names none). */
  readonly aud: readonly string[]
  /** Expiry, issued-at and not-before, in seconds since the epoch. */
  readonly exp: number | undefined
  readonly iat: number | undefined
  readonly nbf: number | undefined
  /** The issuer: the AS that issued (or vouched for) the token. */
  readonly iss: string
  /** How the token was checked: `introspection` (RFC 7662) or `jwt` (RFC 9068, locally). */
  readonly source: 'introspection' | 'jwt'
  /** Every claim as the AS sent it (for introspection: the members of the response). */
  readonly claims: Readonly<Record<string, unknown>>
}

/** What a route requires of a token. */
export interface ScopeRequirement {
  /** Every one of these scopes is required. */
  scopes?: readonly string[] | undefined
  /** At least one of these scopes is required. */
  anyScope?: readonly string[] | undefined
}

/** Builds the frozen {@link AccessTokenInfo} from an active token's claims. */
export function toTokenInfo(claims: Record<string, unknown>, source: AccessTokenInfo['source'], issuer: string): AccessTokenInfo {
  const aud = claims.aud
  return Object.freeze({
    active: true as const,
    sub: str(claims.sub),
    scopes: scopeListOf(claims),
    clientId: str(claims.client_id),
    aud: typeof aud === 'string' ? Object.freeze([aud]) : Array.isArray(aud) ? Object.freeze(aud.filter((a): a is string => typeof a === 'string')) : NO_AUDIENCE,
    exp: num(claims.exp),
    iat: num(claims.iat),
    nbf: num(claims.nbf),
    iss: str(claims.iss) ?? issuer,
    source,
    // The claims object is ours (parsed from the AS's answer): frozen in place rather than copied.
    claims: Object.freeze(claims),
  })
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

const NO_AUDIENCE: readonly string[] = Object.freeze([])
/** Frozen scope lists by `scope` string: tokens share a few scope combinations, so cached tokens share the arrays. */
const SCOPE_LISTS = new Map<string, readonly string[]>()
const MAX_SCOPE_LISTS = 1024

function scopeListOf(claims: Record<string, unknown>): readonly string[] {
  if (typeof claims.scope !== 'string') return Object.freeze(scopesOf(claims))
  let list = SCOPE_LISTS.get(claims.scope)
  if (list === undefined) {
    list = Object.freeze(scopesOf(claims))
    if (SCOPE_LISTS.size < MAX_SCOPE_LISTS) SCOPE_LISTS.set(claims.scope, list)
  }
  return list
}

/** Scopes from `scope` (a space-separated string, RFC 6749 / 7662 / 9068) or `scp` (an array). */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const { scope, scp } = claims
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean)
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string')
  if (typeof scp === 'string') return scp.split(' ').filter(Boolean)
  return []
}

/**
 * Checks a token's time claims at `nowSeconds`: not expired, not before `nbf`, not issued in the
 * future, each with `tolerance` seconds of clock skew. Throws `invalid_token`.
 */
export function checkTime(info: Pick<AccessTokenInfo, 'exp' | 'nbf' | 'iat'>, nowSeconds: number, tolerance: number): void {
  if (info.exp !== undefined && info.exp <= nowSeconds - tolerance) throw new BearerError('invalid_token', 'The access token expired')
  if (info.nbf !== undefined && info.nbf > nowSeconds + tolerance) throw new BearerError('invalid_token', 'The access token is not valid yet')
  if (info.iat !== undefined && info.iat > nowSeconds + tolerance) throw new BearerError('invalid_token', 'The access token was issued in the future')
}

/** Checks that the token is meant for us: one of `expected` in `aud`, or equal to `client_id`. */
export function checkAudience(info: AccessTokenInfo, expected: readonly string[] | undefined, claim: 'aud' | 'client_id'): void {
  if (expected === undefined || expected.length === 0) return
  const ok = claim === 'client_id' ? info.clientId !== undefined && expected.includes(info.clientId) : info.aud.some((a) => expected.includes(a))
  if (!ok) throw new BearerError('invalid_token', 'The access token is not meant for this resource server')
}

/** Checks required scopes (all of `scopes`, any of `anyScope`). Throws `insufficient_scope` (403). */
export function checkScopes(info: AccessTokenInfo, requirement: ScopeRequirement | undefined): void {
  if (requirement === undefined) return
  const { scopes, anyScope } = requirement
  if (scopes !== undefined && scopes.length > 0) {
    const missing = scopes.filter((s) => !info.scopes.includes(s))
    if (missing.length > 0) {
      throw new BearerError('insufficient_scope', `The access token lacks the scope ${missing.join(' ')}`, { scope: scopes.join(' ') })
    }
  }
  if (anyScope !== undefined && anyScope.length > 0 && !anyScope.some((s) => info.scopes.includes(s))) {
    throw new BearerError('insufficient_scope', `The access token needs one of the scopes ${anyScope.join(' ')}`, { scope: anyScope.join(' ') })
  }
}
