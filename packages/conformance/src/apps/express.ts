import { createServer } from 'node:http'
import { jwksHandler, protectedResourceMetadataHandler, requireAuth } from '@org/rs-express'
import express from 'express'
import { type AppFactory, JWKS_PATH, listen, metadataPath } from './shared.js'

/** The Express app (Express 5 by default; ./express4.ts passes Express 4). */
export const startExpressApp = (rs: Parameters<AppFactory>[0], framework: typeof express = express): ReturnType<AppFactory> => {
  const app = framework()
  app.get('/api/me', requireAuth(rs), (req, res) => {
    res.json({ sub: req.auth!.sub, scopes: req.auth!.scopes })
  })
  app.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), (req, res) => {
    res.json({ sub: req.auth!.sub })
  })
  app.get('/api/optional', requireAuth(rs, { optional: true }), (req, res) => {
    res.json({ sub: req.auth?.sub ?? null })
  })
  app.get(JWKS_PATH, jwksHandler(rs))
  app.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  return listen(createServer(app))
}
