/**
 * Authorization server metadata: discovered from the issuer (OpenID Connect Discovery, then RFC 8414
 * in its path-inserted and path-appended forms), or given explicitly (then never fetched); reused;
 * refreshed periodically and rediscovered after a failure, at most once per cooldown.
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
  /** Milliseconds one discovery request may take. */
  timeoutMs: number
  allowInsecureRequests: boolean
  /** Minimum milliseconds between two discoveries after a failure (or a key failure). Default 10 s. */
  retryCooldownMs?: number | undefined
  /** Milliseconds discovered metadata is used before it is refreshed (in the background). Default 1 hour. */
  maxAgeMs?: number | undefined
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
    [oauth.customFetch]: boundedFetch(fetchImpl, maxBytes, what) as (
      url: string,
      init: oauth.CustomFetchOptions<string, unknown>,
    ) => Promise<Response>,
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
  #fetchedAt = -Infinity

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
    const current = this.#current
    if (current !== undefined && !this.#stale && !this.#discovered) return current // given explicitly: never fetched
    const now = (this.#options.clock ?? Date.now)()
    if (current === undefined) return this.#run()
    const cooling = now - this.#lastAttempt < (this.#options.retryCooldownMs ?? 10_000)
    if (this.#stale) return cooling ? current : this.#run()
    // Periodic refresh: the request is served with the metadata it has; the refresh runs behind it
    // (and keeps the last good metadata if it fails).
    if (!cooling && now - this.#fetchedAt >= (this.#options.maxAgeMs ?? 3_600_000)) void this.#run()
    return current
  }

  #run(): Promise<oauth.AuthorizationServer> {
    this.#pending ??= this.#discover().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  /** Marks the metadata for rediscovery (after the AS failed us, or a key was not found), unless it was given explicitly. */
  markStale(): void {
    if (this.#discovered) this.#stale = true
  }

  #discovered = false

  async #discover(): Promise<oauth.AuthorizationServer> {
    const { issuer, fetch: fetchImpl, timeoutMs } = this.#options
    this.#lastAttempt = (this.#options.clock ?? Date.now)()
    try {
      const issuerUrl = new URL(issuer)
      let as: oauth.AuthorizationServer | undefined
      const misses: string[] = []
      let lastError: unknown
      for (const url of metadataUrls(issuerUrl)) {
        const what = `Discovery at ${url.origin}${url.pathname}`
        try {
          // The body is read (within maxResponseBytes) inside the timeout; it is judged outside it.
          const response = await withTimeout(what, timeoutMs, async (signal) => {
            const get = boundedFetch(fetchImpl, this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, what)
            return get(url.href, { method: 'GET', headers: { accept: 'application/json' }, redirect: 'manual', signal })
          })
          if (response.status !== 200) {
            misses.push(`${url.pathname} answered ${response.status}`)
            continue // 404 and any other status: this document is not served here; try the next form
          }
          as = await oauth.processDiscoveryResponse(issuerUrl, response)
          break
        } catch (err) {
          if (err instanceof AuthorizationServerError) throw err // network, timeout, body too large: the other URLs won't help
          const actual = mismatchedIssuer(err)
          if (actual !== undefined) {
            throw new AuthorizationServerError(
              'issuer_mismatch',
              `The authorization server calls itself "${actual}", not "${issuer}"${slashHint(actual, issuer)}: set issuer to exactly "${actual}"`,
            )
          }
          lastError = err
          misses.push(`${url.pathname}: ${describe(err)}`)
        }
      }
      if (as === undefined) {
        throw new AuthorizationServerError(
          'metadata',
          `Discovery at ${issuer} failed: no OpenID Connect or RFC 8414 metadata (${misses.join('; ')})`,
          { cause: lastError },
        )
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
      this.#fetchedAt = (this.#options.clock ?? Date.now)()
      this.#options.onDiscovered?.(issuer)
      return merged
    } catch (err) {
      if (this.#current !== undefined) return this.#current
      throw err
    }
  }
}

/**
 * Where an issuer's metadata may be, in the order tried: OpenID Connect Discovery (path appended),
 * RFC 8414 §3.1 (path inserted after the host), then, for an issuer with a path, the RFC 8414
 * document appended to it (as many servers serve it).
 */
export function metadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/+$/, '')
  const at = (pathname: string) => {
    const url = new URL(issuer.href)
    url.pathname = pathname
    url.search = ''
    url.hash = ''
    return url
  }
  const urls = [at(`${path}/.well-known/openid-configuration`), at(`/.well-known/oauth-authorization-server${path}`)]
  if (path !== '') urls.push(at(`${path}/.well-known/oauth-authorization-server`))
  return urls
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
