/**
 * What the vendor presets share: the options a preset decides itself (so they are not in its own
 * options type), URL joining, and a {@link ConfigurationError} naming the preset's option.
 *
 * @module presets/shared
 */
import { ConfigurationError } from '../errors.js'
import type { ResourceServerOptions } from '../resource-server/index.js'

/** Options every JWT preset sets itself: where the AS and its keys are, how tokens are checked. */
export type PresetManaged = 'issuer' | 'issuers' | 'introspectionEndpoint' | 'jwksUri' | 'introspection'

/** The options a preset passes through unchanged. */
export type PassThroughOptions = Omit<ResourceServerOptions, PresetManaged>

/** Throws a {@link ConfigurationError} naming `path` of the preset `preset`. */
export function presetError(preset: string, path: string, message: string): never {
  throw new ConfigurationError(`${preset}()`, [{ path, message }])
}

/** A required string option of a preset, or a {@link ConfigurationError} naming it. */
export function requireString(preset: string, path: string, value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') presetError(preset, path, `required: ${what}`)
  return value
}

/** `base` without trailing slashes, then `path`: an endpoint under an issuer. */
export function under(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`
}

/** `jwt` options with a lenient `typ` (vendors whose access tokens are typed `JWT` or not at all), unless the caller set it. */
export function lenientJwt(jwt: ResourceServerOptions['jwt']): NonNullable<ResourceServerOptions['jwt']> {
  return { typ: 'lenient', ...jwt }
}
