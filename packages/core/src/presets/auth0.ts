/**
 * Auth0 as the authorization server.
 *
 * @module presets/auth0
 */
import type { ResourceServerOptions } from '../resource-server/index.js'
import { lenientJwt, type PassThroughOptions, presetError, requireString, under } from './shared.js'

/** Options of {@link auth0}. */
export interface Auth0Options extends Omit<
  PassThroughOptions,
  'tokenFormat' | 'clientId' | 'clientSecret' | 'privateKey' | 'authMethod' | 'audience'
> {
  /** Your tenant's domain (`my-tenant.eu.auth0.com`) or custom domain, without `https://`. */
  domain?: string
  /** Or the exact issuer, with its trailing slash (`https://my-tenant.eu.auth0.com/`). */
  issuer?: string
  /** The API's Identifier in the Auth0 dashboard (APIs → your API), the tokens' `aud`. */
  audience: string | string[]
}

/**
 * Options for {@link createResourceServer} with Auth0: JWT access tokens of either access token
 * profile ("Auth0": `typ: "JWT"`, client in `azp`; "RFC 9068": `typ: "at+jwt"`, `client_id`),
 * verified against `https://{domain}/.well-known/jwks.json`; the issuer `https://{domain}/` (with its
 * trailing slash). With RBAC, `permissions` can be required with a route's `roles`.
 *
 * @example
 * ```ts
 * import { auth0, createResourceServer } from '@org/rs-core'
 *
 * const rs = createResourceServer(auth0({ domain: 'my-tenant.eu.auth0.com', audience: 'https://api.example.com' }))
 * const auth = await rs.authenticate('Bearer …', { roles: ['read:orders'] })
 * ```
 */
export function auth0(options: Auth0Options): ResourceServerOptions {
  const { domain, issuer, jwt, ...rest } = options
  if ((domain === undefined) === (issuer === undefined))
    presetError('auth0', 'domain', 'give either domain (my-tenant.eu.auth0.com) or issuer, not both and not neither')
  if (domain !== undefined && requireString('auth0', 'domain', domain, 'the tenant domain') && /[/:]/.test(domain)) {
    presetError('auth0', 'domain', 'expected a host name such as my-tenant.eu.auth0.com (no https://, no path)')
  }
  const resolved = issuer ?? `https://${domain}/`
  return { ...rest, issuer: resolved, jwksUri: under(resolved, '/.well-known/jwks.json'), tokenFormat: 'jwt', jwt: lenientJwt(jwt) }
}
