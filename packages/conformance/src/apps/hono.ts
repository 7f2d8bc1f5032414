import { createAdaptorServer } from '@hono/node-server'
import { jwksHandler, protectedResourceMetadataHandler, requireAuth } from '@org/rs-hono'
import { Hono } from 'hono'
import type { Server } from 'node:http'
import { type AppFactory, JWKS_PATH, listen, metadataPath } from './shared.js'

export const startHonoApp: AppFactory = (rs) => {
  const app = new Hono()
  app.get('/api/me', requireAuth(rs), (c) => c.json({ sub: c.get('auth').sub, scopes: c.get('auth').scopes }))
  app.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), (c) => c.json({ sub: c.get('auth').sub }))
  app.get('/api/optional', requireAuth(rs, { optional: true }), (c) => c.json({ sub: c.get('auth')?.sub ?? null }))
  app.get(JWKS_PATH, jwksHandler(rs))
  app.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server)
}
