/**
 * Sender-constrained tokens presented as bearer tokens. A token with a `cnf` confirmation claim
 * (RFC 7800: DPoP's `jkt`, RFC 9449; mTLS's `x5t#S256`, RFC 8705) is bound to a key its holder must
 * prove; accepted with the plain `Bearer` scheme, anyone who copied it could use it.
 *
 * This is the one place that decides; sender-constrained tokens (DPoP proofs, client certificates)
 * plug in here, with the request, when they are supported.
 *
 * @module sender-constraint/bearer-binding
 */
import { BearerError } from '../errors.js'
import type { AccessTokenInfo } from '../token-info.js'

/**
 * Refuses a token that carries a `cnf` confirmation (of any kind) presented with the `Bearer` scheme:
 * `invalid_token`, reason `bound_token`. Called for every request, cached verdict or not.
 */
export function checkBearerBinding(info: AccessTokenInfo): void {
  const cnf = info.claims.cnf
  if (cnf === undefined) return
  const kinds = typeof cnf === 'object' && cnf !== null ? Object.keys(cnf).slice(0, 4).join(', ') : typeof cnf
  throw new BearerError(
    'invalid_token',
    'The access token is sender-constrained (cnf): it is only accepted with its DPoP proof or client certificate, on a route that accepts them',
    {
      reason: 'bound_token',
      detail: `The token carries a cnf confirmation (${kinds}); it needs its DPoP proof or client certificate on a route with dpop/mtls allowed`,
    },
  )
}
