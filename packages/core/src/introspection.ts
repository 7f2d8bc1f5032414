/**
 * Token introspection (RFC 7662), with JWT responses (RFC 9701): plain JSON, signed (asymmetric
 * algorithms checked against the AS's JWKS, HS256 keyed by the client secret), or signed then
 * encrypted to one of the resource server's own keys. The signature is always verified.
 *
 * @module introspection
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import { AuthorizationServerError } from './errors.js'
import { type FetchLike, mediaType, parseRetryAfter, readText, withTimeout } from './http.js'
import type { ImportedKey, RemoteKeySet } from './keys.js'
import { httpOptions, type MetadataSource } from './metadata.js'

/** The raw members of an introspection response (RFC 7662 §2.2), as the AS sent them. */
export type IntrospectionClaims = { active: boolean } & Record<string, unknown>

/** Signing algorithms accepted for introspection responses unless configured otherwise. */
export const DEFAULT_INTROSPECTION_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const
export const KEY_MANAGEMENT_ALGS = ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'] as const
export const CONTENT_ENCRYPTION_ALGS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'] as const

/** Everything one introspection call needs, resolved at construction. */
export interface IntrospectorSettings {
  metadata: MetadataSource
  clientId: string
  /** The client secret's bytes: the HS256 key of signed responses (RFC 9701 §5). */
  hsSecret: Uint8Array | undefined
  clientAuth: () => Promise<oauth.ClientAuth>
  /** `json`: ask for and accept only JSON; `jwt`: ask for and accept only a (signed, maybe encrypted) JWT. */
  response: 'json' | 'jwt'
  signingAlgorithms: readonly string[]
  /** `required`: a JWE is required; `optional`: a JWE is decrypted, a bare JWS accepted; `none`: a JWE is refused. */
  encryption: 'required' | 'optional' | 'none'
  keyManagementAlgorithms: readonly string[]
  contentEncryptionAlgorithms: readonly string[]
  decryptionKeys: () => Promise<readonly ImportedKey[]>
  keySet: () => RemoteKeySet
  tokenTypeHint: string | undefined
  timeout: number
  fetch: FetchLike | undefined
  allowInsecureRequests: boolean
  clockTolerance: number
  clock: () => number
}

const decoder = new TextDecoder()

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
        ...httpOptions(settings.fetch, true, signal),
        requestJwtResponse: settings.response === 'jwt',
        ...(settings.tokenTypeHint ? { additionalParameters: { token_type_hint: settings.tokenTypeHint } } : {}),
      })
      // The body is read under the same timeout: a server that sends headers then stalls is a timeout.
      return { response: res, body: await readText(res, what) }
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

/** Parses a plain JSON introspection response: an object with a boolean `active`. */
export function parseIntrospectionJson(what: string, body: string): IntrospectionClaims {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new AuthorizationServerError('bad_response', `${what} sent a body that is not JSON`)
  }
  return checkIntrospectionObject(what, parsed)
}

function checkIntrospectionObject(what: string, value: unknown): IntrospectionClaims {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthorizationServerError('bad_response', `${what} sent a response that is not a JSON object`)
  }
  if (typeof (value as { active?: unknown }).active !== 'boolean') {
    throw new AuthorizationServerError('bad_response', `${what} sent a response without a boolean "active"`)
  }
  return value as IntrospectionClaims
}

async function verifyJwtResponse(settings: IntrospectorSettings, as: oauth.AuthorizationServer, what: string, body: string): Promise<IntrospectionClaims> {
  const compact = body.trim()
  const parts = compact.split('.').length
  let jws: string
  if (parts === 5) {
    if (settings.encryption === 'none') {
      throw new AuthorizationServerError('bad_response', `${what} sent an encrypted response but no decryption key is configured`)
    }
    jws = await decryptResponse(settings, what, compact)
  } else if (parts === 3) {
    if (settings.encryption === 'required') {
      throw new AuthorizationServerError('bad_signature', `${what} sent a response that is signed but not encrypted; encryption is required`)
    }
    jws = compact
  } else {
    throw new AuthorizationServerError('bad_response', `${what} sent a body that is neither a JWS nor a JWE`)
  }

  const { hsSecret } = settings
  let payload: jose.JWTPayload
  try {
    ;({ payload } = await jose.jwtVerify(
      jws,
      async (header, input) => {
        if (header.alg?.startsWith('HS')) {
          if (hsSecret === undefined) throw new jose.errors.JOSEAlgNotAllowed('HS* needs the client secret')
          return hsSecret
        }
        return settings.keySet().getKey(header, input)
      },
      {
        algorithms: [...settings.signingAlgorithms],
        typ: 'token-introspection+jwt',
        issuer: as.issuer,
        audience: settings.clientId,
        requiredClaims: ['iss', 'aud', 'iat'],
        clockTolerance: settings.clockTolerance,
        currentDate: new Date(settings.clock()),
      },
    ))
  } catch (err) {
    if (err instanceof AuthorizationServerError) throw err
    throw new AuthorizationServerError('bad_signature', `${what} sent a JWT response that failed verification: ${joseReason(err)}`, { cause: err })
  }
  const iat = payload.iat!
  if (iat > settings.clock() / 1000 + settings.clockTolerance) {
    throw new AuthorizationServerError('bad_signature', `${what} sent a JWT response issued in the future`)
  }
  if (!('token_introspection' in payload)) {
    throw new AuthorizationServerError('bad_response', `${what} sent a JWT response without the "token_introspection" claim`)
  }
  return checkIntrospectionObject(what, payload.token_introspection)
}

async function decryptResponse(settings: IntrospectorSettings, what: string, jwe: string): Promise<string> {
  const keys = await settings.decryptionKeys()
  try {
    const { plaintext, protectedHeader } = await jose.compactDecrypt(
      jwe,
      (header) => {
        const candidates = keys.filter((k) => k.alg === header.alg && (header.kid === undefined || k.kid === header.kid))
        if (candidates.length === 0) throw new jose.errors.JWEDecryptionFailed('no decryption key matches the JWE header')
        return candidates[0]!.key
      },
      {
        keyManagementAlgorithms: [...settings.keyManagementAlgorithms],
        contentEncryptionAlgorithms: [...settings.contentEncryptionAlgorithms],
      },
    )
    if (protectedHeader.cty !== undefined && protectedHeader.cty.toUpperCase() !== 'JWT') {
      throw new jose.errors.JWEInvalid(`unexpected "cty" ${protectedHeader.cty}`)
    }
    return decoder.decode(plaintext)
  } catch (err) {
    throw new AuthorizationServerError('bad_signature', `${what} sent an encrypted response that could not be decrypted: ${joseReason(err)}`, { cause: err })
  }
}

/** A short reason from a jose error, safe for messages (jose never puts key material in them). */
export function joseReason(err: unknown): string {
  if (err instanceof jose.errors.JOSEError) return `${err.code}: ${err.message}`
  if (err instanceof Error) return err.message
  return String(err)
}
