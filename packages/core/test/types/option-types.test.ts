/**
 * The public option types are hand-written, documented interfaces; the zod schemas validate them at
 * run time. This file pins down, at the type level (checked by `tsc`, i.e. `pnpm typecheck`, and by
 * vitest's `expectTypeOf`), that each schema's input type and its interface are the same type: an
 * option added, removed, renamed or retyped on one side only fails the typecheck.
 *
 * Compared after `Normalised` drops `readonly` (the interfaces take readonly arrays, which the schemas
 * accept at run time but zod's input types spell mutable) and flattens intersections.
 */
import { describe, expectTypeOf, it } from 'vitest'
import type * as z from 'zod/mini'
import type { ClientCredentialsOptions } from '../../src/client-credentials/index.js'
import type { optionsSchema as clientCredentialsSchema } from '../../src/client-credentials/options.js'
import type { IssuerOptions, ResourceServerOptions, RouteOptions } from '../../src/index.js'
import type { DpopOptions, MtlsOptions, SenderConstraintMode } from '../../src/index.js'
import type { issuerSchema, optionsSchema } from '../../src/resource-server/options.js'
import type { routeOptionsSchema } from '../../src/resource-server/route.js'
import type { dpopOptionsSchema, modeSchema, mtlsOptionsSchema } from '../../src/sender-constraint/options.js'

type Normalised<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? Normalised<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Normalised<T[K]> }
      : T

describe('option types: each interface is exactly what its schema accepts', () => {
  it('ResourceServerOptions', () => {
    expectTypeOf<Normalised<ResourceServerOptions>>().toEqualTypeOf<Normalised<z.input<typeof optionsSchema>>>()
  })
  it('IssuerOptions', () => {
    expectTypeOf<Normalised<IssuerOptions>>().toEqualTypeOf<Normalised<z.input<typeof issuerSchema>>>()
  })
  it('RouteOptions', () => {
    expectTypeOf<Normalised<RouteOptions>>().toEqualTypeOf<Normalised<z.input<typeof routeOptionsSchema>>>()
  })
  it('DpopOptions, MtlsOptions, SenderConstraintMode', () => {
    expectTypeOf<Normalised<DpopOptions>>().toEqualTypeOf<Normalised<z.input<typeof dpopOptionsSchema>>>()
    expectTypeOf<Normalised<MtlsOptions>>().toEqualTypeOf<Normalised<z.input<typeof mtlsOptionsSchema>>>()
    expectTypeOf<SenderConstraintMode>().toEqualTypeOf<z.input<typeof modeSchema>>()
  })
  it('ClientCredentialsOptions', () => {
    // One deliberate difference: `clientId` is required in the type; the schema checks it in its refinement
    // (with the other client-authentication options, for a message that says what is missing).
    type Input = z.input<typeof clientCredentialsSchema>
    expectTypeOf<Normalised<ClientCredentialsOptions>>().toEqualTypeOf<Normalised<Omit<Input, 'clientId'> & { clientId: string }>>()
  })
})
