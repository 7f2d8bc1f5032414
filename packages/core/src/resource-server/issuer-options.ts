/**
 * The public, hand-written types of the options that describe one authorization server: those of
 * an `issuers` entry, also accepted at the top level of {@link ResourceServerOptions} (a per-issuer
 * value overrides the top-level one). `test/types/option-types.test.ts` checks that the validation
 * schema of `resource-server/options.ts` accepts exactly these types.
 *
 * Every duration is a number of seconds (fractions allowed).
 *
 * @module resource-server/issuer-options
 */
import type { ClientAuthMethod } from '../client-auth.js'
import type { ContentEncryptionAlgorithm, KeyManagementAlgorithm } from '../introspection/index.js'
import { DEFAULT_JWT_ALGS } from '../jwt/index.js'
import type { PrivateKeyInput } from '../keys/index.js'

/** JWS algorithms accepted on JWT access tokens and signed introspection responses (`none` never is). */
export const SIGNING_ALGS = [...DEFAULT_JWT_ALGS, 'HS256', 'HS384', 'HS512'] as const
/** A JWS algorithm of {@link SIGNING_ALGS}. HS* ones are keyed by a secret (`jwt.secret`, the client secret). */
export type SigningAlgorithm = (typeof SIGNING_ALGS)[number]

/** How introspection responses (RFC 7662, RFC 9701) are asked for and checked: the `introspection` option. */
export interface IntrospectionOptions {
  /**
   * `json` (RFC 7662) or `jwt` (RFC 9701: a signed, optionally encrypted, response). Default `json`,
   * `jwt` when `signingAlgorithms` or `decryptionKeys` is given.
   */
  response?: 'json' | 'jwt' | undefined
  /** Algorithms accepted on a signed response. Default `RS256`, `PS256`, `ES256`, `EdDSA`, `Ed25519`; HS* needs `clientSecret`. */
  signingAlgorithms?: readonly SigningAlgorithm[] | undefined
  /**
   * Whether the response must be encrypted to one of `decryptionKeys` (`required`), may be
   * (`optional`) or is not (`none`). Default `required` when `decryptionKeys` is given, else `none`.
   */
  encryption?: 'required' | 'optional' | 'none' | undefined
  /** Key-management algorithms accepted on an encrypted response. Default: all of RSA-OAEP(-256), ECDH-ES(+A*KW). */
  keyManagementAlgorithms?: readonly KeyManagementAlgorithm[] | undefined
  /** Content-encryption algorithms accepted on an encrypted response. Default: all of A*GCM, A*CBC-HS*. */
  contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[] | undefined
  /** The `token_type_hint` sent with each introspection request (e.g. `access_token`). Default: none sent. */
  tokenTypeHint?: string | undefined
  /** Seconds: the oldest `iat` accepted on a signed response (plus `clockTolerance`), at most 3600. Default 60. */
  maxResponseAge?: number | undefined
}

/** How JWT access tokens (RFC 9068) are verified locally: the `jwt` option. */
export interface JwtOptions {
  /** The allow-list of signature algorithms (`none` is never accepted). Default: every asymmetric one of {@link SIGNING_ALGS}. */
  algorithms?: readonly SigningAlgorithm[] | undefined
  /** The shared secret of HS* tokens, at least 32 characters; needs an HS* algorithm in `algorithms`. */
  secret?: string | undefined
  /** `strict`: the header's `typ` must be `at+jwt` (RFC 9068). `lenient` also accepts `JWT` and no `typ`. Default `strict`. */
  typ?: 'strict' | 'lenient' | undefined
  /** Seconds: refuse a token whose `iat` is older than this (reason `too_old`), whatever its `exp`. Default: no bound. */
  maxTokenAge?: number | undefined
}

/** The options describing one authorization server (also accepted at the top level). */
export interface IssuerFields {
  /** The introspection endpoint, used as is. Default: discovered from `issuer`. */
  introspectionEndpoint?: string | undefined
  /** The AS's JWKS (its signing keys), used as is. Default: discovered from `issuer`. Required with a `{tenantid}` issuer. */
  jwksUri?: string | undefined
  /** This API's client id at the AS, to call its introspection endpoint. Without it, tokens are JWTs checked locally. */
  clientId?: string | undefined
  /** The client secret, for `client_secret_post` (default), `client_secret_basic`, `client_secret_jwt` (at least 32 characters). */
  clientSecret?: string | undefined
  /** The private key for `private_key_jwt` (the default method when only a key is given): a private JWK or `{ pem, alg, kid? }`. */
  privateKey?: PrivateKeyInput | undefined
  /** How this API authenticates at the introspection endpoint. Default `client_secret_post` (`private_key_jwt` with only `privateKey`). */
  authMethod?: ClientAuthMethod | undefined
  /**
   * The audience tokens must be issued for, usually this API's identifier; one of several with an
   * array. Required for JWT access tokens (unless `allowedClients` replaces it); checked on
   * introspected tokens as `audienceClaim` says.
   */
  audience?: string | readonly string[] | undefined
  /** The calling clients accepted (`client_id`, `azp`, `appid` or `cid`), checked on every request. Default: any client. */
  allowedClients?: readonly string[] | undefined
  /** Your OpenID Connect clients: a token whose `aud` names one of them is an ID token, refused. */
  oidcClientIds?: readonly string[] | undefined
  /** With a multi-tenant `{tenantid}` issuer: the tenant ids (GUIDs) accepted. Default: any tenant. */
  allowedTenants?: readonly string[] | undefined
  /** How introspection responses are asked for and checked. */
  introspection?: IntrospectionOptions | undefined
  /** How JWT access tokens are verified. */
  jwt?: JwtOptions | undefined
}

/**
 * One authorization server among several (the `issuers` option): a JWT is routed by its `iss`, an
 * opaque token is introspected at the first one (or all, with `tryAllIntrospectionEndpoints`). Each
 * option left out is taken from the top level.
 *
 * @example
 * ```ts
 * const partners: IssuerOptions = { issuer: 'https://partners.example.com', audience: 'orders-api', jwt: { algorithms: ['ES256'] } }
 * createResourceServer({ tokenFormat: 'jwt', issuers: [{ issuer: 'https://auth.example.com', audience: 'orders-api' }, partners] })
 * ```
 */
export interface IssuerOptions extends IssuerFields {
  /** The AS's issuer identifier, exactly as in its tokens and metadata; may hold one `{tenantid}` placeholder (JWTs only). */
  issuer: string
}
