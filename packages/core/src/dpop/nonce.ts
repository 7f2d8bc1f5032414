/**
 * Server-provided DPoP nonces (RFC 9449 §9): stateless, so instances that share the secret share the
 * nonces with no store. The nonce of a time slot is base64url(HMAC-SHA-256(secret, slot)); the
 * current slot's and the previous one's are accepted, so a nonce lives between one and two rotation
 * periods. A refused or missing nonce is answered `use_dpop_nonce` with the current one in `DPoP-Nonce`.
 *
 * @module dpop/nonce
 */
import { base64url } from 'jose'
import { hmacSha256 } from '../hash/index.js'

const encoder = new TextEncoder()

export class NonceSource {
  readonly #key: Uint8Array
  readonly #rotationMs: number
  readonly #clock: () => number
  #slot = Number.NaN
  #current = ''
  #previous = ''

  constructor(secret: string, rotationSeconds: number, clock: () => number) {
    this.#key = encoder.encode(secret)
    this.#rotationMs = rotationSeconds * 1000
    this.#clock = clock
  }

  /** The nonce to hand out now. */
  current(): string {
    this.#refresh()
    return this.#current
  }

  /** Is `nonce` the current or the previous slot's nonce? */
  accepts(nonce: unknown): boolean {
    if (typeof nonce !== 'string' || nonce === '') return false
    this.#refresh()
    return nonce === this.#current || nonce === this.#previous
  }

  #refresh(): void {
    const slot = Math.floor(this.#clock() / this.#rotationMs)
    if (slot === this.#slot) return
    this.#previous = slot === this.#slot + 1 ? this.#current : this.#nonce(slot - 1)
    this.#current = this.#nonce(slot)
    this.#slot = slot
  }

  #nonce(slot: number): string {
    return base64url.encode(hmacSha256(this.#key, encoder.encode(`dpop-nonce:${slot}`)))
  }
}
