/** Fastify 5 with `@org/rs-fastify` (plugin, `onRequest: fastify.requireAuth()`). */
import Fastify from 'fastify'
import { resourceServerPlugin } from '@org/rs-fastify'
import { announce, resourceServer, routeScopes } from './common.js'

const rs = await resourceServer()
const app = Fastify({ logger: false })
await app.register(resourceServerPlugin, { resourceServer: rs })
app.get('/public', async () => ({ hello: 'world' }))
app.get('/protected', { onRequest: app.requireAuth(routeScopes) }, async (request) => ({ hello: request.auth!.sub }))
// A do-nothing async hook of the same shape as requireAuth: what one more hook costs here.
app.get('/noop', { onRequest: async () => {} }, async () => ({ hello: 'world' }))
await app.listen({ port: 0, host: '127.0.0.1' })
announce(app.server)
