/**
 * Keys: the resource server's own private keys (for `private_key_jwt` and to decrypt encrypted
 * introspection responses, published through {@link publicJwks}), and the authorization server's
 * published keys, fetched and cached with a refetch cooldown.
 *
 * @module keys
 */
import * as jose from 'jose'
import { AuthorizationServerError } from './errors.js'
import type { FetchLike } from './http.js'

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

const DEFAULT_SIGNING_ALG: Record<string, string> = { RSA: 'RS256', 'EC:P-256': 'ES256', 'EC:P-384': 'ES384', 'EC:P-521': 'ES512', OKP: 'EdDSA' }
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

/** Options of {@link RemoteKeySet}. */
export interface RemoteKeySetOptions {
  /** Milliseconds a fetched key set is used before it is refetched. Default 10 minutes. */
  cacheMaxAge?: number
  /** Minimum milliseconds between two fetches, whatever the `kid`s asked for. Default 30 s. */
  cooldown?: number
  /** Fetch timeout in milliseconds. Default 5000. */
  timeout?: number
  fetch?: FetchLike | undefined
}

/**
 * The authorization server's published keys. Fetched on first use, reused for `cacheMaxAge`,
 * refetched when a token names an unknown `kid` but at most once per `cooldown`, so a flood of
 * random `kid`s cannot make us hammer the AS.
 */
export class RemoteKeySet {
  readonly url: URL
  readonly #getKey: ReturnType<typeof jose.createRemoteJWKSet>
  /** Counts JWKS fetches, so the `kid` set below is recomputed only after one. */
  #fetches = 0
  #kids: Set<string | undefined> | undefined
  #kidsAtFetch = -1

  constructor(url: string | URL, options: RemoteKeySetOptions = {}) {
    this.url = new URL(url)
    const fetchImpl = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init))
    this.#getKey = jose.createRemoteJWKSet(this.url, {
      cacheMaxAge: options.cacheMaxAge ?? 600_000,
      cooldownDuration: options.cooldown ?? 30_000,
      timeoutDuration: options.timeout ?? 5_000,
      headers: { accept: 'application/jwk-set+json, application/json' },
      [jose.customFetch]: (url: string, init: RequestInit) => {
        this.#fetches++
        return fetchImpl(url, init)
      },
    })
  }

  /**
   * Resolves the key for a JWS header. A `kid` that is not published (after a refetch when allowed)
   * rejects with jose's `JWKSNoMatchingKey`; a key set that cannot be fetched or parsed rejects with
   * an {@link AuthorizationServerError}.
   */
  getKey = async (header: jose.JWSHeaderParameters, input: jose.FlattenedJWSInput): Promise<CryptoKey> => {
    try {
      return (await this.#getKey(header, input)) as CryptoKey
    } catch (err) {
      if (err instanceof jose.errors.JWKSNoMatchingKey || err instanceof jose.errors.JWKSMultipleMatchingKeys) throw err
      if (err instanceof jose.errors.JWKSTimeout) {
        throw new AuthorizationServerError('timeout', `The JWKS at ${this.url.origin}${this.url.pathname} did not answer in time`, { cause: err })
      }
      if (err instanceof jose.errors.JOSEError && !(err instanceof jose.errors.JWKSInvalid)) {
        // e.g. a JWK of an unsupported type for this alg: the key set is unusable for this header.
        if (err instanceof jose.errors.JOSENotSupported) throw err
      }
      throw new AuthorizationServerError('network', `The JWKS at ${this.url.origin}${this.url.pathname} could not be fetched or used`, { cause: err })
    }
  }

  /** Is a key with this `kid` in the set as last fetched? (Used so a cached verdict never outlives its key.) */
  hasKid(kid: string | undefined): boolean {
    // jose's jwks() returns a deep copy: read it once per fetch, once that fetch has been applied.
    if (this.#kidsAtFetch !== this.#fetches && !this.#getKey.reloading) {
      this.#kids = new Set(this.#getKey.jwks()?.keys.map((k) => k.kid))
      this.#kidsAtFetch = this.#fetches
    }
    return this.#kids?.has(kid) ?? false
  }

  /** Was the key set fetched more than `cacheMaxAge` ago (or never)? */
  get stale(): boolean {
    return !this.#getKey.fresh
  }
}
