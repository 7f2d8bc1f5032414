/**
 * Client-credentials tokens for outgoing calls (RFC 6749 §4.4): obtained from the token endpoint,
 * cached per (scope, resource, audience), refreshed before they expire, shared by concurrent callers,
 * and a drop-in `fetch` that sends them.
 *
 * @module client-credentials
 */
import * as oauth from 'oauth4webapi'
import { z } from 'zod'
import { type CacheStore, type Clock, MemoryCache, sha256Hex, SingleFlight } from './cache.js'
import { type ClientAuthMethod, clientAuthFactory } from './client-auth.js'
import { AuthorizationServerError, ConfigurationError, TokenEndpointError } from './errors.js'
import { type FetchLike, isAllowedUrl, parseRetryAfter, readText, withTimeout } from './http.js'
import type { PrivateKeyInput } from './keys.js'
import { describe, httpOptions, MetadataSource } from './metadata.js'
import { checkClientAuth, checkUrls, clientAuthMethodSchema, parseOptions, privateKeySchema, resolveAuthMethod, urlSchema } from './options.js'

/* ------------------------------------------------------------------------------------------------
 * Public types
 * --------------------------------------------------------------------------------------------- */

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
  /** Milliseconds one token request (or discovery) may take. Default 5000. */
  timeout?: number
  /**
   * Retries of transient failures (network, timeout, 408, 429, 5xx) with exponential backoff and
   * full jitter. `attempts` counts the first try (default 3, so two retries); `baseDelay` (default
   * 200) and `maxDelay` (default 5000) are milliseconds. A `Retry-After` longer than `maxDelay`
   * ends the retries at once.
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
  readonly tokenType: 'Bearer'
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

/* ------------------------------------------------------------------------------------------------
 * Options
 * --------------------------------------------------------------------------------------------- */

const COMPONENT = 'createClientCredentials'

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** Parameters this module sets itself; `extraParams` may not override them. */
const RESERVED_PARAMS = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'resource',
  'audience',
])

const scopeSchema = z.union([z.string(), z.array(z.string())], { error: 'expected a space-separated string or an array of strings' }).superRefine((value, ctx) => {
  for (const token of splitScope(value)) {
    if (!SCOPE_TOKEN.test(token)) {
      ctx.addIssue({ code: 'custom', message: 'a scope token has characters RFC 6749 §3.3 does not allow' })
      return
    }
  }
})

const resourceSchema = z.union([z.string(), z.array(z.string())], { error: 'expected an absolute URI or an array of them' }).superRefine((value, ctx) => {
  for (const r of typeof value === 'string' ? [value] : value) {
    if (!URL.canParse(r) || r.includes('#')) {
      ctx.addIssue({ code: 'custom', message: 'expected absolute URIs without a fragment (RFC 8707)' })
      return
    }
  }
})

const requestSchema = z.strictObject({ scope: scopeSchema.optional(), resource: resourceSchema.optional() })

const functionSchema = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: `expected ${what}` })

const storeSchema = z.custom<CacheStore>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as CacheStore).get === 'function' &&
    typeof (v as CacheStore).set === 'function' &&
    typeof (v as CacheStore).delete === 'function',
  { message: 'expected a CacheStore ({ get, set, delete })' },
)

const optionsSchema = z
  .strictObject({
    issuer: urlSchema.optional(),
    tokenEndpoint: urlSchema.optional(),
    clientId: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).optional(),
    clientSecret: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).optional(),
    privateKey: privateKeySchema.optional(),
    authMethod: clientAuthMethodSchema.optional(),
    scope: scopeSchema.optional(),
    resource: resourceSchema.optional(),
    audience: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).optional(),
    extraParams: z.record(z.string(), z.string({ error: 'expected string values' })).optional(),
    refreshSkew: z.number({ error: 'expected a number of seconds' }).finite().min(0).default(60),
    defaultLifetime: z.number({ error: 'expected a number of seconds' }).finite().positive().default(300),
    timeout: z.number({ error: 'expected a number of milliseconds' }).int().positive().default(5000),
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(10).default(3),
        baseDelay: z.number().finite().min(0).default(200),
        maxDelay: z.number().finite().min(0).default(5000),
      })
      .default({ attempts: 3, baseDelay: 200, maxDelay: 5000 }),
    fetch: functionSchema('a fetch function').optional(),
    store: storeSchema.optional(),
    clock: functionSchema('a function returning milliseconds since the epoch').optional(),
    allowInsecureRequests: z.boolean({ error: 'expected a boolean' }).default(false),
  })
  .superRefine((opts, ctx) => {
    if (opts.issuer === undefined && opts.tokenEndpoint === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenEndpoint'], message: 'required: give tokenEndpoint, or issuer to discover it' })
    }
    checkUrls(ctx, opts.allowInsecureRequests, { issuer: opts.issuer, tokenEndpoint: opts.tokenEndpoint })
    for (const name of ['issuer', 'tokenEndpoint'] as const) {
      const value = opts[name]
      if (value !== undefined && URL.canParse(value)) {
        const url = new URL(value)
        if (url.username !== '' || url.password !== '') {
          ctx.addIssue({ code: 'custom', path: [name], message: 'must not carry credentials (user:password@); use clientId / clientSecret' })
        }
        if (url.hash !== '') ctx.addIssue({ code: 'custom', path: [name], message: 'must not have a fragment' })
      }
    }
    checkClientAuth(ctx, opts)
    for (const name of Object.keys(opts.extraParams ?? {})) {
      if (RESERVED_PARAMS.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['extraParams', name], message: 'is set by the client itself and cannot be overridden' })
      }
    }
    if (opts.retry.maxDelay < opts.retry.baseDelay) {
      ctx.addIssue({ code: 'custom', path: ['retry', 'maxDelay'], message: 'must be at least retry.baseDelay' })
    }
  })

/* ------------------------------------------------------------------------------------------------
 * Internals
 * --------------------------------------------------------------------------------------------- */

/** What the store holds for one token. */
interface StoredToken {
  v: 1
  accessToken: string
  expiresAt: number
  refreshAt: number
  scope: string | null
}

/** A normalised request: sorted, de-duplicated scope and resources. */
interface NormalisedRequest {
  scope: string | undefined
  resource: string[]
}

/** Per-key memory of failed refreshes (never holds a secret or a token). */
interface FailureState {
  /** Consecutive failed refreshes. */
  count: number
  /** While a still-valid token exists: no refresh before this time. */
  retryAt: number
  /** Without a valid token: no request before this time (the AS sent Retry-After). */
  blockedUntil: number
  upstreamStatus: number | undefined
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom')
const MAX_FAILURE_BACKOFF = 30_000

function splitScope(value: string | readonly string[]): string[] {
  const parts = typeof value === 'string' ? value.split(/\s+/) : value.flatMap((s) => s.split(/\s+/))
  return parts.filter((s) => s !== '')
}

function normaliseScope(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined
  const tokens = [...new Set(splitScope(value))].sort()
  return tokens.length ? tokens.join(' ') : undefined
}

function normaliseResource(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return []
  return [...new Set(typeof value === 'string' ? [value] : value)].sort()
}

function isStoredToken(value: unknown): value is StoredToken {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<StoredToken>
  return (
    v.v === 1 &&
    typeof v.accessToken === 'string' &&
    v.accessToken !== '' &&
    typeof v.expiresAt === 'number' &&
    typeof v.refreshAt === 'number' &&
    (v.scope === null || typeof v.scope === 'string')
  )
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

/** Can this body be sent a second time? */
function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null) return true
  if (typeof body === 'string') return true
  if (body instanceof URLSearchParams) return true
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true
  if (typeof Blob !== 'undefined' && body instanceof Blob) return true
  if (typeof FormData !== 'undefined' && body instanceof FormData) return true
  return false
}

/**
 * Does this `WWW-Authenticate` value hold a Bearer challenge with `error="invalid_token"`? Splits
 * challenges on the auth-scheme tokens and reads the `error` auth-param (quoted or not).
 */
function hasInvalidTokenChallenge(header: string | null): boolean {
  if (!header) return false
  // A challenge starts at the beginning or after a comma, with a scheme followed by a space (or the end).
  const starts = [...header.matchAll(/(?:^|,)\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?=\s+[^=\s,]|\s*(?:,|$))/g)]
  for (let i = 0; i < starts.length; i++) {
    const m = starts[i]!
    if (m[1]!.toLowerCase() !== 'bearer') continue
    const end = i + 1 < starts.length ? starts[i + 1]!.index : header.length
    const params = header.slice(m.index + m[0].length, end)
    const error = /(?:^|,|\s)error\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/i.exec(params)
    const value = error ? (error[1] ?? error[2] ?? '').replace(/\\(.)/g, '$1') : undefined
    if (value === 'invalid_token') return true
  }
  return false
}

/** Removes every occurrence of `secret` from `text` (an AS that echoes the secret back must not leak it). */
function redact(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined
  let out = text
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]')
  return out.length > 500 ? `${out.slice(0, 500)}…` : out
}

/* ------------------------------------------------------------------------------------------------
 * createClientCredentials
 * --------------------------------------------------------------------------------------------- */

/**
 * Creates a client-credentials token source (RFC 6749 §4.4) for calling other APIs as this service.
 *
 * - Tokens are cached per (scope, resource, audience) under a SHA-256 key of those, the client id
 *   and the token endpoint (or issuer), and refreshed `refreshSkew` seconds before they expire.
 * - Concurrent callers share one token request. Transient failures (network, timeout, 408, 429,
 *   5xx) are retried with exponential backoff and full jitter, honouring `Retry-After`; OAuth errors
 *   (`invalid_client`, `invalid_scope`, …) reject at once with {@link TokenEndpointError}.
 * - A refresh that fails while the current token is still valid returns the current token, and the
 *   next refresh is tried only after a short backoff (1 s doubling to 30 s, at least `Retry-After`).
 * - Without a valid token, after the AS sent `Retry-After`, calls reject at once until it elapses.
 *
 * Options are validated here; a mistake throws {@link ConfigurationError} naming the option.
 *
 * @example
 * ```ts
 * import { createClientCredentials } from '@org/rs-core'
 *
 * const cc = createClientCredentials({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'billing-service',
 *   clientSecret: process.env.BILLING_CLIENT_SECRET,
 *   scope: 'invoices:read',
 * })
 *
 * const token = await cc.getAccessToken()                       // cached, refreshed before expiry
 * const res = await cc.fetch('https://api.example.com/invoices') // Authorization: Bearer …, one retry on invalid_token
 * ```
 */
export function createClientCredentials(options: ClientCredentialsOptions): ClientCredentials {
  const opts = parseOptions(COMPONENT, optionsSchema, options)
  const clientId = opts.clientId!
  const authMethod = resolveAuthMethod(opts)
  const clock: Clock = (opts.clock as Clock | undefined) ?? Date.now
  const fetchOption = opts.fetch as FetchLike | undefined
  const store: CacheStore = opts.store ?? new MemoryCache({ maxEntries: 1000, clock })
  const secrets = opts.clientSecret === undefined ? [] : [opts.clientSecret]
  const defaults: NormalisedRequest = { scope: normaliseScope(opts.scope), resource: normaliseResource(opts.resource) }
  const extraParams = Object.entries(opts.extraParams ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const endpointForKey = opts.tokenEndpoint ?? opts.issuer!
  const endpointLabel = (() => {
    const u = new URL(endpointForKey)
    return `${u.origin}${u.pathname}`
  })()
  const describeEndpoint = opts.tokenEndpoint ? `The token endpoint ${endpointLabel}` : `The token endpoint of ${endpointLabel}`
  // http on loopback is allowed without the option, but oauth4webapi needs its flag for it.
  const insecureOk = (url: string) => isAllowedUrl(new URL(url), opts.allowInsecureRequests)
  const oauthInsecure =
    opts.allowInsecureRequests || [opts.issuer, opts.tokenEndpoint].some((u) => u !== undefined && new URL(u).protocol === 'http:')

  const metadata = new MetadataSource({
    // Without an issuer the client assertion's `aud` is the token endpoint URL (RFC 7523 §3).
    issuer: opts.issuer ?? opts.tokenEndpoint!,
    endpoints: { token_endpoint: opts.tokenEndpoint },
    required: ['token_endpoint'],
    fetch: fetchOption,
    timeout: opts.timeout,
    // Our URL rule (https, or http on loopback / when allowed) for discovered endpoints too.
    allowInsecureRequests: opts.allowInsecureRequests,
    clock,
  })
  const clientAuth = clientAuthFactory({ clientId, clientSecret: opts.clientSecret, privateKey: opts.privateKey as PrivateKeyInput | undefined, authMethod })
  const oauthClient: oauth.Client = { client_id: clientId }

  const flights = new SingleFlight<StoredToken>()
  const failures = new Map<string, FailureState>()
  const keys = new Map<string, Promise<string>>() // descriptor → cache key (neither holds a secret)
  const usedKeys = new Set<string>()
  // Errors worth retrying, and the Retry-After (ms) the AS sent with them.
  const transient = new WeakSet<object>()
  const retryAfterOf = new WeakMap<object, number>()

  /* ---------- requests ---------- */

  function normaliseRequest(input: TokenRequestOptions | undefined, method: string): NormalisedRequest {
    if (input === undefined) return defaults
    const parsed = parseOptions(method, requestSchema, input)
    return {
      scope: parsed.scope === undefined ? defaults.scope : normaliseScope(parsed.scope),
      resource: parsed.resource === undefined ? defaults.resource : normaliseResource(parsed.resource),
    }
  }

  function keyFor(req: NormalisedRequest): Promise<string> {
    const descriptor = JSON.stringify(['cc/v1', endpointForKey, clientId, req.scope ?? null, req.resource, opts.audience ?? null, extraParams])
    let key = keys.get(descriptor)
    if (key === undefined) {
      if (keys.size >= 1000) keys.clear()
      key = Promise.resolve(`rs-core:cc:${sha256Hex(descriptor)}`)
      keys.set(descriptor, key)
    }
    return key
  }

  async function readStore(key: string): Promise<StoredToken | undefined> {
    let value: unknown
    try {
      value = await store.get(key)
    } catch {
      return undefined // a store outage is a miss: the token is fetched again
    }
    if (!isStoredToken(value) || value.expiresAt <= clock()) return undefined
    return value
  }

  async function writeStore(key: string, token: StoredToken): Promise<void> {
    usedKeys.add(key)
    try {
      await store.set(key, token, token.expiresAt - clock())
    } catch {
      // The token is still returned; the next call asks the AS again.
    }
  }

  async function deleteFromStore(key: string): Promise<void> {
    try {
      await store.delete(key)
    } catch {
      // nothing more to do
    }
  }

  /** One token request: discovery (when needed), the POST, and the answer turned into a token or an error. */
  async function requestOnce(req: NormalisedRequest): Promise<StoredToken> {
    let as: oauth.AuthorizationServer
    try {
      as = await metadata.get()
    } catch (err) {
      if (err instanceof AuthorizationServerError && (err.failure === 'network' || err.failure === 'timeout')) transient.add(err)
      throw err
    }
    const tokenEndpoint = as.token_endpoint!
    if (!URL.canParse(tokenEndpoint) || !insecureOk(tokenEndpoint)) {
      throw new AuthorizationServerError('metadata', `The metadata of ${opts.issuer} has a token_endpoint that is not https`)
    }
    let auth: oauth.ClientAuth
    try {
      auth = await clientAuth()
    } catch (err) {
      throw new ConfigurationError(COMPONENT, [{ path: 'privateKey', message: `could not be imported: ${describe(err)}` }])
    }
    const params = new URLSearchParams(extraParams)
    if (req.scope !== undefined) params.set('scope', req.scope)
    for (const r of req.resource) params.append('resource', r)
    if (opts.audience !== undefined) params.set('audience', opts.audience)

    const sentAt = clock()
    let response: Response
    try {
      // The whole exchange (headers and body) is bounded by the timeout.
      response = await withTimeout(describeEndpoint, opts.timeout, async (signal) => {
        const raw = await oauth.clientCredentialsGrantRequest(as, oauthClient, auth, params, httpOptions(fetchOption, new URL(tokenEndpoint).protocol === 'http:', signal))
        const nullBody = raw.status === 204 || raw.status === 205 || raw.status === 304
        const text = nullBody ? null : await readText(raw, describeEndpoint)
        return new Response(text, { status: raw.status, statusText: raw.statusText, headers: raw.headers })
      })
    } catch (err) {
      if (err instanceof AuthorizationServerError) {
        if (err.failure === 'network' || err.failure === 'timeout') {
          transient.add(err)
          metadata.markStale()
        }
        throw err
      }
      // oauth4webapi refused to build the request (e.g. a bad endpoint): not transient.
      throw new AuthorizationServerError('bad_response', `${describeEndpoint} could not be called: ${describe(err)}`)
    }

    const status = response.status
    if (status === 408 || status === 429 || status >= 500) {
      void response.body?.cancel().catch(() => {})
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), clock())
      const err = new AuthorizationServerError('http_status', `${describeEndpoint} answered ${status}`, {
        upstreamStatus: status,
        ...(retryAfter !== undefined ? { retryAfter } : {}),
      })
      transient.add(err)
      if (retryAfter !== undefined) retryAfterOf.set(err, retryAfter * 1000)
      throw err
    }

    let body: oauth.TokenEndpointResponse
    try {
      body = await oauth.processClientCredentialsResponse(as, oauthClient, response)
    } catch (err) {
      throw await toTokenError(err, status)
    }
    if (body.token_type !== 'bearer') {
      throw new AuthorizationServerError('bad_response', `${describeEndpoint} issued a token of type "${body.token_type.slice(0, 20)}", not Bearer`)
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : opts.defaultLifetime
    const expiresAt = sentAt + lifetime * 1000
    const skew = Math.min(opts.refreshSkew, lifetime / 2)
    return {
      v: 1,
      accessToken: body.access_token,
      expiresAt,
      refreshAt: expiresAt - skew * 1000,
      scope: typeof body.scope === 'string' ? body.scope : (req.scope ?? null),
    }
  }

  /** Maps an oauth4webapi processing error to ours. Never attaches a cause that might hold the response body (and so a token). */
  async function toTokenError(err: unknown, status: number): Promise<Error> {
    if (err instanceof oauth.ResponseBodyError) {
      return new TokenEndpointError(redact(err.error, secrets)!, redact(err.error_description, secrets), err.status)
    }
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      // A 401 with a challenge (e.g. for client_secret_basic): the OAuth error is in the body, or else in the challenge.
      let error: string | undefined
      let description: string | undefined
      try {
        const json = (await err.response.json()) as { error?: unknown; error_description?: unknown }
        if (typeof json.error === 'string' && json.error !== '') {
          error = json.error
          if (typeof json.error_description === 'string') description = json.error_description
        }
      } catch {
        // not JSON
      }
      if (error === undefined) {
        const challenge = err.cause.find((c) => typeof c.parameters.error === 'string')
        error = challenge?.parameters.error ?? undefined
        description = challenge?.parameters.error_description ?? undefined
      }
      if (error !== undefined) return new TokenEndpointError(redact(error, secrets)!, redact(description, secrets), err.status)
      return new AuthorizationServerError('client_rejected', `${describeEndpoint} rejected the client authentication (${status})`, { upstreamStatus: status })
    }
    const detail = err instanceof Error ? err.message.slice(0, 200) : 'unexpected error'
    if (status !== 200) {
      return new AuthorizationServerError('http_status', `${describeEndpoint} answered ${status}: ${detail}`, { upstreamStatus: status })
    }
    return new AuthorizationServerError('bad_response', `${describeEndpoint} sent an unusable token response: ${detail}`, { upstreamStatus: status })
  }

  /** {@link requestOnce} with retries of transient failures. */
  async function requestWithRetry(req: NormalisedRequest): Promise<StoredToken> {
    const { attempts, baseDelay, maxDelay } = opts.retry
    for (let attempt = 1; ; attempt++) {
      try {
        return await requestOnce(req)
      } catch (err) {
        if (typeof err !== 'object' || err === null || !transient.has(err) || attempt >= attempts) throw err
        // Full jitter: a random delay in [0, min(maxDelay, baseDelay · 2^(attempt-1))).
        let delay = Math.random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1))
        const retryAfter = retryAfterOf.get(err)
        if (retryAfter !== undefined) {
          if (retryAfter > maxDelay) throw err // the AS asked for a longer wait than we may spend here
          delay = Math.max(delay, retryAfter)
        }
        await sleep(delay)
      }
    }
  }

  /** A new token for `key`; on failure the current one while it is valid. */
  async function refresh(key: string, req: NormalisedRequest, current: StoredToken | undefined): Promise<StoredToken> {
    // Another caller (or another instance sharing the store) may have refreshed meanwhile.
    const again = await readStore(key)
    if (again !== undefined && clock() < again.refreshAt) return again
    try {
      const token = await requestWithRetry(req)
      await writeStore(key, token)
      failures.delete(key)
      return token
    } catch (err) {
      const now = clock()
      const previous = failures.get(key)
      const count = (previous?.count ?? 0) + 1
      const retryAfter = typeof err === 'object' && err !== null ? retryAfterOf.get(err) : undefined
      const fallback = again ?? current
      const upstreamStatus = err instanceof AuthorizationServerError ? err.upstreamStatus : undefined
      if (fallback !== undefined && now < fallback.expiresAt) {
        const backoff = Math.max(Math.min(MAX_FAILURE_BACKOFF, 1000 * 2 ** (count - 1)), retryAfter ?? 0)
        failures.set(key, { count, retryAt: now + backoff, blockedUntil: now + (retryAfter ?? 0), upstreamStatus })
        return fallback
      }
      failures.set(key, { count, retryAt: now, blockedUntil: now + (retryAfter ?? 0), upstreamStatus })
      throw err
    }
  }

  async function obtain(input: TokenRequestOptions | undefined, method: string): Promise<StoredToken> {
    const req = normaliseRequest(input, method)
    const key = await keyFor(req)
    const cached = await readStore(key)
    if (cached !== undefined) usedKeys.add(key) // possibly written by another instance sharing the store
    const now = clock()
    if (cached !== undefined && now < cached.refreshAt) return cached
    const failure = failures.get(key)
    if (failure !== undefined) {
      if (cached !== undefined && now < failure.retryAt) return cached
      if (cached === undefined && now < failure.blockedUntil) {
        const wait = Math.ceil((failure.blockedUntil - now) / 1000)
        return Promise.reject(
          new AuthorizationServerError('http_status', `${describeEndpoint} asked to wait; not asking again for ${wait} s`, {
            retryAfter: wait,
            upstreamStatus: failure.upstreamStatus,
          }),
        )
      }
    }
    return flights.run(key, () => refresh(key, req, cached))
  }

  /* ---------- public methods ---------- */

  async function getAccessToken(input?: TokenRequestOptions): Promise<string> {
    return (await obtain(input, 'getAccessToken')).accessToken
  }

  async function getToken(input?: TokenRequestOptions): Promise<ClientCredentialsToken> {
    const t = await obtain(input, 'getToken')
    const visible = { tokenType: 'Bearer' as const, expiresAt: t.expiresAt, scope: t.scope ?? undefined }
    const view = { ...visible }
    Object.defineProperties(view, {
      accessToken: { value: t.accessToken, enumerable: false },
      toJSON: { value: () => ({ ...visible }), enumerable: false },
      toString: { value: () => `[ClientCredentialsToken ${visible.tokenType}]`, enumerable: false },
      [INSPECT]: { value: () => ({ ...visible }), enumerable: false },
    })
    return Object.freeze(view) as ClientCredentialsToken
  }

  async function invalidate(input?: TokenRequestOptions): Promise<void> {
    const targets = input === undefined ? [...usedKeys] : [await keyFor(normaliseRequest(input, 'invalidate'))]
    for (const key of targets) {
      failures.delete(key)
      usedKeys.delete(key)
      await deleteFromStore(key)
    }
  }

  /** Drops the default token only if it is still `token` (a newer one obtained meanwhile is kept). */
  async function invalidateIfCurrent(token: string): Promise<void> {
    const key = await keyFor(defaults)
    const cached = await readStore(key)
    if (cached !== undefined && cached.accessToken === token) {
      failures.delete(key)
      await deleteFromStore(key)
    }
  }

  async function authorizedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const fetchImpl: FetchLike = fetchOption ?? ((i, n) => globalThis.fetch(i, n))
    const base = typeof location === 'undefined' ? undefined : location.href
    const url = new URL(input instanceof Request ? input.url : input, base)
    if (!insecureOk(url.href)) {
      throw new TypeError(`Refusing to send a bearer token to ${url.origin} over plain http (set allowInsecureRequests to allow it)`)
    }
    const requestHasBody = input instanceof Request && input.body !== null && init?.body === undefined
    const replayable = !requestHasBody && isReplayableBody(init?.body)
    const baseHeaders = init?.headers ?? (input instanceof Request ? input.headers : undefined)

    const send = (token: string) => {
      const headers = new Headers(baseHeaders)
      headers.set('authorization', `Bearer ${token}`)
      return fetchImpl(input, { ...init, headers })
    }

    const token = await getAccessToken()
    const response = await send(token)
    if (response.status !== 401 || !replayable || !hasInvalidTokenChallenge(response.headers.get('www-authenticate'))) return response
    await response.body?.cancel().catch(() => {})
    await invalidateIfCurrent(token)
    return send(await getAccessToken())
  }

  const visible = {
    clientId,
    ...(opts.issuer !== undefined ? { issuer: opts.issuer } : {}),
    ...(opts.tokenEndpoint !== undefined ? { tokenEndpoint: opts.tokenEndpoint } : {}),
  }
  const label = `ClientCredentials(${clientId} at ${endpointLabel})`
  const client: ClientCredentials = {
    getAccessToken,
    getToken,
    fetch: authorizedFetch,
    invalidate,
    toJSON: () => ({ ...visible }),
    toString: () => label,
  }
  Object.defineProperty(client, INSPECT, { value: () => label, enumerable: false })
  return Object.freeze(client)
}
