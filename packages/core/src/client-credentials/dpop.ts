/**
 * DPoP-bound client-credentials tokens (RFC 9449) for the calling side: the key pair, the
 * oauth4webapi DPoP handle for the token request (proof, nonce caching), and proofs for the calls
 * `cc.fetch` makes with the token (`htm`, `htu`, `ath`, the resource server's nonce per origin).
 *
 * @module client-credentials/dpop
 */
import { sha256 } from '../hash/index.js'
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import * as z from 'zod/mini'

/** The `dpop` option: a key pair (its public key extractable), or a private JWK (`alg` optional). */
export type ClientDpopOptions =
  | {
      /** A `CryptoKeyPair` whose public key is extractable (tokens bound to it are not shared between instances). */
      keyPair: CryptoKeyPair
    }
  | {
      /** A private EC, RSA or OKP JWK (`alg` optional): tokens bound to it may be shared through a `store`. */
      privateKey: jose.JWK
    }

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const isKeyPair = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  typeof CryptoKey !== 'undefined' &&
  (v as CryptoKeyPair).privateKey instanceof CryptoKey &&
  (v as CryptoKeyPair).publicKey instanceof CryptoKey

// Pure (see client-credentials/options.ts): dropped from bundles without client credentials.
export const clientDpopSchema = /* @__PURE__ */ (() =>
  z.union(
    [
      z.strictObject({ keyPair: z.custom<CryptoKeyPair>(isKeyPair, { message: 'expected a CryptoKeyPair' }) }),
      z.strictObject({
        privateKey: z.custom<jose.JWK>(
          (v) =>
            typeof v === 'object' &&
            v !== null &&
            ['EC', 'RSA', 'OKP'].includes((v as jose.JWK).kty as string) &&
            typeof (v as jose.JWK).d === 'string',
          { message: 'expected a private EC, RSA or OKP JWK (with "d")' },
        ),
      }),
    ],
    { error: 'expected { keyPair } (a CryptoKeyPair) or { privateKey } (a private JWK)' },
  ))()

function algOf(jwk: jose.JWK): string {
  if (typeof jwk.alg === 'string') return jwk.alg
  if (jwk.kty === 'RSA') return 'PS256'
  if (jwk.kty === 'OKP') return 'Ed25519'
  return jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256'
}

/** The public half of a JWK: no private member, nor `key_ops` (those of a private key, `sign`, cannot import its public key). */
function publicJwkOf(jwk: jose.JWK): jose.JWK {
  const dropped: ReadonlySet<string> = new Set([...PRIVATE_MEMBERS, 'key_ops'])
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !dropped.has(name))) as jose.JWK
}

/** RFC 7638 thumbprint of a public JWK, synchronously (the token-cache key needs it at construction). */
export function jwkThumbprint(jwk: jose.JWK): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
  return jose.base64url.encode(sha256(new TextEncoder().encode(JSON.stringify(members))))
}

/**
 * What a token-cache key says about the DPoP key, so that tokens bound to different keys never mix
 * in a shared store: the thumbprint of a JWK; for a `CryptoKeyPair` (not readable synchronously) an
 * id of this instance, so such tokens are not shared between instances.
 */
export function dpopKeyPart(options: ClientDpopOptions | undefined): string | undefined {
  if (options === undefined) return undefined
  if ('privateKey' in options) return `dpop:${jwkThumbprint(publicJwkOf(options.privateKey))}`
  return `dpop-instance:${crypto.randomUUID()}`
}

const encoder = new TextEncoder()

export class ClientDpop {
  readonly #options: ClientDpopOptions
  readonly #clock: () => number
  #keys: Promise<{ pair: CryptoKeyPair; alg: string; jwk: jose.JWK }> | undefined
  #handle: oauth.DPoPHandle | undefined
  /** The last nonce each resource server origin handed out (bounded). */
  readonly #nonces = new Map<string, string>()

  constructor(options: ClientDpopOptions, clock: () => number) {
    this.#options = options
    this.#clock = clock
  }

  /** oauth4webapi's handle for the token request (it signs the proof and caches the AS's nonce). */
  async handle(): Promise<oauth.DPoPHandle> {
    const { pair } = await this.#keysOnce()
    this.#handle ??= oauth.DPoP({}, pair)
    return this.#handle
  }

  /** A proof for a call with `accessToken` to `url`, with the nonce that origin asked for last. */
  async proof(method: string, url: URL, accessToken: string): Promise<string> {
    const { pair, alg, jwk } = await this.#keysOnce()
    const nonce = this.#nonces.get(url.origin)
    return new jose.SignJWT({
      jti: crypto.randomUUID(),
      htm: method.toUpperCase(),
      htu: `${url.origin}${url.pathname}`,
      iat: Math.floor(this.#clock() / 1000),
      ath: jose.base64url.encode(sha256(encoder.encode(accessToken))),
      ...(nonce !== undefined ? { nonce } : {}),
    })
      .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk })
      .sign(pair.privateKey)
  }

  /** Remembers a `DPoP-Nonce` the resource server sent; says whether it asked to retry with it (`use_dpop_nonce`). */
  rememberNonce(url: URL, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce')
    if (nonce === null || nonce === '') return false
    if (this.#nonces.size >= 100 && !this.#nonces.has(url.origin)) this.#nonces.delete(this.#nonces.keys().next().value!)
    this.#nonces.set(url.origin, nonce)
    return response.status === 401 && /(?:^|[\s,])error\s*=\s*"?use_dpop_nonce"?/i.test(response.headers.get('www-authenticate') ?? '')
  }

  #keysOnce() {
    return (this.#keys ??= this.#importKeys())
  }

  async #importKeys(): Promise<{ pair: CryptoKeyPair; alg: string; jwk: jose.JWK }> {
    const o = this.#options
    if ('keyPair' in o) {
      const jwk = publicJwkOf(await jose.exportJWK(o.keyPair.publicKey))
      const alg = algOf({ ...jwk, alg: undefined } as jose.JWK)
      return { pair: o.keyPair, alg: o.keyPair.privateKey.algorithm.name === 'RSASSA-PKCS1-v1_5' ? 'RS256' : alg, jwk }
    }
    const alg = algOf(o.privateKey)
    const jwk = publicJwkOf(o.privateKey)
    const [privateKey, publicKey] = await Promise.all([jose.importJWK(o.privateKey, alg), jose.importJWK(jwk, alg, { extractable: true })])
    return { pair: { privateKey: privateKey as CryptoKey, publicKey: publicKey as CryptoKey }, alg, jwk: { kty: jwk.kty, ...pick(jwk) } }
  }
}

function pick(jwk: jose.JWK): jose.JWK {
  const { kty: _kty, kid: _kid, alg: _alg, use: _use, key_ops: _ops, ext: _ext, ...rest } = jwk
  return rest as jose.JWK
}
