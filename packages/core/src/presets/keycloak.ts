/**
 * Keycloak as the authorization server.
 *
 * @module presets/keycloak
 */
import type { ResourceServerOptions } from '../resource-server/index.js'
import { lenientJwt, type PassThroughOptions, presetError, requireString, under } from './shared.js'

/** Options of {@link keycloak}. */
export interface KeycloakOptions extends Omit<PassThroughOptions, 'audience'> {
  /** The server's base URL (`https://sso.example.com`, or `https://sso.example.com/auth` before Keycloak 17). */
  url?: string
  /** The realm. */
  realm?: string
  /** Or the exact issuer, `{url}/realms/{realm}`. */
  issuer?: string
  /**
   * The `aud` your API's tokens carry: add it with an Audience mapper (Client scopes → Add mapper →
   * Audience, "Included Client Audience" = your API's client); without one, `aud` is only `account`.
   */
  audience: string | string[]
}

/**
 * Options for {@link createResourceServer} with a Keycloak realm: JWT access tokens (`typ: "JWT"`)
 * verified against `{issuer}/protocol/openid-connect/certs`; the client in `azp`; realm roles
 * (`realm_access.roles`) required with a route's `roles`, client roles with its `claims`
 * (`'resource_access.my-api.roles': { includes: 'reports' }`). Give `clientId` / `clientSecret` (a
 * confidential client) to introspect at `…/protocol/openid-connect/token/introspect` instead.
 *
 * @example
 * ```ts
 * import { createResourceServer, keycloak } from '@org/rs-core'
 *
 * const rs = createResourceServer(keycloak({ url: 'https://sso.example.com', realm: 'acme', audience: 'orders-api' }))
 * const auth = await rs.authenticate('Bearer …', { roles: ['orders-admin'] })
 * ```
 */
export function keycloak(options: KeycloakOptions): ResourceServerOptions {
  const { url, realm, issuer, jwt, tokenFormat, ...rest } = options
  if (issuer === undefined) {
    requireString('keycloak', 'url', url, 'the Keycloak base URL (https://sso.example.com), or issuer')
    requireString('keycloak', 'realm', realm, 'the realm name')
    if (/[/?#]/.test(realm!)) presetError('keycloak', 'realm', 'expected a realm name, not a path')
  } else if (url !== undefined || realm !== undefined) presetError('keycloak', 'issuer', 'give either url and realm, or issuer')
  const resolved = issuer ?? under(url!, `/realms/${encodeURIComponent(realm!)}`)
  return {
    ...rest,
    issuer: resolved,
    jwksUri: under(resolved, '/protocol/openid-connect/certs'),
    ...(rest.clientId !== undefined ? { introspectionEndpoint: under(resolved, '/protocol/openid-connect/token/introspect') } : {}),
    tokenFormat: tokenFormat ?? (rest.clientId !== undefined ? 'introspection' : 'jwt'),
    jwt: lenientJwt(jwt),
  }
}
