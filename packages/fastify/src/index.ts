/**
 * `@org/rs-fastify`: protect a Fastify 5 API with OAuth 2.0 bearer tokens, using `@org/rs-core`.
 *
 * @packageDocumentation
 */
export { requireAuth, resourceServerPlugin } from './plugin.js'
export type { AuthHook, RequireAuthOptions, ResourceServerPluginOptions } from './plugin.js'
export { encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler } from './routes.js'
