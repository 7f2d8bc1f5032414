/**
 * The checks made on every request, cached verdict or not: the token's lifetime, then the scopes
 * the resource server and the route require.
 *
 * @module resource-server/requirements
 */
import type { Clock } from '../cache/index.js'
import { type AccessTokenInfo, checkScopes, checkTime, type ScopeRequirement } from '../token-info.js'

export class RequestRequirements {
  readonly #clock: Clock
  readonly #clockTolerance: number
  /** What every route requires (the top-level `scopes` / `anyScope` options). */
  readonly #baseline: ScopeRequirement

  constructor(clock: Clock, clockTolerance: number, baseline: ScopeRequirement) {
    this.#clock = clock
    this.#clockTolerance = clockTolerance
    this.#baseline = baseline
  }

  /** Throws a {@link BearerError} when the token is expired, not yet valid, or lacks a scope. */
  accept(info: AccessTokenInfo, requirement: ScopeRequirement | undefined): AccessTokenInfo {
    checkTime(info, this.#clock() / 1000, this.#clockTolerance)
    checkScopes(info, this.#baseline)
    checkScopes(info, requirement)
    return info
  }
}
