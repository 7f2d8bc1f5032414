/**
 * zod's English messages, for the issues core's option schemas can raise and no more.
 *
 * `zod/mini` has no messages of its own ("Invalid input" for everything) and its `en` locale
 * (`zod/locales`) is 2.6 KB minified in an edge bundle, most of it for string formats (email, uuid,
 * ISO dates…), sets, maps and files that no option of core uses. This map words every issue core's
 * schemas raise exactly as `en` does; an issue it does not word gets zod's "Invalid input", which is
 * also what `en` says for those (unions, custom checks). test/option-messages.test.ts parses hostile
 * options with both maps, through every option schema, and compares the messages.
 *
 * @module option-messages
 */
import type * as z from 'zod/mini'

const UNITS: Record<string, string> = { string: 'characters', array: 'items', set: 'items', map: 'entries', file: 'bytes' }

/** zod's `util.parsedType` (its `util` namespace is not tree-shakable: 4.6 KB if reached). */
function parsedType(data: unknown): string {
  if (typeof data === 'number') return Number.isNaN(data) ? 'nan' : 'number'
  if (typeof data !== 'object') return typeof data
  if (data === null) return 'null'
  if (Array.isArray(data)) return 'array'
  if (Object.getPrototypeOf(data) !== Object.prototype && 'constructor' in data && data.constructor)
    return (data.constructor as { name: string }).name
  return 'object'
}

/** zod's `util.joinValues`: each value as `stringifyPrimitive` writes it. */
function joinValues(values: readonly unknown[], separator: string): string {
  return values.map((v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? `"${v}"` : String(v))).join(separator)
}

function typeName(type: string, input?: unknown): string {
  if (type === 'number' && typeof input === 'number' && !Number.isFinite(input)) return String(input)
  return type === 'nan' ? 'NaN' : type
}

/** The error map passed to every option parse (core sets no global zod configuration). */
export const optionMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${typeName(issue.expected)}, received ${typeName(parsedType(issue.input), issue.input)}`
    case 'invalid_value':
      return issue.values.length === 1
        ? `Invalid input: expected ${joinValues(issue.values, '')}`
        : `Invalid option: expected one of ${joinValues(issue.values, '|')}`
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big'
      const adj = issue.exact ? 'exactly ' : issue.inclusive ? (big ? '<=' : '>=') : big ? '<' : '>'
      const bound = String(big ? issue.maximum : issue.minimum)
      const origin = big ? (issue.origin ?? 'value') : issue.origin
      const unit = UNITS[issue.origin]
      return `Too ${big ? 'big' : 'small'}: expected ${origin} to ${unit ? `have ${adj}${bound} ${unit}` : `be ${adj}${bound}`}`
    }
    case 'invalid_format':
      // The only string format core's schemas check (no z.email(), z.url()…); others keep zod's "Invalid input".
      return issue.format === 'regex' ? `Invalid string: must match pattern ${issue.pattern}` : undefined
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${joinValues(issue.keys, ', ')}`
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`
    default:
      return undefined
  }
}
