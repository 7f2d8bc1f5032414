import { locationsFor } from '@org/example-shared'
import type { ResourceServer } from '@org/rs-core'
import { jwksHandler, requireAuth } from '@org/rs-hono'
import { Hono } from 'hono'

/** The API: one protected route, and the JWKS route an AS encrypting its answers to us would use. */
export function createApp(rs: ResourceServer) {
  const app = new Hono()
  app.get('/api/users/locations', requireAuth(rs), (c) => {
    const auth = c.get('auth')
    return c.json({ sub: auth.sub, locations: locationsFor(auth.sub ?? '') })
  })
  app.get('/.well-known/jwks.json', jwksHandler(rs))
  return app
}
