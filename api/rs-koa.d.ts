import { AccessTokenInfo, RouteOptions, ResourceServer } from '@org/rs-core';
import { Middleware } from 'koa';

/**
 * Koa 3 middleware that authenticates the request's bearer token with `@org/rs-core`.
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * import Router from '@koa/router'
 * import { createResourceServer } from '@org/rs-core'
 * import { requireAuth } from '@org/rs-koa'
 *
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', clientId: 'api', clientSecret: process.env.SECRET })
 * const router = new Router()
 *
 * router.get('/api/me', requireAuth(rs), (ctx) => {
 *   ctx.body = { sub: ctx.state.auth!.sub }
 * })
 * router.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), adminHandler)
 * router.get('/api/feed', requireAuth(rs, { optional: true }), (ctx) => {
 *   ctx.body = feedFor(ctx.state.auth?.sub)
 * })
 * new Koa().use(router.routes()).listen(3000)
 * ```
 *
 * @module
 */

declare module 'koa' {
    interface DefaultState {
        /** The validated access token, set by {@link requireAuth}; `undefined` on an optional route without a token. */
        auth?: AccessTokenInfo;
    }
}
/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
interface RequireAuthOptions extends RouteOptions {
    /**
     * `true`: throw the refusal for Koa's error handling (your `app.on('error')` / error middleware)
     * instead of answering; the error carries `status`, `expose`, `headers` (`WWW-Authenticate`,
     * `Retry-After`, set by Koa) and `body`. Default `false`: the middleware answers by itself.
     */
    forwardErrors?: boolean;
}
/** The `ctx.state` member set by {@link requireAuth}, for apps with their own state type (`Koa<MyState & AuthState>`). */
interface AuthState {
    auth?: AccessTokenInfo;
}
/**
 * Middleware that validates the `Authorization` header and sets `ctx.state.auth`. On failure it
 * answers the status, headers (`WWW-Authenticate`, `Retry-After`) and JSON body of `toErrorResponse`
 * and does not call `next`.
 *
 * @param rs - The resource server, created once at start-up.
 * @param options - `scopes` (all required), `anyScope` (one required), `optional` (no token is fine; a bad one is not), `forwardErrors`.
 * @throws ConfigurationError - at creation, for an unknown or wrong option or a missing `rs`.
 */
declare function requireAuth(rs: ResourceServer, options?: RequireAuthOptions): Middleware<AuthState>;

/**
 * Koa 3 middleware answering the documents a resource server publishes: its JWKS (the keys the
 * authorization server encrypts introspection responses to) and its RFC 9728 metadata.
 *
 * @example
 * ```ts
 * import { jwksHandler, protectedResourceMetadataHandler } from '@org/rs-koa'
 *
 * router.get('/.well-known/jwks.json', jwksHandler(rs))
 * if (rs.resourceMetadataPath) router.get(rs.resourceMetadataPath, protectedResourceMetadataHandler(rs))
 * ```
 *
 * @module
 */

/** Middleware answering `rs.encryptionJwksResponse()`: this resource server's public encryption keys (never a private member), to serve at the `jwks_uri` registered at the AS. */
declare function encryptionJwksHandler(rs: ResourceServer): Middleware;
/** Middleware answering `rs.protectedResourceMetadataResponse()`: the RFC 9728 metadata, or 404 without the `resource` option. */
declare function protectedResourceMetadataHandler(rs: ResourceServer): Middleware;
/** @deprecated renamed {@link encryptionJwksHandler}: it serves this resource server's keys, not the AS's. */
declare const jwksHandler: typeof encryptionJwksHandler;

export { type AuthState, type RequireAuthOptions, encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler, requireAuth };
