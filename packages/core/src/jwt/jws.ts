/**
 * A compact JWS verified step by step, the steps jose's `compactVerify` makes, with the signature
 * step injectable ({@link SignatureVerifier}): shape, protected header, `alg` allow-list and header
 * rules, `crit` refused, the key (jose's remote key set, or the shared secret for HS*) checked
 * against `alg`, then the signature. Failures are jose's errors (or a {@link BearerError} for the
 * header rules), so refusal reasons and messages are those of jose's own verification.
 *
 * @module jwt/jws
 */
import * as jose from 'jose'
import { BearerError } from '../errors.js'
import type { RemoteKeySet } from '../keys/index.js'
import { isCanonicalBase64url } from './shape.js'
import { checkKeyForAlg, type SignatureVerifier, verifySignature } from './signature.js'

/** What verifying a JWS needs. */
export interface JwsSettings {
  algorithms: readonly string[]
  /** Shared secret for HS* algorithms (only then are they allowed). */
  secret: Uint8Array | undefined
  /** `strict`: `typ` must be `at+jwt`; `lenient`: `at+jwt`, `JWT` or none. */
  typ: 'strict' | 'lenient'
  keySet: () => RemoteKeySet
  /** The signature step: the option `signatureVerifier`, else the adapter's, else WebCrypto. */
  signatureVerifier: () => SignatureVerifier
}

const STRICT_TYPS = new Set(['at+jwt', 'application/at+jwt'])
const LENIENT_TYPS = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt'])

/**
 * The header checks that need no key and no network, made before anything else: `alg` a string on
 * the allow-list (never `none`; HS* only with a secret), `typ`, `kid` and `cty` strings when present,
 * `typ` of the expected kind. Throws {@link BearerError} `invalid_token`.
 */
export function checkJwtHeader(settings: Pick<JwsSettings, 'algorithms' | 'secret' | 'typ'>, header: Record<string, unknown>): void {
  const { alg, typ, kid, cty } = header
  if (
    typeof alg !== 'string' ||
    alg.toLowerCase() === 'none' ||
    !settings.algorithms.includes(alg) ||
    (alg.startsWith('HS') && settings.secret === undefined)
  ) {
    throw new BearerError('invalid_token', 'The access token is signed with an algorithm that is not allowed', {
      reason: 'alg_not_allowed',
    })
  }
  if (
    (typ !== undefined && typeof typ !== 'string') ||
    (kid !== undefined && typeof kid !== 'string') ||
    (cty !== undefined && typeof cty !== 'string')
  ) {
    throw new BearerError('invalid_token', 'The access token has a malformed header', { reason: 'malformed_token' })
  }
  const typs = settings.typ === 'strict' ? STRICT_TYPS : LENIENT_TYPS
  if (typ === undefined ? settings.typ === 'strict' : !typs.has(typ.toLowerCase())) {
    throw new BearerError(
      'invalid_token',
      `The access token has the wrong type (typ ${typ === undefined ? 'missing' : JSON.stringify(typ).slice(0, 40)}; at+jwt expected)`,
      { reason: 'wrong_type' },
    )
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

/** A base64url segment as a JSON object, else `error`. */
export function jsonObjectOf(segment: string, error: () => Error): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(jose.base64url.decode(segment)))
  } catch {
    throw error()
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw error()
  return value as Record<string, unknown>
}

/** A verified compact JWS: its protected header, and its payload segment (still encoded). */
export interface VerifiedJws {
  header: Record<string, unknown>
  payload: string
}

/**
 * Verifies a compact JWS: every step but the claims. Throws {@link BearerError} for the header
 * rules, jose's errors for the rest (an `AuthorizationServerError` when the keys cannot be fetched).
 */
export async function verifyCompactJws(settings: JwsSettings, token: string): Promise<VerifiedJws> {
  const parts = token.split('.')
  if (parts.length !== 3) throw new jose.errors.JWSInvalid('Invalid Compact JWS')
  const [protectedHeader, payload, signature] = parts as [string, string, string]
  if (!isCanonicalBase64url(protectedHeader) || !isCanonicalBase64url(payload) || !isCanonicalBase64url(signature))
    throw new jose.errors.JWSInvalid('JWS segments must be canonical base64url')
  const header = jsonObjectOf(protectedHeader, () => new jose.errors.JWSInvalid('JWS Protected Header is invalid'))
  checkJwtHeader(settings, header)
  // No extension is understood: a critical one (RFC 7515 §4.1.11), or `b64: false` (RFC 7797), is refused.
  if (header.crit !== undefined) throw new jose.errors.JOSENotSupported('"crit" (Critical) Header Parameter is not supported')
  const alg = header.alg as string
  const key: unknown = alg.startsWith('HS')
    ? settings.secret
    : await settings.keySet().getKey(header as jose.JWSHeaderParameters, { protected: protectedHeader, payload, signature })
  checkKeyForAlg(alg, key)
  const data = encoder.encode(token.slice(0, protectedHeader.length + 1 + payload.length))
  await verifySignature(settings.signatureVerifier(), alg, key, jose.base64url.decode(signature), data)
  return { header, payload }
}
