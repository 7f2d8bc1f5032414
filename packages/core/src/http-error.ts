/**
 * Errors handed to a framework's own error handling (an adapter's `forwardErrors` option): the
 * fields every framework reads — `status` / `statusCode`, `headers` (`WWW-Authenticate`,
 * `Retry-After`), `expose` — set from {@link toErrorResponse}, so the app's error handler can log the
 * error (`cause` included) and still answer as RFC 6750 says.
 *
 * @module http-error
 */
import { toErrorResponse } from './error-response.js'
import { AuthorizationServerError, BearerError, ReplayCacheError } from './errors.js'

/** What a forwarded error carries for the framework. */
export interface HttpErrorFields {
  /** The status to answer with (Express, Koa). */
  readonly status: number
  /** The same, under the name Fastify and Node read. */
  readonly statusCode: number
  /** Headers to send with the answer. */
  readonly headers: Readonly<Record<string, string>>
  /** Whether the message is safe to show the client (4xx: yes; 503: no). */
  readonly expose: boolean
  /** The JSON body core would have answered with. */
  readonly body: { error: string; error_description: string }
}

/**
 * Returns `err` with the {@link HttpErrorFields} set when it is one of ours (a {@link BearerError} or
 * an {@link AuthorizationServerError}); any other error is returned as it is (a bug: 500).
 *
 * @example Express, with `requireAuth(rs, { forwardErrors: true })`
 * ```ts
 * app.use((err, req, res, next) => {
 *   logger.warn({ err }, 'request refused')
 *   res.status(err.status ?? 500).set(err.headers ?? {}).json(err.body ?? { error: 'server_error' })
 * })
 * ```
 */
export function asHttpError<E>(err: E): E | (E & HttpErrorFields) {
  if (!(err instanceof BearerError) && !(err instanceof AuthorizationServerError) && !(err instanceof ReplayCacheError)) return err
  if (Object.prototype.hasOwnProperty.call(err, 'statusCode')) return err as unknown as E & HttpErrorFields
  const { status, headers, body } = toErrorResponse(err)
  Object.defineProperties(err, {
    statusCode: { value: status, enumerable: false },
    headers: { value: Object.freeze({ ...headers }), enumerable: false },
    expose: { value: status < 500, enumerable: false },
    body: { value: body, enumerable: false },
  })
  return err as unknown as E & HttpErrorFields
}
