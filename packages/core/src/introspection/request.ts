/**
 * Token introspection (RFC 7662): the request to the introspection endpoint, then the answer handed
 * to the handler of its format (plain JSON, or a signed and maybe encrypted JWT, RFC 9701). Any
 * failure of the AS is an {@link AuthorizationServerError}.
 *
 * @module introspection/request
 */
import * as oauth from 'oauth4webapi'
import { AuthorizationServerError, BearerError } from '../errors.js'
import { redact, secretForms } from '../redact.js'
import { mediaType, parseRetryAfter, readText, withTimeout } from '../http.js'
import { httpOptions } from '../metadata.js'
import { parseIntrospectionJson } from './json-response.js'
import type { IntrospectionClaims, IntrospectorSettings } from './settings.js'
import { verifyJwtResponse } from './jwt-response.js'

/**
 * Calls the introspection endpoint for `token` and returns the verified response members. Any
 * failure of the AS (transport, status, content type, body, signature, encryption) rejects with an
 * {@link AuthorizationServerError}: the caller must answer 503 and cache nothing.
 */
export async function introspectToken(settings: IntrospectorSettings, token: string): Promise<IntrospectionClaims> {
  const as = await settings.metadata.get()
  const what = `The introspection endpoint of ${as.issuer}`
  let response: Response
  let body: string
  try {
    const clientAuth = await settings.clientAuth()
    const client: oauth.Client = { client_id: settings.clientId }
    ;({ response, body } = await withTimeout(what, settings.timeoutMs, async (signal) => {
      const res = await oauth.introspectionRequest(as, client, clientAuth, token, {
        ...httpOptions(settings.fetch, true, signal, settings.maxResponseBytes, what),
        requestJwtResponse: settings.response === 'jwt',
        ...(settings.tokenTypeHint ? { additionalParameters: { token_type_hint: settings.tokenTypeHint } } : {}),
      })
      // The body is read under the same timeout: a server that sends headers then stalls is a timeout.
      return { response: res, body: await readText(res, what, settings.maxResponseBytes) }
    }))
  } catch (err) {
    settings.metadata.markStale()
    throw err
  }

  if (response.status !== 200) {
    const err = statusError(what, response, body, settings, token)
    if (err instanceof AuthorizationServerError) settings.metadata.markStale()
    throw err
  }

  const type = mediaType(response)
  if (type === 'application/token-introspection+jwt') {
    if (settings.response !== 'jwt') throw new AuthorizationServerError('bad_response', `${what} sent a JWT response; JSON was asked for`)
    return verifyJwtResponse(settings, as, what, body)
  }
  if (type === 'application/json') {
    if (settings.response === 'jwt') {
      throw new AuthorizationServerError('bad_response', `${what} sent plain JSON; a signed JWT response (RFC 9701) was asked for`)
    }
    return parseIntrospectionJson(what, body)
  }
  throw new AuthorizationServerError('bad_response', `${what} sent an unexpected content type "${type || '(none)'}"`)
}

/**
 * An AS answer of 400 that says the token is not one it knows (RFC 7662 §2.3 lets an AS refuse a
 * token it cannot introspect): the token is invalid (401), not the AS unavailable (503).
 */
const TOKEN_REFUSALS = new Set(['unsupported_token_type', 'invalid_request', 'invalid_token'])

function statusError(
  what: string,
  response: Response,
  body: string,
  settings: IntrospectorSettings,
  token: string,
): AuthorizationServerError | BearerError {
  const status = response.status
  let oauthError: string | undefined
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    // Redacted before it is cut: the AS may echo the token (or our secret) in any form we sent it.
    if (typeof parsed.error === 'string')
      oauthError = redact(parsed.error, [...secretForms(token), ...settings.secretForms], 64)!.replace(/[^\x20-\x7e]/g, '')
  } catch {
    // not JSON: the status says enough
  }
  if (status === 400 && oauthError !== undefined && TOKEN_REFUSALS.has(oauthError)) {
    return new BearerError('invalid_token', 'The authorization server does not accept this access token')
  }
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), settings.clock())
  if (oauthError === 'invalid_client' || status === 401) {
    return new AuthorizationServerError(
      'client_rejected',
      `${what} rejected this resource server's client authentication (${status} ${oauthError ?? ''}): check clientId, clientSecret and authMethod`.replace(
        ' )',
        ')',
      ),
      { upstreamStatus: status },
    )
  }
  return new AuthorizationServerError('http_status', `${what} answered ${status}${oauthError ? ` ${oauthError}` : ''}`, {
    upstreamStatus: status,
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  })
}
