/**
 * The credentials of an `Authorization` header when DPoP is accepted: `Bearer <token>` (RFC 6750)
 * or `DPoP <token>` (RFC 9449 §7.1), same token syntax and bounds.
 *
 * @module sender-constraint/credentials
 */
import { type BearerOptions, extractBearerToken } from '../bearer.js'
import { BearerError } from '../errors.js'

export interface Credentials {
  scheme: 'bearer' | 'dpop'
  token: string
}

const DPOP_PREFIX = /^[Dd][Pp][Oo][Pp] /

/** The token and its scheme, `undefined` for no credentials (or another scheme). Throws `invalid_request` for a malformed one. */
export function extractCredentials(header: string | readonly string[] | null | undefined, options: BearerOptions): Credentials | undefined {
  if (header === undefined || header === null) return undefined
  if (typeof header !== 'string') {
    if (header.length > 1) throw new BearerError('invalid_request', 'More than one Authorization header')
    if (header.length === 0) return undefined
    header = header[0]!
  }
  const trimmed = header.replace(/^ +/, '')
  if (!DPOP_PREFIX.test(trimmed)) {
    const token = extractBearerToken(header, options)
    return token === undefined ? undefined : { scheme: 'bearer', token }
  }
  if (trimmed.slice(5).trim() === '') throw new BearerError('invalid_request', 'The DPoP scheme has no token')
  // Same syntax as Bearer (token68 / b64token), same bounds; base64-decoding is a Bearer-only accommodation.
  const token = extractBearerToken(`Bearer ${trimmed.slice(5)}`, { maxLength: options.maxLength ?? 8192 })
  if (token === undefined) throw new BearerError('invalid_request', 'The DPoP scheme has no token')
  return { scheme: 'dpop', token }
}
