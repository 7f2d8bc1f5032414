/**
 * The options of {@link createResourceServer}: the zod schema that validates them once, at
 * construction (a mistake names the option), the public option types, and how per-issuer options
 * inherit the top-level ones.
 *
 * @module resource-server/options
 */
import { z } from 'zod'
import { type CacheStore, type Clock, isCacheStore } from '../cache/index.js'
import type { Logger, ResourceServerEvent } from '../events/index.js'
import type { FetchLike } from '../http.js'
import { CONTENT_ENCRYPTION_ALGS, KEY_MANAGEMENT_ALGS } from '../introspection/index.js'
import { SIGNING_ALGS } from './issuer-options.js'
import { routeOptionsSchema } from './route.js'
import { checkClientAuth, checkUrls, clientAuthMethodSchema, privateKeySchema, secondsSchema, urlSchema } from '../options.js'
import { checkSenderConstraintOptions, dpopOptionsSchema, mtlsOptionsSchema } from '../sender-constraint/index.js'

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` })
const audienceSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'expected a string or a non-empty array of strings' })
const clientListSchema = z.array(z.string().min(1), { error: 'expected an array of client ids' }).min(1, 'expected at least one client id')
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const TENANT_PLACEHOLDER = '{tenantid}'
const scopeListSchema = z.array(z.string().min(1).regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope token (no space or quote)'))

const issuerFields = {
  introspectionEndpoint: urlSchema.optional(),
  jwksUri: urlSchema.optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  privateKey: privateKeySchema.optional(),
  authMethod: clientAuthMethodSchema.optional(),
  audience: audienceSchema.optional(),
  allowedClients: clientListSchema.optional(),
  oidcClientIds: clientListSchema.optional(),
  allowedTenants: z.array(z.string().regex(GUID, 'expected a tenant id (a GUID)'), { error: 'expected an array of tenant ids' }).min(1, 'expected at least one tenant id').optional(),
  introspection: z
    .strictObject({
      response: z.enum(['json', 'jwt']).optional(),
      signingAlgorithms: z.array(z.enum(SIGNING_ALGS)).min(1).optional(),
      encryption: z.enum(['required', 'optional', 'none']).optional(),
      keyManagementAlgorithms: z.array(z.enum(KEY_MANAGEMENT_ALGS)).min(1).optional(),
      contentEncryptionAlgorithms: z.array(z.enum(CONTENT_ENCRYPTION_ALGS)).min(1).optional(),
      tokenTypeHint: z.string().min(1).optional(),
      maxResponseAge: secondsSchema({ above: 0, max: 3600 }).optional(),
    })
    .optional(),
  jwt: z
    .strictObject({
      algorithms: z.array(z.enum(SIGNING_ALGS, { error: `expected one of ${SIGNING_ALGS.join(', ')} ("none" is never accepted)` })).min(1).optional(),
      secret: z.string().min(32, 'expected at least 32 characters').optional(),
      typ: z.enum(['strict', 'lenient']).optional(),
      maxTokenAge: secondsSchema({ above: 0 }).optional(),
    })
    .optional(),
}

export const issuerSchema = z.strictObject({ issuer: urlSchema, ...issuerFields })

export const optionsSchema = z
  .strictObject({
    issuer: urlSchema.optional(),
    ...issuerFields,
    issuers: z.array(issuerSchema).min(1).optional(),
    tokenFormat: z.enum(['introspection', 'jwt', 'auto']).optional(),
    audienceClaim: z.enum(['aud', 'client_id']).optional(),
    everyRoute: routeOptionsSchema.omit({ optional: true }).optional(),
    /** @deprecated use `everyRoute: { scopes }` */
    scopes: scopeListSchema.optional(),
    /** @deprecated use `everyRoute: { anyScope }` */
    anyScope: scopeListSchema.optional(),
    tryAllIntrospectionEndpoints: z.boolean().optional(),
    decryptionKeys: z.array(privateKeySchema).min(1).optional(),
    clockTolerance: secondsSchema({ min: 0, max: 300 }).optional(),
    clock: fn<Clock>('a function returning milliseconds since the epoch').optional(),
    timeout: secondsSchema({ min: 0.001, max: 60 }).optional(),
    fetch: fn<FetchLike>('a fetch-compatible function').optional(),
    onEvent: fn<(event: ResourceServerEvent) => void>('a function receiving each event').optional(),
    logger: z
      .union([z.literal(false), z.custom<Logger>((v) => typeof v === 'object' && v !== null && ['debug', 'info', 'warn', 'error'].some((m) => typeof (v as Record<string, unknown>)[m] === 'function'))], {
        error: 'expected a logger with warn/error/debug methods (console, pino, winston…) or false',
      })
      .optional(),
    allowInsecureRequests: z.boolean().optional(),
    maxResponseBytes: z
      .number({ error: 'expected a number of bytes' })
      .int('expected a whole number of bytes')
      .min(1024, 'must be at least 1024 bytes')
      .max(64 * 1024 * 1024, 'must be at most 64 MB')
      .optional(),
    bearer: z
      .strictObject({
        maxLength: z.number().int().min(16).max(65_536).optional(),
        acceptBase64: z.boolean().optional(),
      })
      .optional(),
    cache: z
      .union([
        z.literal(false),
        z.strictObject({
          maxEntries: z.number().int().min(1).optional(),
          maxTtl: secondsSchema({ min: 0 }).optional(),
          inactiveTtl: secondsSchema({ min: 0 }).optional(),
          store: z.custom<CacheStore>(isCacheStore, { message: 'expected a CacheStore ({ get, set, delete })' }).optional(),
          verifiedJwtMaxEntries: z.number().int().min(0).optional(),
          storeTimeout: secondsSchema({ min: 0.001, max: 10 }).optional(),
        }),
      ])
      .optional(),
    jwks: z.strictObject({ cacheMaxAge: secondsSchema({ min: 0, max: 86_400 }).optional(), cooldown: secondsSchema({ min: 0, max: 3600 }).optional() }).optional(),
    metadata: z
      .strictObject({
        cacheMaxAge: secondsSchema({ min: 60, max: 604_800 }).optional(),
        cooldown: secondsSchema({ min: 0, max: 3600 }).optional(),
      })
      .optional(),
    realm: z.string().min(1).optional(),
    resource: urlSchema.optional(),
    resourceMetadata: z
      .strictObject({
        url: urlSchema.optional(),
        scopesSupported: scopeListSchema.optional(),
        resourceName: z.string().optional(),
        resourceDocumentation: urlSchema.optional(),
      })
      .optional(),
    dpop: dpopOptionsSchema.optional(),
    mtls: mtlsOptionsSchema.optional(),
  })
  .superRefine((o, ctx) => {
    checkSenderConstraintOptions(ctx, o)
    if (o.issuer === undefined && o.issuers === undefined) {
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'required: the issuer identifier of the authorization server (or an "issuers" list)' })
      return
    }
    for (const key of ['scopes', 'anyScope'] as const) {
      if (o[key] !== undefined && o.everyRoute?.[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `give everyRoute.${key} only (the top-level ${key} is its deprecated name)` })
      }
    }
    if (o.issuer !== undefined && o.issuers !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['issuers'], message: 'give either "issuer" or "issuers", not both' })
      return
    }
    const allowInsecure = o.allowInsecureRequests ?? false
    checkUrls(ctx, allowInsecure, { resource: o.resource, 'resourceMetadata.url': o.resourceMetadata?.url })
    const entries = o.issuers?.map((entry, i) => ({ entry: mergeIssuer(o, entry), prefix: `issuers.${i}.` })) ?? [{ entry: mergeIssuer(o, { issuer: o.issuer! }), prefix: '' }]
    const format = o.tokenFormat ?? defaultTokenFormat(entries.map((e) => e.entry))
    if (format !== 'jwt' && !entries.some((e) => canIntrospect(e.entry))) {
      ctx.addIssue({ code: 'custom', path: ['clientId'], message: `required with tokenFormat "${format}": the client id this resource server uses at the introspection endpoint` })
    }
    for (const { entry, prefix } of entries) {
      checkUrls(ctx, allowInsecure, { [`${prefix}issuer`]: entry.issuer, [`${prefix}introspectionEndpoint`]: entry.introspectionEndpoint, [`${prefix}jwksUri`]: entry.jwksUri })
      checkTenantTemplate(ctx, entry, format, prefix)
      if (format !== 'jwt' && canIntrospect(entry)) {
        checkClientAuth(ctx, entry, prefix)
        const algs = entry.introspection?.signingAlgorithms ?? []
        if (algs.some((a) => a.startsWith('HS')) && entry.clientSecret === undefined) {
          ctx.addIssue({ code: 'custom', path: [`${prefix}introspection`, 'signingAlgorithms'], message: 'HS* introspection responses are keyed by the client secret: clientSecret is required' })
        }
        const encryption = entry.introspection?.encryption ?? (o.decryptionKeys ? 'required' : 'none')
        if (encryption !== 'none' && o.decryptionKeys === undefined) {
          ctx.addIssue({ code: 'custom', path: ['decryptionKeys'], message: `required with introspection.encryption "${encryption}": the private keys the AS encrypts responses to` })
        }
        if (encryption !== 'none' && entry.introspection?.response === 'json') {
          ctx.addIssue({ code: 'custom', path: [`${prefix}introspection`, 'response'], message: 'must be "jwt" when responses are encrypted' })
        }
      }
      if (format !== 'introspection') {
        if (entry.audience === undefined && entry.allowedClients === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [`${prefix}audience`],
            message: `required with tokenFormat "${format}": the audience (aud) JWT access tokens must be issued for, usually this API's identifier (or, for an AS whose access tokens carry no aud such as Cognito, allowedClients: the calling clients accepted)`,
          })
        }
        const algs = entry.jwt?.algorithms ?? []
        if (algs.some((a) => a.startsWith('HS')) && entry.jwt?.secret === undefined) {
          ctx.addIssue({ code: 'custom', path: [`${prefix}jwt`, 'secret'], message: 'required when jwt.algorithms lists an HS* algorithm' })
        }
        if (entry.jwt?.secret !== undefined && !algs.some((a) => a.startsWith('HS'))) {
          ctx.addIssue({ code: 'custom', path: [`${prefix}jwt`, 'algorithms'], message: 'must list the HS* algorithm(s) the jwt.secret is for' })
        }
      }
    }
  })

/**
 * A multi-tenant issuer (`https://login.microsoftonline.com/{tenantid}/v2.0`): one placeholder, JWTs
 * only (no introspection), and a `jwksUri` (the template is not a URL to discover from).
 * `allowedTenants` only means something with such an issuer.
 */
function checkTenantTemplate(ctx: z.RefinementCtx, entry: IssuerEntry, format: string, prefix: string): void {
  const count = entry.issuer.split(TENANT_PLACEHOLDER).length - 1
  if (count === 0) {
    if (entry.allowedTenants !== undefined) ctx.addIssue({ code: 'custom', path: [`${prefix}allowedTenants`], message: `only with a multi-tenant issuer (one holding ${TENANT_PLACEHOLDER})` })
    return
  }
  if (count > 1) ctx.addIssue({ code: 'custom', path: [`${prefix}issuer`], message: `expected at most one ${TENANT_PLACEHOLDER} placeholder` })
  if (format === 'introspection') ctx.addIssue({ code: 'custom', path: ['tokenFormat'], message: `must be "jwt" with a multi-tenant issuer (${TENANT_PLACEHOLDER})` })
  else if (format === 'auto' && canIntrospect(entry)) ctx.addIssue({ code: 'custom', path: [`${prefix}clientId`], message: `not with a multi-tenant issuer (${TENANT_PLACEHOLDER}): its tokens are JWTs, checked locally` })
  if (entry.jwksUri === undefined) ctx.addIssue({ code: 'custom', path: [`${prefix}jwksUri`], message: `required with a multi-tenant issuer (${TENANT_PLACEHOLDER}): the AS's keys, e.g. https://login.microsoftonline.com/common/discovery/v2.0/keys` })
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
export function canIntrospect(entry: IssuerEntry): boolean {
  return entry.clientId !== undefined
}
/** How tokens are checked: by introspection, as JWTs locally, or JWTs locally and the rest by introspection. */
export type TokenFormat = 'introspection' | 'jwt' | 'auto'

export function defaultTokenFormat(entries: IssuerEntry[]): 'introspection' | 'jwt' {
  return entries.some(canIntrospect) ? 'introspection' : 'jwt'
}
