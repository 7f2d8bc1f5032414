import { jwksHandler, protectedResourceMetadataHandler, requireAuth } from '@org/rs-express'
import express, { type ErrorRequestHandler } from 'express'
import {
  type AppFactory,
  DPOP_REQUIRED_PATH,
  forwardedAnswer,
  handlerCounter,
  JWKS_PATH,
  listen,
  metadataPath,
  nodeServer,
} from './shared.js'

/** The Express app (Express 5 by default; ./express4.ts passes Express 4). */
export const startExpressApp = (
  rs: Parameters<AppFactory>[0],
  options: Parameters<AppFactory>[1] = {},
  framework: typeof express = express,
): ReturnType<AppFactory> => {
  const app = framework()
  const counter = handlerCounter()
  app.get('/api/me', requireAuth(rs), (req, res) => {
    counter.count++
    res.json({ sub: req.auth!.sub, scopes: req.auth!.scopes })
  })
  app.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), (req, res) => {
    counter.count++
    res.json({ sub: req.auth!.sub })
  })
  app.get('/api/optional', requireAuth(rs, { optional: true }), (req, res) => {
    counter.count++
    res.json({ sub: req.auth?.sub ?? null })
  })
  app.get('/api/step-up', requireAuth(rs, { acr: ['eidas2'], claims: { sub: 'user-1' } }), (req, res) => {
    counter.count++
    res.json({ sub: req.auth!.sub })
  })
  app.get('/api/forwarded', requireAuth(rs, { forwardErrors: true }), (req, res) => {
    counter.count++
    res.json({ sub: req.auth!.sub })
  })
  app.get(DPOP_REQUIRED_PATH, requireAuth(rs, { dpop: 'required' }), (req, res) => {
    counter.count++
    res.json({ sub: req.auth!.sub })
  })
  app.get(JWKS_PATH, jwksHandler(rs))
  app.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const { status, headers, body } = forwardedAnswer(err)
    res.status(status).set(headers).json(body)
  }
  app.use(onError)
  return listen(nodeServer(app, options.tls), counter)
}

export { requireAuth as expressRequireAuth }
