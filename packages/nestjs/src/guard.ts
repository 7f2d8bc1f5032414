/**
 * The guard behind `@RequireAuth()`: authenticates the request with the module's resource server,
 * sets `request.auth`, and refuses with a {@link ResourceServerException} into Nest's exception layer.
 *
 * @module
 */
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import {
  type AccessTokenInfo,
  clientCertificateOf,
  type HttpRequestInput,
  type ProtectedRoute,
  protectRoute,
  type ResourceServer,
  type RouteOptions,
  useNodeCrypto,
} from '@org/rs-core'
import * as nodeCrypto from 'node:crypto'
import { ResourceServerException } from './exception.js'
import { REQUIRE_AUTH, RESOURCE_SERVER } from './tokens.js'

/** The request objects of both platforms, as far as the guard reads and writes them. */
interface GuardedRequest {
  method?: string
  url?: string
  /** Express: the path as received, even under a mounted router. */
  originalUrl?: string
  /** Scheme and host as the platform sees them (after its trust-proxy setting). */
  protocol?: string
  /** Express 5 and Fastify 5: the host with its port. */
  host?: string
  rawHeaders?: string[]
  socket?: unknown
  /** Fastify: the Node request. */
  raw?: { method?: string; url?: string; rawHeaders?: string[]; socket?: unknown }
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
  ) {
    // JWT signatures verified and cache keys hashed with node:crypto (unless the options chose a verifier).
    useNodeCrypto(rs, nodeCrypto, '@RequireAuth')
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true
    const options = this.reflector.getAllAndOverride<Readonly<RouteOptions> | undefined>(REQUIRE_AUTH, [
      context.getHandler(),
      context.getClass(),
    ])
    if (options === undefined) return true
    let route = this.routes.get(options)
    if (!route) this.routes.set(options, (route = protectRoute(this.rs, options, '@RequireAuth')))
    const http = context.switchToHttp()
    const request = http.getRequest<GuardedRequest>()
    try {
      request.auth = await route.authenticate(requestInput(request))
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

/**
 * The request as core reads it, on either platform: method, path, raw headers; `href` (DPoP `htu`,
 * read only for a proof) from the platform's own protocol and host, i.e. after its trust-proxy
 * setting (`dpop.publicUrl` overrides it); the TLS client certificate, when asked.
 */
function requestInput(request: GuardedRequest): HttpRequestInput {
  const raw = request.raw ?? request
  const path = request.originalUrl ?? request.url ?? raw.url ?? '/'
  return {
    method: raw.method ?? 'GET',
    url: path,
    rawHeaders: raw.rawHeaders ?? [],
    href: () => (request.protocol !== undefined && request.host !== undefined ? `${request.protocol}://${request.host}${path}` : path),
    clientCertificate: () => clientCertificateOf(raw.socket as Parameters<typeof clientCertificateOf>[0]),
  }
}
