/**
 * A {@link SignatureVerifier} on Node's `node:crypto` (one-shot `crypto.verify` with a callback, so
 * the public-key work runs on libuv's thread pool and the event loop keeps serving requests; a
 * `KeyObject` kept per key): cheaper per verification than WebCrypto on Node, and, unlike the
 * synchronous call, it does not hold the event loop for the ~50 µs of an ECDSA check. Core imports
 * nothing from Node: the caller hands the module in (`import * as crypto from 'node:crypto'`), which
 * the Node adapters do for their users.
 *
 * @module jwt/node-signature
 */
import type { SignatureVerifier } from './signature.js'

/**
 * The part of `node:crypto` the verifier uses (Node's module, or a runtime's `node:crypto` compatible
 * one). `Key`: its `KeyObject` type, opaque here.
 */
export interface NodeCryptoLike<Key extends object = object> {
  KeyObject: { from(key: CryptoKey): Key }
  /** Used with its callback (Node runs it on the thread pool). */
  verify(
    algorithm: string | null | undefined,
    data: Uint8Array,
    key: NoInfer<Key> | { key: NoInfer<Key>; dsaEncoding?: 'der' | 'ieee-p1363'; padding?: number; saltLength?: number },
    signature: Uint8Array,
    callback: (error: Error | null, valid: boolean) => void,
  ): void
  createHmac(algorithm: string, key: Uint8Array): { update(data: Uint8Array): { digest(): Uint8Array } }
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean
  constants: { RSA_PKCS1_PSS_PADDING: number }
  /** One-shot digest (Node 20.12+), used by `useNodeCrypto` for cache keys (JWT and introspection); optional. */
  hash?(algorithm: 'sha256', data: string, outputEncoding: 'binary' | 'hex'): string
}

/** The JWS algs with a digest, by name: their kind and digest size. */
const DIGESTS = new Map<string, readonly [kind: 'HS' | 'RS' | 'PS' | 'ES', bits: 256 | 384 | 512]>(
  (['HS', 'RS', 'PS', 'ES'] as const).flatMap((kind) =>
    ([256, 384, 512] as const).map((bits) => [`${kind}${bits}`, [kind, bits]] as const),
  ),
)

/**
 * A {@link SignatureVerifier} on `node:crypto`: ECDSA signatures read as IEEE P1363 (r‖s, as in a
 * JWS), RSA-PSS with the hash-length salt, Ed25519 without a digest, HMAC compared in constant time.
 * Answers `false` for anything it does not know. Public-key signatures are checked on the thread
 * pool (`crypto.verify` with a callback); HMAC, a few microseconds, on the spot. Each verifier keeps
 * one `KeyObject` per `CryptoKey` (held weakly): create it once, not per request.
 *
 * @param nodeCrypto - Node's `node:crypto` module.
 * @example
 * ```ts
 * import * as crypto from 'node:crypto'
 * import { createResourceServer, nodeSignatureVerifier } from '@org/rs-core'
 *
 * const rs = createResourceServer({ issuer, audience, tokenFormat: 'jwt', signatureVerifier: nodeSignatureVerifier(crypto) })
 * ```
 */
export function nodeSignatureVerifier<Key extends object>(nodeCrypto: NodeCryptoLike<Key>): SignatureVerifier {
  const { KeyObject, verify, createHmac, timingSafeEqual, constants } = nodeCrypto
  const keyObjects = new WeakMap<CryptoKey, Key>()
  const keyObjectOf = (key: CryptoKey): Key => {
    let keyObject = keyObjects.get(key)
    if (keyObject === undefined) keyObjects.set(key, (keyObject = KeyObject.from(key)))
    return keyObject
  }
  /** `crypto.verify` on the thread pool: the answer, or its error as a rejection (core refuses either way). */
  const verifyAsync = (digest: string | null, data: Uint8Array, key: Parameters<typeof verify>[2], signature: Uint8Array) =>
    new Promise<boolean>((resolve, reject) => {
      verify(digest, data, key, signature, (error, valid) => (error ? reject(error) : resolve(valid)))
    })
  return (alg, key, signature, data) => {
    if (alg === 'EdDSA' || alg === 'Ed25519') return !(key instanceof Uint8Array) && verifyAsync(null, data, keyObjectOf(key), signature)
    const known = DIGESTS.get(alg)
    if (known === undefined) return false
    const [kind, bits] = known
    const digest = `sha${bits}`
    switch (kind) {
      case 'HS': {
        if (!(key instanceof Uint8Array)) return false
        const mac = createHmac(digest, key).update(data).digest()
        return mac.byteLength === signature.byteLength && timingSafeEqual(mac, signature)
      }
      case 'RS':
        return !(key instanceof Uint8Array) && verifyAsync(digest, data, keyObjectOf(key), signature)
      case 'PS':
        return (
          !(key instanceof Uint8Array) &&
          verifyAsync(digest, data, { key: keyObjectOf(key), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 }, signature)
        )
      case 'ES':
        return !(key instanceof Uint8Array) && verifyAsync(digest, data, { key: keyObjectOf(key), dsaEncoding: 'ieee-p1363' }, signature)
    }
  }
}
