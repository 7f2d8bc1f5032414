/**
 * `@org/rs-hono`: protect a Hono 4 API with OAuth 2.0 bearer tokens, using `@org/rs-core`, on any runtime.
 *
 * @packageDocumentation
 */
export { requireAuth } from './require-auth.js'
export type { AuthEnv, OptionalAuthEnv, RequireAuthOptions } from './require-auth.js'
export { encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler } from './routes.js'
