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
import type { ResourceServer } from '@org/rs-core'
import type { Handler } from 'hono'
import { errorResponse } from './require-auth.js'

/** Handler answering `rs.jwks()`: the resource server's public keys (never a private member). */
export function jwksHandler(rs: ResourceServer): Handler {
  return async (c) => {
    try {
      return c.json(await rs.jwks())
    } catch (err) {
      return errorResponse(c, err)
    }
  }
}

/** Handler answering the RFC 9728 metadata, or a 404 JSON error when the `resource` option is not set. */
export function protectedResourceMetadataHandler(rs: ResourceServer): Handler {
  return (c) => {
    const metadata = rs.protectedResourceMetadata()
    if (metadata === undefined) return c.json({ error: 'not_found', error_description: 'No protected resource metadata is configured' }, 404)
    return c.json(metadata)
  }
}
