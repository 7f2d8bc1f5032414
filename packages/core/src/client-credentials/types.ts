/**
 * The public types of the client-credentials token source: its options, a token request, a token,
 * and the {@link ClientCredentials} object.
 *
 * @module client-credentials/types
 */
import type { CacheStore, Clock } from '../cache/index.js'
import type { ClientAuthMethod } from '../client-auth.js'
import type { FetchLike } from '../http.js'
import type { PrivateKeyInput } from '../keys/index.js'
import type { ClientDpopOptions } from './dpop.js'

/**
 * Options of {@link createClientCredentials}. Validated once, at construction: a mistake throws a
 * {@link ConfigurationError} naming the option (and never showing a secret).
 *
 * @example
 * ```ts
 * const options: ClientCredentialsOptions = {
 *   issuer: 'https://auth.example.com',
 *   clientId: 'billing-service',
 *   clientSecret: process.env.BILLING_CLIENT_SECRET,
 *   scope: ['invoices:read', 'invoices:write'],
 *   resource: 'https://api.example.com',
 * }
 * ```
 */
export interface ClientCredentialsOptions {
  /** The authorization server's issuer; the token endpoint is discovered from it. One of `issuer` / `tokenEndpoint` is required. */
  issuer?: string
  /** The token endpoint, used as is (no discovery). One of `issuer` / `tokenEndpoint` is required. */
  tokenEndpoint?: string
  /** The client id registered at the authorization server. */
  clientId: string
  /** The client secret, for `client_secret_post` (the default), `client_secret_basic` and `client_secret_jwt` (≥ 32 characters). */
  clientSecret?: string
  /** The private key for `private_key_jwt` (the default method when only a key is given): a private JWK or `{ pem, alg, kid? }`. */
  privateKey?: PrivateKeyInput
  /** How the client authenticates at the token endpoint. Default `client_secret_post` (`private_key_jwt` when only `privateKey` is given). */
  authMethod?: ClientAuthMethod
  /** Scopes to ask for, by default (a space-separated string or an array). */
  scope?: string | string[]
  /** RFC 8707 resource indicator(s) to ask for, by default: absolute URIs without a fragment. */
  resource?: string | string[]
  /** An `audience` parameter (Auth0, Keycloak and others use it instead of `resource`). */
  audience?: string
  /** Other parameters sent with every token request. Cannot override the ones this module sets. */
  extraParams?: Record<string, string>
  /** Seconds before expiry at which a token is refreshed. Default 60, capped at half the token's lifetime. */
  refreshSkew?: number
  /** Lifetime in seconds assumed when the token response has no `expires_in`. Default 300. */
  defaultLifetime?: number
  /** Seconds one token request (or discovery) may take (fractions allowed). Default 5. */
  timeout?: number
  /**
   * Retries of transient failures (network, timeout, 408, 429, 5xx) with exponential backoff and
   * full jitter. `attempts` counts the first try (default 3, so two retries); `baseDelay` (default
   * 0.2) and `maxDelay` (default 5) are seconds, fractions allowed. A `Retry-After` longer than
   * `maxDelay` ends the retries at once.
   */
  retry?: { attempts?: number; baseDelay?: number; maxDelay?: number }
  /** The `fetch` used for the token endpoint, discovery and the {@link ClientCredentials.fetch} wrapper. Default `globalThis.fetch`. */
  fetch?: FetchLike
  /**
   * Where tokens are cached. Default: an in-memory LRU of this instance. Give a shared store (Redis,
   * …) so several instances or processes share one token. Keys are SHA-256 hashes; values hold the token.
   */
  store?: CacheStore
  /** Milliseconds since the epoch; injected in tests. Default `Date.now`. */
  clock?: Clock
  /** Accept plain `http://` URLs on hosts other than loopback. Default `false`. */
  allowInsecureRequests?: boolean
  /** Largest token-endpoint or discovery response body read, in bytes; a longer body is aborted. Default 262144 (256 KB). */
  maxResponseBytes?: number
  /** Seconds a `store` call may take (fractions allowed): a slower `get` is a miss, a slower `set`/`delete` is ignored. Default 0.05 (50 ms). */
  storeTimeout?: number
  /**
   * Ask for DPoP-bound tokens (RFC 9449): `{ keyPair }` (a `CryptoKeyPair`, public key extractable)
   * or `{ privateKey }` (a private JWK). Token requests carry a proof (with the AS's nonce when it
   * asks for one); {@link ClientCredentials.fetch} sends `Authorization: DPoP` with a proof per call
   * and retries once with the resource server's nonce. Tokens cached in a shared `store` are shared
   * only between instances with the same `privateKey` (never with a `keyPair`).
   */
  dpop?: ClientDpopOptions
}

/**
 * What to ask for in one call; omitted members take the defaults of {@link ClientCredentialsOptions}.
 * An empty string or array asks for no scope / no resource.
 *
 * @example
 * ```ts
 * const token = await cc.getAccessToken({ scope: 'reports:read', resource: 'https://reports.example.com' })
 * ```
 */
export interface TokenRequestOptions {
  scope?: string | string[]
  resource?: string | string[]
}

/**
 * A token with its metadata, as returned by {@link ClientCredentials.getToken}. `accessToken` is
 * readable but not enumerable: `JSON.stringify`, `console.log` and spreading never show it.
 *
 * @example
 * ```ts
 * const t = await cc.getToken()
 * headers.set('authorization', `Bearer ${t.accessToken}`)
 * console.log(t) // { tokenType: 'Bearer', expiresAt: 1767225600000, scope: 'read' }: no token
 * ```
 */
export interface ClientCredentialsToken {
  /** The access token (non-enumerable). */
  readonly accessToken: string
  /** Always `'Bearer'`. */
  /** `DPoP` when the token is DPoP-bound (see the `dpop` option). */
  readonly tokenType: 'Bearer' | 'DPoP'
  /** When the token expires, in milliseconds since the epoch (by the injected clock). */
  readonly expiresAt: number
  /** The scope granted (the scope asked for when the response does not say), or `undefined`. */
  readonly scope: string | undefined
}

/**
 * A client-credentials token source, created by {@link createClientCredentials}. Holds its secret
 * in a closure: `toJSON()`, `toString()` and inspection show only the client id and the endpoint.
 *
 * @example
 * ```ts
 * const cc = createClientCredentials({ issuer, clientId: 'svc', clientSecret })
 * const res = await cc.fetch('https://api.example.com/v1/things')
 * ```
 */
export interface ClientCredentials {
  /**
   * An access token for the request (default scope / resource / audience unless given). Cached,
   * refreshed `refreshSkew` before expiry, shared by concurrent callers. Rejects with
   * {@link TokenEndpointError} (the AS refused: not retried) or {@link AuthorizationServerError}
   * (unreachable, too slow, 5xx, 429 or a malformed answer, after the retries).
   */
  getAccessToken(options?: TokenRequestOptions): Promise<string>
  /** Like {@link ClientCredentials.getAccessToken}, with the token's type, expiry and scope. */
  getToken(options?: TokenRequestOptions): Promise<ClientCredentialsToken>
  /**
   * A drop-in `fetch` that sends `Authorization: Bearer <token>` (replacing any given). On a 401
   * whose `WWW-Authenticate` says `error="invalid_token"`, drops that token and sends the request
   * once more with a fresh one, when the body can be sent again (none, string, URLSearchParams,
   * ArrayBuffer / typed array, Blob, FormData; not a stream nor a `Request` with a body).
   * Refuses plain-http URLs off loopback unless `allowInsecureRequests` is set.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>
  /**
   * Drops cached tokens: with no argument, every token this instance cached; with an argument, the
   * token of that request (defaults applied, so `invalidate({})` drops the default token).
   */
  invalidate(options?: TokenRequestOptions): Promise<void>
  /** `{ clientId, issuer?, tokenEndpoint? }`: never a secret or a token. */
  toJSON(): { clientId: string; issuer?: string; tokenEndpoint?: string }
  toString(): string
}
