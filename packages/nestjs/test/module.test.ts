/**
 * ResourceServerModule, the guard and the decorators on real Nest apps (Express and Fastify
 * platforms) over real sockets, against @org/rs-testing's authorization server. The full HTTP
 * conformance suite runs on both platforms in packages/conformance.
 */
import 'reflect-metadata'
import { execFileSync } from 'node:child_process'
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  Inject,
  Injectable,
  type INestApplication,
  Module,
  type Type,
  UseFilters,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { type AccessTokenInfo, BearerError, ConfigurationError, createResourceServer } from '@org/rs-core'
import { createTestAuthorizationServer, type TestAuthorizationServer } from '@org/rs-testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Auth, RequireAuth, RESOURCE_SERVER, ResourceServerException, ResourceServerModule } from '../src/index.js'

let as: TestAuthorizationServer
beforeAll(async () => {
  as = await createTestAuthorizationServer()
})
afterAll(() => as?.close())

const bearer = async (scopes: string[], sub = 'alice') => ({ authorization: `Bearer ${await as.mintAccessToken({ sub, scopes })}` })

/** Seen by the filter of /items/filtered. */
const filtered: ResourceServerException[] = []

@Catch(ResourceServerException)
class RecordingFilter implements ExceptionFilter {
  catch(err: ResourceServerException, host: ArgumentsHost) {
    filtered.push(err)
    const res = host.switchToHttp().getResponse()
    ;(typeof res.code === 'function' ? res.code(418) : res.status(418)).send({ mine: err.body.error })
  }
}

@Controller('items')
@RequireAuth({ scopes: ['read'] })
class ItemsController {
  @Get()
  list(@Auth() auth: AccessTokenInfo) {
    return { sub: auth.sub, scopes: auth.scopes }
  }

  @Get('admin')
  @RequireAuth({ scopes: ['admin'] })
  admin(@Auth() auth: AccessTokenInfo) {
    return { admin: auth.sub }
  }

  @Get('feed')
  @RequireAuth({ optional: true })
  feed(@Auth() auth: AccessTokenInfo | undefined) {
    return { sub: auth?.sub ?? null }
  }

  @Get('filtered')
  @UseFilters(RecordingFilter)
  filtered() {
    return { ok: true }
  }
}

@Controller('public')
class PublicController {
  @Get()
  hello() {
    return { hello: 'world' }
  }
}

@Injectable()
class Config {
  get() {
    return as.resourceServerOptions()
  }
}

@Module({ providers: [Config], exports: [Config] })
class ConfigModule {}

/** A service that injects the resource server. */
@Injectable()
class Introspector {
  constructor(@Inject(RESOURCE_SERVER) readonly rs: { authenticate: unknown }) {}
}

async function startApp(root: Type<unknown>, platform: 'express' | 'fastify'): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(
    root,
    platform === 'express' ? new ExpressAdapter() : new FastifyAdapter({ forceCloseConnections: true }),
    { logger: false },
  )
  await app.listen(0, '127.0.0.1')
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1') }
}

const modules = {
  'forRoot({ resourceServer })': () => ResourceServerModule.forRoot({ resourceServer: createResourceServer(as.resourceServerOptions()) }),
  'forRoot(options)': () => ResourceServerModule.forRoot(as.resourceServerOptions()),
  'forRootAsync({ imports, inject, useFactory })': () =>
    ResourceServerModule.forRootAsync({ imports: [ConfigModule], inject: [Config], useFactory: async (config: Config) => config.get() }),
}

describe.each(['express', 'fastify'] as const)('%s platform', (platform) => {
  describe.each(Object.entries(modules))('%s', (_name, rootModule) => {
    let app: INestApplication
    let url: string
    beforeAll(async () => {
      @Module({ imports: [rootModule()], controllers: [ItemsController, PublicController], providers: [Introspector] })
      class AppModule {}
      ;({ app, url } = await startApp(AppModule, platform))
    })
    afterAll(() => app?.close())

    it('a controller-level @RequireAuth protects every route; @Auth() gives the token', async () => {
      const res = await fetch(`${url}/items`, { headers: await bearer(['read']) })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ sub: 'alice', scopes: ['read'] })
      expect(app.get(Introspector).rs).toBe(app.get(RESOURCE_SERVER))
    })

    it('no token: 401, the RFC 6750 body, WWW-Authenticate and Cache-Control reach the client', async () => {
      const res = await fetch(`${url}/items`)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer')
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await res.json()).toEqual({ error: 'missing_token', error_description: expect.any(String) })
    })

    it("a method's @RequireAuth replaces its controller's", async () => {
      expect((await fetch(`${url}/items/admin`, { headers: await bearer(['read']) })).status).toBe(403)
      const res = await fetch(`${url}/items/admin`, { headers: await bearer(['admin']) })
      expect(await res.json()).toEqual({ admin: 'alice' })
      const feed = await fetch(`${url}/items/feed`)
      expect(await feed.json()).toEqual({ sub: null })
    })

    it('a route without @RequireAuth is not guarded', async () => {
      expect(await (await fetch(`${url}/public`)).json()).toEqual({ hello: 'world' })
    })

    it("the app's own exception filter gets a ResourceServerException (cause: the SDK's error), headers already set", async () => {
      filtered.length = 0
      const res = await fetch(`${url}/items/filtered`, { headers: await bearer([]) })
      expect(res.status).toBe(418)
      expect(await res.json()).toEqual({ mine: 'insufficient_scope' })
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
      const [err] = filtered
      expect(err).toBeInstanceOf(ResourceServerException)
      expect(err!.getStatus()).toBe(403)
      expect(err!.statusCode).toBe(403)
      expect(err!.cause).toBeInstanceOf(BearerError)
      expect(err!.headers['www-authenticate']).toContain('scope="read"')
    })
  })
})

describe('set-up errors', () => {
  it('@RequireAuth with a typo fails when decorating', () => {
    expect(() => RequireAuth({ scope: ['read'] } as never)).toThrow(ConfigurationError)
    expect(() => RequireAuth({ scopes: 'read' } as never)).toThrow(/@RequireAuth/)
  })

  it('forRoot with wrong options, or a resourceServer that is not one, fails at once', () => {
    expect(() => ResourceServerModule.forRoot({ issuer: 'not a url' } as never)).toThrow(ConfigurationError)
    expect(() => ResourceServerModule.forRoot({ resourceServer: {} as never })).toThrow(ConfigurationError)
  })

  it('forRootAsync with wrong options fails when the app initialises', async () => {
    @Module({
      imports: [
        ResourceServerModule.forRootAsync({
          useFactory: () => ({ issuer: 'https://as.example.test', clientId: 'x', tokenFormat: 'nope' }) as never,
        }),
      ],
    })
    class Broken {}
    await expect(NestFactory.create(Broken, new ExpressAdapter(), { logger: false, abortOnError: false })).rejects.toBeInstanceOf(
      ConfigurationError,
    )
  })
})

it('the CommonJS build loads with NestJS 12 (ESM only) through require(esm), one @nestjs/common', () => {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `
    const nest = require('@nestjs/common')
    const rs = require('./dist/index.cjs')
    process.stdout.write(String(new rs.ResourceServerException(new Error('x')) instanceof nest.HttpException))
  `,
    ],
    { cwd: new URL('..', import.meta.url), encoding: 'utf8' },
  )
  expect(out).toBe('true')
})
