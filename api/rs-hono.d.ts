import { AccessTokenInfo, RouteOptions, ResourceServer } from '@org/rs-core';
import { MiddlewareHandler, Handler } from 'hono';

/**
 * Hono 4 middleware that authenticates the request's bearer token with `@org/rs-core`. Web-standard
 * only: runs on Node, Bun, Deno, Cloudflare Workers and other edge runtimes.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { createResourceServer } from '@org/rs-core'
 * import { requireAuth } from '@org/rs-hono'
 *
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', clientId: 'api', clientSecret: env.SECRET })
 * const app = new Hono()
 *
 * app.get('/api/me', requireAuth(rs), (c) => c.json({ sub: c.get('auth').sub }))
 * app.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), adminHandler)
 * app.get('/api/feed', requireAuth(rs, { optional: true }), (c) => c.json(feedFor(c.get('auth')?.sub)))
 * ```
 *
 * @module
 */

/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
interface RequireAuthOptions extends RouteOptions {
    /**
     * `true`: throw an `HTTPException` for `app.onError` instead of answering; `err.getResponse()` is
     * the RFC 6750 answer (status, `WWW-Authenticate`, `Retry-After`, JSON body) and `err.cause` the
     * SDK's error. Default `false`: the middleware answers by itself.
     */
    forwardErrors?: boolean;
}
declare module 'hono' {
    interface ContextVariableMap {
        /**
         * The validated access token, set by {@link requireAuth} — typed in every route, including one behind
         * a group's middleware (`app.use('/api/*', requireAuth(rs))`). `undefined` where no `requireAuth` ran
         * or on an optional route without a token; a route that declares `requireAuth` itself (or an app typed
         * `new Hono<AuthEnv>()`) sees `AccessTokenInfo` without `undefined`.
         */
        auth: AccessTokenInfo | undefined;
    }
}
/** Env of a route behind `requireAuth(rs)`: `c.get('auth')` is the validated token. */
type AuthEnv = {
    Variables: {
        auth: AccessTokenInfo;
    };
};
/** Env of a route behind `requireAuth(rs, { optional: true })`: `c.get('auth')` may be `undefined`. */
type OptionalAuthEnv = {
    Variables: {
        auth: AccessTokenInfo | undefined;
    };
};
/**
 * Middleware that validates the `Authorization` header and sets the `auth` variable. On failure it
 * answers the status, headers (`WWW-Authenticate`, `Retry-After`) and JSON body of `toErrorResponse`.
 *
 * @param rs - The resource server, created once at start-up.
 * @param options - `scopes` (all required), `anyScope` (one required), `optional` (no token is fine; a bad one is not).
 */
declare function requireAuth(rs: ResourceServer, options: RequireAuthOptions & {
    optional: true;
}): MiddlewareHandler<OptionalAuthEnv>;
declare function requireAuth(rs: ResourceServer, options?: RequireAuthOptions & {
    optional?: false;
}): MiddlewareHandler<AuthEnv>;
declare function requireAuth(rs: ResourceServer, options?: RequireAuthOptions): MiddlewareHandler<OptionalAuthEnv>;

/**
 * Hono 4 handlers for the documents a resource server publishes: its JWKS (the keys the
 * authorization server encrypts introspection responses to) and its RFC 9728 metadata.
 *
 * @example
 * ```ts
 * import { jwksHandler, protectedResourceMetadataHandler } from '@org/rs-hono'
 *
 * app.get('/.well-known/jwks.json', jwksHandler(rs))
 * if (rs.resourceMetadataPath) app.get(rs.resourceMetadataPath, protectedResourceMetadataHandler(rs))
 * ```
 *
 * @module
 */

/** Handler answering `rs.encryptionJwksResponse()`: this resource server's public encryption keys (never a private member), to serve at the `jwks_uri` registered at the AS. */
declare function encryptionJwksHandler(rs: ResourceServer): Handler;
/** Handler answering `rs.protectedResourceMetadataResponse()`: the RFC 9728 metadata, or 404 without the `resource` option. */
declare function protectedResourceMetadataHandler(rs: ResourceServer): Handler;
/** @deprecated renamed {@link encryptionJwksHandler}: it serves this resource server's keys, not the AS's. */
declare const jwksHandler: typeof encryptionJwksHandler;

export { type AuthEnv, type OptionalAuthEnv, type RequireAuthOptions, encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler, requireAuth };
