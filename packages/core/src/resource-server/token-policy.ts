/**
 * What each issuer's tokens must also satisfy, on every request (cached verdict or not): the
 * calling client in `allowedClients` (the check for access tokens that carry no audience, e.g.
 * Cognito's), and no audience naming one of the `oidcClientIds` (an ID token for that app). The
 * issuer of a token is found again by its `iss`, exactly (multi-tenant templates by their `tid`).
 *
 * @module resource-server/token-policy
 */
import { BearerError } from '../errors.js'
import { matchesTenantTemplate } from '../jwt/index.js'
import type { AccessTokenInfo } from '../token-info.js'
import type { IssuerPolicy, IssuerRuntime } from './issuer-runtime.js'

export class TokenPolicies {
  readonly #exact = new Map<string, IssuerPolicy>()
  readonly #templates: { template: string; policy: IssuerPolicy }[] = []
  /** Whether any issuer has a policy: when none has, {@link check} is skipped. */
  readonly active: boolean

  constructor(issuers: readonly IssuerRuntime[]) {
    for (const runtime of issuers) {
      const policy = runtime.policy
      if (policy.allowedClients === undefined && policy.oidcClientIds === undefined) continue
      if (runtime.jwtSettings?.tenant !== undefined) this.#templates.push({ template: runtime.issuer, policy })
      else this.#exact.set(runtime.issuer, policy)
    }
    this.active = this.#exact.size > 0 || this.#templates.length > 0
  }

  /** Throws `invalid_token` when the token's issuer has a policy the token does not meet. */
  check(info: AccessTokenInfo): void {
    const policy = this.#exact.get(info.iss) ?? this.#templates.find((t) => matchesTenantTemplate(t.template, info.iss))?.policy
    if (policy === undefined) return
    if (policy.oidcClientIds !== undefined && info.aud.some((a) => policy.oidcClientIds!.has(a))) {
      throw new BearerError('invalid_token', 'An ID token is not an access token', {
        reason: 'id_token',
        detail: 'The token is meant for one of oidcClientIds: an ID token of that OpenID Connect client',
      })
    }
    if (policy.allowedClients !== undefined && (info.clientId === undefined || !policy.allowedClients.has(info.clientId))) {
      throw new BearerError('invalid_token', 'The access token is not meant for this resource server', {
        reason: 'wrong_audience',
        detail:
          info.clientId === undefined
            ? 'The token names no calling client (client_id, azp, appid, cid) and allowedClients is set'
            : `The calling client "${info.clientId.slice(0, 100)}" is not in allowedClients`,
      })
    }
  }
}
