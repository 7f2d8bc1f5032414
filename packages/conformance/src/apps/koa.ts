import Router from '@koa/router'
import { jwksHandler, protectedResourceMetadataHandler, requireAuth } from '@org/rs-koa'
import Koa from 'koa'
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

export const startKoaApp: AppFactory = (rs, options = {}) => {
  const router = new Router()
  const counter = handlerCounter()
  router.get('/api/me', requireAuth(rs), (ctx) => {
    counter.count++
    ctx.body = { sub: ctx.state.auth!.sub, scopes: ctx.state.auth!.scopes }
  })
  router.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), (ctx) => {
    counter.count++
    ctx.body = { sub: ctx.state.auth!.sub }
  })
  router.get('/api/optional', requireAuth(rs, { optional: true }), (ctx) => {
    counter.count++
    ctx.body = { sub: ctx.state.auth?.sub ?? null }
  })
  router.get('/api/step-up', requireAuth(rs, { acr: ['eidas2'], claims: { sub: 'user-1' } }), (ctx) => {
    counter.count++
    ctx.body = { sub: ctx.state.auth!.sub }
  })
  router.get('/api/forwarded', requireAuth(rs, { forwardErrors: true }), (ctx) => {
    counter.count++
    ctx.body = { sub: ctx.state.auth!.sub }
  })
  router.get(DPOP_REQUIRED_PATH, requireAuth(rs, { dpop: 'required' }), (ctx) => {
    counter.count++
    ctx.body = { sub: ctx.state.auth!.sub }
  })
  router.get(JWKS_PATH, jwksHandler(rs))
  router.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  const app = new Koa()
  // The app's own error middleware: what `forwardErrors: true` hands the refusal to.
  app.use(async (ctx, next) => {
    try {
      await next()
    } catch (err) {
      const { status, headers, body } = forwardedAnswer(err as Parameters<typeof forwardedAnswer>[0])
      ctx.status = status
      ctx.set(headers)
      ctx.body = body
    }
  })
  return listen(nodeServer(app.use(router.routes()).callback(), options.tls), counter)
}

export { requireAuth as koaRequireAuth }
