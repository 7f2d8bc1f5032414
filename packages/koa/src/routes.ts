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
import type { DocumentResponse, ResourceServer } from '@org/rs-core'
import type { Context, Middleware } from 'koa'

/** Middleware answering `rs.encryptionJwksResponse()`: this resource server's public encryption keys (never a private member), to serve at the `jwks_uri` registered at the AS. */
export function encryptionJwksHandler(rs: ResourceServer): Middleware {
  return async (ctx) => send(ctx, await rs.encryptionJwksResponse())
}

/** Middleware answering `rs.protectedResourceMetadataResponse()`: the RFC 9728 metadata, or 404 without the `resource` option. */
export function protectedResourceMetadataHandler(rs: ResourceServer): Middleware {
  return (ctx) => send(ctx, rs.protectedResourceMetadataResponse())
}

function send(ctx: Context, { status, headers, body }: DocumentResponse): void {
  ctx.status = status
  ctx.set(headers)
  ctx.body = JSON.stringify(body)
}

/** @deprecated renamed {@link encryptionJwksHandler}: it serves this resource server's keys, not the AS's. */
export const jwksHandler = encryptionJwksHandler
