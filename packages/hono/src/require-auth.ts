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
import {
  type AccessTokenInfo,
  asHttpError,
  clientCertificateOf,
  protectRoute,
  type ResourceServer,
  type RouteOptions,
  toErrorResponse,
} from '@org/rs-core'
import { HTTPException } from 'hono/http-exception'
import type { Context, MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
export interface RequireAuthOptions extends RouteOptions {
  /**
   * `true`: throw an `HTTPException` for `app.onError` instead of answering; `err.getResponse()` is
   * the RFC 6750 answer (status, `WWW-Authenticate`, `Retry-After`, JSON body) and `err.cause` the
   * SDK's error. Default `false`: the middleware answers by itself.
   */
  forwardErrors?: boolean
}

declare module 'hono' {
  interface ContextVariableMap {
    /**
     * The validated access token, set by {@link requireAuth} — typed in every route, including one behind
     * a group's middleware (`app.use('/api/*', requireAuth(rs))`). `undefined` where no `requireAuth` ran
     * or on an optional route without a token; a route that declares `requireAuth` itself (or an app typed
     * `new Hono<AuthEnv>()`) sees `AccessTokenInfo` without `undefined`.
     */
    auth: AccessTokenInfo | undefined
  }
}

/** Env of a route behind `requireAuth(rs)`: `c.get('auth')` is the validated token. */
export type AuthEnv = { Variables: { auth: AccessTokenInfo } }

/** Env of a route behind `requireAuth(rs, { optional: true })`: `c.get('auth')` may be `undefined`. */
export type OptionalAuthEnv = { Variables: { auth: AccessTokenInfo | undefined } }

/**
 * Middleware that validates the `Authorization` header and sets the `auth` variable. On failure it
 * answers the status, headers (`WWW-Authenticate`, `Retry-After`) and JSON body of `toErrorResponse`.
 *
 * @param rs - The resource server, created once at start-up.
 * @param options - `scopes` (all required), `anyScope` (one required), `optional` (no token is fine; a bad one is not).
 */
export function requireAuth(rs: ResourceServer, options: RequireAuthOptions & { optional: true }): MiddlewareHandler<OptionalAuthEnv>
export function requireAuth(rs: ResourceServer, options?: RequireAuthOptions & { optional?: false }): MiddlewareHandler<AuthEnv>
export function requireAuth(rs: ResourceServer, options?: RequireAuthOptions): MiddlewareHandler<OptionalAuthEnv>
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function requireAuth(rs: ResourceServer, options: RequireAuthOptions = {}): MiddlewareHandler<any> {
  const { forwardErrors = false, ...routeOptions } = options ?? {}
  // Validated now: a typo in the options, or a missing `rs`, fails at start-up, never opens the route.
  const route = protectRoute(rs, routeOptions, 'requireAuth')
  const middleware: MiddlewareHandler<OptionalAuthEnv> = async (c, next) => {
    let auth: AccessTokenInfo | undefined
    try {
      auth = await route.authenticate({
        method: c.req.method,
        url: c.req.url,
        headers: c.req.raw.headers,
        clientCertificate: () => peerCertificate(c),
      })
    } catch (err) {
      if (forwardErrors)
        throw new HTTPException(toErrorResponse(err).status as ContentfulStatusCode, {
          res: errorResponse(c, err),
          cause: asHttpError(err),
        })
      return errorResponse(c, err)
    }
    c.set('auth', auth)
    await next()
  }
  return middleware
}

/**
 * The client certificate where the runtime exposes the TLS socket: Node through `@hono/node-server`
 * (`c.env.incoming.socket`). Elsewhere (Bun, Deno, workers) there is none: a certificate-bound token
 * is then refused, unless a trusted proxy passes the certificate (`mtls.trustProxyHeader`).
 */
function peerCertificate(c: Context): Uint8Array | undefined {
  const env = c.env as { incoming?: { socket?: unknown } } | undefined
  return clientCertificateOf(env?.incoming?.socket)
}

/** The answer of `toErrorResponse(err)`: status, headers and `{ error, error_description }`. */
function errorResponse(c: Context, err: unknown): Response {
  const { status, headers, body } = toErrorResponse(err)
  return c.json(body, status as ContentfulStatusCode, headers)
}
