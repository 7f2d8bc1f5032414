/**
 * The resource server's own private keys: for `private_key_jwt`, and to decrypt encrypted
 * introspection responses (their public halves are published through {@link publicJwks}).
 *
 * @module keys/private-keys
 */
import * as jose from 'jose'

/**
 * A private key given as a JWK (its `alg` and `kid` are used when present), or as PKCS#8 PEM with
 * the algorithm it is for.
 *
 * @example
 * ```ts
 * const key: PrivateKeyInput = { pem: process.env.RS_PRIVATE_KEY!, alg: 'RSA-OAEP-256', kid: 'rs-enc-1' }
 * ```
 */
export type PrivateKeyInput = jose.JWK | { pem: string; alg: string; kid?: string }

/** An imported key with its metadata. */
export interface ImportedKey {
  key: CryptoKey
  alg: string
  kid: string | undefined
  /** The public JWK (no private member), with `kid`, `alg` and `use`. */
  publicJwk: jose.JWK
}

const DEFAULT_SIGNING_ALG: Record<string, string> = {
  RSA: 'RS256',
  'EC:P-256': 'ES256',
  'EC:P-384': 'ES384',
  'EC:P-521': 'ES512',
  OKP: 'EdDSA',
}
const DEFAULT_ENC_ALG: Record<string, string> = { RSA: 'RSA-OAEP-256', EC: 'ECDH-ES', OKP: 'ECDH-ES' }

/** The algorithm a JWK is for: its `alg`, or a default for its key type and purpose. */
export function jwkAlgorithm(jwk: jose.JWK, use: 'sign' | 'enc'): string | undefined {
  if (jwk.alg) return jwk.alg
  if (use === 'enc') return DEFAULT_ENC_ALG[jwk.kty ?? '']
  return DEFAULT_SIGNING_ALG[jwk.kty === 'EC' ? `EC:${jwk.crv}` : (jwk.kty ?? '')]
}

/** Imports a private key from a JWK or PEM and derives its public JWK. */
export async function importPrivateKey(input: PrivateKeyInput, use: 'sign' | 'enc'): Promise<ImportedKey> {
  let key: CryptoKey
  let alg: string
  let kid: string | undefined
  if ('pem' in input && typeof input.pem === 'string') {
    alg = input.alg
    kid = input.kid
    key = await jose.importPKCS8(input.pem, alg, { extractable: true })
  } else {
    const jwk = input as jose.JWK
    alg = jwkAlgorithm(jwk, use)!
    kid = jwk.kid
    key = (await jose.importJWK(jwk, alg, { extractable: true })) as CryptoKey
  }
  const exported = await jose.exportJWK(key)
  const publicJwk: jose.JWK = { kty: exported.kty }
  for (const member of ['crv', 'x', 'y', 'n', 'e'] as const) if (exported[member] !== undefined) publicJwk[member] = exported[member]
  kid ??= await jose.calculateJwkThumbprint(publicJwk)
  return { key, alg, kid, publicJwk: { ...publicJwk, kid, use, alg } }
}

/** The public JWKS to publish for a set of private keys: public members only, with `kid`, `use`, `alg`. */
export function publicJwks(keys: readonly ImportedKey[]): { keys: jose.JWK[] } {
  return { keys: keys.map((k) => ({ ...k.publicJwk })) }
}
