/**
 * Option validation messages are zod's English ones, word for word, although core no longer bundles
 * zod's `en` locale: every option schema parses hostile input with both maps and the messages agree.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { en } from 'zod/locales'
import type * as z from 'zod/mini'
import { optionsSchema as clientCredentialsSchema, requestSchema } from '../src/client-credentials/options.js'
import { ConfigurationError, createResourceServer } from '../src/index.js'
import { optionMessages } from '../src/option-messages.js'
import { optionsSchema as resourceServerSchema } from '../src/resource-server/options.js'
import { routeOptionsSchema } from '../src/resource-server/route.js'

/** Each option schema, and the kinds of issue it raises that zod words (not the schema). */
const SCHEMAS: Record<string, [z.ZodMiniType, string[]]> = {
  'resource server': [resourceServerSchema, ['invalid_type', 'invalid_value', 'too_small', 'too_big', 'unrecognized_keys']],
  route: [routeOptionsSchema, ['invalid_type', 'too_small', 'unrecognized_keys']],
  'client credentials': [clientCredentialsSchema, ['invalid_type', 'too_small', 'too_big', 'unrecognized_keys']],
  'token request': [requestSchema, ['invalid_type', 'unrecognized_keys']],
}

const leaf = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('https://as.example.com', 'http://as.example.com', 'jwt', 'none', 'ES256', 'HS256', 'required', 'private_key_jwt', ''),
  fc.double(),
  fc.integer({ min: -3, max: 70_000 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 60), 0.5, 1e300),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.bigInt({ min: -10n, max: 10n }),
)

/**
 * Options shaped by the schema itself (its keys, enum values, literals, arrays, records), any part of
 * which may be replaced by a hostile value or joined by an unknown key: issues at every depth.
 */
function shaped(schema: unknown): fc.Arbitrary<unknown> {
  const def = (schema as { _zod: { def: Record<string, any> } })._zod.def
  let arbitrary: fc.Arbitrary<unknown>
  switch (def.type) {
    case 'optional':
    case 'default':
      return shaped(def.innerType)
    case 'object': {
      const shape = Object.fromEntries(Object.entries(def.shape as Record<string, unknown>).map(([k, v]) => [k, shaped(v)]))
      arbitrary = fc
        .tuple(fc.record(shape, { requiredKeys: [] }), fc.option(fc.dictionary(fc.constantFrom('typo', 'other'), leaf), { nil: undefined }))
        .map(([known, unknown]) => ({ ...known, ...unknown }))
      break
    }
    case 'union':
      arbitrary = fc.oneof(...(def.options as unknown[]).map(shaped))
      break
    case 'array':
      arbitrary = fc.array(shaped(def.element), { maxLength: 3 })
      break
    case 'record':
      arbitrary = fc.dictionary(fc.string({ maxLength: 3 }), shaped(def.valueType), { maxKeys: 2 })
      break
    case 'literal':
      arbitrary = fc.constantFrom(...(def.values as unknown[]))
      break
    case 'enum':
      arbitrary = fc.constantFrom(...Object.values(def.entries as Record<string, unknown>))
      break
    default:
      return leaf
  }
  return fc.oneof({ weight: 5, arbitrary }, { weight: 1, arbitrary: leaf })
}

function messages(schema: z.ZodMiniType, input: unknown, map: z.core.$ZodErrorMap): string[] {
  const result = schema.safeParse(input, { error: map })
  return result.success ? [] : result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`)
}

describe('option messages are zod English, without zod/locales', () => {
  for (const [name, [schema, codes]] of Object.entries(SCHEMAS)) {
    it(`the same messages as zod's en locale for any ${name} options (property)`, () => {
      const english = en().localeError
      const worded = new Set<string>()
      const recording: z.core.$ZodErrorMap = (issue) => {
        worded.add(issue.code ?? '')
        return english(issue)
      }
      const anything = fc.anything({ maxDepth: 2, withMap: true, withSet: true, withBigInt: true, withDate: true })
      fc.assert(
        fc.property(fc.oneof({ weight: 4, arbitrary: shaped(schema) }, { weight: 1, arbitrary: anything }), (options) => {
          expect(messages(schema, options, optionMessages)).toEqual(messages(schema, options, recording))
        }),
        { numRuns: 1000 },
      )
      // The property reached the map with the kinds of issue these options raise.
      expect([...worded]).toEqual(expect.arrayContaining(codes))
    })
  }

  it("every kind of issue and every branch of its wording, word for word as zod's en (issues built by hand: some are rare in the property)", () => {
    const english = en().localeError as (issue: unknown) => string | { message: string }
    const text = (r: string | { message: string } | null | undefined) => (typeof r === 'object' && r !== null ? r.message : r)
    class Custom {
      readonly kind = 'custom'
    }
    const issues: Record<string, unknown>[] = [
      ...[
        Infinity,
        -Infinity,
        Number.NaN,
        3,
        'x',
        null,
        undefined,
        [],
        {},
        Object.create(null),
        new Date(0),
        new Map(),
        new Custom(),
        1n,
        Symbol('s'),
        () => 1,
      ].map((input) => ({ code: 'invalid_type', expected: 'number', input })),
      { code: 'invalid_type', expected: 'nan', input: 1 },
      { code: 'invalid_value', values: ['a'], input: 'b' },
      { code: 'invalid_value', values: [1n], input: 'b' },
      { code: 'invalid_value', values: ['a', 2, true, 3n, null], input: 'b' },
      ...(['string', 'array', 'set', 'map', 'file', 'number', 'bigint', 'date', undefined] as const).flatMap((origin) =>
        [{ inclusive: true }, { inclusive: false }, { exact: true, inclusive: true }].flatMap((bound) => [
          { code: 'too_big', origin, maximum: 9, input: 10, ...bound },
          { code: 'too_small', origin, minimum: 2, input: 1, ...bound },
        ]),
      ),
      { code: 'invalid_format', format: 'regex', pattern: '/^a+$/', input: 'b' },
      { code: 'unrecognized_keys', keys: ['typo'], input: {} },
      { code: 'unrecognized_keys', keys: ['typo', 'other'], input: {} },
      { code: 'invalid_key', origin: 'record', input: {} },
      { code: 'invalid_key', origin: 'map', input: new Map() },
    ]
    for (const issue of issues) {
      expect(
        text(optionMessages(issue as never)),
        JSON.stringify(issue, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toBe(text(english(issue)))
    }
    // Kinds core's schemas never word (unions, custom checks): no text of ours, so zod's "Invalid input".
    expect(optionMessages({ code: 'custom', input: 1 } as never)).toBeUndefined()
    expect(optionMessages({ code: 'invalid_format', format: 'email', input: 'b' } as never)).toBeUndefined()
    expect(text(english({ code: 'invalid_union', input: 1, errors: [] }))).toBe('Invalid input')
  })

  it('a wrong type, an unknown option, a value out of range or of a list: the messages users see', () => {
    const message = (options: object) => {
      try {
        createResourceServer({ issuer: 'https://as.example.com', clientId: 'a', clientSecret: 'b', ...options } as never)
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigurationError)
        return (err as ConfigurationError).message
      }
      throw new Error('expected a ConfigurationError')
    }
    const prefix = 'Invalid resource server options: '
    expect(message({ tryAllIntrospectionEndpoints: 'yes' })).toBe(
      `${prefix}tryAllIntrospectionEndpoints: Invalid input: expected boolean, received string`,
    )
    expect(message({ typo: 1, other: 2 })).toBe(`${prefix}Unrecognized keys: "typo", "other"`)
    expect(message({ bearer: { maxLength: 8 } })).toBe(`${prefix}bearer.maxLength: Too small: expected number to be >=16`)
    expect(message({ bearer: { maxLength: 1e6 } })).toBe(`${prefix}bearer.maxLength: Too big: expected number to be <=65536`)
    expect(message({ tokenFormat: 'opaque' })).toBe(`${prefix}tokenFormat: Invalid option: expected one of "introspection"|"jwt"|"auto"`)
    expect(message({ decryptionKeys: [] })).toBe(`${prefix}decryptionKeys: Too small: expected array to have >=1 items`)
    expect(message({ bearer: { maxLength: Number.NaN } })).toBe(`${prefix}bearer.maxLength: Invalid input: expected number, received NaN`)
    expect(message({ everyRoute: { scopes: [''] } })).toBe(
      `${prefix}everyRoute.scopes.0: Too small: expected string to have >=1 characters; everyRoute.scopes.0: expected a scope token (no space or quote)`,
    )
  })
})
