/**
 * A DPoP proof JWT checked as RFC 9449 §4.3 says: one `DPoP` header, `typ: dpop+jwt`, an allow-listed
 * asymmetric `alg`, a public `jwk` in the header (a private or symmetric one is refused), the
 * signature (jose), `jti`, `htm`, `htu`, `iat` within the window, `ath` (the token's hash) and, when
 * configured, the server nonce. The replay check (`jti`) is `replay.ts`'s, made once everything
 * else holds.
 *
 * @module dpop/proof
 */
import * as jose from 'jose'
import { MemoryCache } from '../cache/index.js'
import { BearerError } from '../errors.js'
import { sha256 } from '../hash/index.js'
import { joseReason } from '../jose-errors.js'
import type { HttpRequestInput } from '../resource-server/request.js'
import { expectedHtu, normaliseHtu, type PublicBase } from './htu.js'
import type { NonceSource } from './nonce.js'

/** Asymmetric algorithms a proof may use; `none` and HS* never are. */
export const DPOP_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'] as const
export type DpopAlgorithm = (typeof DPOP_ALGS)[number]
/** Accepted unless `dpop.algorithms` says otherwise. */
export const DEFAULT_DPOP_ALGS: readonly DpopAlgorithm[] = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA', 'Ed25519']

/** Everything a proof check needs, resolved at construction. */
export interface ProofSettings {
  algorithms: readonly DpopAlgorithm[]
  /** Seconds: the oldest `iat` accepted is now − maxAge − clockTolerance. */
  maxAge: number
  clockTolerance: number
  clock: () => number
  publicBase: PublicBase | undefined
  nonces: NonceSource | undefined
}

/** A proof that holds (the replay check aside). */
export interface VerifiedProof {
  /** RFC 7638 thumbprint (SHA-256) of the proof's public key: what `cnf.jkt` must equal. */
  jkt: string
  jti: string
  iat: number
}

const MAX_PROOF_LENGTH = 8192
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const encoder = new TextEncoder()

function invalid(description: string, cause?: unknown): BearerError {
  return new BearerError('invalid_dpop_proof', description, cause === undefined ? {} : { cause })
}

/** The one `DPoP` header value, or a refusal (none, several, oversized). */
export function singleProof(value: string | readonly string[] | undefined): string {
  if (value !== undefined && typeof value !== 'string') {
    if (value.length > 1) throw invalid('More than one DPoP header')
    value = value[0]
  }
  if (value === undefined || value.trim() === '') throw invalid('The DPoP scheme needs a DPoP proof header')
  value = value.trim()
  // A Fetch `Headers` joins repeated headers with ", "; a compact JWS has neither.
  if (value.includes(',') || value.includes(' ')) throw invalid('More than one DPoP header')
  if (value.length > MAX_PROOF_LENGTH) throw invalid('The DPoP proof is too long')
  return value
}

interface ImportedProofKey {
  key: CryptoKey
  jkt: string
}

/**
 * Proof keys by algorithm and JWK: a client signs every proof with one key, so importing it (and
 * hashing its thumbprint) once saves most of the cost of a proof. Bounded; a failed import is not kept.
 */
class ProofKeys {
  readonly #keys = new MemoryCache<Promise<ImportedProofKey>>({ maxEntries: 1000 })

  get(header: jose.JWTHeaderParameters): Promise<ImportedProofKey> {
    const jwk = header.jwk as unknown
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
      return Promise.reject(invalid('The DPoP proof header has no "jwk" object'))
    const members = jwk as Record<string, unknown>
    for (const name of PRIVATE_MEMBERS) {
      if (members[name] !== undefined) return Promise.reject(invalid('The DPoP proof header carries a private or symmetric key'))
    }
    if (members.use !== undefined && members.use !== 'sig') return Promise.reject(invalid('The DPoP proof key is not a signing key'))
    if (members.alg !== undefined && members.alg !== header.alg)
      return Promise.reject(invalid('The DPoP proof key is for another algorithm'))
    const id = `${header.alg} ${JSON.stringify(jwk)}`
    let imported = this.#keys.get(id)
    if (imported === undefined) {
      imported = this.#importKey(jwk as jose.JWK, header.alg!)
      this.#keys.set(id, imported, Infinity) // kept until evicted
      imported.catch(() => this.#keys.delete(id))
    }
    return imported
  }

  async #importKey(jwk: jose.JWK, alg: string): Promise<ImportedProofKey> {
    let key: CryptoKey | Uint8Array
    try {
      key = await jose.importJWK(jwk, alg)
    } catch (err) {
      throw invalid(`The DPoP proof key could not be imported (${joseReason(err)})`, err)
    }
    if (key instanceof Uint8Array || key.type !== 'public') throw invalid('The DPoP proof key is not a public key')
    return { key, jkt: await jose.calculateJwkThumbprint(jwk, 'sha256') }
  }
}

/** Verifies DPoP proofs against one resource server's settings. */
export class ProofVerifier {
  readonly #settings: ProofSettings
  readonly #keys = new ProofKeys()

  constructor(settings: ProofSettings) {
    this.#settings = settings
  }

  get algorithms(): readonly DpopAlgorithm[] {
    return this.#settings.algorithms
  }

  /** Checks the request's proof for `token`; rejects with `invalid_dpop_proof` / `use_dpop_nonce`. */
  async verify(request: HttpRequestInput, proofHeader: string | readonly string[] | undefined, token: string): Promise<VerifiedProof> {
    const s = this.#settings
    const proof = singleProof(proofHeader)
    let imported: ImportedProofKey | undefined
    let result: jose.JWTVerifyResult
    try {
      result = await jose.jwtVerify(proof, async (header) => (imported = await this.#keys.get(header)).key, {
        typ: 'dpop+jwt',
        algorithms: [...s.algorithms],
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
        currentDate: new Date(s.clock()),
      })
    } catch (err) {
      if (err instanceof BearerError) throw err
      throw invalid(`The DPoP proof is not valid (${joseReason(err)})`, err)
    }
    const { payload } = result
    const { jti, htm, htu, iat, ath, nonce } = payload as Record<string, unknown>
    if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw invalid('The DPoP proof has no valid "jti"')
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('The DPoP proof has no valid "iat"')
    const now = s.clock() / 1000
    if (iat > now + s.clockTolerance) throw invalid('The DPoP proof was issued in the future')
    if (iat < now - s.maxAge - s.clockTolerance) throw invalid('The DPoP proof is too old')
    if (typeof htm !== 'string' || htm !== request.method) throw invalid('The DPoP proof is for another HTTP method (htm)')
    if (typeof htu !== 'string' || normaliseHtu(htu) !== expectedHtu(request, s.publicBase))
      throw invalid('The DPoP proof is for another URL (htu)')
    if (typeof ath !== 'string' || ath !== jose.base64url.encode(sha256(encoder.encode(token)))) {
      throw invalid('The DPoP proof is not for this access token (ath)')
    }
    if (s.nonces !== undefined && !s.nonces.accepts(nonce)) {
      throw new BearerError(
        'use_dpop_nonce',
        nonce === undefined ? 'The resource server requires a nonce in the DPoP proof' : 'The DPoP nonce is stale or unknown',
      )
    }
    return { jkt: imported!.jkt, jti, iat }
  }
}
