/**
 * One token request (RFC 6749 §4.4): discovery when needed, the POST with client authentication,
 * and the answer turned into a token or a typed error. Never attaches a cause that might hold the
 * response body (and so a token), and removes the client secret from anything the AS echoes.
 *
 * @module client-credentials/token-request
 */
import * as oauth from 'oauth4webapi'
import type { Clock } from '../cache/index.js'
import { AuthorizationServerError, ConfigurationError, TokenEndpointError } from '../errors.js'
import { type FetchLike, isAllowedUrl, parseRetryAfter, readText, withTimeout } from '../http.js'
import { describe, httpOptions, type MetadataSource } from '../metadata.js'
import type { ClientDpop } from './dpop.js'
import { COMPONENT, type NormalisedRequest } from './options.js'
import { markTransient } from './retry.js'
import { redact, secretForms } from '../redact.js'

/** A token as obtained and stored. */
export interface StoredToken {
  v: 1
  accessToken: string
  expiresAt: number
  refreshAt: number
  scope: string | null
  /** The token is DPoP-bound (`token_type: DPoP`): it is sent with the DPoP scheme and a proof. */
  dpop?: true
}

// RFC 6750 §2.1 b64token (the token68 of RFC 7235): no space, no CR/LF, no quote.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/
const MAX_TOKEN_LENGTH = 64 * 1024
/** Seconds: a token valid for less is refused, and no key is refreshed more often. */
export const MIN_LIFETIME = 1
/** Seconds: one year; `1e308` (never refresh) is refused. */
const MAX_LIFETIME = 365 * 24 * 3600

export interface TokenEndpointSettings {
  metadata: MetadataSource
  clientAuth: () => Promise<oauth.ClientAuth>
  clientId: string
  /** The issuer as configured, for messages. */
  issuer: string | undefined
  /** "The token endpoint of …", for messages. */
  describeEndpoint: string
  audience: string | undefined
  extraParams: readonly (readonly [string, string])[]
  secrets: readonly string[]
  /** Milliseconds (the `timeout` option is seconds). */
  timeoutMs: number
  fetch: FetchLike | undefined
  allowInsecureRequests: boolean
  refreshSkew: number
  defaultLifetime: number
  clock: Clock
  /** Largest response body read from the AS, in bytes. */
  maxResponseBytes: number
  /** DPoP-bound tokens are asked for with proofs signed by this key. */
  dpop?: ClientDpop | undefined
}

export class TokenEndpoint {
  readonly #s: TokenEndpointSettings
  /** Every spelling of the client secret we send (raw, URL-encoded, Basic base64 of id:secret…). */
  readonly #secretForms: readonly string[]

  constructor(settings: TokenEndpointSettings) {
    this.#s = settings
    this.#secretForms = settings.secrets.flatMap((secret) => secretForms(secret, settings.clientId))
  }

  /** One token request; transient failures are marked for {@link withRetry}. */
  async request(req: NormalisedRequest): Promise<StoredToken> {
    const s = this.#s
    const as = await this.#metadata()
    const tokenEndpoint = as.token_endpoint!
    if (!URL.canParse(tokenEndpoint) || !isAllowedUrl(new URL(tokenEndpoint), s.allowInsecureRequests)) {
      throw new AuthorizationServerError('metadata', `The metadata of ${s.issuer} has a token_endpoint that is not https`)
    }
    let auth: oauth.ClientAuth
    try {
      auth = await s.clientAuth()
    } catch (err) {
      throw new ConfigurationError(COMPONENT, [{ path: 'privateKey', message: `could not be imported: ${describe(err)}` }])
    }
    const dpop = s.dpop === undefined ? undefined : await s.dpop.handle()
    let sentAt: number
    let status: number
    let body: oauth.TokenEndpointResponse | undefined
    // One retry when the AS asks for its DPoP nonce (the handle has cached it from the answer).
    for (let attempt = 0; body === undefined; attempt++) {
      sentAt = s.clock()
      const response = await this.#post(as, auth, this.#params(req), new URL(tokenEndpoint).protocol === 'http:', dpop)
      status = response.status
      if (status === 408 || status === 429 || status >= 500) throw this.#transientStatus(response)
      try {
        body = await oauth.processClientCredentialsResponse(as, { client_id: s.clientId }, response)
      } catch (err) {
        if (dpop !== undefined && attempt === 0 && oauth.isDPoPNonceError(err)) continue
        throw await this.#toTokenError(err, status)
      }
    }
    const bound = dpop !== undefined && body.token_type === 'dpop'
    if (body.token_type !== 'bearer' && !bound) {
      throw new AuthorizationServerError(
        'bad_response',
        `${s.describeEndpoint} issued a token of type "${body.token_type.slice(0, 20)}", not Bearer`,
      )
    }
    // The token goes into an Authorization header: token68 syntax only (a CR/LF would be a header
    // injection, and an untyped TypeError in fetch), and a sane length.
    if (typeof body.access_token !== 'string' || body.access_token.length > MAX_TOKEN_LENGTH || !TOKEN68.test(body.access_token)) {
      throw new AuthorizationServerError(
        'bad_response',
        `${s.describeEndpoint} issued an access_token that is not a valid bearer token (RFC 6750 b64token)`,
        { upstreamStatus: status! },
      )
    }
    const expiresIn: unknown = body.expires_in
    if (
      expiresIn !== undefined &&
      !(typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn >= MIN_LIFETIME && expiresIn <= MAX_LIFETIME)
    ) {
      throw new AuthorizationServerError(
        'bad_response',
        `${s.describeEndpoint} sent an expires_in that is not a number of seconds between ${MIN_LIFETIME} and ${MAX_LIFETIME}`,
        { upstreamStatus: status! },
      )
    }
    const lifetime = typeof expiresIn === 'number' ? expiresIn : s.defaultLifetime
    const expiresAt = sentAt! + lifetime * 1000
    const skew = Math.min(s.refreshSkew, lifetime / 2)
    // A floor on the refresh interval: never more than one token request per MIN_LIFETIME for a key.
    const refreshAt = Math.min(expiresAt, Math.max(expiresAt - skew * 1000, sentAt! + MIN_LIFETIME * 1000))
    const scope = typeof body.scope === 'string' ? body.scope : (req.scope ?? null)
    return { v: 1, accessToken: body.access_token, expiresAt, refreshAt, scope, ...(bound ? { dpop: true as const } : {}) }
  }

  async #metadata(): Promise<oauth.AuthorizationServer> {
    try {
      return await this.#s.metadata.get()
    } catch (err) {
      if (err instanceof AuthorizationServerError && (err.failure === 'network' || err.failure === 'timeout')) markTransient(err)
      throw err
    }
  }

  #params(req: NormalisedRequest): URLSearchParams {
    const params = new URLSearchParams(this.#s.extraParams as [string, string][])
    if (req.scope !== undefined) params.set('scope', req.scope)
    for (const r of req.resource) params.append('resource', r)
    if (this.#s.audience !== undefined) params.set('audience', this.#s.audience)
    return params
  }

  /** The POST, its whole exchange (headers and body) bounded by the timeout. */
  async #post(
    as: oauth.AuthorizationServer,
    auth: oauth.ClientAuth,
    params: URLSearchParams,
    insecure: boolean,
    dpop: oauth.DPoPHandle | undefined,
  ): Promise<Response> {
    const s = this.#s
    try {
      return await withTimeout(s.describeEndpoint, s.timeoutMs, async (signal) => {
        const options = {
          ...httpOptions(s.fetch, insecure, signal, s.maxResponseBytes, s.describeEndpoint),
          ...(dpop !== undefined ? { DPoP: dpop } : {}),
        }
        const raw = await oauth.clientCredentialsGrantRequest(as, { client_id: s.clientId }, auth, params, options)
        const nullBody = raw.status === 204 || raw.status === 205 || raw.status === 304
        const text = nullBody ? null : await readText(raw, s.describeEndpoint, s.maxResponseBytes)
        return new Response(text, { status: raw.status, statusText: raw.statusText, headers: raw.headers })
      })
    } catch (err) {
      if (err instanceof AuthorizationServerError) {
        if (err.failure === 'network' || err.failure === 'timeout') {
          markTransient(err)
          s.metadata.markStale()
        }
        throw err
      }
      // oauth4webapi refused to build the request (e.g. a bad endpoint): not transient.
      throw new AuthorizationServerError('bad_response', `${s.describeEndpoint} could not be called: ${describe(err)}`)
    }
  }

  #transientStatus(response: Response): AuthorizationServerError {
    void response.body?.cancel().catch(() => {})
    const status = response.status
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.#s.clock())
    const err = new AuthorizationServerError('http_status', `${this.#s.describeEndpoint} answered ${status}`, {
      upstreamStatus: status,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    })
    markTransient(err, retryAfter === undefined ? undefined : retryAfter * 1000)
    return err
  }

  /** Maps an oauth4webapi processing error to ours. */
  async #toTokenError(err: unknown, status: number): Promise<Error> {
    const { describeEndpoint } = this.#s
    const secrets = this.#secretForms
    if (err instanceof oauth.ResponseBodyError) {
      return new TokenEndpointError(redact(err.error, secrets, 64)!, redact(err.error_description, secrets), err.status)
    }
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      const { error, description } = await challengeError(err)
      if (error !== undefined) return new TokenEndpointError(redact(error, secrets, 64)!, redact(description, secrets), err.status)
      return new AuthorizationServerError('client_rejected', `${describeEndpoint} rejected the client authentication (${status})`, {
        upstreamStatus: status,
      })
    }
    const detail = err instanceof Error ? redact(err.message, secrets, 200)! : 'unexpected error'
    if (status !== 200) {
      return new AuthorizationServerError('http_status', `${describeEndpoint} answered ${status}: ${detail}`, { upstreamStatus: status })
    }
    return new AuthorizationServerError('bad_response', `${describeEndpoint} sent an unusable token response: ${detail}`, {
      upstreamStatus: status,
    })
  }
}

/** A 401 with a challenge (e.g. for client_secret_basic): the OAuth error is in the body, or else in the challenge. */
async function challengeError(
  err: oauth.WWWAuthenticateChallengeError,
): Promise<{ error: string | undefined; description: string | undefined }> {
  try {
    const json = (await err.response.json()) as { error?: unknown; error_description?: unknown }
    if (typeof json.error === 'string' && json.error !== '') {
      return { error: json.error, description: typeof json.error_description === 'string' ? json.error_description : undefined }
    }
  } catch {
    // not JSON
  }
  const challenge = err.cause.find((c) => typeof c.parameters.error === 'string')
  return { error: challenge?.parameters.error ?? undefined, description: challenge?.parameters.error_description ?? undefined }
}
