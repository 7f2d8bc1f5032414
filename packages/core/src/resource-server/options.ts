/**
 * The options of {@link createResourceServer}: the zod schema that validates them once, at
 * construction (a mistake names the option), the public option types, and how per-issuer options
 * inherit the top-level ones.
 *
 * @module resource-server/options
 */
import * as z from 'zod/mini'
import { type CacheStore, type Clock, isCacheStore } from '../cache/index.js'
import type { Logger, ResourceServerEvent } from '../events/index.js'
import type { FetchLike } from '../http.js'
import { CONTENT_ENCRYPTION_ALGS, KEY_MANAGEMENT_ALGS } from '../introspection/index.js'
import { type SignatureVerifier, TENANT_PLACEHOLDER } from '../jwt/index.js'
import { SIGNING_ALGS } from './issuer-options.js'
import { routeOptionsSchema } from './route.js'
import {
  checkClientAuth,
  checkUrls,
  clientAuthMethodSchema,
  privateKeySchema,
  type RefinementCtx,
  secondsSchema,
  urlSchema,
} from '../options.js'
import { checkSenderConstraintOptions, dpopOptionsSchema, mtlsOptionsSchema } from '../sender-constraint/index.js'

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` })
const nonEmpty = () => z.string().check(z.minLength(1))
const audienceSchema = z.union([nonEmpty(), z.array(nonEmpty()).check(z.minLength(1))], {
  error: 'expected a string or a non-empty array of strings',
})
const clientListSchema = z
  .array(nonEmpty(), { error: 'expected an array of client ids' })
  .check(z.minLength(1, 'expected at least one client id'))
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const scopeListSchema = z.array(
  z.string().check(z.minLength(1), z.regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope token (no space or quote)')),
)
/** One configuration issue at `path`. */
const issue = (ctx: RefinementCtx, path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message })
const count = (min: number) => z.number().check(z.int(), z.gte(min))

const issuerFields = {
  introspectionEndpoint: z.optional(urlSchema),
  jwksUri: z.optional(urlSchema),
  clientId: z.optional(nonEmpty()),
  clientSecret: z.optional(nonEmpty()),
  privateKey: z.optional(privateKeySchema),
  authMethod: z.optional(clientAuthMethodSchema),
  audience: z.optional(audienceSchema),
  allowedClients: z.optional(clientListSchema),
  oidcClientIds: z.optional(clientListSchema),
  allowedTenants: z.optional(
    z
      .array(z.string().check(z.regex(GUID, 'expected a tenant id (a GUID)')), { error: 'expected an array of tenant ids' })
      .check(z.minLength(1, 'expected at least one tenant id')),
  ),
  introspection: z.optional(
    z.strictObject({
      response: z.optional(z.enum(['json', 'jwt'])),
      signingAlgorithms: z.optional(z.array(z.enum(SIGNING_ALGS)).check(z.minLength(1))),
      encryption: z.optional(z.enum(['required', 'optional', 'none'])),
      keyManagementAlgorithms: z.optional(z.array(z.enum(KEY_MANAGEMENT_ALGS)).check(z.minLength(1))),
      contentEncryptionAlgorithms: z.optional(z.array(z.enum(CONTENT_ENCRYPTION_ALGS)).check(z.minLength(1))),
      tokenTypeHint: z.optional(nonEmpty()),
      maxResponseAge: z.optional(secondsSchema({ above: 0, max: 3600 })),
    }),
  ),
  jwt: z.optional(
    z.strictObject({
      algorithms: z.optional(
        z
          .array(z.enum(SIGNING_ALGS, { error: `expected one of ${SIGNING_ALGS.join(', ')} ("none" is never accepted)` }))
          .check(z.minLength(1)),
      ),
      secret: z.optional(z.string().check(z.minLength(32, 'expected at least 32 characters'))),
      typ: z.optional(z.enum(['strict', 'lenient'])),
      maxTokenAge: z.optional(secondsSchema({ above: 0 })),
    }),
  ),
}

export const issuerSchema = z.strictObject({ issuer: urlSchema, ...issuerFields })

export const optionsSchema = z
  .strictObject({
    issuer: z.optional(urlSchema),
    ...issuerFields,
    issuers: z.optional(z.array(issuerSchema).check(z.minLength(1))),
    tokenFormat: z.optional(z.enum(['introspection', 'jwt', 'auto'])),
    audienceClaim: z.optional(z.enum(['aud', 'client_id'])),
    everyRoute: z.optional(z.omit(routeOptionsSchema, { optional: true })),
    /** @deprecated use `everyRoute: { scopes }` */
    scopes: z.optional(scopeListSchema),
    /** @deprecated use `everyRoute: { anyScope }` */
    anyScope: z.optional(scopeListSchema),
    tryAllIntrospectionEndpoints: z.optional(z.boolean()),
    decryptionKeys: z.optional(z.array(privateKeySchema).check(z.minLength(1))),
    clockTolerance: z.optional(secondsSchema({ min: 0, max: 300 })),
    clock: z.optional(fn<Clock>('a function returning milliseconds since the epoch')),
    timeout: z.optional(secondsSchema({ min: 0.001, max: 60 })),
    fetch: z.optional(fn<FetchLike>('a fetch-compatible function')),
    signatureVerifier: z.optional(fn<SignatureVerifier>('a function (alg, key, signature, data) => boolean | Promise<boolean>')),
    onEvent: z.optional(fn<(event: ResourceServerEvent) => void>('a function receiving each event')),
    logger: z.optional(
      z.union(
        [
          z.literal(false),
          z.custom<Logger>(
            (v) =>
              typeof v === 'object' &&
              v !== null &&
              ['debug', 'info', 'warn', 'error'].some((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
          ),
        ],
        {
          error: 'expected a logger with warn/error/debug methods (console, pino, winston…) or false',
        },
      ),
    ),
    allowInsecureRequests: z.optional(z.boolean()),
    maxResponseBytes: z.optional(
      z
        .number({ error: 'expected a number of bytes' })
        .check(
          z.int('expected a whole number of bytes'),
          z.gte(1024, 'must be at least 1024 bytes'),
          z.lte(64 * 1024 * 1024, 'must be at most 64 MB'),
        ),
    ),
    bearer: z.optional(
      z.strictObject({
        maxLength: z.optional(z.number().check(z.int(), z.gte(16), z.lte(65_536))),
        acceptBase64: z.optional(z.boolean()),
      }),
    ),
    cache: z.optional(
      z.union([
        z.literal(false),
        z.strictObject({
          maxEntries: z.optional(count(1)),
          maxTtl: z.optional(secondsSchema({ min: 0 })),
          inactiveTtl: z.optional(secondsSchema({ min: 0 })),
          store: z.optional(z.custom<CacheStore>(isCacheStore, { message: 'expected a CacheStore ({ get, set, delete })' })),
          verifiedJwtMaxEntries: z.optional(count(0)),
          storeTimeout: z.optional(secondsSchema({ min: 0.001, max: 10 })),
        }),
      ]),
    ),
    jwks: z.optional(
      z.strictObject({
        cacheMaxAge: z.optional(secondsSchema({ min: 0, max: 86_400 })),
        cooldown: z.optional(secondsSchema({ min: 0, max: 3600 })),
      }),
    ),
    metadata: z.optional(
      z.strictObject({
        cacheMaxAge: z.optional(secondsSchema({ min: 60, max: 604_800 })),
        cooldown: z.optional(secondsSchema({ min: 0, max: 3600 })),
      }),
    ),
    realm: z.optional(nonEmpty()),
    resource: z.optional(urlSchema),
    resourceMetadata: z.optional(
      z.strictObject({
        url: z.optional(urlSchema),
        scopesSupported: z.optional(scopeListSchema),
        resourceName: z.optional(z.string()),
        resourceDocumentation: z.optional(urlSchema),
      }),
    ),
    dpop: z.optional(dpopOptionsSchema),
    mtls: z.optional(mtlsOptionsSchema),
  })
  .check(
    z.superRefine((o, ctx) => {
      checkSenderConstraintOptions(ctx, o)
      if (o.issuer === undefined && o.issuers === undefined) {
        issue(ctx, ['issuer'], 'required: the issuer identifier of the authorization server (or an "issuers" list)')
        return
      }
      for (const key of ['scopes', 'anyScope'] as const) {
        if (o[key] !== undefined && o.everyRoute?.[key] !== undefined) {
          issue(ctx, [key], `give everyRoute.${key} only (the top-level ${key} is its deprecated name)`)
        }
      }
      if (o.issuer !== undefined && o.issuers !== undefined) {
        issue(ctx, ['issuers'], 'give either "issuer" or "issuers", not both')
        return
      }
      const allowInsecure = o.allowInsecureRequests ?? false
      checkUrls(ctx, allowInsecure, { resource: o.resource, 'resourceMetadata.url': o.resourceMetadata?.url })
      const entries = o.issuers?.map((entry, i) => ({ entry: mergeIssuer(o, entry), prefix: `issuers.${i}.` })) ?? [
        { entry: mergeIssuer(o, { issuer: o.issuer! }), prefix: '' },
      ]
      const format = o.tokenFormat ?? defaultTokenFormat(entries.map((e) => e.entry))
      if (format !== 'jwt' && !entries.some((e) => canIntrospect(e.entry))) {
        issue(
          ctx,
          ['clientId'],
          `required with tokenFormat "${format}": the client id this resource server uses at the introspection endpoint`,
        )
      }
      for (const { entry, prefix } of entries) {
        checkUrls(ctx, allowInsecure, {
          [`${prefix}issuer`]: entry.issuer,
          [`${prefix}introspectionEndpoint`]: entry.introspectionEndpoint,
          [`${prefix}jwksUri`]: entry.jwksUri,
        })
        checkTenantTemplate(ctx, entry, format, prefix)
        if (format !== 'jwt' && canIntrospect(entry)) {
          checkClientAuth(ctx, entry, prefix)
          const algs = entry.introspection?.signingAlgorithms ?? []
          if (algs.some((a) => a.startsWith('HS')) && entry.clientSecret === undefined) {
            issue(
              ctx,
              [`${prefix}introspection`, 'signingAlgorithms'],
              'HS* introspection responses are keyed by the client secret: clientSecret is required',
            )
          }
          const encryption = entry.introspection?.encryption ?? (o.decryptionKeys ? 'required' : 'none')
          if (encryption !== 'none' && o.decryptionKeys === undefined) {
            issue(
              ctx,
              ['decryptionKeys'],
              `required with introspection.encryption "${encryption}": the private keys the AS encrypts responses to`,
            )
          }
          if (encryption !== 'none' && entry.introspection?.response === 'json') {
            issue(ctx, [`${prefix}introspection`, 'response'], 'must be "jwt" when responses are encrypted')
          }
        }
        if (format !== 'introspection') {
          if (entry.audience === undefined && entry.allowedClients === undefined) {
            issue(
              ctx,
              [`${prefix}audience`],
              `required with tokenFormat "${format}": the audience (aud) JWT access tokens must be issued for, usually this API's identifier (or, for an AS whose access tokens carry no aud such as Cognito, allowedClients: the calling clients accepted)`,
            )
          }
          const algs = entry.jwt?.algorithms ?? []
          if (algs.some((a) => a.startsWith('HS')) && entry.jwt?.secret === undefined) {
            issue(ctx, [`${prefix}jwt`, 'secret'], 'required when jwt.algorithms lists an HS* algorithm')
          }
          if (entry.jwt?.secret !== undefined && !algs.some((a) => a.startsWith('HS'))) {
            issue(ctx, [`${prefix}jwt`, 'algorithms'], 'must list the HS* algorithm(s) the jwt.secret is for')
          }
        }
      }
    }),
  )

/**
 * A multi-tenant issuer (`https://login.microsoftonline.com/{tenantid}/v2.0`): one placeholder, JWTs
 * only (no introspection), and a `jwksUri` (the template is not a URL to discover from).
 * `allowedTenants` only means something with such an issuer.
 */
function checkTenantTemplate(ctx: RefinementCtx, entry: IssuerEntry, format: string, prefix: string): void {
  const count = entry.issuer.split(TENANT_PLACEHOLDER).length - 1
  if (count === 0) {
    if (entry.allowedTenants !== undefined)
      issue(ctx, [`${prefix}allowedTenants`], `only with a multi-tenant issuer (one holding ${TENANT_PLACEHOLDER})`)
    return
  }
  if (count > 1) issue(ctx, [`${prefix}issuer`], `expected at most one ${TENANT_PLACEHOLDER} placeholder`)
  if (format === 'introspection') issue(ctx, ['tokenFormat'], `must be "jwt" with a multi-tenant issuer (${TENANT_PLACEHOLDER})`)
  else if (format === 'auto' && canIntrospect(entry))
    issue(ctx, [`${prefix}clientId`], `not with a multi-tenant issuer (${TENANT_PLACEHOLDER}): its tokens are JWTs, checked locally`)
  if (entry.jwksUri === undefined)
    issue(
      ctx,
      [`${prefix}jwksUri`],
      `required with a multi-tenant issuer (${TENANT_PLACEHOLDER}): the AS's keys, e.g. https://login.microsoftonline.com/common/discovery/v2.0/keys`,
    )
}

// The public option types are hand-written and documented (option-types.ts, issuer-options.ts);
// test/types/option-types.test.ts checks that these schemas accept exactly them.
export type { IssuerOptions } from './issuer-options.js'
export type { ResourceServerOptions } from './option-types.js'
/** The options as validated (internal: the schema's output). */
export type ParsedOptions = z.output<typeof optionsSchema>
export type IssuerEntry = z.output<typeof issuerSchema>

export function mergeIssuer(top: ParsedOptions, entry: IssuerEntry): IssuerEntry {
  const merged: IssuerEntry = { ...entry }
  for (const key of Object.keys(issuerFields) as (keyof typeof issuerFields)[]) {
    if (merged[key] === undefined && top[key] !== undefined) (merged as Record<string, unknown>)[key] = top[key]
  }
  return merged
}
/** Is this issuer set up for introspection (a client id to introspect with)? */
export const canIntrospect = (entry: IssuerEntry): boolean => entry.clientId !== undefined
/** How tokens are checked: by introspection, as JWTs locally, or JWTs locally and the rest by introspection. */
export type TokenFormat = 'introspection' | 'jwt' | 'auto'

export function defaultTokenFormat(entries: IssuerEntry[]): 'introspection' | 'jwt' {
  return entries.some(canIntrospect) ? 'introspection' : 'jwt'
}
