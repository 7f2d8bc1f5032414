/**
 * `@org/rs-nestjs`: protect a NestJS API (Express or Fastify platform) with OAuth 2.0 bearer tokens,
 * using `@org/rs-core`.
 *
 * @packageDocumentation
 */
export { ResourceServerModule } from './module.js'
export type { ResourceServerModuleAsyncOptions, ResourceServerModuleOptions } from './module.js'
export { ResourceServerGuard } from './guard.js'
export { Auth, RequireAuth } from './decorators.js'
export type { RequireAuthOptions } from './decorators.js'
export { ResourceServerException } from './exception.js'
export { resourceServerDocumentsController } from './documents.js'
export type { DocumentsControllerOptions } from './documents.js'
export { RESOURCE_SERVER } from './tokens.js'
