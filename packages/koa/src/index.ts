/**
 * `@org/rs-koa`: protect a Koa 3 API with OAuth 2.0 bearer tokens, using `@org/rs-core`.
 *
 * @packageDocumentation
 */
export { requireAuth } from './require-auth.js'
export type { AuthState, RequireAuthOptions } from './require-auth.js'
export { encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler } from './routes.js'
