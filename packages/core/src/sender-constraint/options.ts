/**
 * The `dpop` and `mtls` options of a resource server, and the per-route `dpop` / `mtls` modes:
 * schemas (validated once, with the other options) and their resolution into settings.
 *
 * @module sender-constraint/options
 */
import * as z from 'zod/mini'
import { type CacheStore, isCacheStore } from '../cache/index.js'
import { DEFAULT_DPOP_ALGS, DPOP_ALGS, type DpopAlgorithm } from '../dpop/index.js'
import { checkUrls, msOf, type RefinementCtx, secondsSchema, urlSchema } from '../options.js'
import type { SenderConstraintMode } from './types.js'

export type { DpopOptions, MtlsOptions, SenderConstraintMode } from './types.js'

// The schemas accept exactly the hand-written, documented types of `types.ts` (test/types/option-types.test.ts).
export const modeSchema = z.enum(['none', 'allowed', 'required'], { error: 'expected "none", "allowed" or "required"' })

export const dpopOptionsSchema = z.strictObject({
  mode: z.optional(modeSchema),
  algorithms: z.optional(
    z.array(z.enum(DPOP_ALGS, { error: `expected one of ${DPOP_ALGS.join(', ')} (asymmetric only)` })).check(z.minLength(1)),
  ),
  proofMaxAge: z.optional(secondsSchema({ min: 1, max: 3600 })),
  publicUrl: z.optional(urlSchema),
  nonce: z.optional(
    z.strictObject({
      secret: z.string().check(z.minLength(32, 'expected at least 32 characters')),
      rotation: z.optional(secondsSchema({ min: 10, max: 86_400 })),
    }),
  ),
  replay: z.optional(
    z.strictObject({
      store: z.optional(z.custom<CacheStore>(isCacheStore, { message: 'expected a CacheStore ({ get, set, delete, add? })' })),
      maxEntries: z.optional(z.number().check(z.int(), z.gte(1))),
      timeout: z.optional(secondsSchema({ min: 0.001, max: 60 })),
    }),
  ),
})

export const mtlsOptionsSchema = z.strictObject({
  mode: z.optional(modeSchema),
  trustProxyHeader: z.optional(z.boolean()),
})

/** Cross-option checks, called from the resource server's schema. */
export function checkSenderConstraintOptions(
  ctx: RefinementCtx,
  o: {
    dpop?: z.output<typeof dpopOptionsSchema> | undefined
    mtls?: z.output<typeof mtlsOptionsSchema> | undefined
    allowInsecureRequests?: boolean | undefined
  },
): void {
  checkUrls(ctx, o.allowInsecureRequests ?? false, { 'dpop.publicUrl': o.dpop?.publicUrl })
  if (o.dpop !== undefined && o.mtls !== undefined && modeOf(o.dpop) === 'required' && modeOf(o.mtls) === 'required') {
    ctx.addIssue({
      code: 'custom',
      path: ['mtls', 'mode'],
      message: 'DPoP and mTLS cannot both be "required": a token is bound one way or the other',
    })
  }
}

export function modeOf(options: { mode?: SenderConstraintMode | undefined } | undefined): SenderConstraintMode {
  return options === undefined ? 'none' : (options.mode ?? 'allowed')
}

/** Resolved DPoP settings (present even when the mode is `none`: a route may allow DPoP). */
export interface DpopSettings {
  mode: SenderConstraintMode
  algorithms: readonly DpopAlgorithm[]
  proofMaxAge: number
  publicUrl: string | undefined
  nonce: { secret: string; rotation: number } | undefined
  replayStore: CacheStore | undefined
  replayMaxEntries: number
  /** Milliseconds (the `replay.timeout` option is seconds). */
  replayTimeoutMs: number
}

export function dpopSettings(o: z.output<typeof dpopOptionsSchema> | undefined): DpopSettings {
  return {
    mode: modeOf(o),
    algorithms: o?.algorithms ?? DEFAULT_DPOP_ALGS,
    proofMaxAge: o?.proofMaxAge ?? 300,
    publicUrl: o?.publicUrl,
    nonce: o?.nonce === undefined ? undefined : { secret: o.nonce.secret, rotation: o.nonce.rotation ?? 300 },
    replayStore: o?.replay?.store,
    replayMaxEntries: o?.replay?.maxEntries ?? 100_000,
    replayTimeoutMs: msOf(o?.replay?.timeout ?? 1),
  }
}
