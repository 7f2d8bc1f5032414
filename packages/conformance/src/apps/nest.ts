/**
 * The NestJS app, on the Express platform (`nest-express`) and the Fastify platform (`nest-fastify`).
 * Nest has no per-route "forward or answer" switch: every refusal is a ResourceServerException in
 * Nest's exception layer. Routes without a filter get Nest's default answer (status, RFC 6750 body,
 * headers set by the guard); `/api/forwarded` has the app's own exception filter, which answers
 * through forwardedAnswer() like the other frameworks' error handlers.
 */
import 'reflect-metadata'
import { type ArgumentsHost, Catch, Controller, type ExceptionFilter, Get, Module, type Type, UseFilters } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import type { AccessTokenInfo, ResourceServer } from '@org/rs-core'
import {
  Auth,
  RequireAuth,
  type RequireAuthOptions,
  ResourceServerException,
  ResourceServerModule,
  resourceServerDocumentsController,
} from '@org/rs-nestjs'
import { type AppFactory, type AppOptions, forwardedAnswer, handlerCounter, JWKS_PATH, metadataPath } from './shared.js'

/** The app's own exception filter: what `forwardErrors: true` hands refusals to in the other frameworks. */
@Catch(ResourceServerException)
class AppExceptionFilter implements ExceptionFilter {
  catch(err: ResourceServerException, host: ArgumentsHost) {
    const { status, headers, body } = forwardedAnswer({ statusCode: err.statusCode, headers: { ...err.headers }, body: err.body })
    const res = host.switchToHttp().getResponse()
    // Express Response or FastifyReply
    const r = typeof res.code === 'function' ? res.code(status) : res.status(status)
    for (const [name, value] of Object.entries(headers)) r.header(name, value)
    r.send(body)
  }
}

function appModule(rs: ResourceServer, counter: { count: number }): Type<unknown> {
  @Controller('api')
  class ApiController {
    @Get('me')
    @RequireAuth()
    me(@Auth() auth: AccessTokenInfo) {
      counter.count++
      return { sub: auth.sub, scopes: auth.scopes }
    }

    @Get('admin')
    @RequireAuth({ scopes: ['admin'] })
    admin(@Auth() auth: AccessTokenInfo) {
      counter.count++
      return { sub: auth.sub }
    }

    @Get('optional')
    @RequireAuth({ optional: true })
    optional(@Auth() auth: AccessTokenInfo | undefined) {
      counter.count++
      return { sub: auth?.sub ?? null }
    }

    @Get('step-up')
    @RequireAuth({ acr: ['eidas2'], claims: { sub: 'user-1' } })
    stepUp(@Auth() auth: AccessTokenInfo) {
      counter.count++
      return { sub: auth.sub }
    }

    @Get('dpop-required')
    @RequireAuth({ dpop: 'required' })
    dpopRequired(@Auth() auth: AccessTokenInfo) {
      counter.count++
      return { sub: auth.sub }
    }

    @Get('forwarded')
    @RequireAuth()
    @UseFilters(AppExceptionFilter)
    forwarded(@Auth() auth: AccessTokenInfo) {
      counter.count++
      return { sub: auth.sub }
    }
  }

  @Module({
    imports: [ResourceServerModule.forRoot({ resourceServer: rs })],
    controllers: [ApiController, resourceServerDocumentsController({ jwksPath: JWKS_PATH, metadataPath: metadataPath(rs) })],
  })
  class AppModule {}
  return AppModule
}

async function start(rs: ResourceServer, platform: 'express' | 'fastify', tls: AppOptions['tls']) {
  const counter = handlerCounter()
  // With `tls`: HTTPS asking for (not requiring) a client certificate, as the other apps do.
  const https = tls ? { key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false } : undefined
  const adapter =
    platform === 'express' ? new ExpressAdapter() : new FastifyAdapter({ forceCloseConnections: true, ...(https ? { https } : {}) })
  const app = await NestFactory.create(appModule(rs, counter), adapter, {
    logger: false,
    ...(https && platform === 'express' ? { httpsOptions: https } : {}),
  })
  if (platform === 'express') app.getHttpAdapter().getInstance().set('etag', false)
  await app.listen(0, '127.0.0.1')
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1')
  return { url, close: () => app.close(), handled: () => counter.count }
}

export const startNestExpressApp: AppFactory = (rs, options = {}) => start(rs, 'express', options.tls)
export const startNestFastifyApp: AppFactory = (rs, options = {}) => start(rs, 'fastify', options.tls)

/** What the suite calls "making the middleware": the module (checks `rs`) and the decorator (checks the options). */
export function nestRequireAuth(rs: ResourceServer, options?: RequireAuthOptions): unknown {
  ResourceServerModule.forRoot({ resourceServer: rs })
  return RequireAuth(options)
}
