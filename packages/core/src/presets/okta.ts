/**
 * Okta (a custom authorization server) as the authorization server.
 *
 * @module presets/okta
 */
import type { ResourceServerOptions } from '../resource-server/index.js'
import { lenientJwt, type PassThroughOptions, presetError, requireString, under } from './shared.js'

/** Options of {@link okta}. */
export interface OktaOptions extends Omit<PassThroughOptions, 'audience'> {
  /** Your Okta domain (`dev-123456.okta.com` or a custom domain), without `https://`. */
  domain?: string
  /** The custom authorization server's id (Security → API → Authorization Servers). Default `default`. */
  authorizationServerId?: string
  /** Or the exact issuer, `https://{domain}/oauth2/{authorizationServerId}`. */
  issuer?: string
  /** The authorization server's Audience setting (`api://default` for the default server), the tokens' `aud`. */
  audience: string | string[]
}

/**
 * Options for {@link createResourceServer} with an Okta custom authorization server: JWT access tokens
 * (no `typ` header) verified against `{issuer}/v1/keys`; `scp` (an array), `cid` (the client) and
 * `groups` (when a groups claim is configured) are read. Give `clientId` / `clientSecret` (an API
 * services app) to introspect at `{issuer}/v1/introspect` instead (revoked tokens refused at once).
 *
 * @example
 * ```ts
 * import { createResourceServer, okta } from '@org/rs-core'
 *
 * const rs = createResourceServer(okta({ domain: 'dev-123456.okta.com', audience: 'api://default' }))
 * const auth = await rs.authenticate('Bearer …', { scopes: ['orders.read'], roles: ['OrdersAdmins'] })
 * ```
 */
export function okta(options: OktaOptions): ResourceServerOptions {
  const { domain, authorizationServerId = 'default', issuer, jwt, tokenFormat, ...rest } = options
  if ((domain === undefined) === (issuer === undefined))
    presetError('okta', 'domain', 'give either domain (dev-123456.okta.com) or issuer, not both and not neither')
  if (domain !== undefined && requireString('okta', 'domain', domain, 'the Okta domain') && /[/:]/.test(domain)) {
    presetError('okta', 'domain', 'expected a host name such as dev-123456.okta.com (no https://, no path)')
  }
  if (!/^[A-Za-z0-9]+$/.test(authorizationServerId))
    presetError(
      'okta',
      'authorizationServerId',
      'expected the id of a custom authorization server, e.g. "default" or "aus1a2b3c4d5e6f7g8h9"',
    )
  const resolved = issuer ?? `https://${domain}/oauth2/${authorizationServerId}`
  return {
    ...rest,
    issuer: resolved,
    jwksUri: under(resolved, '/v1/keys'),
    ...(rest.clientId !== undefined ? { introspectionEndpoint: under(resolved, '/v1/introspect') } : {}),
    tokenFormat: tokenFormat ?? (rest.clientId !== undefined ? 'introspection' : 'jwt'),
    jwt: lenientJwt(jwt),
  }
}
