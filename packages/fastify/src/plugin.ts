/**
 * Fastify 5 plugin that protects routes with OAuth 2.0 bearer tokens checked by `@org/rs-core`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { createResourceServer } from '@org/rs-core'
 * import { resourceServerPlugin } from '@org/rs-fastify'
 *
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', clientId: 'api', clientSecret: process.env.SECRET })
 * const app = Fastify()
 * await app.register(resourceServerPlugin, { resourceServer: rs })
 *
 * app.get('/api/me', { onRequest: app.requireAuth() }, async (request) => ({ sub: request.auth!.sub }))
 * app.get('/api/admin', { onRequest: app.requireAuth({ scopes: ['admin'] }) }, adminHandler)
 * app.get('/api/feed', { onRequest: app.requireAuth({ optional: true }) }, async (request) => feedFor(request.auth?.sub))
 * ```
 *
 * @module
 */
import {
  type AccessTokenInfo,
  asHttpError,
  clientCertificateOf,
  type HttpRequestInput,
  protectRoute,
  type ResourceServer,
  type RouteOptions,
  toErrorResponse,
  useNodeCrypto,
} from '@org/rs-core'
import * as nodeCrypto from 'node:crypto'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
export interface RequireAuthOptions extends RouteOptions {
  /**
   * `true`: throw the refusal to Fastify's error handling (`setErrorHandler`) instead of replying;
   * the error carries `statusCode`, `headers` (`WWW-Authenticate`, `Retry-After`, which Fastify sets),
   * `expose` and `body`. Default `false`: the hook replies by itself.
   */
  forwardErrors?: boolean
}

/** An `onRequest` / `preHandler` hook made by {@link requireAuth}. */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated access token; `undefined` before {@link requireAuth} runs or on an optional route without a token (as in the other adapters). */
    auth: AccessTokenInfo | undefined
  }
  interface FastifyInstance {
    /** A hook (for `onRequest` or `preHandler`) that authenticates the request and sets `request.auth`. */
    requireAuth(options?: RequireAuthOptions): AuthHook
  }
}

/** Options of {@link resourceServerPlugin}. */
export interface ResourceServerPluginOptions {
  /** The resource server, created once at start-up. */
  resourceServer: ResourceServer
}

/**
 * Makes a hook that validates the `Authorization` header and sets `request.auth`. On failure it
 * replies with the status, headers (`WWW-Authenticate`, `Retry-After`) and JSON body of `toErrorResponse`.
 * Usually reached through `fastify.requireAuth(options)` once {@link resourceServerPlugin} is registered.
 */
export function requireAuth(rs: ResourceServer, options: RequireAuthOptions = {}): AuthHook {
  const { forwardErrors = false, ...routeOptions } = options ?? {}
  // Validated now: a typo in the options, or a missing `rs`, fails at start-up, never opens the route.
  const route = protectRoute(rs, routeOptions, 'requireAuth')
  // JWT signatures verified and cache keys hashed with node:crypto (unless the options chose a verifier).
  useNodeCrypto(rs, nodeCrypto, 'requireAuth')
  return async (request, reply) => {
    try {
      request.auth = await route.authenticate(requestInput(request))
    } catch (err) {
      if (forwardErrors) throw asHttpError(err)
      return sendError(reply, err)
    }
    return undefined
  }
}

/**
 * The request as core reads it. `href` (DPoP `htu`, read only for a proof): scheme and host as
 * Fastify sees them, i.e. after its `trustProxy` option; `dpop.publicUrl` overrides it. The
 * certificate: the TLS socket's, when asked.
 */
function requestInput(request: FastifyRequest): HttpRequestInput {
  return {
    method: request.method,
    url: request.originalUrl,
    rawHeaders: request.raw.rawHeaders,
    href: () => `${request.protocol}://${request.host}${request.originalUrl}`,
    clientCertificate: () => clientCertificateOf(request.raw.socket),
  }
}

/** Replies with `toErrorResponse(err)`: status, headers and `{ error, error_description }`. */
function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { status, headers, body } = toErrorResponse(err)
  return reply.code(status).headers(headers).send(body)
}

const plugin: FastifyPluginCallback<ResourceServerPluginOptions> = (fastify, { resourceServer }, done) => {
  fastify.decorateRequest('auth', undefined)
  fastify.decorate('requireAuth', (options?: RequireAuthOptions) => requireAuth(resourceServer, options))
  done()
}

/** The plugin: register it with `{ resourceServer }` to get `fastify.requireAuth()` and `request.auth`. */
export const resourceServerPlugin = fp(plugin, { fastify: '5.x', name: '@org/rs-fastify' })
