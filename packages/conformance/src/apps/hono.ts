import { createAdaptorServer } from '@hono/node-server'
import { jwksHandler, protectedResourceMetadataHandler, requireAuth } from '@org/rs-hono'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Server } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { type AppFactory, DPOP_REQUIRED_PATH, forwardedAnswer, handlerCounter, JWKS_PATH, listen, metadataPath } from './shared.js'

export const startHonoApp: AppFactory = (rs, options = {}) => {
  const app = new Hono()
  const counter = handlerCounter()
  app.get('/api/me', requireAuth(rs), (c) => (counter.count++, c.json({ sub: c.get('auth').sub, scopes: c.get('auth').scopes })))
  app.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), (c) => (counter.count++, c.json({ sub: c.get('auth').sub })))
  app.get('/api/optional', requireAuth(rs, { optional: true }), (c) => (counter.count++, c.json({ sub: c.get('auth')?.sub ?? null })))
  app.get(
    '/api/step-up',
    requireAuth(rs, { acr: ['eidas2'], claims: { sub: 'user-1' } }),
    (c) => (counter.count++, c.json({ sub: c.get('auth').sub })),
  )
  app.get('/api/forwarded', requireAuth(rs, { forwardErrors: true }), (c) => (counter.count++, c.json({ sub: c.get('auth').sub })))
  app.get(DPOP_REQUIRED_PATH, requireAuth(rs, { dpop: 'required' }), (c) => (counter.count++, c.json({ sub: c.get('auth').sub })))
  app.get(JWKS_PATH, jwksHandler(rs))
  app.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  app.onError((err, c) => {
    // The SDK's error is the cause; the HTTPException's own response is the RFC 6750 answer.
    if (!(err instanceof HTTPException)) return c.json({ forwarded: true, error: 'server_error' }, 500)
    const { status, headers, body } = forwardedAnswer(err.cause as Parameters<typeof forwardedAnswer>[0])
    const own = err.getResponse()
    if (own.status !== status || own.headers.get('www-authenticate') !== (headers['www-authenticate'] ?? null)) {
      return c.json({ forwarded: true, error: 'mismatch' }, 500)
    }
    return c.json(body, status as ContentfulStatusCode, headers)
  })
  const tls = options.tls
  const server = tls
    ? createAdaptorServer({
        fetch: app.fetch,
        createServer: createTlsServer,
        serverOptions: { key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false },
      })
    : createAdaptorServer({ fetch: app.fetch })
  return listen(server as Server, counter)
}

export { requireAuth as honoRequireAuth }
