/** Koa 3 (@koa/router): route middlewares reading the Authorization header three ways, and a no-op (see header-readers.ts). */
import Router from '@koa/router'
import Koa from 'koa'
import type { IncomingMessage } from 'node:http'
import { announce } from './common.js'
import { viaHeaders, viaHeadersDistinct, viaRawHeaders } from './header-readers.js'

const router = new Router()
const handler = (ctx: Koa.Context) => {
  ctx.body = { hello: 'world' }
}
const reading = (read: (req: IncomingMessage) => boolean) => async (ctx: Koa.Context, next: Koa.Next) => {
  if (!read(ctx.req)) {
    ctx.status = 400
    ctx.body = { error: 'invalid_request' }
    return
  }
  await next()
}
router.get('/noop', async (_ctx, next) => next(), handler)
router.get('/headers', reading(viaHeaders), handler)
router.get('/distinct', reading(viaHeadersDistinct), handler)
router.get('/raw', reading(viaRawHeaders), handler)
const app = new Koa()
app.use(router.routes())
const server = app.listen(0, '127.0.0.1', () => announce(server))
