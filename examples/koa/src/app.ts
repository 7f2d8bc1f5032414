import Router from '@koa/router'
import { locationsFor } from '@org/example-shared'
import type { ResourceServer } from '@org/rs-core'
import { type AuthState, jwksHandler, requireAuth } from '@org/rs-koa'
import Koa from 'koa'

/** The API: one protected route, and the JWKS route an AS encrypting its answers to us would use. */
export function createApp(rs: ResourceServer) {
  const app = new Koa<AuthState>()
  const router = new Router<AuthState>()
  router.get('/api/users/locations', requireAuth(rs), (ctx) => {
    ctx.body = { sub: ctx.state.auth!.sub, locations: locationsFor(ctx.state.auth!.sub ?? '') }
  })
  router.get('/.well-known/jwks.json', jwksHandler(rs))
  app.use(router.routes()).use(router.allowedMethods())
  return app
}
