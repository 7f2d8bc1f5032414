import { jwksHandler, protectedResourceMetadataHandler, requireAuth, resourceServerPlugin } from '@org/rs-fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { type AppFactory, DPOP_REQUIRED_PATH, forwardedAnswer, handlerCounter, JWKS_PATH, metadataPath } from './shared.js'

export const startFastifyApp: AppFactory = async (rs, options = {}) => {
  const tls = options.tls
  const app = (
    tls
      ? Fastify({ forceCloseConnections: true, https: { key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false } })
      : Fastify({ forceCloseConnections: true })
  ) as FastifyInstance
  const counter = handlerCounter()
  await app.register(resourceServerPlugin, { resourceServer: rs })
  app.get(
    '/api/me',
    { onRequest: app.requireAuth() },
    async (request) => (counter.count++, { sub: request.auth!.sub, scopes: request.auth!.scopes }),
  )
  app.get(
    '/api/admin',
    { preHandler: app.requireAuth({ scopes: ['admin'] }) },
    async (request) => (counter.count++, { sub: request.auth!.sub }),
  )
  app.get(
    '/api/optional',
    { onRequest: app.requireAuth({ optional: true }) },
    async (request) => (counter.count++, { sub: request.auth?.sub ?? null }),
  )
  app.get(
    '/api/step-up',
    { onRequest: app.requireAuth({ acr: ['eidas2'], claims: { sub: 'user-1' } }) },
    async (request) => (counter.count++, { sub: request.auth!.sub }),
  )
  app.get(
    '/api/forwarded',
    { onRequest: app.requireAuth({ forwardErrors: true }) },
    async (request) => (counter.count++, { sub: request.auth!.sub }),
  )
  app.get(
    DPOP_REQUIRED_PATH,
    { onRequest: app.requireAuth({ dpop: 'required' }) },
    async (request) => (counter.count++, { sub: request.auth!.sub }),
  )
  app.get(JWKS_PATH, jwksHandler(rs))
  app.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  app.setErrorHandler((err, _request, reply) => {
    const { status, headers, body } = forwardedAnswer(err as Parameters<typeof forwardedAnswer>[0])
    return reply.code(status).headers(headers).send(body)
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, close: () => app.close(), handled: () => counter.count }
}

export { requireAuth as fastifyRequireAuth }
