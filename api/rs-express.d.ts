import { AccessTokenInfo, RouteOptions, ResourceServer } from '@org/rs-core';
import { RequestHandler } from 'express';

/**
 * Express 5 (or 4) middleware that authenticates the request's bearer token with `@org/rs-core`.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createResourceServer } from '@org/rs-core'
 * import { requireAuth } from '@org/rs-express'
 *
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', clientId: 'api', clientSecret: process.env.SECRET })
 * const app = express()
 *
 * app.get('/api/me', requireAuth(rs), (req, res) => {
 *   res.json({ sub: req.auth!.sub, scopes: req.auth!.scopes })
 * })
 * app.delete('/api/items/:id', requireAuth(rs, { scopes: ['write'] }), deleteItem)
 * app.get('/api/feed', requireAuth(rs, { optional: true }), (req, res) => {
 *   res.json(req.auth ? personalFeed(req.auth.sub) : publicFeed())
 * })
 * ```
 *
 * @module
 */

declare global {
    namespace Express {
        interface Request {
            /** The validated access token, set by {@link requireAuth}; `undefined` on an optional route without a token. */
            auth?: AccessTokenInfo;
        }
    }
}
/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
interface RequireAuthOptions extends RouteOptions {
    /**
     * `true`: hand a refusal to Express's error handling with `next(err)` instead of answering; the
     * error carries `status`, `statusCode`, `headers` (`WWW-Authenticate`, `Retry-After`), `expose`,
     * `body` and, for a 503, the `cause`. Default `false`: the middleware answers by itself.
     */
    forwardErrors?: boolean;
}
/**
 * Middleware that validates the `Authorization` header and sets `req.auth`. On failure it answers
 * the status, headers (`WWW-Authenticate`, `Retry-After`) and JSON body of `toErrorResponse`
 * and does not call `next`.
 *
 * @param rs - The resource server, created once at start-up.
 * @param options - `scopes` (all required), `anyScope` (one required), `optional` (no token is fine; a bad one is not), `forwardErrors`.
 * @throws ConfigurationError - at creation, for an unknown or wrong option or a missing `rs`.
 */
declare function requireAuth(rs: ResourceServer, options?: RequireAuthOptions): RequestHandler;

/**
 * Express 5 (or 4) handlers for the documents a resource server publishes: its JWKS (the keys the
 * authorization server encrypts introspection responses to) and its RFC 9728 metadata.
 *
 * @example
 * ```ts
 * import { jwksHandler, protectedResourceMetadataHandler } from '@org/rs-express'
 *
 * app.get('/.well-known/jwks.json', jwksHandler(rs))
 * if (rs.resourceMetadataPath) app.get(rs.resourceMetadataPath, protectedResourceMetadataHandler(rs))
 * ```
 *
 * @module
 */

/** Handler answering `rs.encryptionJwksResponse()`: this resource server's public encryption keys (never a private member), to serve at the `jwks_uri` registered at the AS. */
declare function encryptionJwksHandler(rs: ResourceServer): RequestHandler;
/** Handler answering `rs.protectedResourceMetadataResponse()`: the RFC 9728 metadata, or 404 without the `resource` option. */
declare function protectedResourceMetadataHandler(rs: ResourceServer): RequestHandler;
/** @deprecated renamed {@link encryptionJwksHandler}: it serves this resource server's keys, not the AS's. */
declare const jwksHandler: typeof encryptionJwksHandler;

export { type RequireAuthOptions, encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler, requireAuth };
