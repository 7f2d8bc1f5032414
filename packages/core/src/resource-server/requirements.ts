/**
 * The checks made on every request, cached verdict or not: the token's lifetime, then the scopes
 * the resource server and the route require.
 *
 * @module resource-server/requirements
 */
import type { Clock } from '../cache/index.js'
import { ConfigurationError } from '../errors.js'
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

/**
 * Checks per-call scope requirements given from plain JavaScript: `scopes` / `anyScope` must be
 * arrays of strings (`'a b'` as a string is a developer mistake, not a request error). Throws
 * {@link ConfigurationError} naming the method.
 */
export function checkRequirementArgument(method: string, requirement: unknown): void {
  if (requirement === undefined) return
  if (typeof requirement !== 'object' || requirement === null) {
    throw new ConfigurationError(method, [{ path: '', message: 'expected an options object' }])
  }
  const r = requirement as Record<string, unknown>
  for (const key of ['scopes', 'anyScope']) {
    const v = r[key]
    if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== ''))) {
      throw new ConfigurationError(method, [{ path: key, message: 'expected an array of scope strings, e.g. ["read", "write"] (not a space-separated string)' }])
    }
  }
}
