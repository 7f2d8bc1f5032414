/**
 * The authorization server's published keys (its JWKS), fetched and cached with a refetch cooldown.
 *
 * @module keys/remote-key-set
 */
import * as jose from 'jose'
import { AuthorizationServerError } from '../errors.js'
import { boundedFetch, DEFAULT_MAX_RESPONSE_BYTES, type FetchLike } from '../http.js'

/** Options of {@link RemoteKeySet}. */
export interface RemoteKeySetOptions {
  /** Milliseconds a fetched key set is used before it is refetched. Default 10 minutes. */
  cacheMaxAgeMs?: number | undefined
  /** Minimum milliseconds between two fetches, whatever the `kid`s asked for. Default 30 s. */
  cooldownMs?: number | undefined
  /** Fetch timeout in milliseconds. Default 5000. */
  timeoutMs?: number | undefined
  fetch?: FetchLike | undefined
  /** Called after each successful fetch of the key set, with its origin and path. */
  onFetched?: ((url: string) => void) | undefined
  /** Largest JWKS body read, in bytes. Default 256 KB. */
  maxResponseBytes?: number | undefined
}

/**
 * The authorization server's published keys. Fetched on first use, reused for `cacheMaxAge`,
 * refetched when a token names an unknown `kid` but at most once per `cooldown`, so a flood of
 * random `kid`s cannot make us hammer the AS.
 */
export class RemoteKeySet {
  readonly url: URL
  readonly #getKey: ReturnType<typeof jose.createRemoteJWKSet>
  /** Counts JWKS fetches, so the `kid` set below is recomputed only after one. */
  #fetches = 0
  #kids: Set<string | undefined> | undefined
  #kidsAtFetch = -1

  constructor(url: string | URL, options: RemoteKeySetOptions = {}) {
    this.url = new URL(url)
    const fetchImpl = boundedFetch(
      options.fetch,
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      `The JWKS at ${this.url.origin}${this.url.pathname}`,
    )
    this.#getKey = jose.createRemoteJWKSet(this.url, {
      cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
      cooldownDuration: options.cooldownMs ?? 30_000,
      timeoutDuration: options.timeoutMs ?? 5_000,
      headers: { accept: 'application/jwk-set+json, application/json' },
      [jose.customFetch]: async (url: string, init: RequestInit) => {
        this.#fetches++
        const response = await fetchImpl(url, init)
        if (response.ok) options.onFetched?.(`${this.url.origin}${this.url.pathname}`)
        return response
      },
    })
  }

  /**
   * Resolves the key for a JWS header. A `kid` that is not published (after a refetch when allowed)
   * rejects with jose's `JWKSNoMatchingKey`; a key set that cannot be fetched or parsed rejects with
   * an {@link AuthorizationServerError}.
   */
  getKey = async (header: jose.JWSHeaderParameters, input: jose.FlattenedJWSInput): Promise<CryptoKey> => {
    try {
      return (await this.#getKey(header, input)) as CryptoKey
    } catch (err) {
      if (err instanceof AuthorizationServerError) throw err // e.g. a body over the size bound
      if (err instanceof jose.errors.JWKSNoMatchingKey || err instanceof jose.errors.JWKSMultipleMatchingKeys) throw err
      if (err instanceof jose.errors.JWKSTimeout) {
        throw new AuthorizationServerError('timeout', `The JWKS at ${this.url.origin}${this.url.pathname} did not answer in time`, {
          cause: err,
        })
      }
      if (err instanceof jose.errors.JOSEError && !(err instanceof jose.errors.JWKSInvalid)) {
        // e.g. a JWK of an unsupported type for this alg: the key set is unusable for this header.
        if (err instanceof jose.errors.JOSENotSupported) throw err
      }
      throw new AuthorizationServerError('network', `The JWKS at ${this.url.origin}${this.url.pathname} could not be fetched or used`, {
        cause: err,
      })
    }
  }

  /** Fetches the key set now and returns its keys (public JWKs). Rejects like {@link getKey} when it cannot be fetched. */
  async publishedKeys(): Promise<jose.JWK[]> {
    try {
      await this.#getKey.reload()
    } catch (err) {
      throw new AuthorizationServerError('network', `The JWKS at ${this.url.origin}${this.url.pathname} could not be fetched or used`, {
        cause: err,
      })
    }
    return this.#getKey.jwks()?.keys ?? []
  }

  /** Is a key with this `kid` in the set as last fetched? (Used so a cached verdict never outlives its key.) */
  hasKid(kid: string | undefined): boolean {
    // jose's jwks() returns a deep copy: read it once per fetch, once that fetch has been applied.
    if (this.#kidsAtFetch !== this.#fetches && !this.#getKey.reloading) {
      this.#kids = new Set(this.#getKey.jwks()?.keys.map((k) => k.kid))
      this.#kidsAtFetch = this.#fetches
    }
    return this.#kids?.has(kid) ?? false
  }
}
