/**
 * Fastify 5 route handlers for the documents a resource server publishes: its JWKS (the keys the
 * authorization server encrypts introspection responses to) and its RFC 9728 metadata.
 *
 * @example
 * ```ts
 * import { jwksHandler, protectedResourceMetadataHandler } from '@org/rs-fastify'
 *
 * app.get('/.well-known/jwks.json', jwksHandler(rs))
 * if (rs.resourceMetadataPath) app.get(rs.resourceMetadataPath, protectedResourceMetadataHandler(rs))
 * ```
 *
 * @module
 */
import type { ResourceServer } from '@org/rs-core'
import type { RouteHandlerMethod } from 'fastify'
import { sendError } from './plugin.js'

/** Handler answering `rs.jwks()`: the resource server's public keys (never a private member). */
export function jwksHandler(rs: ResourceServer): RouteHandlerMethod {
  return async (_request, reply) => {
    try {
      return reply.send(await rs.jwks())
    } catch (err) {
      return sendError(reply, err)
    }
  }
}

/** Handler answering the RFC 9728 metadata, or a 404 JSON error when the `resource` option is not set. */
export function protectedResourceMetadataHandler(rs: ResourceServer): RouteHandlerMethod {
  return async (_request, reply) => {
    const metadata = rs.protectedResourceMetadata()
    if (metadata === undefined) return reply.code(404).send({ error: 'not_found', error_description: 'No protected resource metadata is configured' })
    return reply.send(metadata)
  }
}
