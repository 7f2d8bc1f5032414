/**
 * The refusal a guarded route throws into Nest's exception layer: an `HttpException` whose response
 * is the RFC 6750 JSON body, and which carries the headers (`WWW-Authenticate`, `Retry-After`,
 * `Cache-Control`) for a custom exception filter.
 *
 * @module
 */
import { HttpException } from '@nestjs/common'
import { asHttpError, toErrorResponse } from '@org/rs-core'

/**
 * A request refused by the resource server: 400/401/403 (a `BearerError`) or 503 (an
 * `AuthorizationServerError`), the SDK's error as `cause`. Nest's default exception filter answers
 * `getStatus()` and `getResponse()` (`{ error, error_description }`); the guard has already set
 * {@link ResourceServerException.headers} on the response, so they reach the client with Nest's
 * default answer or your own filter's.
 *
 * @example An exception filter of your own
 * ```ts
 * @Catch(ResourceServerException)
 * class AuthErrorFilter implements ExceptionFilter {
 *   catch(err: ResourceServerException, host: ArgumentsHost) {
 *     logger.warn({ err: err.cause }, 'request refused')
 *     host.switchToHttp().getResponse().status(err.getStatus()).json(err.getResponse()) // headers already set
 *   }
 * }
 * ```
 */
export class ResourceServerException extends HttpException {
  /** The status, as `http-errors` and Fastify name it (also `getStatus()`). */
  readonly statusCode: number
  /** `WWW-Authenticate` (RFC 6750 challenge), `Retry-After` (503), `Cache-Control: no-store`. */
  readonly headers: Readonly<Record<string, string>>
  /** The JSON body: `{ error, error_description }`. */
  readonly body: { error: string; error_description: string }
  /** Whether the message is safe to show the client (4xx: yes; 503: no). */
  readonly expose: boolean

  constructor(err: unknown) {
    const { status, headers, body } = toErrorResponse(err)
    super(body, status, { cause: asHttpError(err) })
    this.name = 'ResourceServerException'
    this.statusCode = status
    this.headers = Object.freeze({ ...headers })
    this.body = body as { error: string; error_description: string }
    this.expose = status < 500
  }
}
