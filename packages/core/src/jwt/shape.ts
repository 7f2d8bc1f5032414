/**
 * The shape of a compact JWS, looked at without verifying anything: used to route a token (JWT or
 * opaque, which issuer) before any cryptography or network call.
 *
 * @module jwt/shape
 */
import * as jose from 'jose'

/** Two dots and no more: the shape of a compact JWS. */
export function looksLikeJws(token: string): boolean {
  const first = token.indexOf('.')
  if (first <= 0) return false
  const second = token.indexOf('.', first + 1)
  return second !== -1 && token.indexOf('.', second + 1) === -1
}

/** Quick, unverified look at a compact JWS: its claims if it is one, else `undefined`. Used for routing only. */
export function peekJwt(token: string): jose.JWTPayload | undefined {
  if (!looksLikeJws(token)) return undefined
  try {
    return jose.decodeJwt(token)
  } catch {
    return undefined
  }
}
