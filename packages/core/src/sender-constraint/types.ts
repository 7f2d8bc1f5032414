/**
 * The public, hand-written types of the `dpop` and `mtls` options of a resource server and of the
 * per-route modes. `test/types/option-types.test.ts` checks that the validation schemas of
 * `sender-constraint/options.ts` accept exactly these types. Durations are seconds.
 *
 * @module sender-constraint/types
 */
import type { CacheStore } from '../cache/index.js'
import type { DpopAlgorithm } from '../dpop/index.js'

/**
 * How a sender-constraint mechanism is treated: `none` (a token bound with it is refused),
 * `allowed` (bound tokens must prove it, unbound ones are fine), `required` (every token must be bound with it).
 */
export type SenderConstraintMode = 'none' | 'allowed' | 'required'

/**
 * DPoP (RFC 9449): tokens bound to a client key (`cnf.jkt`) are only good with a proof of that key
 * made for the very request (`authenticateRequest` / an adapter, not a header alone).
 *
 * @example
 * ```ts
 * createResourceServer({
 *   issuer: 'https://auth.example.com', audience: 'orders-api', tokenFormat: 'jwt',
 *   dpop: { mode: 'allowed', publicUrl: 'https://api.example.com', proofMaxAge: 60, nonce: { secret: process.env.DPOP_NONCE_SECRET!, rotation: 300 } },
 * })
 * ```
 */
export interface DpopOptions {
  /** Default `allowed` when `dpop` is given (`none` when it is not). A route's `dpop` overrides it. */
  mode?: SenderConstraintMode | undefined
  /** Proof algorithms accepted (asymmetric only). Default `ES256`, `ES384`, `PS256`, `RS256`, `EdDSA`, `Ed25519`. */
  algorithms?: readonly DpopAlgorithm[] | undefined
  /** Seconds a proof is accepted after its `iat` (plus `clockTolerance`), from 1 to 3600. Default 300. */
  proofMaxAge?: number | undefined
  /**
   * The API's public base URL (`https://api.example.com`, or with the path prefix a proxy strips):
   * each proof's `htu` is checked against it. Default: the request's own URL (set it in production).
   */
  publicUrl?: string | undefined
  /** Server-issued nonces (`DPoP-Nonce`, `use_dpop_nonce`): proofs must carry a recent one. Default: no nonce asked for. */
  nonce?:
    | {
        /** Shared by the instances that must accept each other's nonces. At least 32 characters. */
        secret: string
        /** Seconds between two nonces, from 10 to 86400; a nonce is accepted for one to two periods. Default 300. */
        rotation?: number | undefined
      }
    | undefined
  /** Where proof `jti`s are remembered, so a proof is accepted once. Fails closed (503) when the store fails. */
  replay?:
    | {
        /** Where seen `jti` values are kept; share one (e.g. Redis, with `add`) between instances. Default: in memory. */
        store?: CacheStore | undefined
        /** Bound of the default in-memory store; full, it fails closed. Default 100 000. */
        maxEntries?: number | undefined
        /** Seconds a store call may take before the request is answered 503 (fractions allowed), at most 60. Default 1. */
        timeout?: number | undefined
      }
    | undefined
}

/** Certificate-bound access tokens (RFC 8705, `cnf.x5t#S256`): the client's TLS certificate must match. */
export interface MtlsOptions {
  /** Default `allowed` when `mtls` is given (`none` when it is not). A route's `mtls` overrides it. */
  mode?: SenderConstraintMode | undefined
  /**
   * `true`: the client certificate is read only from the RFC 9440 `Client-Cert` header, set by a
   * TLS-terminating proxy you trust to overwrite any such header sent by the client. Default `false`:
   * only the TLS connection's certificate is used and the header is ignored.
   */
  trustProxyHeader?: boolean | undefined
}
