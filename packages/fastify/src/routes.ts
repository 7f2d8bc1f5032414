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
import type { DocumentResponse, ResourceServer } from '@org/rs-core'
import type { FastifyReply, RouteHandlerMethod } from 'fastify'

/** Handler answering `rs.encryptionJwksResponse()`: this resource server's public encryption keys (never a private member), to serve at the `jwks_uri` registered at the AS. */
export function encryptionJwksHandler(rs: ResourceServer): RouteHandlerMethod {
  return async (_request, reply) => send(reply, await rs.encryptionJwksResponse())
}

/** Handler answering `rs.protectedResourceMetadataResponse()`: the RFC 9728 metadata, or 404 without the `resource` option. */
export function protectedResourceMetadataHandler(rs: ResourceServer): RouteHandlerMethod {
  return async (_request, reply) => send(reply, rs.protectedResourceMetadataResponse())
}

function send(reply: FastifyReply, { status, headers, body }: DocumentResponse): FastifyReply {
  return reply.code(status).headers(headers).send(JSON.stringify(body))
}

/** @deprecated renamed {@link encryptionJwksHandler}: it serves this resource server's keys, not the AS's. */
export const jwksHandler = encryptionJwksHandler
