/** Every adapter under test. Adding a framework: write its app under ./apps and add ONE entry here. */
import { expressRequireAuth, startExpressApp } from './apps/express.js'
import { startExpress4App } from './apps/express4.js'
import { fastifyRequireAuth, startFastifyApp } from './apps/fastify.js'
import { honoRequireAuth, startHonoApp } from './apps/hono.js'
import { koaRequireAuth, startKoaApp } from './apps/koa.js'
import { nestRequireAuth, startNestExpressApp, startNestFastifyApp } from './apps/nest.js'
import type { AppFactory } from './apps/shared.js'

export interface Framework {
  /** Starts the conformance app. */
  start: AppFactory
  /** The adapter's `requireAuth(rs, options)`, to check what it refuses at creation. */
  requireAuth: (rs: never, options?: never) => unknown
  /**
   * Whether `requireAuth` takes a `forwardErrors` option. NestJS does not: every refusal goes through
   * Nest's exception layer (its filters are the app's error handler), so the option would be meaningless
   * and is refused as unknown. Default `true`.
   */
  forwardErrorsOption?: boolean
}

export const frameworks: Record<string, Framework> = {
  express: { start: startExpressApp, requireAuth: expressRequireAuth as Framework['requireAuth'] },
  'express 4': { start: startExpress4App, requireAuth: expressRequireAuth as Framework['requireAuth'] },
  fastify: { start: startFastifyApp, requireAuth: fastifyRequireAuth as Framework['requireAuth'] },
  hono: { start: startHonoApp, requireAuth: honoRequireAuth as Framework['requireAuth'] },
  koa: { start: startKoaApp, requireAuth: koaRequireAuth as Framework['requireAuth'] },
  'nest-express': { start: startNestExpressApp, requireAuth: nestRequireAuth as Framework['requireAuth'], forwardErrorsOption: false },
  'nest-fastify': { start: startNestFastifyApp, requireAuth: nestRequireAuth as Framework['requireAuth'], forwardErrorsOption: false },
}
