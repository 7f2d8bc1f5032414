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
import type { ResourceServer } from '@org/rs-core'
import type { Middleware } from 'koa'
import { sendError } from './require-auth.js'

/** Middleware answering `rs.jwks()`: the resource server's public keys (never a private member). */
export function jwksHandler(rs: ResourceServer): Middleware {
  return async (ctx) => {
    try {
      ctx.body = await rs.jwks()
    } catch (err) {
      sendError(ctx, err)
    }
  }
}

/** Middleware answering the RFC 9728 metadata, or a 404 JSON error when the `resource` option is not set. */
export function protectedResourceMetadataHandler(rs: ResourceServer): Middleware {
  return (ctx) => {
    const metadata = rs.protectedResourceMetadata()
    if (metadata === undefined) {
      ctx.status = 404
      ctx.body = { error: 'not_found', error_description: 'No protected resource metadata is configured' }
    } else ctx.body = metadata
  }
}
