/**
 * The guard behind `@RequireAuth()`: authenticates the request with the module's resource server,
 * sets `request.auth`, and refuses with a {@link ResourceServerException} into Nest's exception layer.
 *
 * @module
 */
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import { type AccessTokenInfo, type ProtectedRoute, protectRoute, type ResourceServer, type RouteOptions } from '@org/rs-core'
import { ResourceServerException } from './exception.js'
import { REQUIRE_AUTH, RESOURCE_SERVER } from './tokens.js'

/** The request objects of both platforms, as far as the guard reads and writes them. */
interface GuardedRequest {
  method?: string
  url?: string
  rawHeaders?: string[]
  /** Fastify: the Node request. */
  raw?: { method?: string; url?: string; rawHeaders?: string[] }
  auth?: AccessTokenInfo
}

/** Express `Response` and Fastify `FastifyReply` both have `header(name, value)`; plain Node responses `setHeader`. */
interface GuardedResponse {
  header?: (name: string, value: string) => unknown
  setHeader?: (name: string, value: string) => unknown
}

/**
 * Protects the routes marked with `@RequireAuth()` (handler or controller); lets others through.
 * `@RequireAuth()` applies it; register it as `APP_GUARD` only to run it on every route.
 */
@Injectable()
export class ResourceServerGuard implements CanActivate {
  /** A protected route per options object (validated once, by core's `protectRoute`). */
  private readonly routes = new WeakMap<object, ProtectedRoute>()

  constructor(
    @Inject(RESOURCE_SERVER) private readonly rs: ResourceServer,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true
    const options = this.reflector.getAllAndOverride<Readonly<RouteOptions> | undefined>(REQUIRE_AUTH, [context.getHandler(), context.getClass()])
    if (options === undefined) return true
    let route = this.routes.get(options)
    if (!route) this.routes.set(options, (route = protectRoute(this.rs, options, '@RequireAuth')))
    const http = context.switchToHttp()
    const request = http.getRequest<GuardedRequest>()
    const raw = request.raw ?? request
    try {
      request.auth = await route.authenticate({ method: raw.method ?? 'GET', url: raw.url ?? '/', rawHeaders: raw.rawHeaders ?? [] })
      return true
    } catch (err) {
      const exception = new ResourceServerException(err)
      // Nest's exception filters answer status and body only: the RFC 6750 headers go on the response now.
      const response = http.getResponse<GuardedResponse>()
      for (const [name, value] of Object.entries(exception.headers)) {
        if (typeof response.header === 'function') response.header(name, value)
        else response.setHeader?.(name, value)
      }
      throw exception
    }
  }
}
