/**
 * Validation of the client-credentials options (once, at construction) and of per-call requests,
 * and their normal form (sorted, de-duplicated scopes and resources).
 *
 * @module client-credentials/options
 */
import * as z from 'zod/mini'
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

// Module-level schemas are built in `/* @__PURE__ */` IIFEs: core's dist is one file, and a bundler
// shaking out client credentials (an edge worker that imports only `createResourceServer`) drops
// them only if it knows that building them has no side effect (zod calls are not known pure).
const scopeSchema = /* @__PURE__ */ (() =>
  z.union([z.string(), z.array(z.string())], { error: 'expected a space-separated string or an array of strings' }).check(
    z.superRefine((value, ctx) => {
      for (const token of splitScope(value)) {
        if (!SCOPE_TOKEN.test(token)) {
          ctx.addIssue({ code: 'custom', message: 'a scope token has characters RFC 6749 §3.3 does not allow' })
          return
        }
      }
    }),
  ))()

const resourceSchema = /* @__PURE__ */ (() =>
  z.union([z.string(), z.array(z.string())], { error: 'expected an absolute URI or an array of them' }).check(
    z.superRefine((value, ctx) => {
      for (const r of typeof value === 'string' ? [value] : value) {
        if (!URL.canParse(r) || r.includes('#')) {
          ctx.addIssue({ code: 'custom', message: 'expected absolute URIs without a fragment (RFC 8707)' })
          return
        }
      }
    }),
  ))()

export const requestSchema = /* @__PURE__ */ (() =>
  z.strictObject({ scope: z.optional(scopeSchema), resource: z.optional(resourceSchema) }))()

const functionSchema = <F>(what: string) => z.custom<F>((v) => typeof v === 'function', { message: `expected ${what}` })

const nonEmptyString = () => z.string({ error: 'expected a string' }).check(z.minLength(1, { error: 'must not be empty' }))

const storeSchema = /* @__PURE__ */ (() =>
  z.custom<CacheStore>(isCacheStore, { message: 'expected a CacheStore ({ get, set, delete })' }))()

export const optionsSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      issuer: z.optional(urlSchema),
      tokenEndpoint: z.optional(urlSchema),
      clientId: z.optional(nonEmptyString()),
      clientSecret: z.optional(nonEmptyString()),
      privateKey: z.optional(privateKeySchema),
      authMethod: z.optional(clientAuthMethodSchema),
      scope: z.optional(scopeSchema),
      resource: z.optional(resourceSchema),
      audience: z.optional(nonEmptyString()),
      extraParams: z.optional(z.record(z.string(), z.string({ error: 'expected string values' }))),
      refreshSkew: z._default(secondsSchema({ min: 0 }), 60),
      defaultLifetime: z._default(secondsSchema({ above: 0 }), 300),
      timeout: z._default(secondsSchema({ min: 0.001, max: 60 }), 5),
      retry: z._default(
        z.strictObject({
          attempts: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), 3),
          baseDelay: z._default(secondsSchema({ min: 0, max: 60 }), 0.2),
          maxDelay: z._default(secondsSchema({ min: 0, max: 300 }), 5),
        }),
        { attempts: 3, baseDelay: 0.2, maxDelay: 5 },
      ),
      fetch: z.optional(functionSchema<FetchLike>('a fetch function')),
      store: z.optional(storeSchema),
      clock: z.optional(functionSchema<Clock>('a function returning milliseconds since the epoch')),
      allowInsecureRequests: z._default(z.boolean({ error: 'expected a boolean' }), false),
      maxResponseBytes: z._default(
        z
          .number({ error: 'expected a number of bytes' })
          .check(
            z.int('expected a whole number of bytes'),
            z.gte(1024, 'must be at least 1024 bytes'),
            z.lte(64 * 1024 * 1024, 'must be at most 64 MB'),
          ),
        256 * 1024,
      ),
      storeTimeout: z._default(secondsSchema({ min: 0.001, max: 10 }), 0.05),
      dpop: z.optional(clientDpopSchema),
    })
    .check(
      z.superRefine((opts, ctx) => {
        if (opts.issuer === undefined && opts.tokenEndpoint === undefined) {
          ctx.addIssue({ code: 'custom', path: ['tokenEndpoint'], message: 'required: give tokenEndpoint, or issuer to discover it' })
        }
        checkUrls(ctx, opts.allowInsecureRequests, { issuer: opts.issuer, tokenEndpoint: opts.tokenEndpoint })
        for (const name of ['issuer', 'tokenEndpoint'] as const) {
          const value = opts[name]
          if (value !== undefined && URL.canParse(value)) {
            const url = new URL(value)
            if (url.username !== '' || url.password !== '') {
              ctx.addIssue({
                code: 'custom',
                path: [name],
                message: 'must not carry credentials (user:password@); use clientId / clientSecret',
              })
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
      }),
    ))()

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
