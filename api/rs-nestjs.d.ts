import { DynamicModule, ModuleMetadata, FactoryProvider, CanActivate, ExecutionContext, HttpException, Type } from '@nestjs/common';
import { ResourceServer, ResourceServerOptions, RouteOptions } from '@org/rs-core';
import { Reflector } from '@nestjs/core';

/**
 * `ResourceServerModule`: provides the application's `ResourceServer` (under {@link RESOURCE_SERVER})
 * and the guard behind `@RequireAuth()`, globally.
 *
 * @module
 */

/** A resource server made by `createResourceServer()`, or the options to make one. */
type ResourceServerModuleOptions = {
    resourceServer: ResourceServer;
} | ResourceServerOptions;
/** Options of {@link ResourceServerModule.forRootAsync}. */
interface ResourceServerModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
    useFactory: (...args: any[]) => ResourceServerModuleOptions | Promise<ResourceServerModuleOptions>;
    inject?: FactoryProvider['inject'];
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
declare class ResourceServerModule {
    /**
     * @throws ConfigurationError - at once, for wrong options or a `resourceServer` that is not one.
     */
    static forRoot(options: ResourceServerModuleOptions): DynamicModule;
    /** The options come from a factory (with injected dependencies); they are validated when the app initialises. */
    static forRootAsync(options: ResourceServerModuleAsyncOptions): DynamicModule;
}

/**
 * The guard behind `@RequireAuth()`: authenticates the request with the module's resource server,
 * sets `request.auth`, and refuses with a {@link ResourceServerException} into Nest's exception layer.
 *
 * @module
 */

/**
 * Protects the routes marked with `@RequireAuth()` (handler or controller); lets others through.
 * `@RequireAuth()` applies it; register it as `APP_GUARD` only to run it on every route.
 */
declare class ResourceServerGuard implements CanActivate {
    private readonly rs;
    private readonly reflector;
    /** A protected route per options object (validated once, by core's `protectRoute`). */
    private readonly routes;
    constructor(rs: ResourceServer, reflector: Reflector);
    canActivate(context: ExecutionContext): Promise<boolean>;
}

/** Options of {@link RequireAuth}: `scopes` (all required), `anyScope` (one required), `optional` (no token is fine; a bad one is not). */
type RequireAuthOptions = RouteOptions;
/**
 * Protects a route (on a method) or every route of a controller (on the class) with the module's
 * resource server: `request.auth` is set, `@Auth()` reads it. A refusal is a
 * `ResourceServerException` (400/401/403 with `WWW-Authenticate`, or 503 with `Retry-After`) handled by
 * Nest's exception layer. A method's options replace its controller's.
 *
 * @throws ConfigurationError - when decorating, for an unknown or wrong option (`{ scope: [...] }`).
 *
 * @example
 * ```ts
 * @Controller('api')
 * export class MeController {
 *   @Get('me')
 *   @RequireAuth({ scopes: ['read'] })
 *   me(@Auth() auth: AccessTokenInfo) {
 *     return { sub: auth.sub }
 *   }
 * }
 * ```
 */
declare function RequireAuth(options?: RequireAuthOptions): MethodDecorator & ClassDecorator;
/**
 * Parameter decorator: the validated `AccessTokenInfo` of a route protected by {@link RequireAuth}
 * (`undefined` on an optional route called without a token).
 */
declare const Auth: () => ParameterDecorator;

/**
 * The refusal a guarded route throws into Nest's exception layer: an `HttpException` whose response
 * is the RFC 6750 JSON body, and which carries the headers (`WWW-Authenticate`, `Retry-After`,
 * `Cache-Control`) for a custom exception filter.
 *
 * @module
 */

/**
 * A request refused by the resource server: 400/401/403 (a `BearerError`) or 503 (an
 * `AuthorizationServerError`), the SDK's error as `cause`. Nest's default exception filter answers
 * `getStatus()` and `getResponse()` (`{ error, error_description }`); the guard has already set
 * {@link ResourceServerException.headers} on the response, so they reach the client with Nest's
 * default answer or your own filter's.
 *
 * @example An exception filter of your own
 * ```ts
 * @Catch(ResourceServerException)
 * class AuthErrorFilter implements ExceptionFilter {
 *   catch(err: ResourceServerException, host: ArgumentsHost) {
 *     logger.warn({ err: err.cause }, 'request refused')
 *     host.switchToHttp().getResponse().status(err.getStatus()).json(err.getResponse()) // headers already set
 *   }
 * }
 * ```
 */
declare class ResourceServerException extends HttpException {
    /** The status, as `http-errors` and Fastify name it (also `getStatus()`). */
    readonly statusCode: number;
    /** `WWW-Authenticate` (RFC 6750 challenge), `Retry-After` (503), `Cache-Control: no-store`. */
    readonly headers: Readonly<Record<string, string>>;
    /** The JSON body: `{ error, error_description }`. */
    readonly body: {
        error: string;
        error_description: string;
    };
    /** Whether the message is safe to show the client (4xx: yes; 503: no). */
    readonly expose: boolean;
    constructor(err: unknown);
}

/**
 * A controller for the documents a resource server publishes: its JWKS and its RFC 9728 metadata.
 *
 * @module
 */

/** Paths of {@link resourceServerDocumentsController}. */
interface DocumentsControllerOptions {
    /** Where to serve `rs.jwksResponse()`. Default `/.well-known/jwks.json`. */
    jwksPath?: string;
    /** Where to serve `rs.protectedResourceMetadataResponse()` (404 JSON without the `resource` option), e.g. `rs.resourceMetadataPath`. Default: not served. */
    metadataPath?: string;
}
/**
 * A controller class serving the JWKS and, with `metadataPath`, the RFC 9728 metadata of the module's
 * resource server. Add it to a module's `controllers`.
 *
 * @example
 * ```ts
 * @Module({ controllers: [resourceServerDocumentsController({ metadataPath: '/.well-known/oauth-protected-resource' })] })
 * ```
 */
declare function resourceServerDocumentsController(options?: DocumentsControllerOptions): Type<unknown>;

/** Injection token of the module's `ResourceServer`: `@Inject(RESOURCE_SERVER) rs: ResourceServer`. */
declare const RESOURCE_SERVER: unique symbol;

export { Auth, type DocumentsControllerOptions, RESOURCE_SERVER, RequireAuth, type RequireAuthOptions, ResourceServerException, ResourceServerGuard, ResourceServerModule, type ResourceServerModuleAsyncOptions, type ResourceServerModuleOptions, resourceServerDocumentsController };
