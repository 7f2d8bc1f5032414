/**
 * `@org/rs-express`: protect an Express 5 (or 4) API with OAuth 2.0 bearer tokens, using `@org/rs-core`.
 *
 * @packageDocumentation
 */
export { requireAuth } from './require-auth.js'
export type { RequireAuthOptions } from './require-auth.js'
export { encryptionJwksHandler, jwksHandler, protectedResourceMetadataHandler } from './routes.js'
