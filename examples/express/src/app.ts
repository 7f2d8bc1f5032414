import { locationsFor } from '@org/example-shared'
import type { ResourceServer } from '@org/rs-core'
import { jwksHandler, requireAuth } from '@org/rs-express'
import express from 'express'

/** The API: one protected route, and the JWKS route an AS encrypting its answers to us would use. */
export function createApp(rs: ResourceServer) {
  const app = express()
  app.get('/api/users/locations', requireAuth(rs), (req, res) => {
    res.json({ sub: req.auth!.sub, locations: locationsFor(req.auth!.sub ?? '') })
  })
  app.get('/.well-known/jwks.json', jwksHandler(rs))
  return app
}
