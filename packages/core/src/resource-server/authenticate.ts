/**
 * The request-facing calls: an `Authorization` header (or a bare token) in, a validated token or a
 * typed error out. Cached answers resolve without the promise chain of the full path.
 *
 * @module resource-server/authenticate
 */
import { type BearerOptions, checkBearerToken, extractBearerToken } from '../bearer.js'
import { BearerError, type BearerErrorOptions } from '../errors.js'
import type { AccessTokenInfo, ScopeRequirement } from '../token-info.js'
import { checkRequirementArgument, type RequestRequirements } from './requirements.js'
import type { TokenRouter } from './routing.js'
import type { AuthenticateOptions } from './types.js'

const EMPTY: AuthenticateOptions = Object.freeze({})

export type Challenge = Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>

export class Authenticator {
  readonly #router: TokenRouter
  readonly #requirements: RequestRequirements
  readonly #bearer: BearerOptions
  readonly #challenge: Challenge | undefined

  constructor(router: TokenRouter, requirements: RequestRequirements, bearer: BearerOptions, challenge: Challenge | undefined) {
    this.#router = router
    this.#requirements = requirements
    this.#bearer = bearer
    this.#challenge = challenge
  }

  // Not an async function: a cached answer resolves without going through route()'s awaits.
  authenticate(authorization: string | readonly string[] | null | undefined, options: AuthenticateOptions = EMPTY): Promise<AccessTokenInfo | undefined> {
    try {
      if (options !== EMPTY) checkRequirementArgument('authenticate', options)
      const token = extractBearerToken(authorization, this.#bearer)
      if (token === undefined) {
        if (options.optional) return Promise.resolve(undefined)
        throw new BearerError('missing_token', 'The request has no bearer token')
      }
      const hit = this.#router.cached(token)
      if (hit !== undefined) return Promise.resolve(this.#requirements.accept(hit, options))
      return this.#router
        .route(token)
        .then((info) => this.#requirements.accept(info, options))
        .catch((err: unknown) => Promise.reject(this.#withChallenge(err)))
    } catch (err) {
      return Promise.reject(this.#withChallenge(err))
    }
  }

  /** The same checks as {@link authenticate} on the token itself: syntax and length first, then the token. */
  async verifyToken(token: string, requirement?: ScopeRequirement): Promise<AccessTokenInfo> {
    checkRequirementArgument('verifyToken', requirement)
    checkBearerToken(token, this.#bearer)
    return this.#requirements.accept(this.#router.cached(token) ?? (await this.#router.route(token)), requirement)
  }

  #withChallenge(err: unknown): unknown {
    return this.#challenge !== undefined && err instanceof BearerError ? err.withChallenge(this.#challenge) : err
  }
}
