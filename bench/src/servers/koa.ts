/** Koa 3 with @koa/router and `@org/rs-koa`. */
import Router from '@koa/router'
import Koa from 'koa'
import { requireAuth } from '@org/rs-koa'
import { announce, resourceServer, routeScopes } from './common.js'
import { floorCheck } from './floor.js'
import { rawAuthorization } from './header-readers.js'

const rs = await resourceServer()
const router = new Router()
router.get('/public', (ctx) => {
  ctx.body = { hello: 'world' }
})
router.get('/protected', requireAuth(rs, routeScopes), (ctx) => {
  ctx.body = { hello: ctx.state.auth!.sub }
})
// A do-nothing middleware of the same shape as requireAuth: what one more middleware costs here.
router.get(
  '/noop',
  async (_ctx, next) => next(),
  (ctx) => {
    ctx.body = { hello: 'world' }
  },
)
// The least a secure cache hit costs (see floor.ts), as a route middleware of the same shape.
const floor = floorCheck(rs)
router.get(
  '/floor',
  async (ctx, next) => {
    const auth = await floor(rawAuthorization(ctx.req.rawHeaders))
    if (auth === undefined) {
      ctx.status = 401
      return
    }
    ctx.state.auth = auth
    await next()
  },
  (ctx) => {
    ctx.body = { hello: ctx.state.auth!.sub }
  },
)
const app = new Koa()
app.use(router.routes())
const server = app.listen(0, '127.0.0.1', () => announce(server))
