import { locationsFor } from '@org/example-shared'
import type { ResourceServer } from '@org/rs-core'
import { jwksHandler, resourceServerPlugin } from '@org/rs-fastify'
import Fastify from 'fastify'

/** The API: one protected route, and the JWKS route an AS encrypting its answers to us would use. */
export async function createApp(rs: ResourceServer) {
  const app = Fastify()
  await app.register(resourceServerPlugin, { resourceServer: rs })
  app.get('/api/users/locations', { onRequest: app.requireAuth() }, async (request) => ({
    sub: request.auth!.sub,
    locations: locationsFor(request.auth!.sub ?? ''),
  }))
  app.get('/.well-known/jwks.json', jwksHandler(rs))
  return app
}
