/**
 * Refusals of a route that accepts DPoP: the `WWW-Authenticate` value lists every scheme the route
 * accepts (`Bearer` unless DPoP is required, `DPoP` with `algs`, RFC 9449 §7.1), the error goes in
 * the challenge of the scheme the client used (always `DPoP` for a proof or nonce error), and a
 * `DPoP-Nonce` header goes with it when nonces are configured.
 *
 * @module sender-constraint/challenge
 */
import { BearerError, type BearerErrorCode, type BearerErrorOptions, errorParams, quote } from '../errors.js'

/** What the challenge of a route says besides the error. */
export interface SchemeChallenge {
  /** `Bearer` is accepted (DPoP is not required). */
  bearer: boolean
  /** DPoP is accepted, with these algorithms (`undefined`: not accepted). */
  dpopAlgs: readonly string[] | undefined
  /** The current server nonce, sent in `DPoP-Nonce`. */
  nonce: string | undefined
}

export interface SenderConstraintErrorOptions extends BearerErrorOptions, SchemeChallenge {
  /** The scheme the client used, when it sent credentials. */
  usedScheme: 'bearer' | 'dpop' | undefined
}

/**
 * A {@link BearerError} whose challenge lists the `Bearer` and `DPoP` schemes the route accepts, and
 * whose answer may carry a `DPoP-Nonce` header. `toErrorResponse(err)` sends both.
 */
export class SenderConstraintError extends BearerError {
  declare readonly wwwAuthenticate: string
  readonly #options: SenderConstraintErrorOptions

  constructor(code: BearerErrorCode, description: string, options: SenderConstraintErrorOptions) {
    super(code, description, options)
    this.#options = options
    const dpopError = code === 'invalid_dpop_proof' || code === 'use_dpop_nonce'
    const errorIn: 'bearer' | 'dpop' | undefined =
      code === 'missing_token' ? undefined : dpopError || options.usedScheme === 'dpop' || !options.bearer ? 'dpop' : 'bearer'
    const error = errorParams(code, description, options)
    const common = [
      ...(options.realm !== undefined ? [`realm=${quote(options.realm)}`] : []),
      ...(options.resourceMetadata !== undefined ? [`resource_metadata=${quote(options.resourceMetadata)}`] : []),
    ]
    const challenges: string[] = []
    if (options.bearer || errorIn === 'bearer') {
      const params = [...(errorIn === 'bearer' ? error : []), ...common]
      challenges.push(params.length ? `Bearer ${params.join(', ')}` : 'Bearer')
    }
    if (options.dpopAlgs !== undefined || errorIn === 'dpop') {
      const params = [
        ...(errorIn === 'dpop' ? error : []),
        ...common,
        ...(options.dpopAlgs ? [`algs="${options.dpopAlgs.join(' ')}"`] : []),
      ]
      challenges.push(params.length ? `DPoP ${params.join(', ')}` : 'DPoP')
    }
    Object.defineProperty(this, 'wwwAuthenticate', { value: challenges.join(', '), enumerable: true })
  }

  override get responseHeaders(): Readonly<Record<string, string>> | undefined {
    return this.#options.nonce === undefined ? undefined : { 'dpop-nonce': this.#options.nonce }
  }

  override withChallenge(options: Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>): SenderConstraintError {
    return new SenderConstraintError(this.code, this.description, {
      ...this.#options,
      realm: options.realm,
      resourceMetadata: options.resourceMetadata,
      cause: this.cause,
    })
  }

  /** `err` with the route's challenge, when it is a refusal; anything else as it is. */
  static from(
    err: unknown,
    challenge: SchemeChallenge,
    usedScheme: 'bearer' | 'dpop' | undefined,
    realm: Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'> | undefined,
  ): unknown {
    if (!(err instanceof BearerError) || err instanceof SenderConstraintError) return err
    return new SenderConstraintError(err.code, err.description, {
      ...challenge,
      usedScheme,
      scope: err.scope,
      ...realm,
      cause: err.cause,
      ...(err.reason !== undefined ? { reason: err.reason } : {}),
      ...(err.detail !== undefined ? { detail: err.detail } : {}),
      ...(err.acrValues !== undefined ? { acrValues: err.acrValues } : {}),
      ...(err.maxAge !== undefined ? { maxAge: err.maxAge } : {}),
    })
  }
}
