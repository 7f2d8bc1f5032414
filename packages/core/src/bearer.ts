/**
 * Bearer token extraction from an `Authorization` header (RFC 6750 §2.1).
 *
 * @module bearer
 */
import { BearerError } from './errors.js'

/** Options of {@link extractBearerToken}. */
export interface BearerOptions {
  /** Longest token accepted, in characters. Default 8192. */
  maxLength?: number
  /**
   * ProConnect's sample service providers base64-encode the access token before sending it. With
   * `true`, a credential that is strict standard base64 and decodes to a valid token is decoded
   * first; anything else is taken as is. Default `false`.
   */
  acceptBase64?: boolean
}

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
const SIMPLE_BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9\-._~+/]+=*)$/
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BEARER_PREFIX = /^[Bb][Ee][Aa][Rr][Ee][Rr] /
/** `maxLength` when not given. */
const DEFAULT_MAX_LENGTH = 8192

/**
 * The credential of a `Bearer <credential>` header, cut without reading its characters, or
 * `undefined` (not a string, another scheme, longer than `maxLength`, or `acceptBase64`). Only for a lookup in the
 * caches of tokens already judged, whose keys come from tokens {@link extractBearerToken} or
 * {@link checkBearerToken} accepted: a hit (an exact match, through SHA-256) means the credential is
 * one of them, character for character, so the RFC 6750 check is not run again on a warm request
 * (it is the costliest step there: ~0.47 µs on an 840-character JWT). A miss goes through
 * {@link extractBearerToken}. Not with `acceptBase64`, where the token is not the credential as written.
 *
 * @internal
 */
export function bearerCredential(header: unknown, options: BearerOptions = {}): string | undefined {
  if (options.acceptBase64 || typeof header !== 'string' || header.length <= 7) return undefined
  if (header.length > (options.maxLength ?? DEFAULT_MAX_LENGTH) + 7 || !BEARER_PREFIX.test(header)) return undefined
  return header.slice(7)
}

/**
 * Returns the access token of an `Authorization` header value, or `undefined` when the request
 * carries no bearer credentials (no header, an empty one, or another scheme such as Basic).
 * Throws a {@link BearerError} `invalid_request` (400) for a malformed or oversized credential.
 *
 * @example
 * ```ts
 * extractBearerToken('Bearer mF_9.B5f-4.1JqM') // 'mF_9.B5f-4.1JqM'
 * extractBearerToken(undefined)               // undefined
 * extractBearerToken('Bearer a b')            // throws BearerError invalid_request
 * ```
 */
export function extractBearerToken(input: string | readonly string[] | null | undefined, options: BearerOptions = {}): string | undefined {
  const raw: unknown = input
  if (raw === undefined || raw === null) return undefined
  let header: string
  if (typeof raw === 'string') header = raw
  else {
    // Plain JavaScript callers and frameworks can hand over anything: only a string (or an array of one) is a header.
    if (!Array.isArray(raw)) throw new BearerError('invalid_request', 'The Authorization header is not a string')
    if (raw.length > 1) throw new BearerError('invalid_request', 'More than one Authorization header')
    if (raw.length === 0) return undefined
    if (typeof raw[0] !== 'string') throw new BearerError('invalid_request', 'The Authorization header is not a string')
    header = raw[0]
  }
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
  // A generous bound on the whole header before any work on it.
  if (header.length > maxLength + 64) throw new BearerError('invalid_request', `The bearer token is longer than ${maxLength} characters`)
  // Fast path, one pass: a well-formed "Bearer <b64token>" (the usual case) needs no further checks.
  const simple = SIMPLE_BEARER.exec(header)
  if (simple !== null && simple[1]!.length <= maxLength) {
    return options.acceptBase64 ? (decodeBase64Token(simple[1]!) ?? simple[1]!) : simple[1]!
  }
  const value = header.trim()
  if (value === '') return undefined
  const space = value.indexOf(' ')
  const scheme = space === -1 ? value : value.slice(0, space)
  if (scheme.toLowerCase() !== 'bearer') return undefined
  const credentials = space === -1 ? '' : value.slice(space + 1).replace(/^ +/, '')
  if (credentials === '') throw new BearerError('invalid_request', 'The Bearer scheme has no token')
  if (/[ \t,]/.test(credentials)) throw new BearerError('invalid_request', 'The Authorization header must carry exactly one bearer token')
  if (credentials.length > maxLength) throw new BearerError('invalid_request', `The bearer token is longer than ${maxLength} characters`)
  if (!B64TOKEN.test(credentials)) throw new BearerError('invalid_request', 'The bearer token has characters RFC 6750 does not allow')
  if (options.acceptBase64) return decodeBase64Token(credentials) ?? credentials
  return credentials
}

/**
 * Checks a token given on its own (`verifyToken`) as {@link extractBearerToken} checks the one in a
 * header: a non-empty string of RFC 6750 b64token characters, at most `maxLength` long. Throws
 * {@link BearerError} `invalid_request` (a token that is not a string, empty, with spaces or CR/LF…).
 */
export function checkBearerToken(token: unknown, options: BearerOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH
  if (typeof token !== 'string') throw new BearerError('invalid_request', 'The bearer token is not a string')
  if (token === '') throw new BearerError('invalid_request', 'The bearer token is empty')
  if (token.length > maxLength) throw new BearerError('invalid_request', `The bearer token is longer than ${maxLength} characters`)
  if (!B64TOKEN.test(token)) throw new BearerError('invalid_request', 'The bearer token has characters RFC 6750 does not allow')
  return token
}

/** The decoded token if `value` is strict base64 of a valid b64token, else `undefined`. */
function decodeBase64Token(value: string): string | undefined {
  if (value.length < 8 || !STRICT_BASE64.test(value)) return undefined
  let decoded: string
  try {
    decoded = atob(value)
  } catch {
    return undefined
  }
  return B64TOKEN.test(decoded) ? decoded : undefined
}
