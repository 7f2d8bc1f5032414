/**
 * The shape of a compact JWS / JWE, looked at without verifying anything: used to route a token (JWT
 * or opaque, which issuer) and to refuse what can be refused locally, before any cryptography or
 * network call. Every segment of a JWT must be canonical base64url (RFC 7515 §2, RFC 4648 §3.5):
 * no padding, no unused bits set, so one token has exactly one spelling (and one cache entry).
 *
 * @module jwt/shape
 */
import { BearerError } from '../errors.js'

/** Two dots and no more: the shape of a compact JWS. */
export function looksLikeJws(token: string): boolean {
  const first = token.indexOf('.')
  if (first <= 0) return false
  const second = token.indexOf('.', first + 1)
  return second !== -1 && token.indexOf('.', second + 1) === -1
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Is `segment` canonical base64url: only the URL-safe alphabet, no `=`, a possible length, zero unused bits? */
export function isCanonicalBase64url(segment: string): boolean {
  if (!BASE64URL.test(segment)) return false
  const rest = segment.length % 4
  if (rest === 0) return true
  if (rest === 1) return false
  const last = ALPHABET.indexOf(segment[segment.length - 1]!)
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Lenient base64url → JSON value (padding and `+`/`/` tolerated: only to tell whether a token claims to be a JWT). */
function decodeJsonSegment(segment: string): unknown {
  try {
    const b64 = segment.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/')
    const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A token that claims to be a JWT: its kind, and the (unverified) header and, for a JWS, payload. */
export interface JwtShape {
  kind: 'jws' | 'jwe'
  header: Record<string, unknown>
  /** For a JWS: the decoded payload, `undefined` if it is not a JSON object. */
  payload: Record<string, unknown> | undefined
}

/**
 * Does this token claim to be a JWT (three or five dot-separated segments, the first a JSON
 * object)? Then every segment must be canonical base64url, else {@link BearerError} `invalid_token`.
 * Anything else (an opaque token, even with dots) is `undefined`.
 */
export function jwtShape(token: string): JwtShape | undefined {
  const parts = token.split('.', 6)
  if (parts.length !== 3 && parts.length !== 5) return undefined
  const header = decodeJsonSegment(parts[0]!)
  if (!isObject(header)) return undefined
  for (let i = 0; i < parts.length; i++) {
    if (!isCanonicalBase64url(parts[i]!)) {
      throw new BearerError('invalid_token', 'The access token is not a well-formed JWT (non-canonical base64url)', {
        reason: 'malformed_token',
      })
    }
  }
  if (parts.length === 5) return { kind: 'jwe', header, payload: undefined }
  const payload = decodeJsonSegment(parts[1]!)
  return { kind: 'jws', header, payload: isObject(payload) ? payload : undefined }
}
