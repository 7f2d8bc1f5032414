/**
 * Validation of the client-credentials options (once, at construction) and of per-call requests,
 * and their normal form (sorted, de-duplicated scopes and resources).
 *
 * @module client-credentials/options
 */
import { z } from 'zod'
import { type CacheStore, type Clock, isCacheStore } from '../cache/index.js'
import type { FetchLike } from '../http.js'
import { checkClientAuth, checkUrls, clientAuthMethodSchema, privateKeySchema, secondsSchema, urlSchema } from '../options.js'
import { clientDpopSchema } from './dpop.js'

export const COMPONENT = 'createClientCredentials'

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** Parameters this module sets itself; `extraParams` may not override them. */
const RESERVED_PARAMS = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'resource',
  'audience',
])

const scopeSchema = z.union([z.string(), z.array(z.string())], { error: 'expected a space-separated string or an array of strings' }).superRefine((value, ctx) => {
  for (const token of splitScope(value)) {
    if (!SCOPE_TOKEN.test(token)) {
      ctx.addIssue({ code: 'custom', message: 'a scope token has characters RFC 6749 §3.3 does not allow' })
      return
    }
  }
})

const resourceSchema = z.union([z.string(), z.array(z.string())], { error: 'expected an absolute URI or an array of them' }).superRefine((value, ctx) => {
  for (const r of typeof value === 'string' ? [value] : value) {
    if (!URL.canParse(r) || r.includes('#')) {
      ctx.addIssue({ code: 'custom', message: 'expected absolute URIs without a fragment (RFC 8707)' })
      return
    }
  }
})

export const requestSchema = z.strictObject({ scope: scopeSchema.optional(), resource: resourceSchema.optional() })

const functionSchema = <F>(what: string) => z.custom<F>((v) => typeof v === 'function', { message: `expected ${what}` })

const storeSchema = z.custom<CacheStore>(isCacheStore, { message: 'expected a CacheStore ({ get, set, delete })' })

export const optionsSchema = z
  .strictObject({
    issuer: urlSchema.optional(),
    tokenEndpoint: urlSchema.optional(),
    clientId: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).optional(),
    clientSecret: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).optional(),
    privateKey: privateKeySchema.optional(),
    authMethod: clientAuthMethodSchema.optional(),
    scope: scopeSchema.optional(),
    resource: resourceSchema.optional(),
    audience: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).optional(),
    extraParams: z.record(z.string(), z.string({ error: 'expected string values' })).optional(),
    refreshSkew: secondsSchema({ min: 0 }).default(60),
    defaultLifetime: secondsSchema({ above: 0 }).default(300),
    timeout: secondsSchema({ min: 0.001, max: 60 }).default(5),
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(10).default(3),
        baseDelay: secondsSchema({ min: 0, max: 60 }).default(0.2),
        maxDelay: secondsSchema({ min: 0, max: 300 }).default(5),
      })
      .default({ attempts: 3, baseDelay: 0.2, maxDelay: 5 }),
    fetch: functionSchema<FetchLike>('a fetch function').optional(),
    store: storeSchema.optional(),
    clock: functionSchema<Clock>('a function returning milliseconds since the epoch').optional(),
    allowInsecureRequests: z.boolean({ error: 'expected a boolean' }).default(false),
    maxResponseBytes: z
      .number({ error: 'expected a number of bytes' })
      .int('expected a whole number of bytes')
      .min(1024, 'must be at least 1024 bytes')
      .max(64 * 1024 * 1024, 'must be at most 64 MB')
      .default(256 * 1024),
    storeTimeout: secondsSchema({ min: 0.001, max: 10 }).default(0.05),
    dpop: clientDpopSchema.optional(),
  })
  .superRefine((opts, ctx) => {
    if (opts.issuer === undefined && opts.tokenEndpoint === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenEndpoint'], message: 'required: give tokenEndpoint, or issuer to discover it' })
    }
    checkUrls(ctx, opts.allowInsecureRequests, { issuer: opts.issuer, tokenEndpoint: opts.tokenEndpoint })
    for (const name of ['issuer', 'tokenEndpoint'] as const) {
      const value = opts[name]
      if (value !== undefined && URL.canParse(value)) {
        const url = new URL(value)
        if (url.username !== '' || url.password !== '') {
          ctx.addIssue({ code: 'custom', path: [name], message: 'must not carry credentials (user:password@); use clientId / clientSecret' })
        }
        if (url.hash !== '') ctx.addIssue({ code: 'custom', path: [name], message: 'must not have a fragment' })
      }
    }
    checkClientAuth(ctx, opts)
    for (const name of Object.keys(opts.extraParams ?? {})) {
      if (RESERVED_PARAMS.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['extraParams', name], message: 'is set by the client itself and cannot be overridden' })
      }
    }
    if (opts.retry.maxDelay < opts.retry.baseDelay) {
      ctx.addIssue({ code: 'custom', path: ['retry', 'maxDelay'], message: 'must be at least retry.baseDelay' })
    }
  })

/** A normalised request: sorted, de-duplicated scope and resources. */
export interface NormalisedRequest {
  scope: string | undefined
  resource: string[]
}

function splitScope(value: string | readonly string[]): string[] {
  const parts = typeof value === 'string' ? value.split(/\s+/) : value.flatMap((s) => s.split(/\s+/))
  return parts.filter((s) => s !== '')
}

export function normaliseScope(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined
  const tokens = [...new Set(splitScope(value))].sort()
  return tokens.length ? tokens.join(' ') : undefined
}

export function normaliseResource(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return []
  return [...new Set(typeof value === 'string' ? [value] : value)].sort()
}
