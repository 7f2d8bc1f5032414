/**
 * Sender-constrained tokens at the resource server: which schemes a route accepts, the proof or
 * certificate a bound token needs, and the refusal of a bound token presented without it.
 *
 * Rules (RFC 9449 §7, RFC 8705 §3), for every request once its token is judged:
 * - a token with `cnf.jkt` is accepted only with the `DPoP` scheme, a valid proof, and the proof
 *   key's thumbprint equal to `cnf.jkt`; sent as `Bearer` it is refused (RFC 9449 §7.2);
 * - a token with `cnf["x5t#S256"]` is accepted only when the request's client certificate (TLS, or
 *   the trusted proxy's `Client-Cert` header) has that SHA-256 thumbprint;
 * - a token with any other, or a malformed, `cnf` is refused: a confirmation we cannot check is never
 *   ignored, so a bound token never silently becomes a bearer token;
 * - the `DPoP` scheme with an unbound token is refused; `required` refuses unbound tokens.
 *
 * @module sender-constraint/policy
 */
import { checkBearerBinding } from './bearer-binding.js'
import type { BearerOptions } from '../bearer.js'
import { type CacheStore, MemoryCache } from '../cache/index.js'
import { NonceSource, ProofVerifier, publicBase, ReplayCache, type VerifiedProof } from '../dpop/index.js'
import { BearerError, type BearerErrorOptions } from '../errors.js'
import { certificateThumbprint, parseClientCertHeader } from '../mtls/index.js'
import { headerValue, type HttpRequestInput } from '../resource-server/request.js'
import type { AccessTokenInfo } from '../token-info.js'
import { type SchemeChallenge, SenderConstraintError } from './challenge.js'
import { type Credentials, extractCredentials } from './credentials.js'
import type { DpopSettings, SenderConstraintMode } from './options.js'

/** The per-route modes (route options `dpop` / `mtls`), overriding the resource server's. */
export interface RouteModes {
  dpop?: SenderConstraintMode | undefined
  mtls?: SenderConstraintMode | undefined
  optional?: boolean | undefined
}

export interface SenderConstraintSettings {
  dpop: DpopSettings
  mtls: { mode: SenderConstraintMode; trustProxyHeader: boolean }
  clock: () => number
  clockTolerance: number
  bearer: BearerOptions
  challenge: Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'> | undefined
}

function refuse(description: string): BearerError {
  return new BearerError('invalid_token', description, { reason: 'sender_constraint' })
}

/**
 * Refuses a token with a `cnf` confirmation on a path that cannot check it (a header or a token
 * alone, or a route with no sender constraint): it must never pass as a plain bearer token.
 */
export function refuseUnproven(info: AccessTokenInfo): AccessTokenInfo {
  checkBearerBinding(info)
  return info
}

export class SenderConstraints {
  readonly #s: SenderConstraintSettings
  readonly #proofs: ProofVerifier
  readonly #nonces: NonceSource | undefined
  #replay: ReplayCache | undefined

  constructor(settings: SenderConstraintSettings) {
    this.#s = settings
    const d = settings.dpop
    this.#nonces = d.nonce === undefined ? undefined : new NonceSource(d.nonce.secret, d.nonce.rotation, settings.clock)
    this.#proofs = new ProofVerifier({
      algorithms: d.algorithms,
      maxAge: d.proofMaxAge,
      clockTolerance: settings.clockTolerance,
      clock: settings.clock,
      publicBase: publicBase(d.publicUrl),
      nonces: this.#nonces,
    })
  }

  /** Does a route with these options go through {@link authenticate} (a mechanism is not `none`)? */
  active(options: RouteModes): boolean {
    return (options.dpop ?? this.#s.dpop.mode) !== 'none' || (options.mtls ?? this.#s.mtls.mode) !== 'none'
  }

  /** A token alone (`verifyToken`): refused when the resource server requires a bound token (nothing here could prove it). */
  tokenOnly(): void {
    if (this.#s.dpop.mode === 'required' || this.#s.mtls.mode === 'required') {
      throw refuse('This resource requires a sender-constrained access token: authenticate the whole request (authenticateRequest)')
    }
  }

  /**
   * Authenticates a request on a route where a mechanism is on: credentials (Bearer or DPoP), the
   * proof, the token (`judge`), its binding, the route's requirements (`accept`), then the replay
   * check, last, so that only a request about to be accepted spends a `jti`.
   */
  async authenticate<O extends RouteModes>(
    request: HttpRequestInput,
    options: O,
    judge: (token: string) => AccessTokenInfo | Promise<AccessTokenInfo>,
    accept: (info: AccessTokenInfo, options: O) => AccessTokenInfo,
  ): Promise<AccessTokenInfo | undefined> {
    const dpop = options.dpop ?? this.#s.dpop.mode
    const mtls = options.mtls ?? this.#s.mtls.mode
    const challenge: SchemeChallenge = {
      bearer: dpop !== 'required',
      dpopAlgs: dpop === 'none' ? undefined : this.#proofs.algorithms,
      nonce: dpop === 'none' ? undefined : this.#nonces?.current(),
    }
    let credentials: Credentials | undefined
    try {
      credentials = this.#credentials(request, dpop !== 'none')
      if (credentials === undefined) {
        if (options.optional) return undefined
        throw new BearerError('missing_token', 'The request has no access token')
      }
      if (dpop === 'required' && credentials.scheme === 'bearer')
        throw refuse('This resource requires a DPoP-bound access token, sent with the DPoP scheme')
      const proof =
        credentials.scheme === 'dpop' ? await this.#proofs.verify(request, headerValue(request, 'dpop'), credentials.token) : undefined
      const info = await judge(credentials.token)
      this.#checkBinding(info, credentials, proof, dpop, mtls, request)
      const accepted = accept(info, options)
      if (proof !== undefined) await this.#replayCache().check(proof)
      return accepted
    } catch (err) {
      throw SenderConstraintError.from(err, challenge, credentials?.scheme, this.#s.challenge)
    }
  }

  #credentials(request: HttpRequestInput, dpop: boolean): Credentials | undefined {
    const authorization = headerValue(request, 'authorization')
    if (dpop) return extractCredentials(authorization, this.#s.bearer)
    const credentials = extractCredentials(authorization, this.#s.bearer)
    // DPoP is off on this route: the DPoP scheme is not a credential here (as before DPoP existed).
    return credentials?.scheme === 'bearer' ? credentials : undefined
  }

  #checkBinding(
    info: AccessTokenInfo,
    credentials: Credentials,
    proof: VerifiedProof | undefined,
    dpop: SenderConstraintMode,
    mtls: SenderConstraintMode,
    request: HttpRequestInput,
  ): void {
    const cnf = info.claims.cnf
    if (cnf === undefined) {
      if (credentials.scheme === 'dpop')
        throw refuse('The access token is not DPoP-bound: the DPoP scheme needs a token bound to the proof key')
      if (dpop === 'required') throw refuse('This resource requires a DPoP-bound access token')
      if (mtls === 'required') throw refuse('This resource requires a certificate-bound access token')
      return
    }
    if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf) || Object.keys(cnf).length === 0)
      throw refuse('The access token has a malformed cnf claim')
    const members = cnf as Record<string, unknown>
    if (Object.keys(members).some((name) => name !== 'jkt' && name !== 'x5t#S256')) {
      throw refuse('The access token is bound by a confirmation method this resource server does not check')
    }
    const jkt = members.jkt
    if (jkt !== undefined) {
      if (dpop === 'none') throw refuse('The access token is DPoP-bound, and this resource does not accept DPoP')
      if (credentials.scheme !== 'dpop' || proof === undefined)
        throw refuse('The access token is DPoP-bound: it must be sent with the DPoP scheme and a proof, not as a bearer token')
      if (typeof jkt !== 'string' || jkt !== proof.jkt)
        throw refuse('Invalid DPoP key binding: the proof is signed with another key than the token is bound to')
    } else {
      if (credentials.scheme === 'dpop')
        throw refuse('The access token is not DPoP-bound: the DPoP scheme needs a token bound to the proof key')
      if (dpop === 'required') throw refuse('This resource requires a DPoP-bound access token')
    }
    const x5t = members['x5t#S256']
    if (x5t !== undefined) {
      if (mtls === 'none')
        throw refuse('The access token is bound to a client certificate, and this resource does not accept certificate-bound tokens')
      const der = this.#certificate(request)
      if (der === undefined) throw refuse('The access token is bound to a client certificate the request did not present')
      if (typeof x5t !== 'string' || certificateThumbprint(der) !== x5t)
        throw refuse('The access token is bound to another client certificate')
    } else if (mtls === 'required') {
      throw refuse('This resource requires a certificate-bound access token')
    }
  }

  #certificate(request: HttpRequestInput): Uint8Array | undefined {
    if (this.#s.mtls.trustProxyHeader) return parseClientCertHeader(headerValue(request, 'client-cert'))
    const given = request.clientCertificate
    const der = typeof given === 'function' ? given() : given
    return der instanceof Uint8Array && der.length > 0 ? der : undefined
  }

  #replayCache(): ReplayCache {
    const d = this.#s.dpop
    // Entries outlive the whole window in which a proof's iat is accepted (both clock tolerances included).
    const ttlMs = Math.ceil((d.proofMaxAge + 2 * this.#s.clockTolerance + 1) * 1000)
    return (this.#replay ??= new ReplayCache(
      (d.replayStore as CacheStore<number> | undefined) ??
        new MemoryCache<number>({ maxEntries: d.replayMaxEntries, clock: this.#s.clock }),
      ttlMs,
      d.replayTimeoutMs,
    ))
  }
}
