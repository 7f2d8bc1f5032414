/**
 * The HTTP answer for any error of an authentication: what every adapter sends.
 *
 * @module error-response
 */
import { AuthorizationServerError, BearerError, ReplayCacheError, type ErrorResponse } from './errors.js'

/**
 * Turns any error from {@link ResourceServer.authenticate} into the HTTP answer to send: the
 * {@link BearerError}'s status and challenge, 503 with `Retry-After` for an unavailable AS, and a
 * bare 500 for anything else (a bug: never authenticates, never leaks details).
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof BearerError) {
    return {
      status: err.status,
      headers: { 'www-authenticate': err.wwwAuthenticate, ...err.responseHeaders, 'cache-control': 'no-store' },
      body: err.toJSON(),
    }
  }
  if (err instanceof ReplayCacheError) {
    return {
      status: 503,
      headers: { 'retry-after': String(err.retryAfter), 'cache-control': 'no-store' },
      body: { error: 'temporarily_unavailable', error_description: 'The request could not be checked for replay' },
    }
  }
  if (err instanceof AuthorizationServerError) {
    return {
      status: 503,
      headers: { 'retry-after': String(err.retryAfter), 'cache-control': 'no-store' },
      body: { error: 'temporarily_unavailable', error_description: 'The authorization server is unavailable' },
    }
  }
  return {
    status: 500,
    headers: { 'cache-control': 'no-store' },
    body: { error: 'server_error', error_description: 'Authentication failed unexpectedly' },
  }
}
