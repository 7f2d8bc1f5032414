/**
 * The reason codes of refusals, for the operator (events, logs): stable, documented, never sent to
 * the client (which gets the RFC 6750 error code).
 *
 * @module refusal-reason
 */

/**
 * Why a request was refused. Stable codes, documented in the README's table.
 *
 * | reason | status | meaning |
 * |---|---|---|
 * | `missing_token` | 401 | no bearer token in the request |
 * | `malformed_request` | 400 | the `Authorization` header is malformed, repeated or oversized |
 * | `inactive` | 401 | the AS says the token is not active (revoked, expired, unknown) |
 * | `expired` | 401 | `exp` is past |
 * | `not_yet_valid` | 401 | `nbf` is in the future |
 * | `issued_in_future` | 401 | `iat` is in the future |
 * | `too_old` | 401 | `iat` is older than `jwt.maxTokenAge` |
 * | `wrong_audience` | 401 | the token is not meant for this resource server |
 * | `wrong_issuer` | 401 | the token comes from an issuer that is not configured |
 * | `wrong_type` | 401 | the JWT's `typ` is not the one of an access token |
 * | `id_token` | 401 | the token is an OpenID Connect ID token, not an access token |
 * | `bound_token` | 401 | a sender-constrained token (`cnf`: DPoP, certificate-bound) was sent as a plain bearer token |
 * | `not_a_jwt` | 401 | a JWT was expected (JWT-only set-up) |
 * | `bad_signature` | 401 | the signature does not verify |
 * | `unknown_kid` | 401 | the token names a key the AS does not publish |
 * | `alg_not_allowed` | 401 | the token's algorithm is not allowed |
 * | `malformed_token` | 401 | the token or one of its claims is malformed |
 * | `insufficient_scope` | 403 | the token lacks a scope the route requires |
 * | `claim_mismatch` | 403 | a claim, role, group or permission the route requires is missing |
 * | `insufficient_user_authentication` | 401 | the user must authenticate again: `acr` or `auth_time` does not meet the route's (RFC 9470 step-up) |
 * | `invalid_dpop_proof` | 401 | the DPoP proof is missing, malformed, replayed, for another key, method or URL (RFC 9449) |
 * | `use_dpop_nonce` | 401 | the DPoP proof lacks the server's current nonce (RFC 9449 §9) |
 * | `sender_constraint` | 401 | a sender-constrained token (`cnf`) without its proof or certificate, with another's, or an unbound token where binding is required |
 * | `invalid_token` | 401 | any other reason to refuse the token |
 */
export type RefusalReason =
  | 'missing_token'
  | 'malformed_request'
  | 'inactive'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'too_old'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'wrong_type'
  | 'id_token'
  | 'bound_token'
  | 'not_a_jwt'
  | 'bad_signature'
  | 'unknown_kid'
  | 'alg_not_allowed'
  | 'malformed_token'
  | 'insufficient_scope'
  | 'claim_mismatch'
  | 'insufficient_user_authentication'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'sender_constraint'
  | 'invalid_token'
