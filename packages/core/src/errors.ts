/**
 * Typed errors. Every error carries a stable `code`; none ever carries a token or a secret.
 *
 * - {@link BearerError}: the request's credentials are missing or wrong (400 / 401 / 403, RFC 6750 §3).
 * - {@link AuthorizationServerError}: the authorization server (or its keys) could not be used to decide;
 *   the request must be answered 503 and nothing is cached.
 * - {@link ConfigurationError}: an option is wrong; thrown at construction, never at the first request.
 * - {@link TokenEndpointError}: the token endpoint refused a client-credentials request with an OAuth error.
 * - {@link ReplayCacheError}: the DPoP replay store failed; the request must be answered 503.
 *
 * @module errors
 */

/**
 * The RFC 6750 §3.1 error codes, plus `missing_token` for a request that carries no credentials at all,
 * RFC 9470's `insufficient_user_authentication` (step-up), and the RFC 9449 §7.1 DPoP ones
 * (`invalid_dpop_proof`, `use_dpop_nonce`; sent in a `DPoP` challenge).
 */
export type BearerErrorCode =
  | 'missing_token'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

import type { RefusalReason } from './refusal-reason.js'

export type { RefusalReason }

/** Options shared by every error of this package. */
interface BaseErrorOptions {
  cause?: unknown
}

/**
 * Every `code` an error of this package can carry, like jose's: switch on it rather than on
 * messages, which may change.
 */
export type SdkErrorCode =
  BearerErrorCode | 'authorization_server_unavailable' | 'replay_cache_unavailable' | 'invalid_configuration' | 'token_endpoint_error'

/** The base of every error thrown by this package. */
export abstract class ResourceServerSdkError extends Error {
  /** A stable, machine-readable code. */
  abstract readonly code: SdkErrorCode
  constructor(message: string, options?: BaseErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    // Every subclass sets its own `name` literally: a bundler may rename classes (`_BearerError`),
    // and error names are public API (logs, `err.name === 'BearerError'` checks).
    this.name = 'ResourceServerSdkError'
  }
}

/** The HTTP answer a framework adapter sends for an error: status, headers and a JSON body. */
export interface ErrorResponse {
  status: number
  headers: Record<string, string>
  body: { error: string; error_description: string }
}

/** Options of {@link BearerError}. */
export interface BearerErrorOptions extends BaseErrorOptions {
  /** Space-separated scopes the resource needs; sent in the challenge with `insufficient_scope`. */
  scope?: string
  /** `realm` of the challenge. */
  realm?: string
  /** RFC 9728 protected resource metadata URL, sent as `resource_metadata` in the challenge. */
  resourceMetadata?: string
  /** Why, for the operator (events, logs); read from the code and cause when not given. */
  reason?: RefusalReason
  /** More for the operator only (events, logs): never sent to the client. */
  detail?: string
  /** RFC 9470 step-up: the authentication context classes the resource accepts (space-separated), for `insufficient_user_authentication`. */
  acrValues?: string
  /** RFC 9470 step-up: the longest acceptable time since the user authenticated, in seconds. */
  maxAge?: number
}

const STATUS: Record<BearerErrorCode, 400 | 401 | 403> = {
  missing_token: 401,
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  insufficient_user_authentication: 401,
  invalid_dpop_proof: 401,
  use_dpop_nonce: 401,
}

/** Quotes a value for an RFC 7235 auth-param; the characters RFC 6750 forbids are dropped. */
export function quote(value: string): string {
  // RFC 6750 §3: error_description and scope use %x20-21 / %x23-5B / %x5D-7E.
  return `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')}"`
}

/**
 * The error auth-params of a challenge, in every scheme: the code, its description, and what the
 * client must come back with (RFC 6750 §3 `scope`, RFC 9470 `acr_values` and `max_age`).
 */
export function errorParams(
  code: BearerErrorCode,
  description: string,
  options: Pick<BearerErrorOptions, 'scope' | 'acrValues' | 'maxAge'>,
): string[] {
  const params = [`error="${code}"`, `error_description=${quote(description)}`]
  if (options.scope) params.push(`scope=${quote(options.scope)}`)
  if (options.acrValues) params.push(`acr_values=${quote(options.acrValues)}`)
  if (options.maxAge !== undefined && Number.isFinite(options.maxAge)) params.push(`max_age=${Math.floor(options.maxAge)}`)
  return params
}

/**
 * The request's credentials are missing or not acceptable. Carries the HTTP status, the RFC 6750
 * error code, a description safe to show the caller, and a ready `WWW-Authenticate` value.
 *
 * @example
 * ```ts
 * try {
 *   const auth = await rs.authenticate(req.headers.authorization)
 * } catch (err) {
 *   if (err instanceof BearerError) {
 *     res.writeHead(err.status, { 'www-authenticate': err.wwwAuthenticate }).end()
 *   }
 * }
 * ```
 */
export class BearerError extends ResourceServerSdkError {
  readonly code: BearerErrorCode
  /** 400 (`invalid_request`), 401 (`invalid_token`, `missing_token`, `insufficient_user_authentication`) or 403 (`insufficient_scope`). */
  readonly status: 400 | 401 | 403
  /** Human-readable, safe to send to the client (never contains the token). */
  readonly description: string
  /** Scopes required, for `insufficient_scope`. */
  readonly scope: string | undefined
  /** Value for the `WWW-Authenticate` response header (RFC 6750 §3). */
  readonly wwwAuthenticate: string
  /** Why, for the operator, when the code that refused said so (see `RefusalReason`). */
  readonly reason: RefusalReason | undefined
  /** More for the operator only (events, logs): never in the answer. */
  readonly detail: string | undefined
  /** RFC 9470: `acr_values` of the step-up challenge. */
  readonly acrValues: string | undefined
  /** RFC 9470: `max_age` of the step-up challenge, in seconds. */
  readonly maxAge: number | undefined

  constructor(code: BearerErrorCode, description: string, options: BearerErrorOptions = {}) {
    super(description, options)
    this.name = 'BearerError'
    this.code = code
    this.status = STATUS[code]
    this.description = description
    this.scope = options.scope
    this.reason = options.reason
    this.detail = options.detail
    this.acrValues = options.acrValues
    this.maxAge = options.maxAge
    const params: string[] = []
    if (options.realm !== undefined) params.push(`realm=${quote(options.realm)}`)
    if (code !== 'missing_token') params.push(...errorParams(code, description, options))
    if (options.resourceMetadata !== undefined) params.push(`resource_metadata=${quote(options.resourceMetadata)}`)
    this.wwwAuthenticate = params.length ? `Bearer ${params.join(', ')}` : 'Bearer'
  }

  /** Headers the answer carries besides `WWW-Authenticate` (e.g. `DPoP-Nonce`); none for a plain Bearer refusal. */
  get responseHeaders(): Readonly<Record<string, string>> | undefined {
    return undefined
  }

  /** A copy of this error with a realm / resource metadata URL added to the challenge. */
  withChallenge(options: Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>): BearerError {
    return new BearerError(this.code, this.description, {
      scope: this.scope,
      realm: options.realm,
      resourceMetadata: options.resourceMetadata,
      cause: this.cause,
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.acrValues !== undefined ? { acrValues: this.acrValues } : {}),
      ...(this.maxAge !== undefined ? { maxAge: this.maxAge } : {}),
    })
  }

  toJSON(): ErrorResponse['body'] {
    return { error: this.code, error_description: this.description }
  }
}

/** Why the authorization server could not be used. */
export type AuthorizationServerFailure =
  | 'network' // connection refused, reset, DNS
  | 'timeout'
  | 'http_status' // an unexpected status (5xx, 4xx other than a token verdict)
  | 'bad_response' // wrong content type, unparsable body, missing members
  | 'bad_signature' // the response's signature or encryption did not verify
  | 'client_rejected' // the AS rejected our own client authentication (misconfiguration)
  | 'metadata' // discovery failed or the metadata lacks an endpoint we need
  | 'issuer_mismatch' // the AS's metadata names another issuer than the configured one (set-up)

/**
 * The authorization server (or its keys) was unreachable, too slow or misbehaved, so the token could
 * not be judged. Adapters answer 503 with `Retry-After`. Never cached, never authenticates.
 */
export class AuthorizationServerError extends ResourceServerSdkError {
  readonly code = 'authorization_server_unavailable' as const
  readonly status = 503 as const
  readonly failure: AuthorizationServerFailure
  /** Seconds the client should wait before retrying. */
  readonly retryAfter: number
  /** The HTTP status the AS answered with, when it answered. */
  readonly upstreamStatus: number | undefined

  constructor(
    failure: AuthorizationServerFailure,
    message: string,
    options: BaseErrorOptions & { retryAfter?: number; upstreamStatus?: number } = {},
  ) {
    super(message, options)
    this.name = 'AuthorizationServerError'
    this.failure = failure
    this.retryAfter = options.retryAfter ?? 5
    this.upstreamStatus = options.upstreamStatus
  }

  /** What `toErrorResponse` sends, plus the failure kind: the message (for your logs) is not in it. */
  toJSON(): ErrorResponse['body'] & { failure: AuthorizationServerFailure } {
    return { error: 'temporarily_unavailable', error_description: 'The authorization server is unavailable', failure: this.failure }
  }
}

/**
 * The store that detects replayed DPoP proofs (`jti`) failed or timed out, so the proof could not be
 * checked: the request is answered 503 with `Retry-After`, never accepted (an unchecked proof could
 * be a replay) and never refused as the client's fault (the proof may well be fine).
 */
export class ReplayCacheError extends ResourceServerSdkError {
  readonly code = 'replay_cache_unavailable' as const
  readonly status = 503 as const
  /** Seconds the client should wait before retrying. */
  readonly retryAfter: number
  constructor(message: string, options: BaseErrorOptions & { retryAfter?: number } = {}) {
    super(message, options)
    this.name = 'ReplayCacheError'
    this.retryAfter = options.retryAfter ?? 1
  }
}

/** One wrong option: where it is and what was expected. */
export interface ConfigurationIssue {
  /** Dotted path of the option, e.g. `cache.maxEntries`. */
  path: string
  message: string
}

/**
 * A wrong or missing option. Thrown by the factories at construction (never at the first request for
 * a construction-time option), and by a call given wrong per-call arguments.
 */
export class ConfigurationError extends ResourceServerSdkError {
  readonly code = 'invalid_configuration' as const
  readonly issues: ConfigurationIssue[]
  constructor(component: string, issues: ConfigurationIssue[]) {
    super(`Invalid ${component} options: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`)
    this.name = 'ConfigurationError'
    this.issues = issues
  }
}

/**
 * The token endpoint answered a client-credentials request with an OAuth error (RFC 6749 §5.2), such
 * as `invalid_client` or `invalid_scope`. Not retried: the request would fail again.
 */
export class TokenEndpointError extends ResourceServerSdkError {
  readonly code = 'token_endpoint_error' as const
  /** The AS's `error` code. */
  readonly error: string
  /** The AS's `error_description`, if any (the client secret removed). */
  readonly errorDescription: string | undefined
  /** The HTTP status the AS answered with (not a status for your own answer). */
  readonly upstreamStatus: number
  constructor(error: string, errorDescription: string | undefined, upstreamStatus: number) {
    super(`Token endpoint refused the request: ${error}${errorDescription ? ` (${errorDescription})` : ''}`)
    this.name = 'TokenEndpointError'
    this.error = error
    this.errorDescription = errorDescription
    this.upstreamStatus = upstreamStatus
  }
}
