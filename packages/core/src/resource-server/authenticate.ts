/**
 * The request-facing calls: an `Authorization` header (or a whole request, or a bare token) in, a
 * validated token or a typed error out. Cached answers resolve without the promise chain of the
 * full path. With DPoP or mTLS on, the request as a whole goes through the sender-constraint policy.
 *
 * @module resource-server/authenticate
 */
import { bearerCredential, type BearerOptions, checkBearerToken, extractBearerToken } from '../bearer.js'
import { AuthorizationServerError, BearerError, type BearerErrorOptions } from '../errors.js'
import { type EventSink, reasonOf } from '../events/index.js'
import { refuseUnproven, type SenderConstraints } from '../sender-constraint/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { RequestRequirements } from './requirements.js'
import type { TokenRouter } from './routing.js'
import { headerValue, type HttpRequestInput } from './request.js'
import { parseRouteOptions, refuseSenderModes } from './route.js'
import type { TokenPolicies } from './token-policy.js'
import type { AuthenticateOptions } from './types.js'

export type Challenge = Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>

export class Authenticator {
  readonly #router: TokenRouter
  readonly #requirements: RequestRequirements
  readonly #bearer: BearerOptions
  readonly #challenge: Challenge | undefined
  readonly #events: EventSink
  readonly #senders: SenderConstraints | undefined
  readonly #policies: TokenPolicies

  constructor(
    router: TokenRouter,
    requirements: RequestRequirements,
    bearer: BearerOptions,
    challenge: Challenge | undefined,
    events: EventSink,
    policies: TokenPolicies,
    senders?: SenderConstraints,
  ) {
    this.#router = router
    this.#policies = policies
    this.#requirements = requirements
    this.#bearer = bearer
    this.#challenge = challenge
    this.#events = events
    this.#senders = senders
  }

  // Not an async function: a cached answer resolves without going through route()'s awaits.
  authenticate(
    authorization: string | readonly string[] | null | undefined,
    given?: AuthenticateOptions,
  ): Promise<AccessTokenInfo | undefined> {
    // Events cost nothing on the hot path unless someone listens: not even a clock read.
    const started = this.#events.active ? now() : 0
    let options: AuthenticateOptions
    try {
      options = this.#routeOptions(given, 'authenticate')
    } catch (err) {
      return Promise.reject(this.#refused(err, started))
    }
    return this.#authenticate(authorization, options, started)
  }

  /** {@link authenticate} with options already validated. */
  #authenticate(
    authorization: string | readonly string[] | null | undefined,
    options: AuthenticateOptions,
    started: number,
  ): Promise<AccessTokenInfo | undefined> {
    return promised(this.#decide(authorization, options, started))
  }

  /**
   * The answer, without waiting when it is known now: a token judged before (the in-memory caches)
   * and accepted for this route, or no token on an optional route. Anything else, refusals included,
   * is a promise: a refusal is always a rejection, never a throw.
   */
  #decide(
    authorization: string | readonly string[] | null | undefined,
    options: AuthenticateOptions,
    started: number,
  ): AccessTokenInfo | undefined | Promise<AccessTokenInfo | undefined> {
    try {
      if (this.#senders?.active(options)) {
        // DPoP or mTLS on: a header alone is a request without a proof or a certificate.
        return this.#viaSenders({ headers: { authorization: authorization ?? undefined } }, options, started)
      }
      // A token judged before is found by the credential as written; anything else is checked first.
      const written = bearerCredential(authorization, this.#bearer)
      const hit = written === undefined ? undefined : this.#router.cached(written)
      if (hit !== undefined) return this.#fromCache(hit, options, started)
      const token = extractBearerToken(authorization, this.#bearer)
      if (token === undefined) {
        if (options.optional) return undefined
        throw new BearerError('missing_token', 'The request has no bearer token')
      }
      const cached = token === written ? undefined : this.#router.cached(token)
      if (cached !== undefined) return this.#fromCache(cached, options, started)
      return this.#router
        .route(token)
        .then((info) => {
          const accepted = this.#acceptToken(refuseUnproven(info), options)
          if (this.#events.active) this.#accepted(accepted, info.source, started)
          return accepted
        })
        .catch((err: unknown) => Promise.reject(this.#refused(err, started)))
    } catch (err) {
      return Promise.reject(this.#refused(err, started))
    }
  }

  /** A cached answer. A header alone carries no DPoP proof nor certificate: a sender-constrained token is refused here. */
  #fromCache(hit: AccessTokenInfo, options: AuthenticateOptions, started: number): AccessTokenInfo {
    const info = this.#acceptToken(refuseUnproven(hit), options)
    if (this.#events.active) this.#accepted(info, 'cache', started)
    return info
  }

  /** The route options of a call, validated; on a server without DPoP and mTLS, never asking for them. */
  #routeOptions(given: unknown, component: string): Readonly<AuthenticateOptions> {
    const options = parseRouteOptions(given, component)
    if (this.#senders === undefined) refuseSenderModes(options, component)
    return options
  }

  /** {@link authenticate} for a whole request; options already validated by `protectRoute` are used as they are. */
  authenticateRequest(request: HttpRequestInput, options?: AuthenticateOptions): Promise<AccessTokenInfo | undefined> {
    return promised(this.#decideRequest(request, options, 'authenticateRequest'))
  }

  /**
   * {@link authenticateRequest} answering without waiting when it can (see `#decide`), for
   * `ProtectedRoute.authenticateNow`: `options` are the route's, validated by `protectRoute`.
   */
  authenticateRequestNow(
    request: HttpRequestInput,
    options: AuthenticateOptions,
  ): AccessTokenInfo | undefined | Promise<AccessTokenInfo | undefined> {
    return this.#decideRequest(request, options, 'authenticateNow')
  }

  #decideRequest(
    request: HttpRequestInput,
    options: AuthenticateOptions | undefined,
    component: string,
  ): AccessTokenInfo | undefined | Promise<AccessTokenInfo | undefined> {
    const started = this.#events.active ? now() : 0
    let authorization: string | readonly string[] | undefined
    let checked: AuthenticateOptions
    try {
      checked = this.#routeOptions(options, component)
      // DPoP or mTLS on this route: the request as a whole (proof, URL, certificate) is checked.
      if (this.#senders?.active(checked)) return this.#viaSenders(request, checked, started)
      authorization = headerValue(request, 'authorization')
    } catch (err) {
      return Promise.reject(this.#refused(err, started))
    }
    return this.#decide(authorization, checked, started)
  }

  async verifyToken(token: string, requirement?: AuthenticateOptions): Promise<AccessTokenInfo> {
    const route = this.#routeOptions(requirement, 'verifyToken')
    // The same checks as authenticate on the token itself: syntax and length first.
    checkBearerToken(token, this.#bearer)
    const info = refuseUnproven(this.#router.cached(token) ?? (await this.#router.route(token)))
    this.#senders?.tokenOnly()
    return this.#acceptToken(info, route)
  }

  /**
   * A judged token (cached or not), on every request: its issuer's policy (calling client, ID-token
   * audiences), then what the route requires. A `cnf`-bound token reaches this only with its proof
   * (the sender-constraint path) or is refused before (`refuseUnproven`).
   */
  #acceptToken(info: AccessTokenInfo, route: AuthenticateOptions): AccessTokenInfo {
    if (this.#policies.active) this.#policies.check(info)
    return this.#requirements.accept(info, route)
  }

  #viaSenders(request: HttpRequestInput, options: AuthenticateOptions, started: number): Promise<AccessTokenInfo | undefined> {
    return this.#senders!.authenticate(request, options, this.#judge, this.#accept).then(
      (info) => {
        if (info !== undefined && this.#events.active) this.#accepted(info, info.source, started)
        return info
      },
      (err: unknown) => Promise.reject(this.#refused(err, started)),
    )
  }

  readonly #judge = (token: string): AccessTokenInfo | Promise<AccessTokenInfo> => this.#router.cached(token) ?? this.#router.route(token)
  readonly #accept = (info: AccessTokenInfo, options: AuthenticateOptions): AccessTokenInfo => this.#acceptToken(info, options)

  #accepted(info: AccessTokenInfo, source: 'cache' | 'jwt' | 'introspection', started: number): void {
    this.#events.emit({
      type: 'authenticated',
      source,
      issuer: info.iss,
      clientId: info.clientId,
      sub: info.sub,
      durationMs: now() - started,
    })
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
      this.#events.emit({
        type: 'authorization_server_error',
        failure: err.failure,
        message: err.message,
        upstreamStatus: err.upstreamStatus,
        durationMs,
      })
    }
    return this.#withChallenge(err)
  }

  #withChallenge(err: unknown): unknown {
    return this.#challenge !== undefined && err instanceof BearerError ? err.withChallenge(this.#challenge) : err
  }
}

/** An answer as a promise (an answer known now, resolved). */
function promised<T>(answer: T | Promise<T>): Promise<T> {
  return answer instanceof Promise ? answer : Promise.resolve(answer)
}

const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now()
