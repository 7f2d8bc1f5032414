/**
 * JWT introspection responses (RFC 9701): the signature is always verified (asymmetric algorithms
 * against the AS's JWKS, HS* keyed by the client secret); an encrypted response is decrypted first.
 *
 * @module introspection/jwt-response
 */
import * as jose from 'jose'
import type * as oauth from 'oauth4webapi'
import { AuthorizationServerError } from '../errors.js'
import { joseReason } from '../jose-errors.js'
import { decryptResponse } from './encrypted-response.js'
import { checkIntrospectionObject } from './json-response.js'
import type { IntrospectionClaims, IntrospectorSettings } from './settings.js'

/** Verifies a JWT introspection response (decrypting it first when it is a JWE) and returns its `token_introspection` members. */
export async function verifyJwtResponse(
  settings: IntrospectorSettings,
  as: oauth.AuthorizationServer,
  what: string,
  body: string,
): Promise<IntrospectionClaims> {
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
      throw new AuthorizationServerError(
        'bad_signature',
        `${what} sent a response that is signed but not encrypted; encryption is required`,
      )
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
    throw new AuthorizationServerError('bad_signature', `${what} sent a JWT response that failed verification: ${joseReason(err)}`, {
      cause: err,
    })
  }
  // Freshness: a signed answer is only good for the request just made. One captured earlier (an
  // old "active": true) must not be replayable: `iat` within maxResponseAge (+ tolerance), not in the future.
  const iat = payload.iat!
  const now = settings.clock() / 1000
  if (iat > now + settings.clockTolerance) {
    throw new AuthorizationServerError('bad_signature', `${what} sent a JWT response issued in the future`)
  }
  if (iat < now - settings.maxResponseAge - settings.clockTolerance) {
    throw new AuthorizationServerError('bad_signature', `${what} sent a JWT response issued more than ${settings.maxResponseAge} s ago`)
  }
  if (!('token_introspection' in payload)) {
    throw new AuthorizationServerError('bad_response', `${what} sent a JWT response without the "token_introspection" claim`)
  }
  return checkIntrospectionObject(what, payload.token_introspection)
}
