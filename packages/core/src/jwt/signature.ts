/**
 * The signature step of JWT verification, injectable: the {@link SignatureVerifier} type, the
 * default on WebCrypto (any runtime), the key-against-alg check made before any verifier is
 * called, and the fail-closed call of a verifier.
 *
 * @module jwt/signature
 */
import * as jose from 'jose'

/**
 * Checks one JWS signature; returns `true` only when `signature` is a valid signature of `data`
 * by `key` under `alg`. Called once the token's header has passed every check (the `alg` is on the
 * allow-list, `crit` is refused) and `key` has been checked against `alg`:
 *
 * - `alg`: `RS256`/`384`/`512`, `PS256`/`384`/`512`, `ES256`/`384`/`512` (`signature` in the JWS
 *   form, r‖s, IEEE P1363), `EdDSA` or `Ed25519` (Ed25519 keys), `HS256`/`384`/`512`;
 * - `key`: the AS's public key as a WebCrypto `CryptoKey` (imported by jose from the JWKS, for this
 *   `alg`), or the configured shared secret's bytes for HS*;
 * - `data`: the JWS signing input (the ASCII bytes of `header.payload`).
 *
 * A verifier that throws, rejects or returns anything but a boolean refuses the token (fail closed).
 * The default is {@link webCryptoSignatureVerifier}; on Node, `nodeSignatureVerifier(crypto)` is faster.
 */
export type SignatureVerifier = (
  alg: string,
  key: CryptoKey | Uint8Array,
  signature: Uint8Array,
  data: Uint8Array,
) => boolean | Promise<boolean>

type Params = AlgorithmIdentifier | RsaPssParams | EcdsaParams
/** The WebCrypto algorithm a key must have for each JWS alg, and the parameters of `verify`. */
interface AlgEntry {
  name: string
  hash?: string
  namedCurve?: string
  verify: Params
}
const rsa = (bits: number, saltLength?: number): AlgEntry => {
  const name = saltLength === undefined ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS'
  return { name, hash: `SHA-${bits}`, verify: saltLength === undefined ? { name } : { name, saltLength } }
}
const ecdsa = (namedCurve: string, bits: number): AlgEntry => ({
  name: 'ECDSA',
  namedCurve,
  verify: { name: 'ECDSA', hash: `SHA-${bits}` },
})
const ed25519: AlgEntry = { name: 'Ed25519', verify: { name: 'Ed25519' } }
const hmac = (bits: number): AlgEntry => ({ name: 'HMAC', hash: `SHA-${bits}`, verify: { name: 'HMAC' } })

/** The JWS algorithms a {@link SignatureVerifier} is asked about (those of jose's table we accept). */
const SIGNATURE_ALGS: ReadonlyMap<string, AlgEntry> = new Map([
  ['RS256', rsa(256)],
  ['RS384', rsa(384)],
  ['RS512', rsa(512)],
  ['PS256', rsa(256, 32)],
  ['PS384', rsa(384, 48)],
  ['PS512', rsa(512, 64)],
  ['ES256', ecdsa('P-256', 256)],
  ['ES384', ecdsa('P-384', 384)],
  ['ES512', ecdsa('P-521', 512)],
  ['EdDSA', ed25519],
  ['Ed25519', ed25519],
  ['HS256', hmac(256)],
  ['HS384', hmac(384)],
  ['HS512', hmac(512)],
])

const unusable = (message: string) => new jose.errors.JOSENotSupported(message)

/**
 * The key for `alg`, checked as jose checks it before verifying: HS* takes the shared secret's bytes
 * only; every other alg a public `CryptoKey` whose algorithm (name, hash, curve) is the alg's, usable
 * for `verify`, RSA of at least 2048 bits. Throws jose's errors (refused as `malformed_token`).
 */
export function checkKeyForAlg(alg: string, key: unknown): asserts key is CryptoKey | Uint8Array {
  const entry = SIGNATURE_ALGS.get(alg)
  if (entry === undefined) throw new jose.errors.JOSENotSupported(`alg ${alg} is not supported`)
  if (entry.name === 'HMAC') {
    if (!(key instanceof Uint8Array) || key.byteLength === 0) throw unusable(`${alg} needs the configured shared secret`)
    return
  }
  if (!isCryptoKey(key)) throw unusable(`Key for the ${alg} algorithm must be a CryptoKey`)
  const algorithm = key.algorithm as Partial<RsaHashedKeyAlgorithm & EcKeyAlgorithm>
  if (key.type !== 'public') throw unusable(`CryptoKey instances must be of type "public" for the ${alg} algorithm`)
  if (algorithm.name !== entry.name) throw unusable(`CryptoKey does not support this operation, its algorithm.name must be ${entry.name}`)
  if (entry.hash !== undefined && algorithm.hash?.name !== entry.hash)
    throw unusable(`CryptoKey does not support this operation, its algorithm.hash must be ${entry.hash}`)
  if (entry.namedCurve !== undefined && algorithm.namedCurve !== entry.namedCurve)
    throw unusable(`CryptoKey does not support this operation, its algorithm.namedCurve must be ${entry.namedCurve}`)
  if (!key.usages.includes('verify')) throw unusable('CryptoKey does not support this operation, its usages must include verify.')
  if (entry.name.startsWith('RSA') && !(typeof algorithm.modulusLength === 'number' && algorithm.modulusLength >= 2048))
    throw unusable(`${alg} requires key modulusLength to be 2048 bits or larger`)
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return (key as { [Symbol.toStringTag]?: unknown } | null)?.[Symbol.toStringTag] === 'CryptoKey'
}

/** HMAC keys imported from the shared secret, once per secret and alg. */
const hmacKeys = new WeakMap<Uint8Array, Map<string, Promise<CryptoKey>>>()

function hmacKey(alg: string, secret: Uint8Array, entry: AlgEntry): Promise<CryptoKey> {
  let byAlg = hmacKeys.get(secret)
  if (byAlg === undefined) hmacKeys.set(secret, (byAlg = new Map()))
  let key = byAlg.get(alg)
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: entry.hash! }, false, ['verify'])
    byAlg.set(alg, key)
  }
  return key
}

/** The default {@link SignatureVerifier}: WebCrypto's `crypto.subtle.verify`, on every runtime. */
export const webCryptoSignatureVerifier: SignatureVerifier = async (alg, key, signature, data) => {
  const entry = SIGNATURE_ALGS.get(alg)
  if (entry === undefined) return false
  const cryptoKey = key instanceof Uint8Array ? await hmacKey(alg, key, entry) : key
  return crypto.subtle.verify(entry.verify, cryptoKey, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>)
}

/**
 * Calls `verifier`, fail closed: `true` passes; `false` is jose's `JWSSignatureVerificationFailed`;
 * a throw, a rejection or any other value is the same refusal, with what went wrong as its cause.
 */
export async function verifySignature(
  verifier: SignatureVerifier,
  alg: string,
  key: CryptoKey | Uint8Array,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<void> {
  let verdict: unknown
  try {
    verdict = await verifier(alg, key, signature, data)
  } catch (cause) {
    throw new jose.errors.JWSSignatureVerificationFailed('signature verification failed (the signature verifier threw)', { cause })
  }
  if (verdict === true) return
  if (verdict === false) throw new jose.errors.JWSSignatureVerificationFailed()
  throw new jose.errors.JWSSignatureVerificationFailed(
    `signature verification failed (the signature verifier returned ${typeof verdict}, not a boolean)`,
  )
}
