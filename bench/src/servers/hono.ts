/** Hono 4 on @hono/node-server with `@org/rs-hono`. */
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { requireAuth } from '@org/rs-hono'
import { announce, resourceServer, routeScopes } from './common.js'
import { floorCheck } from './floor.js'

const rs = await resourceServer()
const app = new Hono()
app.get('/public', (c) => c.json({ hello: 'world' }))
app.get('/protected', requireAuth(rs, routeScopes), (c) => c.json({ hello: c.get('auth').sub }))
// A do-nothing middleware of the same shape as requireAuth: what one more middleware costs here.
app.get(
  '/noop',
  async (_c, next) => next(),
  (c) => c.json({ hello: 'world' }),
)
// The least a secure cache hit costs (see floor.ts), as a middleware of the same shape as requireAuth
// (which reads the Fetch headers too: a repeated header arrives joined by ', ' and fails the cache).
const floor = floorCheck(rs)
app.get(
  '/floor',
  async (c, next) => {
    const auth = await floor(c.req.raw.headers.get('authorization') ?? undefined)
    if (auth === undefined) return c.body(null, 401)
    c.set('auth', auth)
    await next()
  },
  (c) => c.json({ hello: c.get('auth')!.sub }),
)
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => announce(server as Server))
