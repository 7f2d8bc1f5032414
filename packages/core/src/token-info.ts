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
  /** Subject: the user (or, for client credentials, often the client). */
  readonly sub: string | undefined
  /**
   * Scopes granted, from `scope`, else `scp`: each either a space-separated string or an array of
   * strings (IdentityServer's `"scope": ["api1"]`, Okta's `"scp": [...]`, Entra's `"scp": "a b"`).
   */
  readonly scopes: readonly string[]
  /**
   * The OAuth client the token was issued to (the calling application), from the first of these
   * claims present: `client_id` (RFC 9068, RFC 7662, IdentityServer, Cognito), `azp` (Auth0, Keycloak,
   * Entra v2), `appid` (Entra v1), `cid` (Okta). Roles, groups and permissions: see `rolesOf(auth)`.
   */
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

/** The claims that name the calling client, in the order they are read (see {@link AccessTokenInfo.clientId}). */
export const CLIENT_ID_CLAIMS = ['client_id', 'azp', 'appid', 'cid'] as const

/**
 * Builds the frozen {@link AccessTokenInfo} from an active token's claims, refusing registered claims
 * of the wrong type (`invalid_token`): `exp`/`iat`/`nbf` not finite numbers (`"1"`, `1e400`), `sub`,
 * `iss` or a client claim (`client_id`, `azp`, `appid`, `cid`) not strings, `aud` not a string or an
 * array of strings, scopes malformed (see {@link scopesOf}), an `iss` other than `issuer`, a refresh
 * token and an ID token (never access tokens, see {@link checkTokenKind}). `jwtTyp` is the JWT header's
 * `typ`, when the claims come from a JWT.
 */
export function toTokenInfo(
  claims: Record<string, unknown>,
  source: AccessTokenInfo['source'],
  issuer: string,
  jwtTyp?: string,
): AccessTokenInfo {
  const iss = optionalString(claims, 'iss')
  if (iss !== undefined && iss !== issuer)
    throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer', { reason: 'wrong_issuer' })
  checkTokenKind(claims, jwtTyp)
  return Object.freeze({
    sub: optionalString(claims, 'sub'),
    scopes: scopeListOf(claims),
    clientId: clientIdOf(claims),
    aud: audienceOf(claims.aud),
    exp: optionalTime(claims, 'exp'),
    iat: optionalTime(claims, 'iat'),
    nbf: optionalTime(claims, 'nbf'),
    iss: iss ?? issuer,
    source,
    // The claims object is ours (parsed from the AS's answer): frozen in place rather than copied.
    claims: Object.freeze(claims),
  })
}

/**
 * Refuses what is not an access token, whatever the `typ` leniency: a refresh token (`token_type` or
 * `token_use` naming one), and an OpenID Connect ID token (RFC 8725 §3.11): Cognito's
 * `token_use: "id"` (any `token_use` other than `access` is refused), Keycloak's `typ: "ID"` claim, or
 * a JWT not typed `at+jwt` carrying `nonce`, `at_hash` or `c_hash` (unless its `typ` claim says
 * `Bearer`, as Keycloak's access tokens do). Throws `invalid_token` (reason `id_token` or `wrong_type`).
 */
export function checkTokenKind(claims: Record<string, unknown>, jwtTyp?: string): void {
  for (const name of ['token_type', 'token_use'] as const) {
    const type = optionalString(claims, name)
    if (type !== undefined && /refresh/i.test(type))
      throw new BearerError('invalid_token', 'A refresh token is not an access token', { reason: 'wrong_type' })
  }
  const use = claims.token_use as string | undefined
  if (use !== undefined && use !== 'access') {
    if (use === 'id') throw idToken('token_use "id"')
    throw new BearerError('invalid_token', 'The access token has the wrong type (token_use is not "access")', { reason: 'wrong_type' })
  }
  const typClaim = claims.typ
  if (typeof typClaim === 'string' && typClaim.toLowerCase() === 'id') throw idToken('typ claim "ID"')
  const explicitlyAccess =
    (jwtTyp !== undefined && STRICT_ACCESS_TYPS.has(jwtTyp.toLowerCase())) ||
    (typeof typClaim === 'string' && typClaim.toLowerCase() === 'bearer')
  if (!explicitlyAccess) {
    for (const name of ID_TOKEN_CLAIMS) if (claims[name] !== undefined) throw idToken(`"${name}" claim`)
  }
}

const STRICT_ACCESS_TYPS = new Set(['at+jwt', 'application/at+jwt'])
/** Claims only an ID token carries (OpenID Connect Core §2, §3.3.2.11). */
const ID_TOKEN_CLAIMS = ['nonce', 'at_hash', 'c_hash'] as const

function idToken(why: string): BearerError {
  return new BearerError('invalid_token', 'An ID token is not an access token', {
    reason: 'id_token',
    detail: `The token is an OpenID Connect ID token (${why})`,
  })
}

function clientIdOf(claims: Record<string, unknown>): string | undefined {
  for (const name of CLIENT_ID_CLAIMS) {
    const value = optionalString(claims, name)
    if (value !== undefined) return value
  }
  return undefined
}

function invalidClaim(name: string): never {
  throw new BearerError('invalid_token', `The access token has an invalid "${name}" claim`, { reason: 'malformed_token' })
}
function optionalString(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  return typeof value === 'string' ? value : invalidClaim(name)
}
/** A NumericDate (RFC 7519 §2): a finite, non-negative number of seconds. */
function optionalTime(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : invalidClaim(name)
}
function audienceOf(aud: unknown): readonly string[] {
  if (aud === undefined) return NO_AUDIENCE
  if (typeof aud === 'string') return Object.freeze([aud])
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return Object.freeze([...aud])
  return invalidClaim('aud')
}

const NO_AUDIENCE: readonly string[] = Object.freeze([])
/**
 * Frozen scope lists by `scope` string: tokens share a few scope combinations, so cached tokens share
 * the arrays. Measured (`node --expose-gc`, 100,000 cached tokens with one 5-scope string parsed
 * fresh from each response): 23.3 MB of per-token arrays without it, 0.9 MB with it. Re-measured
 * through the verified-JWT cache at its default 10,000 entries: 9.6 MB with it, 12.7 MB without
 * (1,007 vs 1,328 bytes a token). It saves no measurable CPU (0.3 µs a toTokenInfo call, under the
 * noise of a ~50 µs authenticate; nothing on a cache hit): it is kept for memory. Bounded: at most
 * 1,024 strings of at most 512 characters, the first ones seen (3.5 MB at worst, kept for the process).
 */
const SCOPE_LISTS = new Map<string, readonly string[]>()
const MAX_SCOPE_LISTS = 1024
/** Only short scope strings are shared: the table must not keep big, unique strings alive after their tokens are gone. */
const MAX_SHARED_SCOPE_LENGTH = 512

function scopeListOf(claims: Record<string, unknown>): readonly string[] {
  // The same key (a scope string) always gives the same list, whichever claim it came from; a `scope` of the
  // wrong type is never hidden by a shared `scp` list (scopesOf reads `scope` first and refuses it).
  const scope = claims.scope !== undefined ? claims.scope : claims.scp
  if (typeof scope !== 'string' || scope.length > MAX_SHARED_SCOPE_LENGTH) return Object.freeze(scopesOf(claims))
  let list = SCOPE_LISTS.get(scope)
  if (list === undefined) {
    list = Object.freeze(scopesOf(claims))
    if (SCOPE_LISTS.size < MAX_SCOPE_LISTS) SCOPE_LISTS.set(scope, list)
  }
  return list
}

/** A space-separated scope string (RFC 6749 §3.3) as a list. */
function splitScopes(value: string): string[] {
  return value.split(' ').filter(Boolean)
}
/** An array of scope strings, or `undefined` if it is anything else. */
function scopeArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((s) => typeof s === 'string') ? [...value] : undefined
}

/**
 * Scopes from `scope`, else `scp`, validated: the one place that decides which forms are accepted.
 * Each is a space-separated string (RFC 6749 / 7662 / 9068, Entra's `scp`) or an array of strings
 * (IdentityServer's `scope`, Okta's `scp`). Any other type (a number, an object, an array holding a
 * non-string) makes the token invalid (`invalid_token`), never "no scope".
 */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const { scope, scp } = claims
  if (scope !== undefined) return typeof scope === 'string' ? splitScopes(scope) : (scopeArray(scope) ?? invalidClaim('scope'))
  if (scp !== undefined) return typeof scp === 'string' ? splitScopes(scp) : (scopeArray(scp) ?? invalidClaim('scp'))
  return []
}

/**
 * Checks a token's time claims at `nowSeconds`: not expired, not before `nbf`, not issued in the
 * future, each with `tolerance` seconds of clock skew. Throws `invalid_token`.
 */
export function checkTime(info: Pick<AccessTokenInfo, 'exp' | 'nbf' | 'iat'>, nowSeconds: number, tolerance: number): void {
  if (info.exp !== undefined && info.exp <= nowSeconds - tolerance)
    throw new BearerError('invalid_token', 'The access token expired', { reason: 'expired' })
  if (info.nbf !== undefined && info.nbf > nowSeconds + tolerance)
    throw new BearerError('invalid_token', 'The access token is not valid yet', { reason: 'not_yet_valid' })
  if (info.iat !== undefined && info.iat > nowSeconds + tolerance)
    throw new BearerError('invalid_token', 'The access token was issued in the future', { reason: 'issued_in_future' })
}

/** Checks that the token is meant for us: one of `expected` in `aud`, or equal to `client_id`. */
export function checkAudience(info: AccessTokenInfo, expected: readonly string[] | undefined, claim: 'aud' | 'client_id'): void {
  if (expected === undefined || expected.length === 0) return
  const ok =
    claim === 'client_id' ? info.clientId !== undefined && expected.includes(info.clientId) : info.aud.some((a) => expected.includes(a))
  if (!ok) throw new BearerError('invalid_token', 'The access token is not meant for this resource server', { reason: 'wrong_audience' })
}

/** Checks required scopes (all of `scopes`, any of `anyScope`). Throws `insufficient_scope` (403). */
export function checkScopes(info: AccessTokenInfo, requirement: ScopeRequirement | undefined): void {
  if (requirement === undefined) return
  const { scopes, anyScope } = requirement
  // A loop, not a filter: a request that has every scope (the usual case) allocates nothing.
  if (scopes !== undefined) {
    for (const scope of scopes) {
      if (info.scopes.includes(scope)) continue
      const missing = scopes.filter((s) => !info.scopes.includes(s))
      throw new BearerError('insufficient_scope', `The access token lacks the scope ${missing.join(' ')}`, { scope: scopes.join(' ') })
    }
  }
  if (anyScope !== undefined && anyScope.length > 0 && !anyScope.some((s) => info.scopes.includes(s))) {
    throw new BearerError('insufficient_scope', `The access token needs one of the scopes ${anyScope.join(' ')}`, {
      scope: anyScope.join(' '),
    })
  }
}
