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
import { setAuth } from './auth-property.js'
import type { Request, RequestHandler, Response } from 'express'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The validated access token, set by {@link requireAuth}; `undefined` on an optional route without a token. */
      auth?: AccessTokenInfo
    }
  }
}

/** Options of {@link requireAuth}: the scopes the route needs, whether a token is optional, and who answers a refusal. */
export interface RequireAuthOptions extends RouteOptions {
  /**
   * `true`: hand a refusal to Express's error handling with `next(err)` instead of answering; the
   * error carries `status`, `statusCode`, `headers` (`WWW-Authenticate`, `Retry-After`), `expose`,
   * `body` and, for a 503, the `cause`. Default `false`: the middleware answers by itself.
   */
  forwardErrors?: boolean
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
export function requireAuth(rs: ResourceServer, options: RequireAuthOptions = {}): RequestHandler {
  const { forwardErrors = false, ...routeOptions } = options ?? {}
  // Validated now: a typo in the options, or a missing `rs`, fails at start-up, never opens the route.
  const route = protectRoute(rs, routeOptions, 'requireAuth')
  // JWT signatures verified and cache keys hashed with node:crypto (unless the options chose a verifier).
  useNodeCrypto(rs, nodeCrypto, 'requireAuth')
  return (req, res, next) => {
    const answer = route.authenticateNow(requestInput(req))
    // A cached token goes on at once: a promise hop before next() cost Express ~1.5 µs per request.
    if (!(answer instanceof Promise)) {
      setAuth(req, res, answer)
      next()
      return
    }
    answer.then(
      (auth) => {
        setAuth(req, res, auth)
        next()
      },
      (err: unknown) => (forwardErrors ? next(asHttpError(err)) : sendError(res, err)),
    )
  }
}

/**
 * The request as core reads it. `originalUrl`: the path as received, even under a mounted router.
 * `href` (DPoP `htu`, read only for a proof): scheme and host as Express sees them, i.e. after its
 * `trust proxy` setting; `dpop.publicUrl` overrides it. The certificate: the TLS socket's, when asked.
 */
function requestInput(req: Request): HttpRequestInput {
  return {
    method: req.method,
    url: req.originalUrl,
    rawHeaders: req.rawHeaders,
    href: () => `${req.protocol}://${hostOf(req)}${req.originalUrl}`,
    clientCertificate: () => clientCertificateOf(req.socket),
  }
}

/** `req.hostname` (honours `trust proxy`) with the Host header's port when it is the Host header's own (Express 4 has no `req.host` with the port). */
function hostOf(req: Request): string {
  const raw = req.headers.host ?? ''
  const hostname = req.hostname
  return raw === hostname || raw.startsWith(`${hostname}:`) ? raw : hostname
}

/** Sends the answer of `toErrorResponse(err)`: status, headers and `{ error, error_description }`. */
function sendError(res: Response, err: unknown): void {
  const { status, headers, body } = toErrorResponse(err)
  res.status(status).set(headers).json(body)
}
