/**
 * jose's errors, described for our messages.
 *
 * @module jose-errors
 */
import * as jose from 'jose'

/** A short reason from a jose error, safe for messages (jose never puts key material in them). */
export function joseReason(err: unknown): string {
  if (err instanceof jose.errors.JOSEError) return `${err.code}: ${err.message}`
  if (err instanceof Error) return err.message
  return String(err)
}
