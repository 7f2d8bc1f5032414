/**
 * Used by scenario 7 only, as bundle input (never imported by the suite): a `zod/mini` schema calling
 * the zod functions core's option schemas use, to estimate what core would weigh on `zod/mini`.
 */
import * as z from 'zod/mini'

const Url = z.string().check(z.refine((s) => s.startsWith('http')))
const Count = z.number().check(z.int(), z.minimum(0))
export const zodMiniSample = z.strictObject({
  issuer: z.union([Url, z.array(Url)]),
  tokenFormat: z.optional(z.enum(['jwt', 'introspection', 'auto'])),
  audience: z.optional(z.union([z.string(), z.array(z.string())])),
  clientId: z.optional(z.string().check(z.minLength(1))),
  timeout: z.optional(Count),
  cache: z.optional(z.union([z.literal(false), z.strictObject({ maxEntries: z.optional(Count), store: z.optional(z.custom<object>((v) => typeof v === 'object')) })])),
  headers: z.optional(z.record(z.string(), z.string())),
  flag: z.optional(z.boolean()),
})
export const parseSample = (x: unknown) => zodMiniSample.safeParse(x)
