/**
 * `ResourceServerModule`: provides the application's `ResourceServer` (under {@link RESOURCE_SERVER})
 * and the guard behind `@RequireAuth()`, globally.
 *
 * @module
 */
import { type DynamicModule, type FactoryProvider, Global, type ModuleMetadata, Module } from '@nestjs/common'
import { createResourceServer, protectRoute, type ResourceServer, type ResourceServerOptions } from '@org/rs-core'
import { ResourceServerGuard } from './guard.js'
import { RESOURCE_SERVER } from './tokens.js'

/** A resource server made by `createResourceServer()`, or the options to make one. */
export type ResourceServerModuleOptions = { resourceServer: ResourceServer } | ResourceServerOptions

/** Options of {@link ResourceServerModule.forRootAsync}. */
export interface ResourceServerModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => ResourceServerModuleOptions | Promise<ResourceServerModuleOptions> // eslint-disable-line @typescript-eslint/no-explicit-any
  inject?: FactoryProvider['inject']
}

/** Validates the options (core's schema, or that `resourceServer` is one) and returns the resource server. */
function toResourceServer(options: ResourceServerModuleOptions): ResourceServer {
  if (typeof options === 'object' && options !== null && 'resourceServer' in options) {
    protectRoute(options.resourceServer, {}, 'ResourceServerModule') // a ConfigurationError unless it is a ResourceServer
    return options.resourceServer
  }
  return createResourceServer(options as ResourceServerOptions)
}

/**
 * @example
 * ```ts
 * @Module({
 *   imports: [ResourceServerModule.forRoot({ issuer: 'https://auth.example.com', clientId: 'api', clientSecret: process.env.SECRET })],
 *   controllers: [MeController],
 * })
 * export class AppModule {}
 *
 * // or, from configuration:
 * ResourceServerModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config: ConfigService) => ({ issuer: config.get('ISSUER'), … }) })
 * ```
 */
@Global()
@Module({})
export class ResourceServerModule {
  /**
   * @throws ConfigurationError - at once, for wrong options or a `resourceServer` that is not one.
   */
  static forRoot(options: ResourceServerModuleOptions): DynamicModule {
    const rs = toResourceServer(options)
    return {
      module: ResourceServerModule,
      global: true,
      providers: [{ provide: RESOURCE_SERVER, useValue: rs }, ResourceServerGuard],
      exports: [RESOURCE_SERVER, ResourceServerGuard],
    }
  }

  /** The options come from a factory (with injected dependencies); they are validated when the app initialises. */
  static forRootAsync(options: ResourceServerModuleAsyncOptions): DynamicModule {
    return {
      module: ResourceServerModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: RESOURCE_SERVER,
          useFactory: async (...args: unknown[]) => toResourceServer(await options.useFactory(...args)),
          inject: options.inject ?? [],
        },
        ResourceServerGuard,
      ],
      exports: [RESOURCE_SERVER, ResourceServerGuard],
    }
  }
}
