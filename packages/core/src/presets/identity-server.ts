/**
 * Duende IdentityServer as the authorization server.
 *
 * @module presets/identity-server
 */
import type { ResourceServerOptions } from '../resource-server/index.js'
import { type PassThroughOptions, requireString, under } from './shared.js'

/** Options of {@link identityServer}. */
export interface IdentityServerOptions extends Omit<PassThroughOptions, 'authMethod'> {
  /** The IdentityServer's issuer, exactly as in its discovery document (`https://identity.example.com`). */
  issuer: string
  /** The API resource's name (`new ApiResource("api1")`): the tokens' `aud`. */
  audience: string | string[]
  /** For reference (opaque) tokens: the API resource's name, which authenticates at `/connect/introspect`. */
  clientId?: string
  /** For reference tokens: the API resource's secret (`ApiSecrets`). */
  clientSecret?: string
}

/**
 * Options for {@link createResourceServer} with Duende IdentityServer: JWT access tokens
 * (`typ: "at+jwt"`, `scope` as a JSON array by default) verified against
 * `{issuer}/.well-known/openid-configuration/jwks`; with `clientId` / `clientSecret` (the API
 * resource's name and secret), reference tokens are introspected at `{issuer}/connect/introspect`
 * with HTTP Basic authentication (`tokenFormat: 'auto'`).
 *
 * @example
 * ```ts
 * import { createResourceServer, identityServer } from '@org/rs-core'
 *
 * const rs = createResourceServer(
 *   identityServer({ issuer: 'https://identity.example.com', audience: 'api1', clientId: 'api1', clientSecret: process.env.API1_SECRET }),
 * )
 * const auth = await rs.authenticate('Bearer …', { scopes: ['api1.read'] })
 * ```
 */
export function identityServer(options: IdentityServerOptions): ResourceServerOptions {
  const { issuer, tokenFormat, ...rest } = options
  requireString('identityServer', 'issuer', issuer, 'the IdentityServer issuer (https://identity.example.com)')
  const introspects = rest.clientId !== undefined
  return {
    ...rest,
    issuer,
    jwksUri: under(issuer, '/.well-known/openid-configuration/jwks'),
    ...(introspects ? { introspectionEndpoint: under(issuer, '/connect/introspect'), authMethod: 'client_secret_basic' as const } : {}),
    tokenFormat: tokenFormat ?? (introspects ? 'auto' : 'jwt'),
  }
}
