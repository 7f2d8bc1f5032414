import { jwksHandler, protectedResourceMetadataHandler, resourceServerPlugin } from '@org/rs-fastify'
import Fastify from 'fastify'
import { type AppFactory, JWKS_PATH, metadataPath } from './shared.js'

export const startFastifyApp: AppFactory = async (rs) => {
  const app = Fastify({ forceCloseConnections: true })
  await app.register(resourceServerPlugin, { resourceServer: rs })
  app.get('/api/me', { onRequest: app.requireAuth() }, async (request) => ({ sub: request.auth!.sub, scopes: request.auth!.scopes }))
  app.get('/api/admin', { preHandler: app.requireAuth({ scopes: ['admin'] }) }, async (request) => ({ sub: request.auth!.sub }))
  app.get('/api/optional', { onRequest: app.requireAuth({ optional: true }) }, async (request) => ({ sub: request.auth?.sub ?? null }))
  app.get(JWKS_PATH, jwksHandler(rs))
  app.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, close: () => app.close() }
}
