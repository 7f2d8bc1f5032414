/**
 * `createClientCredentials`: the assembly. Validates the options once, then wires the named parts:
 * metadata, the token endpoint call, retries, the token cache, and the `fetch` wrapper.
 *
 * @module client-credentials/create
 */
import { type Clock, MemoryCache } from '../cache/index.js'
import { clientAuthFactory } from '../client-auth.js'
import type { FetchLike } from '../http.js'
import type { PrivateKeyInput } from '../keys/index.js'
import { MetadataSource } from '../metadata.js'
import { msOf, parseOptions, resolveAuthMethod } from '../options.js'
import { ClientDpop, type ClientDpopOptions, dpopKeyPart } from './dpop.js'
import { authorizedFetch } from './fetch.js'
import { COMPONENT, type NormalisedRequest, normaliseResource, normaliseScope, optionsSchema, requestSchema } from './options.js'
import { sleepOf, withRetry } from './retry.js'
import { TokenCache } from './token-cache.js'
import { type StoredToken, TokenEndpoint } from './token-request.js'
import type { ClientCredentials, ClientCredentialsOptions, ClientCredentialsToken, TokenRequestOptions } from './types.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

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
  const clock: Clock = (opts.clock as Clock | undefined) ?? Date.now
  const fetchOption = opts.fetch as FetchLike | undefined
  const defaults: NormalisedRequest = { scope: normaliseScope(opts.scope), resource: normaliseResource(opts.resource) }
  const extraParams = Object.entries(opts.extraParams ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const endpointForKey = opts.tokenEndpoint ?? opts.issuer!
  const endpointUrl = new URL(endpointForKey)
  const endpointLabel = `${endpointUrl.origin}${endpointUrl.pathname}`
  const describeEndpoint = opts.tokenEndpoint ? `The token endpoint ${endpointLabel}` : `The token endpoint of ${endpointLabel}`

  // Durations are options in seconds; timers take milliseconds.
  const timeoutMs = msOf(opts.timeout)
  const retry = { attempts: opts.retry.attempts, baseDelayMs: msOf(opts.retry.baseDelay), maxDelayMs: msOf(opts.retry.maxDelay) }
  const wait = sleepOf(options)
  const metadata = new MetadataSource({
    // Without an issuer the client assertion's `aud` is the token endpoint URL (RFC 7523 §3).
    issuer: opts.issuer ?? opts.tokenEndpoint!,
    endpoints: { token_endpoint: opts.tokenEndpoint },
    required: ['token_endpoint'],
    fetch: fetchOption,
    timeoutMs,
    // Our URL rule (https, or http on loopback / when allowed) for discovered endpoints too.
    allowInsecureRequests: opts.allowInsecureRequests,
    clock,
    maxResponseBytes: opts.maxResponseBytes,
  })
  const dpopOptions = opts.dpop as ClientDpopOptions | undefined
  const dpop = dpopOptions === undefined ? undefined : new ClientDpop(dpopOptions, clock)
  const clientAuth = clientAuthFactory({
    clientId,
    clientSecret: opts.clientSecret,
    privateKey: opts.privateKey as PrivateKeyInput | undefined,
    authMethod: resolveAuthMethod(opts),
  })
  const endpoint = new TokenEndpoint({
    metadata,
    clientAuth,
    clientId,
    issuer: opts.issuer,
    describeEndpoint,
    audience: opts.audience,
    extraParams,
    secrets: opts.clientSecret === undefined ? [] : [opts.clientSecret],
    timeoutMs,
    fetch: fetchOption,
    allowInsecureRequests: opts.allowInsecureRequests,
    refreshSkew: opts.refreshSkew,
    defaultLifetime: opts.defaultLifetime,
    clock,
    maxResponseBytes: opts.maxResponseBytes,
    dpop,
  })
  const tokens = new TokenCache({
    store: opts.store ?? new MemoryCache({ maxEntries: 1000, clock }),
    clock,
    storeTimeoutMs: msOf(opts.storeTimeout),
    keyParts: [endpointForKey, clientId, opts.audience, extraParams, ...(dpop === undefined ? [] : [dpopKeyPart(dpopOptions)])],
    describeEndpoint,
    fetchToken: (req) => withRetry(retry, () => endpoint.request(req), wait),
    // Other instances wait for the one asking the AS at most one request's time, plus a margin.
    lockTtlMs: timeoutMs + 1_000,
  })

  const normalise = (input: TokenRequestOptions | undefined, method: string) => normaliseRequest(input, method, defaults)
  const getAccessToken = async (input?: TokenRequestOptions) => (await tokens.obtain(normalise(input, 'getAccessToken'))).accessToken
  const visible = {
    clientId,
    ...(opts.issuer !== undefined ? { issuer: opts.issuer } : {}),
    ...(opts.tokenEndpoint !== undefined ? { tokenEndpoint: opts.tokenEndpoint } : {}),
  }
  const label = `ClientCredentials(${clientId} at ${endpointLabel})`
  const client: ClientCredentials = {
    getAccessToken,
    getToken: async (input) => tokenView(await tokens.obtain(normalise(input, 'getToken'))),
    fetch: authorizedFetch({
      fetch: fetchOption,
      allowInsecureRequests: opts.allowInsecureRequests,
      getAccessToken: () => tokens.obtain(defaults),
      dpop,
      invalidateIfCurrent: (token) => tokens.invalidateIfCurrent(defaults, token),
    }),
    invalidate: async (input) => tokens.invalidate(input === undefined ? undefined : normalise(input, 'invalidate')),
    toJSON: () => ({ ...visible }),
    toString: () => label,
  }
  Object.defineProperty(client, INSPECT, { value: () => label, enumerable: false })
  return Object.freeze(client)
}

/** The request of one call, defaults applied; a wrong argument throws a {@link ConfigurationError} naming the method. */
function normaliseRequest(input: TokenRequestOptions | undefined, method: string, defaults: NormalisedRequest): NormalisedRequest {
  if (input === undefined) return defaults
  const parsed = parseOptions(method, requestSchema, input)
  return {
    scope: parsed.scope === undefined ? defaults.scope : normaliseScope(parsed.scope),
    resource: parsed.resource === undefined ? defaults.resource : normaliseResource(parsed.resource),
  }
}

/** What {@link ClientCredentials.getToken} returns: the token readable but never enumerated, printed or serialised. */
function tokenView(t: StoredToken): ClientCredentialsToken {
  const visible = { tokenType: t.dpop ? ('DPoP' as const) : ('Bearer' as const), expiresAt: t.expiresAt, scope: t.scope ?? undefined }
  const view = { ...visible }
  Object.defineProperties(view, {
    accessToken: { value: t.accessToken, enumerable: false },
    toJSON: { value: () => ({ ...visible }), enumerable: false },
    toString: { value: () => `[ClientCredentialsToken ${visible.tokenType}]`, enumerable: false },
    [INSPECT]: { value: () => ({ ...visible }), enumerable: false },
  })
  return Object.freeze(view) as ClientCredentialsToken
}
