/**
 * The `dpop` and `mtls` options of a resource server, and the per-route `dpop` / `mtls` modes:
 * schemas (validated once, with the other options) and their resolution into settings.
 *
 * @module sender-constraint/options
 */
import { z } from 'zod'
import { type CacheStore, isCacheStore } from '../cache/index.js'
import { DEFAULT_DPOP_ALGS, DPOP_ALGS, type DpopAlgorithm } from '../dpop/index.js'
import { checkUrls, msOf, secondsSchema, urlSchema } from '../options.js'

/**
 * How a sender-constraint mechanism is treated: `none` (a token bound with it is refused),
 * `allowed` (bound tokens must prove it, unbound ones are fine), `required` (every token must be bound with it).
 */
export type SenderConstraintMode = 'none' | 'allowed' | 'required'
export const modeSchema = z.enum(['none', 'allowed', 'required'], { error: 'expected "none", "allowed" or "required"' })

export const dpopOptionsSchema = z.strictObject({
  /** Default `allowed` when `dpop` is given (`none` when it is not). */
  mode: modeSchema.optional(),
  algorithms: z.array(z.enum(DPOP_ALGS, { error: `expected one of ${DPOP_ALGS.join(', ')} (asymmetric only)` })).min(1).optional(),
  /** Seconds a proof is accepted after its `iat` (plus `clockTolerance`). Default 300. */
  proofMaxAge: secondsSchema({ min: 1, max: 3600 }).optional(),
  /** The API's public base URL (`https://api.example.com`, or with the path prefix a proxy strips): `htu` is checked against it. */
  publicUrl: urlSchema.optional(),
  nonce: z
    .strictObject({
      /** Shared by the instances that must accept each other's nonces. At least 32 characters. */
      secret: z.string().min(32, 'expected at least 32 characters'),
      /** Seconds between two nonces; a nonce is accepted for one to two periods. Default 300. */
      rotation: secondsSchema({ min: 10, max: 86_400 }).optional(),
    })
    .optional(),
  replay: z
    .strictObject({
      /** Where seen `jti` values are kept; share one (e.g. Redis, with `add`) between instances. Default: in memory. */
      store: z.custom<CacheStore>(isCacheStore, { message: 'expected a CacheStore ({ get, set, delete, add? })' }).optional(),
      /** Bound of the default in-memory store. Default 100 000. */
      maxEntries: z.number().int().min(1).optional(),
      /** Seconds a store call may take before the request is answered 503. Default 1. */
      timeout: secondsSchema({ min: 0.001, max: 60 }).optional(),
    })
    .optional(),
})

export const mtlsOptionsSchema = z.strictObject({
  /** Default `allowed` when `mtls` is given (`none` when it is not). */
  mode: modeSchema.optional(),
  /**
   * `true`: the client certificate is read only from the RFC 9440 `Client-Cert` header, set by a
   * TLS-terminating proxy you trust to overwrite any such header sent by the client. Default `false`:
   * only the TLS connection's certificate is used and the header is ignored.
   */
  trustProxyHeader: z.boolean().optional(),
})

export type DpopOptions = z.input<typeof dpopOptionsSchema>
export type MtlsOptions = z.input<typeof mtlsOptionsSchema>

/** Cross-option checks, called from the resource server's schema. */
export function checkSenderConstraintOptions(
  ctx: z.RefinementCtx,
  o: { dpop?: z.output<typeof dpopOptionsSchema> | undefined; mtls?: z.output<typeof mtlsOptionsSchema> | undefined; allowInsecureRequests?: boolean | undefined },
): void {
  checkUrls(ctx, o.allowInsecureRequests ?? false, { 'dpop.publicUrl': o.dpop?.publicUrl })
  if (o.dpop !== undefined && o.mtls !== undefined && modeOf(o.dpop) === 'required' && modeOf(o.mtls) === 'required') {
    ctx.addIssue({ code: 'custom', path: ['mtls', 'mode'], message: 'DPoP and mTLS cannot both be "required": a token is bound one way or the other' })
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
