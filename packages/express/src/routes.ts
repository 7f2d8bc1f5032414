/**
 * Express 5 handlers for the documents a resource server publishes: its JWKS (the keys the
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
import type { ResourceServer } from '@org/rs-core'
import type { RequestHandler } from 'express'
import { sendError } from './require-auth.js'

/** Handler answering `rs.jwks()`: the resource server's public keys (never a private member). */
export function jwksHandler(rs: ResourceServer): RequestHandler {
  return async (_req, res) => {
    try {
      res.json(await rs.jwks())
    } catch (err) {
      sendError(res, err)
    }
  }
}

/** Handler answering the RFC 9728 metadata, or a 404 JSON error when the `resource` option is not set. */
export function protectedResourceMetadataHandler(rs: ResourceServer): RequestHandler {
  return (_req, res) => {
    const metadata = rs.protectedResourceMetadata()
    if (metadata === undefined) res.status(404).json({ error: 'not_found', error_description: 'No protected resource metadata is configured' })
    else res.json(metadata)
  }
}
