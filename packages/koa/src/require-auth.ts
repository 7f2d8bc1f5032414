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
import type { Context, Middleware } from 'koa'

declare module 'koa' {
  interface DefaultState {
    /** The validated access token, set by {@link requireAuth}; `undefined` on an optional route without a token. */
    auth?: AccessTokenInfo
  }
}

/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
export interface RequireAuthOptions extends RouteOptions {
  /**
   * `true`: throw the refusal for Koa's error handling (your `app.on('error')` / error middleware)
   * instead of answering; the error carries `status`, `expose`, `headers` (`WWW-Authenticate`,
   * `Retry-After`, set by Koa) and `body`. Default `false`: the middleware answers by itself.
   */
  forwardErrors?: boolean
}

/** The `ctx.state` member set by {@link requireAuth}, for apps with their own state type (`Koa<MyState & AuthState>`). */
export interface AuthState {
  auth?: AccessTokenInfo
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
export function requireAuth(rs: ResourceServer, options: RequireAuthOptions = {}): Middleware<AuthState> {
  const { forwardErrors = false, ...routeOptions } = options ?? {}
  // Validated now: a typo in the options, or a missing `rs`, fails at start-up, never opens the route.
  const route = protectRoute(rs, routeOptions, 'requireAuth')
  // JWT signatures verified and cache keys hashed with node:crypto (unless the options chose a verifier).
  useNodeCrypto(rs, nodeCrypto, 'requireAuth')
  return async (ctx, next) => {
    // A cached token is answered as a value: no await (one microtask less) before next().
    let auth = route.authenticateNow(requestInput(ctx))
    if (auth instanceof Promise) {
      try {
        auth = await auth
      } catch (err) {
        if (forwardErrors) throw asHttpError(err)
        sendError(ctx, err)
        return
      }
    }
    ctx.state.auth = auth
    await next()
  }
}

/**
 * The request as core reads it. `href` (DPoP `htu`, read only for a proof): `ctx.href`, i.e. scheme
 * and host after Koa's `app.proxy` setting; `dpop.publicUrl` overrides it. The certificate: the TLS
 * socket's, when asked.
 */
function requestInput(ctx: Context): HttpRequestInput {
  return {
    method: ctx.method,
    url: ctx.originalUrl,
    rawHeaders: ctx.req.rawHeaders,
    href: () => ctx.href,
    clientCertificate: () => clientCertificateOf(ctx.req.socket),
  }
}

/** Answers `toErrorResponse(err)`: status, headers and `{ error, error_description }`. */
function sendError(ctx: Context, err: unknown): void {
  const { status, headers, body } = toErrorResponse(err)
  ctx.status = status
  ctx.set(headers)
  ctx.body = body
}
