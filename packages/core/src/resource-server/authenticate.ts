/**
 * The request-facing calls: an `Authorization` header (or a bare token) in, a validated token or a
 * typed error out. Cached answers resolve without the promise chain of the full path.
 *
 * @module resource-server/authenticate
 */
import { type BearerOptions, extractBearerToken } from '../bearer.js'
import { BearerError, type BearerErrorOptions } from '../errors.js'
import type { AccessTokenInfo, ScopeRequirement } from '../token-info.js'
import { refuseUnproven, type SenderConstraints } from '../sender-constraint/index.js'
import type { RequestRequirements } from './requirements.js'
import type { TokenRouter } from './routing.js'
import { headerValue, type HttpRequestInput } from './request.js'
import { parseRouteOptions } from './route.js'
import type { AuthenticateOptions } from './types.js'

export type Challenge = Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>

export class Authenticator {
  readonly #router: TokenRouter
  readonly #requirements: RequestRequirements
  readonly #bearer: BearerOptions
  readonly #challenge: Challenge | undefined
  readonly #senders: SenderConstraints | undefined

  constructor(router: TokenRouter, requirements: RequestRequirements, bearer: BearerOptions, challenge: Challenge | undefined, senders?: SenderConstraints) {
    this.#router = router
    this.#requirements = requirements
    this.#bearer = bearer
    this.#challenge = challenge
    this.#senders = senders
  }

  // Not an async function: a cached answer resolves without going through route()'s awaits.
  authenticate(authorization: string | readonly string[] | null | undefined, given?: AuthenticateOptions): Promise<AccessTokenInfo | undefined> {
    try {
      const options = parseRouteOptions(given, 'authenticate')
      if (this.#senders?.active(options)) {
        // DPoP or mTLS on: a header alone is a request without a proof or a certificate.
        return this.#senders
          .authenticate({ headers: { authorization: authorization ?? undefined } }, options, this.#judge, this.#accept)
          .catch((err: unknown) => Promise.reject(this.#withChallenge(err)))
      }
      const token = extractBearerToken(authorization, this.#bearer)
      if (token === undefined) {
        if (options.optional) return Promise.resolve(undefined)
        throw new BearerError('missing_token', 'The request has no bearer token')
      }
      // A header alone carries no DPoP proof nor certificate: a sender-constrained token is refused here.
      const hit = this.#router.cached(token)
      if (hit !== undefined) return Promise.resolve(this.#requirements.accept(refuseUnproven(hit), options))
      return this.#router
        .route(token)
        .then((info) => this.#requirements.accept(refuseUnproven(info), options))
        .catch((err: unknown) => Promise.reject(this.#withChallenge(err)))
    } catch (err) {
      return Promise.reject(this.#withChallenge(err))
    }
  }

  /** {@link authenticate} for a whole request; options already validated by `protectRoute` are used as they are. */
  authenticateRequest(request: HttpRequestInput, options?: AuthenticateOptions): Promise<AccessTokenInfo | undefined> {
    let authorization: string | readonly string[] | undefined
    let checked: AuthenticateOptions
    try {
      checked = parseRouteOptions(options, 'authenticateRequest')
      // DPoP or mTLS on this route: the request as a whole (proof, URL, certificate) is checked.
      if (this.#senders?.active(checked)) {
        return this.#senders
          .authenticate(request, checked, this.#judge, this.#accept)
          .catch((err: unknown) => Promise.reject(this.#withChallenge(err)))
      }
      authorization = headerValue(request, 'authorization')
    } catch (err) {
      return Promise.reject(this.#withChallenge(err))
    }
    return this.authenticate(authorization, checked)
  }

  async verifyToken(token: string, requirement?: ScopeRequirement): Promise<AccessTokenInfo> {
    const info = refuseUnproven(this.#router.cached(token) ?? (await this.#router.route(token)))
    this.#senders?.tokenOnly()
    return this.#requirements.accept(info, requirement)
  }

  readonly #judge = (token: string): AccessTokenInfo | Promise<AccessTokenInfo> => this.#router.cached(token) ?? this.#router.route(token)
  readonly #accept = (info: AccessTokenInfo, options: AuthenticateOptions): AccessTokenInfo => this.#requirements.accept(info, options)

  #withChallenge(err: unknown): unknown {
    return this.#challenge !== undefined && err instanceof BearerError ? err.withChallenge(this.#challenge) : err
  }
}
