/**
 * The request-facing calls: an `Authorization` header (or a bare token) in, a validated token or a
 * typed error out. Cached answers resolve without the promise chain of the full path.
 *
 * @module resource-server/authenticate
 */
import { type BearerOptions, checkBearerToken, extractBearerToken } from '../bearer.js'
import { AuthorizationServerError, BearerError, type BearerErrorOptions } from '../errors.js'
import { type EventSink, reasonOf } from '../events/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import { checkBearerBinding } from './bearer-binding.js'
import type { RequestRequirements } from './requirements.js'
import type { TokenRouter } from './routing.js'
import { headerValue, type HttpRequestInput } from './request.js'
import { parseRouteOptions } from './route.js'
import type { TokenPolicies } from './token-policy.js'
import type { AuthenticateOptions } from './types.js'

export type Challenge = Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>

export class Authenticator {
  readonly #router: TokenRouter
  readonly #requirements: RequestRequirements
  readonly #bearer: BearerOptions
  readonly #challenge: Challenge | undefined
  readonly #events: EventSink
  readonly #policies: TokenPolicies

  constructor(router: TokenRouter, requirements: RequestRequirements, bearer: BearerOptions, challenge: Challenge | undefined, events: EventSink, policies: TokenPolicies) {
    this.#router = router
    this.#policies = policies
    this.#requirements = requirements
    this.#bearer = bearer
    this.#challenge = challenge
    this.#events = events
  }

  // Not an async function: a cached answer resolves without going through route()'s awaits.
  authenticate(authorization: string | readonly string[] | null | undefined, given?: AuthenticateOptions): Promise<AccessTokenInfo | undefined> {
    // Events cost nothing on the hot path unless someone listens: not even a clock read.
    const started = this.#events.active ? now() : 0
    try {
      const options = parseRouteOptions(given, 'authenticate')
      const token = extractBearerToken(authorization, this.#bearer)
      if (token === undefined) {
        if (options.optional) return Promise.resolve(undefined)
        throw new BearerError('missing_token', 'The request has no bearer token')
      }
      const hit = this.#router.cached(token)
      if (hit !== undefined) {
        const info = this.#accept(hit, options)
        if (this.#events.active) this.#accepted(info, 'cache', started)
        return Promise.resolve(info)
      }
      return this.#router
        .route(token)
        .then((info) => {
          const accepted = this.#accept(info, options)
          if (this.#events.active) this.#accepted(accepted, info.source, started)
          return accepted
        })
        .catch((err: unknown) => Promise.reject(this.#refused(err, started)))
    } catch (err) {
      return Promise.reject(this.#refused(err, started))
    }
  }

  /** {@link authenticate} for a whole request; options already validated by `protectRoute` are used as they are. */
  authenticateRequest(request: HttpRequestInput, options?: AuthenticateOptions): Promise<AccessTokenInfo | undefined> {
    let authorization: string | readonly string[] | undefined
    let checked: AuthenticateOptions
    try {
      checked = parseRouteOptions(options, 'authenticateRequest')
      authorization = headerValue(request, 'authorization')
    } catch (err) {
      return Promise.reject(this.#refused(err, 0))
    }
    return this.authenticate(authorization, checked)
  }

  async verifyToken(token: string, requirement?: AuthenticateOptions): Promise<AccessTokenInfo> {
    const route = parseRouteOptions(requirement, 'verifyToken')
    // The same checks as authenticate on the token itself: syntax and length first.
    checkBearerToken(token, this.#bearer)
    return this.#accept(this.#router.cached(token) ?? (await this.#router.route(token)), route)
  }

  /**
   * A judged token (cached or not), on every request: its issuer's policy (calling client, ID-token
   * audiences), its binding (a `cnf` token is not a bearer token), then what the route requires.
   */
  #accept(info: AccessTokenInfo, route: AuthenticateOptions): AccessTokenInfo {
    if (this.#policies.active) this.#policies.check(info)
    checkBearerBinding(info)
    return this.#requirements.accept(info, route)
  }

  #accepted(info: AccessTokenInfo, source: 'cache' | 'jwt' | 'introspection', started: number): void {
    this.#events.emit({ type: 'authenticated', source, issuer: info.iss, clientId: info.clientId, sub: info.sub, durationMs: now() - started })
  }

  /** Explains a refusal (always: refusals and AS failures are where an operator needs to know why), then adds the challenge. */
  #refused(err: unknown, started: number): unknown {
    const durationMs = started === 0 ? 0 : now() - started
    if (err instanceof BearerError) {
      this.#events.emit({
        type: 'rejected',
        reason: reasonOf(err),
        status: err.status,
        description: err.description,
        ...(err.detail !== undefined ? { detail: err.detail } : {}),
        durationMs,
      })
    } else if (err instanceof AuthorizationServerError) {
      this.#events.emit({ type: 'authorization_server_error', failure: err.failure, message: err.message, upstreamStatus: err.upstreamStatus, durationMs })
    }
    return this.#withChallenge(err)
  }

  #withChallenge(err: unknown): unknown {
    return this.#challenge !== undefined && err instanceof BearerError ? err.withChallenge(this.#challenge) : err
  }
}

const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now()
