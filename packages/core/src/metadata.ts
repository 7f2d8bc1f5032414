/**
 * Authorization server metadata: discovered once from the issuer (OpenID Connect Discovery, then
 * RFC 8414), or given explicitly; reused; rediscovered after a failure.
 *
 * @module metadata
 */
import * as oauth from 'oauth4webapi'
import { AuthorizationServerError } from './errors.js'
import { boundedFetch, DEFAULT_MAX_RESPONSE_BYTES, type FetchLike, isAllowedUrl, withTimeout } from './http.js'

/** Endpoints that may be given explicitly instead of (or on top of) discovery. */
export interface ExplicitEndpoints {
  introspection_endpoint?: string | undefined
  jwks_uri?: string | undefined
  token_endpoint?: string | undefined
}

export interface MetadataSourceOptions {
  issuer: string
  endpoints?: ExplicitEndpoints
  /** Endpoints that must be known; when all are given explicitly, no discovery request is made. */
  required: ReadonlyArray<keyof ExplicitEndpoints>
  fetch?: FetchLike | undefined
  timeout: number
  allowInsecureRequests: boolean
  /** Minimum milliseconds between two discoveries after a failure. Default 10 s. */
  retryCooldown?: number
  clock?: () => number
  /** Called after each successful discovery. */
  onDiscovered?: ((issuer: string) => void) | undefined
  /** Largest response body read from the AS, in bytes. Default 256 KB. */
  maxResponseBytes?: number | undefined
}

/**
 * Options every oauth4webapi HTTP call of this package gets: the signal, and a custom fetch that
 * reads every response body within `maxBytes` (an AS cannot make us buffer an unbounded body).
 */
export function httpOptions(fetchImpl: FetchLike | undefined, allowInsecure: boolean, signal: AbortSignal, maxBytes: number, what: string) {
  return {
    signal,
    [oauth.customFetch]: boundedFetch(fetchImpl, maxBytes, what) as (url: string, init: oauth.CustomFetchOptions<string, unknown>) => Promise<Response>,
    // Our own rule (https, or http on loopback / when allowed) is checked on every URL we call, given or
    // discovered; oauth4webapi's blanket https-only check would refuse loopback test and dev set-ups.
    ...(allowInsecure ? { [oauth.allowInsecureRequests]: true } : {}),
  }
}

/**
 * Resolves the metadata of one authorization server. Concurrent callers share one discovery; a
 * failed discovery is not remembered (the next call tries again) and, once a discovery has
 * succeeded, a later failed rediscovery keeps serving the last good metadata.
 */
export class MetadataSource {
  readonly issuer: string
  readonly #options: MetadataSourceOptions
  #current: oauth.AuthorizationServer | undefined
  #pending: Promise<oauth.AuthorizationServer> | undefined
  #stale = false
  #lastAttempt = -Infinity

  constructor(options: MetadataSourceOptions) {
    this.issuer = options.issuer
    this.#options = options
    const explicit = options.endpoints ?? {}
    if (options.required.every((name) => explicit[name] !== undefined)) {
      this.#current = { issuer: options.issuer, ...definedOnly(explicit) }
    }
  }

  /** The metadata, discovering it if needed. Rejects with {@link AuthorizationServerError}. */
  get(): Promise<oauth.AuthorizationServer> | oauth.AuthorizationServer {
    if (this.#current !== undefined && !this.#stale) return this.#current
    const now = (this.#options.clock ?? Date.now)()
    if (this.#current !== undefined && now - this.#lastAttempt < (this.#options.retryCooldown ?? 10_000)) return this.#current
    this.#pending ??= this.#discover().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  /** Marks the metadata for rediscovery (after the AS failed us), unless it was given explicitly. */
  markStale(): void {
    if (this.#discovered) this.#stale = true
  }

  #discovered = false

  async #discover(): Promise<oauth.AuthorizationServer> {
    const { issuer, fetch: fetchImpl, timeout } = this.#options
    this.#lastAttempt = (this.#options.clock ?? Date.now)()
    try {
      const issuerUrl = new URL(issuer)
      let as: oauth.AuthorizationServer | undefined
      let lastError: unknown
      for (const algorithm of ['oidc', 'oauth2'] as const) {
        try {
          as = await withTimeout(`Discovery at ${issuer}`, timeout, async (signal) => {
            const response = await oauth.discoveryRequest(issuerUrl, { algorithm, ...httpOptions(fetchImpl, true, signal, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, `Discovery at ${issuer}`) })
            return oauth.processDiscoveryResponse(issuerUrl, response)
          })
          break
        } catch (err) {
          lastError = err
          if (err instanceof AuthorizationServerError) throw err // network or timeout: the other URL won't help
          const actual = mismatchedIssuer(err)
          if (actual !== undefined) {
            throw new AuthorizationServerError('issuer_mismatch', `The authorization server calls itself "${actual}", not "${issuer}": set issuer to exactly "${actual}"`)
          }
        }
      }
      if (as === undefined) {
        throw new AuthorizationServerError('metadata', `Discovery at ${issuer} failed: ${describe(lastError)}`, { cause: lastError })
      }
      // oauth4webapi compares issuers as parsed URLs ("https://as.example" equals "https://as.example/");
      // tokens carry the exact string, so the configured issuer must be exactly the AS's.
      if (as.issuer !== issuer) {
        throw new AuthorizationServerError(
          'issuer_mismatch',
          `The authorization server calls itself "${as.issuer}", not "${issuer}"${slashHint(as.issuer, issuer)}: set issuer to exactly "${as.issuer}"`,
        )
      }
      const merged: oauth.AuthorizationServer = { ...as, ...definedOnly(this.#options.endpoints ?? {}) }
      for (const name of this.#options.required) {
        if (typeof merged[name] !== 'string') {
          throw new AuthorizationServerError('metadata', `The metadata of ${issuer} has no ${name}`)
        }
      }
      for (const name of ['introspection_endpoint', 'jwks_uri', 'token_endpoint'] as const) {
        const value = merged[name]
        if (typeof value === 'string' && !(URL.canParse(value) && isAllowedUrl(new URL(value), this.#options.allowInsecureRequests))) {
          throw new AuthorizationServerError('metadata', `The metadata of ${issuer} has an ${name} that is not https: refused`)
        }
      }
      this.#current = merged
      this.#stale = false
      this.#discovered = true
      this.#options.onDiscovered?.(issuer)
      return merged
    } catch (err) {
      if (this.#current !== undefined) return this.#current
      throw err
    }
  }
}

function definedOnly(endpoints: ExplicitEndpoints): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(endpoints)) if (typeof v === 'string') out[k] = v
  return out
}

/** A short, secret-free description of an error for messages. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

function slashHint(actual: string, configured: string): string {
  if (actual === `${configured}/`) return ' (with a trailing slash)'
  if (`${actual}/` === configured) return ' (without a trailing slash)'
  return ''
}

/** The issuer an AS's metadata named when oauth4webapi refused it for not being the configured one. */
function mismatchedIssuer(err: unknown): string | undefined {
  if (!(err instanceof oauth.OperationProcessingError) || err.code !== oauth.JSON_ATTRIBUTE_COMPARISON) return undefined
  const cause = err.cause as { attribute?: unknown; body?: { issuer?: unknown } } | undefined
  return cause?.attribute === 'issuer' && typeof cause.body?.issuer === 'string' ? cause.body.issuer.slice(0, 300) : undefined
}
