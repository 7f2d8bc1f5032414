/** Every adapter under test. Adding a framework: write its app under ./apps and add ONE line here. */
import { startExpressApp } from './apps/express.js'
import { startExpress4App } from './apps/express4.js'
import { startFastifyApp } from './apps/fastify.js'
import { startHonoApp } from './apps/hono.js'
import { startKoaApp } from './apps/koa.js'
import type { AppFactory } from './apps/shared.js'

export const frameworks: Record<string, AppFactory> = {
  express: startExpressApp,
  'express 4': startExpress4App,
  fastify: startFastifyApp,
  hono: startHonoApp,
  koa: startKoaApp,
}
