/**
 * `@RequireAuth()` protects a handler or a whole controller; `@Auth()` injects the validated token.
 *
 * @module
 */
import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common'
import { type AccessTokenInfo, protectRoute, type ResourceServer, type RouteOptions } from '@org/rs-core'
import { ResourceServerGuard } from './guard.js'
import { REQUIRE_AUTH } from './tokens.js'

/** Options of {@link RequireAuth}: `scopes` (all required), `anyScope` (one required), `optional` (no token is fine; a bad one is not). */
export type RequireAuthOptions = RouteOptions

/** Stands in for the resource server while the options alone are checked, at decoration time. */
const OPTIONS_ONLY = { authenticateRequest: () => Promise.reject(new Error('not a resource server')) } as unknown as ResourceServer

/**
 * Protects a route (on a method) or every route of a controller (on the class) with the module's
 * resource server: `request.auth` is set, `@Auth()` reads it. A refusal is a
 * `ResourceServerException` (400/401/403 with `WWW-Authenticate`, or 503 with `Retry-After`) handled by
 * Nest's exception layer. A method's options replace its controller's.
 *
 * @throws ConfigurationError - when decorating, for an unknown or wrong option (`{ scope: [...] }`).
 *
 * @example
 * ```ts
 * @Controller('api')
 * export class MeController {
 *   @Get('me')
 *   @RequireAuth({ scopes: ['read'] })
 *   me(@Auth() auth: AccessTokenInfo) {
 *     return { sub: auth.sub }
 *   }
 * }
 * ```
 */
export function RequireAuth(options: RequireAuthOptions = {}): MethodDecorator & ClassDecorator {
  // Validated now (core's protectRoute, once per options object): a typo fails at start-up, never opens a route.
  const validated = protectRoute(OPTIONS_ONLY, options, '@RequireAuth').options
  return applyDecorators(SetMetadata(REQUIRE_AUTH, validated), UseGuards(ResourceServerGuard))
}

/**
 * Parameter decorator: the validated `AccessTokenInfo` of a route protected by {@link RequireAuth}
 * (`undefined` on an optional route called without a token).
 */
export const Auth: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccessTokenInfo | undefined => {
    return context.switchToHttp().getRequest<{ auth?: AccessTokenInfo }>().auth
  },
) as () => ParameterDecorator
