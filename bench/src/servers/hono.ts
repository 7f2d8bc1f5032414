/** Hono 4 on @hono/node-server with `@org/rs-hono`. */
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { requireAuth } from '@org/rs-hono'
import { announce, resourceServer, routeScopes } from './common.js'

const rs = await resourceServer()
const app = new Hono()
app.get('/public', (c) => c.json({ hello: 'world' }))
app.get('/protected', requireAuth(rs, routeScopes), (c) => c.json({ hello: c.get('auth').sub }))
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => announce(server as Server))
