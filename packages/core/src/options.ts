/**
 * Option validation shared by the factories: zod schemas of the common pieces and the conversion of
 * zod's issues into a {@link ConfigurationError} that names each wrong option.
 *
 * Schemas are written with `zod/mini` (the functional API: `z.optional(s)`, `s.check(z.minLength(1))`),
 * which a bundler can tree-shake, unlike zod's classic API whose methods all live on prototypes. Its
 * English messages (zod's own wording, as with classic zod) come from {@link optionMessages}, passed
 * to each parse rather than set globally: core changes no global zod configuration.
 *
 * @module options
 */
import * as z from 'zod/mini'
import { CLIENT_AUTH_METHODS } from './client-auth.js'
import { ConfigurationError } from './errors.js'
import { isAllowedUrl } from './http.js'
import type { PrivateKeyInput } from './keys/index.js'
import { optionMessages } from './option-messages.js'

/** What a refinement receives to report an issue. */
export type RefinementCtx = z.core.$RefinementCtx

/** Validates `input` against `schema`; throws a {@link ConfigurationError} naming every wrong option. */
export function parseOptions<S extends z.ZodMiniType>(component: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: optionMessages })
  if (result.success) return result.data
  throw new ConfigurationError(
    component,
    issuesOf(result.error.issues).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  )
}

type Issue = z.core.$ZodIssue

/**
 * The issues to report. A value that matches none of a union's options is one "Invalid input" issue
 * at the union (`cache: Invalid input` for a wrong `cache.store`); when exactly one option is of the
 * value's kind (the others fail on its type alone), that option's own issues say what is wrong, and
 * where: `cache.store: expected a CacheStore ({ get, set, delete })`.
 */
function issuesOf(issues: readonly Issue[], prefix: readonly PropertyKey[] = []): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union') {
      const plausible = issue.errors.filter((branch) => !branch.every(isKindMismatch))
      if (plausible.length === 1) return issuesOf(plausible[0]!, path)
    }
    return [{ ...issue, path }]
  })
}

/** A root issue of a union option that only says the value is of another kind (`false` vs an object). */
function isKindMismatch(issue: Issue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value')
}

/**
 * A duration option: **every duration option of core is a number of seconds**, fractions allowed
 * (`0.05` is 50 ms). `min` / `max` are inclusive bounds, `above` an exclusive lower bound; each
 * message says "seconds". Convert with {@link msOf} where a timer needs milliseconds.
 */
export function secondsSchema(bounds: { min?: number; above?: number; max?: number } = {}) {
  const checks: z.core.$ZodCheck<number>[] = []
  if (bounds.above !== undefined) checks.push(z.gt(bounds.above, `must be more than ${bounds.above} seconds`))
  if (bounds.min !== undefined) checks.push(z.gte(bounds.min, `must be at least ${bounds.min} seconds`))
  if (bounds.max !== undefined) checks.push(z.lte(bounds.max, `must be at most ${bounds.max} seconds`))
  return z.number({ error: 'expected a number of seconds' }).check(...checks)
}

/** Seconds (an option) to whole milliseconds (a timer, a TTL). */
export function msOf(seconds: number): number {
  return Math.round(seconds * 1000)
}

/** An absolute http(s) URL. Whether plain http is allowed is checked by {@link checkUrls}. */
export const urlSchema = z
  .string({ error: 'expected an absolute URL string' })
  .check(z.refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { message: 'expected an absolute http(s) URL' }))

/** Refinement: every URL option is https, or http on loopback / with `allowInsecureRequests: true`. */
export function checkUrls(ctx: RefinementCtx, allowInsecure: boolean, urls: Record<string, string | undefined>): void {
  for (const [path, value] of Object.entries(urls)) {
    if (value === undefined || !URL.canParse(value)) continue
    if (!isAllowedUrl(new URL(value), allowInsecure)) {
      ctx.addIssue({
        code: 'custom',
        path: path.split('.'),
        message: 'expected an https URL (plain http is only accepted on loopback, or with allowInsecureRequests: true)',
      })
    }
  }
}

export const clientAuthMethodSchema = z.enum(CLIENT_AUTH_METHODS, {
  error: `expected one of ${CLIENT_AUTH_METHODS.join(', ')}`,
})

/** A private key: a private JWK, or `{ pem, alg, kid? }` with PKCS#8 PEM. */
export const privateKeySchema = z.custom<PrivateKeyInput>(
  (v) => {
    if (typeof v !== 'object' || v === null) return false
    const k = v as Record<string, unknown>
    if (typeof k.pem === 'string') return k.pem.includes('-----BEGIN PRIVATE KEY-----') && typeof k.alg === 'string' && k.alg !== ''
    return typeof k.kty === 'string' && typeof k.d === 'string'
  },
  { message: 'expected a private JWK (with "kty" and "d") or { pem: "-----BEGIN PRIVATE KEY-----…", alg, kid? }' },
)

/**
 * Checks the client-authentication options together: a secret for the secret-based methods, a
 * private key for `private_key_jwt`, and a default method of `client_secret_post` (or
 * `private_key_jwt` when only a key is given).
 */
export function checkClientAuth(
  ctx: RefinementCtx,
  opts: { clientId?: string | undefined; clientSecret?: string | undefined; privateKey?: unknown; authMethod?: string | undefined },
  prefix = '',
): void {
  const method =
    opts.authMethod ?? (opts.privateKey !== undefined && opts.clientSecret === undefined ? 'private_key_jwt' : 'client_secret_post')
  if (opts.clientId === undefined)
    ctx.addIssue({ code: 'custom', path: [`${prefix}clientId`], message: 'required: the client id registered at the authorization server' })
  if (method === 'private_key_jwt') {
    if (opts.privateKey === undefined)
      ctx.addIssue({ code: 'custom', path: [`${prefix}privateKey`], message: 'required with authMethod "private_key_jwt"' })
  } else if (opts.clientSecret === undefined) {
    ctx.addIssue({ code: 'custom', path: [`${prefix}clientSecret`], message: `required with authMethod "${method}"` })
  } else if (method === 'client_secret_jwt' && opts.clientSecret.length < 32) {
    ctx.addIssue({
      code: 'custom',
      path: [`${prefix}clientSecret`],
      message: 'must be at least 32 characters for client_secret_jwt (HS256)',
    })
  }
}

/** The method {@link checkClientAuth} settled on. */
export function resolveAuthMethod(opts: { clientSecret?: string | undefined; privateKey?: unknown; authMethod?: string | undefined }) {
  return (opts.authMethod ??
    (opts.privateKey !== undefined && opts.clientSecret === undefined
      ? 'private_key_jwt'
      : 'client_secret_post')) as (typeof CLIENT_AUTH_METHODS)[number]
}
