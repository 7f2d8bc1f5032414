import { AccessTokenInfo, RouteOptions, ResourceServer } from '@org/rs-core';
import { FastifyRequest, FastifyReply, FastifyPluginCallback, RouteHandlerMethod } from 'fastify';

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

/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
interface RequireAuthOptions extends RouteOptions {
    /**
     * `true`: throw the refusal to Fastify's error handling (`setErrorHandler`) instead of replying;
     * the error carries `statusCode`, `headers` (`WWW-Authenticate`, `Retry-After`, which Fastify sets),
     * `expose` and `body`. Default `false`: the hook replies by itself.
     */
    forwardErrors?: boolean;
}
/** An `onRequest` / `preHandler` hook made by {@link requireAuth}. */
type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
declare module 'fastify' {
    interface FastifyRequest {
        /** The validated access token; `undefined` before {@link requireAuth} runs or on an optional route without a token (as in the other adapters). */
        auth: AccessTokenInfo | undefined;
    }
    interface FastifyInstance {
        /** A hook (for `onRequest` or `preHandler`) that authenticates the request and sets `request.auth`. */
        requireAuth(options?: RequireAuthOptions): AuthHook;
    }
}
/** Options of {@link resourceServerPlugin}. */
interface ResourceServerPluginOptions {
    /** The resource server, created once at start-up. */
    resourceServer: ResourceServer;
}
/**
 * Makes a hook that validates the `Authorization` header and sets `request.auth`. On failure it
 * replies with the status, headers (`WWW-Authenticate`, `Retry-After`) and JSON body of `toErrorResponse`.
 * Usually reached through `fastify.requireAuth(options)` once {@link resourceServerPlugin} is registered.
 */
declare function requireAuth(rs: ResourceServer, options?: RequireAuthOptions): AuthHook;
/** The plugin: register it with `{ resourceServer }` to get `fastify.requireAuth()` and `request.auth`. */
declare const resourceServerPlugin: FastifyPluginCallback<ResourceServerPluginOptions>;

/**
 * Fastify 5 route handlers for the documents a resource server publishes: its JWKS (the keys the
 * authorization server encrypts introspection responses to) and its RFC 9728 metadata.
 *
 * @example
 * ```ts
 * import { jwksHandler, protectedResourceMetadataHandler } from '@org/rs-fastify'
 *
 * app.get('/.well-known/jwks.json', jwksHandler(rs))
 * if (rs.resourceMetadataPath) app.get(rs.resourceMetadataPath, protectedResourceMetadataHandler(rs))
 * ```
 *
 * @module
 */

/** Handler answering `rs.encryptionJwksResponse()`: this resource server's public encryption keys (never a private member), to serve at the `jwks_uri` registered at the AS. */
declare function encryptionJwksHandler(rs: ResourceServer): RouteHandlerMethod;
/** Handler answering `rs.protectedResourceMetadataResponse()`: the RFC 9728 metadata, or 404 without the `resource` option. */
declare function protectedResourceMetadataHandler(rs: ResourceServer): RouteHandlerMethod;
/** @deprecated renamed {@link encryptionJwksHandler}: it serves this resource server's keys, not the AS's. */
declare const jwksHandler: typeof encryptionJwksHandler;

export { type AuthHook, type RequireAuthOptions, type ResourceServerPluginOptions, encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler, requireAuth, resourceServerPlugin };
