import { createServer } from 'node:http'
import Router from '@koa/router'
import { jwksHandler, protectedResourceMetadataHandler, requireAuth } from '@org/rs-koa'
import Koa from 'koa'
import { type AppFactory, JWKS_PATH, listen, metadataPath } from './shared.js'

export const startKoaApp: AppFactory = (rs) => {
  const router = new Router()
  router.get('/api/me', requireAuth(rs), (ctx) => {
    ctx.body = { sub: ctx.state.auth!.sub, scopes: ctx.state.auth!.scopes }
  })
  router.get('/api/admin', requireAuth(rs, { scopes: ['admin'] }), (ctx) => {
    ctx.body = { sub: ctx.state.auth!.sub }
  })
  router.get('/api/optional', requireAuth(rs, { optional: true }), (ctx) => {
    ctx.body = { sub: ctx.state.auth?.sub ?? null }
  })
  router.get(JWKS_PATH, jwksHandler(rs))
  router.get(metadataPath(rs), protectedResourceMetadataHandler(rs))
  return listen(createServer(new Koa().use(router.routes()).callback()))
}
