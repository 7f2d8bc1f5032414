/**
 * Which signature verifier a resource server's JWT verifications use: the `signatureVerifier`
 * option when given, else the default an adapter set ({@link setDefaultSignatureVerifier}), else
 * WebCrypto. One verification pipeline whatever the choice: only its signature step changes.
 *
 * @module resource-server/signature-choice
 */
import { ConfigurationError } from '../errors.js'
import { type SignatureVerifier, webCryptoSignatureVerifier } from '../jwt/index.js'
import type { ResourceServer } from './types.js'

/** The choice of one resource server. */
export class SignatureChoice {
  readonly #chosen: SignatureVerifier | undefined
  #default: SignatureVerifier | undefined

  constructor(chosen: SignatureVerifier | undefined) {
    this.#chosen = chosen
  }

  /** The verifier to use now. */
  readonly current = (): SignatureVerifier => this.#chosen ?? this.#default ?? webCryptoSignatureVerifier

  setDefault(verifier: SignatureVerifier): void {
    this.#default = verifier
  }
}

const choices = new WeakMap<object, SignatureChoice>()

/** Ties a resource server to its choice (at creation). */
export function attachSignatureChoice(rs: ResourceServer, choice: SignatureChoice): void {
  choices.set(rs, choice)
}

/**
 * Sets the signature verifier `rs` uses for JWT access tokens when its options name none
 * (`signatureVerifier`, which always wins). The Node adapters call it when they protect a route,
 * with `nodeSignatureVerifier(crypto)`, so that on Node JWTs are verified with `node:crypto`
 * without any configuration; elsewhere the default stays WebCrypto. Has no effect on an object
 * that `createResourceServer` did not return.
 *
 * @example
 * ```ts
 * import * as crypto from 'node:crypto'
 * const verifier = nodeSignatureVerifier(crypto) // once, at module load
 * setDefaultSignatureVerifier(rs, verifier)
 * ```
 * @throws ConfigurationError - when `verifier` is not a function.
 */
export function setDefaultSignatureVerifier(
  rs: ResourceServer,
  verifier: SignatureVerifier,
  component = 'setDefaultSignatureVerifier',
): void {
  if (typeof verifier !== 'function') {
    throw new ConfigurationError(component, [{ path: 'verifier', message: 'expected a function (alg, key, signature, data) => boolean' }])
  }
  choices.get(rs)?.setDefault(verifier)
}
