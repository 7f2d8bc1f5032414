/**
 * The checks made on every request, cached verdict or not: the token's lifetime, then what the
 * resource server and the route require — scopes, claims, roles, a predicate (403
 * `insufficient_scope`), and the user's authentication level and age (401
 * `insufficient_user_authentication`, RFC 9470 step-up).
 *
 * @module resource-server/requirements
 */
import type { Clock } from '../cache/index.js'
import { getClaim, rolesOf } from '../claims.js'
import { BearerError } from '../errors.js'
import { type AccessTokenInfo, checkScopes, checkTime } from '../token-info.js'
import type { ClaimCondition, RouteOptions } from './route.js'

export class RequestRequirements {
  readonly #clock: Clock
  readonly #clockTolerance: number
  /** What every route requires (the `everyRoute` option), checked before the route's own requirements. */
  readonly #everyRoute: RouteOptions | undefined

  constructor(clock: Clock, clockTolerance: number, everyRoute: RouteOptions | undefined) {
    this.#clock = clock
    this.#clockTolerance = clockTolerance
    this.#everyRoute = everyRoute
  }

  /** Throws a {@link BearerError} when the token is expired or not yet valid, or misses what the route requires. */
  accept(info: AccessTokenInfo, route: RouteOptions | undefined): AccessTokenInfo {
    const nowSeconds = this.#clock() / 1000
    checkTime(info, nowSeconds, this.#clockTolerance)
    if (this.#everyRoute !== undefined) this.#check(info, this.#everyRoute, nowSeconds)
    if (route !== undefined) this.#check(info, route, nowSeconds)
    return info
  }

  #check(info: AccessTokenInfo, route: RouteOptions, nowSeconds: number): void {
    checkScopes(info, route)
    if (route.acr !== undefined || route.maxAge !== undefined) this.#checkAuthentication(info, route, nowSeconds)
    if (route.claims !== undefined) checkClaims(info, route.claims)
    if (route.roles !== undefined || route.anyRole !== undefined) checkRoles(info, route)
    if (route.check !== undefined && route.check(info) !== true) {
      throw new BearerError('insufficient_scope', "The access token does not meet this route's requirements", { reason: 'claim_mismatch' })
    }
  }

  /** RFC 9470: the user authenticated with an accepted `acr`, recently enough (`auth_time`). */
  #checkAuthentication(info: AccessTokenInfo, route: RouteOptions, nowSeconds: number): void {
    const step = {
      acrValues: route.acr?.join(' '),
      ...(route.maxAge !== undefined ? { maxAge: route.maxAge } : {}),
      reason: 'insufficient_user_authentication' as const,
    }
    if (route.acr !== undefined) {
      const acr = getClaim(info, 'acr')
      if (typeof acr !== 'string' || !route.acr.includes(acr)) {
        throw new BearerError(
          'insufficient_user_authentication',
          `A stronger authentication is required (acr ${route.acr.join(' or ')})`,
          step,
        )
      }
    }
    if (route.maxAge !== undefined) {
      const authTime = getClaim(info, 'auth_time')
      if (typeof authTime !== 'number' || !Number.isFinite(authTime) || nowSeconds - authTime > route.maxAge + this.#clockTolerance) {
        throw new BearerError(
          'insufficient_user_authentication',
          `A more recent authentication is required (within ${route.maxAge} s)`,
          step,
        )
      }
    }
  }
}

function checkClaims(info: AccessTokenInfo, claims: Readonly<Record<string, ClaimCondition>>): void {
  for (const [path, condition] of Object.entries(claims)) {
    if (!satisfies(getClaim(info, path), condition)) {
      throw new BearerError('insufficient_scope', `The access token lacks the required "${path}" claim value`, { reason: 'claim_mismatch' })
    }
  }
}

/** Does a claim value meet a condition? Arrays match by membership; anything else by strict equality. */
function satisfies(value: unknown, condition: ClaimCondition): boolean {
  const has = (v: unknown) => (Array.isArray(value) ? value.includes(v) : value === v)
  if (typeof condition !== 'object') return has(condition)
  if ('oneOf' in condition) return condition.oneOf.some(has)
  const wanted = typeof condition.includes === 'string' ? [condition.includes] : condition.includes
  return Array.isArray(value) && wanted.every((w) => value.includes(w))
}

function checkRoles(info: AccessTokenInfo, route: RouteOptions): void {
  const roles = rolesOf(info)
  const missing = route.roles?.filter((r) => !roles.includes(r)) ?? []
  if (missing.length > 0)
    throw new BearerError('insufficient_scope', `The access token lacks the role ${missing.join(' ')}`, { reason: 'claim_mismatch' })
  if (route.anyRole !== undefined && !route.anyRole.some((r) => roles.includes(r))) {
    throw new BearerError('insufficient_scope', `The access token needs one of the roles ${route.anyRole.join(' ')}`, {
      reason: 'claim_mismatch',
    })
  }
}
