/** Fastify 5 with `@org/rs-fastify` (plugin, `onRequest: fastify.requireAuth()`). */
import Fastify from 'fastify'
import { resourceServerPlugin } from '@org/rs-fastify'
import { announce, resourceServer, routeScopes } from './common.js'
import { floorCheck } from './floor.js'
import { rawAuthorization } from './header-readers.js'

const rs = await resourceServer()
const app = Fastify({ logger: false })
await app.register(resourceServerPlugin, { resourceServer: rs })
app.get('/public', async () => ({ hello: 'world' }))
app.get('/protected', { onRequest: app.requireAuth(routeScopes) }, async (request) => ({ hello: request.auth!.sub }))
// A do-nothing async hook of the same shape as requireAuth: what one more hook costs here.
app.get('/noop', { onRequest: async () => {} }, async () => ({ hello: 'world' }))
// The least a secure cache hit costs (see floor.ts), as an async onRequest hook like requireAuth's.
const floor = floorCheck(rs)
app.get(
  '/floor',
  {
    onRequest: async (request, reply) => {
      const auth = await floor(rawAuthorization(request.raw.rawHeaders))
      if (auth === undefined) return reply.code(401).send()
      request.auth = auth
      return undefined
    },
  },
  async (request) => ({ hello: request.auth!.sub }),
)
await app.listen({ port: 0, host: '127.0.0.1' })
announce(app.server)
