/**
 * The platform crypto of a resource server's JWT path: which signature verifier its verifications
 * use (the `signatureVerifier` option when given, else the default an adapter set with
 * {@link setDefaultSignatureVerifier} or {@link useNodeCrypto}, else WebCrypto), and which SHA-256
 * makes the verified-JWT cache keys (core's own JavaScript one, or `node:crypto`'s one-shot `hash`
 * once {@link useNodeCrypto} was called). One verification pipeline whatever the choice: only its
 * signature step changes; one cache whatever the hash: only the cost of its key changes.
 *
 * @module resource-server/signature-choice
 */
import { ConfigurationError } from '../errors.js'
import { sha256Hex, sha256Key } from '../hash/index.js'
import { type NodeCryptoLike, nodeSignatureVerifier, type SignatureVerifier, webCryptoSignatureVerifier } from '../jwt/index.js'
import type { ResourceServer } from './types.js'

/** The choice of one resource server. */
export class SignatureChoice {
  readonly #chosen: SignatureVerifier | undefined
  #default: SignatureVerifier | undefined
  #tokenKey: (signature: string) => string = sha256Key
  #hexDigest: (value: string, prefix: string) => string = sha256Hex

  constructor(chosen: SignatureVerifier | undefined) {
    this.#chosen = chosen
  }

  /** The verifier to use now. */
  readonly current = (): SignatureVerifier => this.#chosen ?? this.#default ?? webCryptoSignatureVerifier

  /**
   * The in-memory cache key of a JWT's signature: its SHA-256, in a compact form that only this
   * process reads. Switching hashes only turns earlier entries into misses (a hit also needs the
   * exact signed content).
   */
  readonly tokenKey = (signature: string): string => this.#tokenKey(signature)

  /** SHA-256 in lowercase hex after `prefix`: the introspection verdict keys (the same digest whoever computes it). */
  readonly hexDigest = (value: string, prefix: string): string => this.#hexDigest(value, prefix)

  setDefault(verifier: SignatureVerifier): void {
    this.#default = verifier
  }

  /** Both SHA-256 forms at once, from the same implementation (`useNodeCrypto`). */
  setHashes(tokenKey: (signature: string) => string, hexDigest: (value: string, prefix: string) => string): void {
    this.#tokenKey = tokenKey
    this.#hexDigest = hexDigest
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

/** One verifier per `node:crypto` module: its KeyObjects are shared by every route of every resource server. */
const nodeVerifiers = new WeakMap<object, SignatureVerifier>()

/**
 * What the Node adapters (Express, Fastify, Koa, NestJS) call when they protect a route, with Node's
 * `node:crypto` module: from then on `rs` verifies JWT signatures with it (unless the
 * `signatureVerifier` option names a verifier, which always wins), and hashes its verified-JWT cache
 * keys with its one-shot `hash` (the same SHA-256, about three times cheaper per warm request than
 * core's JavaScript one). Core itself imports nothing from Node. Call it yourself when you use core
 * directly on Node (or Bun, Deno) with `import * as crypto from 'node:crypto'`. Has no effect on an
 * object that `createResourceServer` did not return.
 *
 * @example
 * ```ts
 * import * as crypto from 'node:crypto'
 * import { createResourceServer, useNodeCrypto } from '@org/rs-core'
 *
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' })
 * useNodeCrypto(rs, crypto)
 * ```
 * @throws ConfigurationError - when `nodeCrypto` is not `node:crypto` (no `verify`, no `KeyObject`), or
 *   its `hash('sha256', …)` does not give SHA-256.
 */
export function useNodeCrypto<Key extends object>(rs: ResourceServer, nodeCrypto: NodeCryptoLike<Key>, component = 'useNodeCrypto'): void {
  const n = nodeCrypto as Partial<NodeCryptoLike<Key>> | null | undefined
  if (typeof n !== 'object' || n === null || typeof n.verify !== 'function' || typeof n.KeyObject?.from !== 'function') {
    throw new ConfigurationError(component, [
      { path: 'nodeCrypto', message: "expected Node's node:crypto module (import * as crypto, then pass crypto)" },
    ])
  }
  const choice = choices.get(rs)
  if (choice === undefined) return
  let verifier = nodeVerifiers.get(nodeCrypto)
  if (verifier === undefined) nodeVerifiers.set(nodeCrypto, (verifier = nodeSignatureVerifier(nodeCrypto)))
  choice.setDefault(verifier)
  const hash = nodeCrypto.hash
  if (typeof hash !== 'function') return // an older node:crypto: core's own SHA-256 keeps the keys
  const tokenKey = (signature: string) => hash('sha256', signature, 'binary')
  const hexDigest = (value: string, prefix: string) => prefix + hash('sha256', value, 'hex')
  // Both forms checked against core's own SHA-256 (the verdict keys are shared with other instances).
  if (!sameDigest(tokenKey('abc'), 'abc') || hexDigest('abc\né', 'k:') !== sha256Hex('abc\né', 'k:')) {
    throw new ConfigurationError(component, [
      { path: 'nodeCrypto', message: "expected node:crypto: its hash('sha256') did not give SHA-256" },
    ])
  }
  choice.setHashes(tokenKey, hexDigest)
}

/** Is `latin1` (32 characters, one byte each: Node's 'binary' encoding) the SHA-256 of `value`, as core computes it? */
function sameDigest(latin1: unknown, value: string): boolean {
  const units = sha256Key(value)
  if (typeof latin1 !== 'string' || latin1.length !== 32) return false
  for (let i = 0; i < 16; i++) {
    const unit = units.charCodeAt(i)
    if (latin1.charCodeAt(2 * i) !== unit >>> 8 || latin1.charCodeAt(2 * i + 1) !== (unit & 0xff)) return false
  }
  return true
}
