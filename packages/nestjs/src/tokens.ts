/** Injection token of the module's `ResourceServer`: `@Inject(RESOURCE_SERVER) rs: ResourceServer`. */
export const RESOURCE_SERVER = Symbol.for('@org/rs-nestjs:resource-server')

/** Metadata key of `@RequireAuth()` on a handler or a controller. */
export const REQUIRE_AUTH = '@org/rs-nestjs:require-auth'
