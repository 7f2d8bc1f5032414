/**
 * Route options (what a route requires, whether a token is optional), validated once when a route
 * is protected: a typo such as `{ scope: ['admin'] }` is a {@link ConfigurationError} at start-up,
 * never an open route. Every adapter protects its routes through {@link protectRoute}.
 *
 * @module resource-server/route
 */
import * as z from 'zod/mini'
import { ConfigurationError } from '../errors.js'
import { parseOptions, secondsSchema } from '../options.js'
import { modeSchema } from '../sender-constraint/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { HttpRequestInput } from './request.js'
import type { ResourceServer, RouteOptions } from './types.js'

export type { ClaimCondition, RouteOptions } from './types.js'

const scopeList = z.array(
  z.string().check(z.minLength(1), z.regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope token (no space or quote)')),
  {
    error: 'expected an array of scope strings, e.g. ["read"]',
  },
)

const primitive = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })
const claimCondition = z.union(
  [
    primitive,
    z.strictObject({ oneOf: z.array(primitive).check(z.minLength(1)) }),
    z.strictObject({ includes: z.union([z.string(), z.array(z.string()).check(z.minLength(1))]) }),
  ],
  { error: 'expected a value, { oneOf: [...] } or { includes: value | [...] }' },
)
const nonEmptyStrings = (what: string) =>
  z
    .array(z.string().check(z.minLength(1)), { error: `expected an array of ${what}` })
    .check(z.minLength(1, { error: `expected at least one ${what.replace(/s$/, '')}` }))

/** The route vocabulary, validated (also for the `everyRoute` option). */
export const routeOptionsSchema = z.strictObject({
  scopes: z.optional(scopeList),
  anyScope: z.optional(scopeList),
  optional: z.optional(z.boolean({ error: 'expected a boolean' })),
  claims: z.optional(
    z.record(z.string().check(z.minLength(1)), claimCondition, { error: 'expected an object of claim paths to required values' }),
  ),
  roles: z.optional(nonEmptyStrings('role names')),
  anyRole: z.optional(nonEmptyStrings('role names')),
  acr: z.optional(nonEmptyStrings('acr values')),
  maxAge: z.optional(secondsSchema({ min: 0 })),
  check: z.optional(
    z.custom<(auth: AccessTokenInfo) => boolean>((v) => typeof v === 'function', { message: 'expected a function (auth) => boolean' }),
  ),
  dpop: z.optional(modeSchema),
  mtls: z.optional(modeSchema),
})

/** Validated route options, by the object the caller passed: a caller that reuses one object is validated once. */
const validated = new WeakMap<object, Readonly<RouteOptions>>()
const NONE: Readonly<RouteOptions> = Object.freeze({})
validated.set(NONE, NONE)

/**
 * Validates route options (once per options object); throws a {@link ConfigurationError} naming the
 * wrong or unknown option. Returns a frozen copy: later changes to `options` are not seen.
 */
export function parseRouteOptions(options: unknown, component = 'route'): Readonly<RouteOptions> {
  if (options === undefined) return NONE
  if (typeof options === 'object' && options !== null) {
    const known = validated.get(options)
    if (known !== undefined) return known
  }
  // The usual per-call literal (`{ scopes: ['read'] }`, a new object on every request): checked by
  // hand, without building a schema parse per request; anything else goes through the schema, which
  // also words the error.
  const plain = plainScopeOptions(options)
  if (plain !== undefined) return plain
  const parsed = Object.freeze(parseOptions(component, routeOptionsSchema, options))
  if (typeof options === 'object' && options !== null) validated.set(options, parsed)
  validated.set(parsed, parsed)
  return parsed
}

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

function isScopeList(value: unknown): value is readonly string[] {
  if (!Array.isArray(value)) return false
  for (const v of value) if (typeof v !== 'string' || !SCOPE_TOKEN.test(v)) return false
  return true
}

/**
 * A frozen copy of options made only of `scopes`, `anyScope` and `optional`, each valid; or
 * `undefined` for anything else (another key, a wrong value), left to the schema.
 */
function plainScopeOptions(options: unknown): Readonly<RouteOptions> | undefined {
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) return undefined
  const o = options as Record<string, unknown>
  let keys = 0
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) return undefined
    keys++
    const value = o[key]
    if (key === 'scopes' || key === 'anyScope') {
      if (value !== undefined && !isScopeList(value)) return undefined
    } else if (key === 'optional') {
      if (value !== undefined && typeof value !== 'boolean') return undefined
    } else return undefined
  }
  if (keys === 0) return NONE
  const copy: RouteOptions = {}
  if (o.scopes !== undefined) copy.scopes = Object.freeze([...(o.scopes as string[])])
  if (o.anyScope !== undefined) copy.anyScope = Object.freeze([...(o.anyScope as string[])])
  if (o.optional !== undefined) copy.optional = o.optional as boolean
  return Object.freeze(copy)
}

/** What a route's answer can be: the validated token (`undefined`: no token on an optional route), now or later. */
export type RouteAnswer = AccessTokenInfo | undefined | Promise<AccessTokenInfo | undefined>

/** A protected route: its options, validated, and the call that authenticates one request for it. */
export interface ProtectedRoute {
  readonly options: Readonly<RouteOptions>
  /** Authenticates one request for this route (see {@link ResourceServer.authenticateRequest}). */
  authenticate(request: HttpRequestInput): Promise<AccessTokenInfo | undefined>
  /**
   * {@link ProtectedRoute.authenticate}, answering without a promise when the answer is known now:
   * a token accepted from the in-memory caches (or no token on an optional route) comes back as the
   * value itself; anything else (a verification, an introspection, a proof to check, and every
   * refusal) as a promise, which rejects with the refusal. It never throws. For adapters whose
   * framework can go on synchronously (Express's `next()`), where a promise hop on every cached
   * request costs measurably.
   *
   * @example
   * ```ts
   * const answer = route.authenticateNow({ method: req.method, url: req.url, rawHeaders: req.rawHeaders })
   * if (answer instanceof Promise) answer.then(proceed, refuse)
   * else proceed(answer)
   * ```
   */
  authenticateNow(request: HttpRequestInput): RouteAnswer
}

/**
 * Checks, once, that `rs` is a resource server and `options` are valid route options, and returns
 * the route's authentication call. Adapters call this when the middleware is created.
 *
 * @example
 * ```ts
 * const route = protectRoute(rs, { scopes: ['admin'] }, 'requireAuth') // throws on a typo, at start-up
 * const auth = await route.authenticate({ method: req.method, url: req.url, rawHeaders: req.rawHeaders })
 * ```
 */
export function protectRoute(rs: ResourceServer, options: unknown = {}, component = 'requireAuth'): ProtectedRoute {
  if (typeof rs !== 'object' || rs === null || typeof (rs as Partial<ResourceServer>).authenticateRequest !== 'function') {
    throw new ConfigurationError(component, [{ path: 'rs', message: 'expected the resource server returned by createResourceServer()' }])
  }
  const parsed = parseRouteOptions(options, component)
  if (bearerOnly.has(rs)) refuseSenderModes(parsed, component) // at start-up, not on the first request
  // Known from now on: this copy comes back on every request of the route, and is read twice there
  // (`authenticateRequest`, then `authenticate`). Not done for per-call literals (a new object each time).
  validated.set(parsed, parsed)
  const authenticate = (request: HttpRequestInput) => rs.authenticateRequest(request, parsed)
  // A resource server of ours answers cached requests now; any other (a wrapper, a test double) through its promise.
  const now = immediate.get(rs)
  return {
    options: parsed,
    authenticate,
    authenticateNow: now === undefined ? authenticate : (request) => now(request, parsed),
  }
}

/** The immediate form of `authenticateRequest`, per resource server built here. */
const immediate = new WeakMap<object, (request: HttpRequestInput, options: Readonly<RouteOptions>) => RouteAnswer>()

/** Gives the routes of `rs` its immediate answers (see {@link ProtectedRoute.authenticateNow}). */
export function answerNow(rs: object, authenticateNow: (request: HttpRequestInput, options: Readonly<RouteOptions>) => RouteAnswer): void {
  immediate.set(rs, authenticateNow)
}

/** What a JWT-only resource server says of an option it cannot honour. */
export const BEYOND_JWT =
  'not available from createJwtResourceServer (JWT access tokens sent as bearer tokens only): use createResourceServer'

/** Resource servers built without DPoP and mTLS (`createJwtResourceServer`). */
const bearerOnly = new WeakSet<object>()

export function markBearerOnly(rs: object): void {
  bearerOnly.add(rs)
}

/** The issue with `route` on a resource server without DPoP and mTLS: it asks for one of them. */
export function senderModeIssue(route: Readonly<RouteOptions> | undefined): { path: string; message: string } | undefined {
  if (route?.dpop !== undefined && route.dpop !== 'none') return { path: 'dpop', message: `DPoP is ${BEYOND_JWT}` }
  if (route?.mtls !== undefined && route.mtls !== 'none') return { path: 'mtls', message: `mTLS is ${BEYOND_JWT}` }
  return undefined
}

/**
 * Refuses, on a resource server without DPoP and mTLS, route options that ask for them: a route
 * that wants a proof must never take a plain bearer token instead. `component` names the caller.
 */
export function refuseSenderModes(route: Readonly<RouteOptions>, component: string): void {
  const issue = senderModeIssue(route)
  if (issue !== undefined) throw new ConfigurationError(component, [issue])
}
