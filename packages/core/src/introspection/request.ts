/**
 * Token introspection (RFC 7662): the request to the introspection endpoint, then the answer handed
 * to the handler of its format (plain JSON, or a signed and maybe encrypted JWT, RFC 9701). Any
 * failure of the AS is an {@link AuthorizationServerError}.
 *
 * @module introspection/request
 */
import * as oauth from 'oauth4webapi'
import { AuthorizationServerError } from '../errors.js'
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
    ;({ response, body } = await withTimeout(what, settings.timeout, async (signal) => {
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
    settings.metadata.markStale()
    throw statusError(what, response, body, settings.clock())
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

function statusError(what: string, response: Response, body: string, now: number): AuthorizationServerError {
  const status = response.status
  let oauthError: string | undefined
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    if (typeof parsed.error === 'string') oauthError = parsed.error.slice(0, 64).replace(/[^\x20-\x7e]/g, '')
  } catch {
    // not JSON: the status says enough
  }
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now)
  if (oauthError === 'invalid_client' || status === 401) {
    return new AuthorizationServerError('client_rejected', `${what} rejected this resource server's client authentication (${status} ${oauthError ?? ''}): check clientId, clientSecret and authMethod`.replace(' )', ')'), { upstreamStatus: status })
  }
  return new AuthorizationServerError('http_status', `${what} answered ${status}${oauthError ? ` ${oauthError}` : ''}`, {
    upstreamStatus: status,
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  })
}
