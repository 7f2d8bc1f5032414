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
import type { DocumentResponse, ResourceServer } from '@org/rs-core'
import type { Handler } from 'hono'

/** Handler answering `rs.encryptionJwksResponse()`: this resource server's public encryption keys (never a private member), to serve at the `jwks_uri` registered at the AS. */
export function encryptionJwksHandler(rs: ResourceServer): Handler {
  return async () => toResponse(await rs.encryptionJwksResponse())
}

/** Handler answering `rs.protectedResourceMetadataResponse()`: the RFC 9728 metadata, or 404 without the `resource` option. */
export function protectedResourceMetadataHandler(rs: ResourceServer): Handler {
  return () => toResponse(rs.protectedResourceMetadataResponse())
}

function toResponse({ status, headers, body }: DocumentResponse): Response {
  return new Response(JSON.stringify(body), { status, headers })
}

/** @deprecated renamed {@link encryptionJwksHandler}: it serves this resource server's keys, not the AS's. */
export const jwksHandler = encryptionJwksHandler
