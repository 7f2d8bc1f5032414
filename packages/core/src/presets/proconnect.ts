/**
 * ProConnect / AgentConnect (the French public-sector identity federation) as the authorization
 * server: environments, endpoints and the options its resource servers need.
 *
 * @module presets/proconnect
 */
import type { PrivateKeyInput } from '../keys/index.js'
import type { ResourceServerOptions } from '../resource-server/index.js'

/** ProConnect environments and their hosts. */
export const PROCONNECT_ENVIRONMENTS = {
  integration: 'fca.integ01.dev-agentconnect.fr',
  production: 'auth.agentconnect.gouv.fr',
  'integration-rie': 'fca.integ02.agentconnect.rie.gouv.fr',
  'production-rie': 'auth.agentconnect.rie.gouv.fr',
} as const

export type ProConnectEnvironment = keyof typeof PROCONNECT_ENVIRONMENTS

/** Options of {@link proConnect}. */
export interface ProConnectOptions extends Omit<
  ResourceServerOptions,
  'issuer' | 'issuers' | 'introspectionEndpoint' | 'jwksUri' | 'introspection' | 'tokenFormat'
> {
  /** Which ProConnect environment; or give `issuer` to point at another deployment (e.g. a local one). */
  environment?: ProConnectEnvironment
  /** Overrides the environment's issuer (`https://{host}/api/v2`). */
  issuer?: string
  /** This resource server's client id at ProConnect (a separate one from your web app is recommended). */
  clientId: string
  clientSecret?: string
  /**
   * The `introspection_signed_response_alg` you registered with ProConnect support: `RS256`
   * (recommended), `ES256`, `HS256` (keyed by the client secret), or `none` for plain JSON (the default
   * registration). Default `RS256`.
   */
  signingAlgorithm?: 'RS256' | 'ES256' | 'HS256' | 'none'
  /**
   * Your private keys, for set-ups that also encrypt introspection responses (older AgentConnect):
   * publish `rs.jwks()` at the `jwks_uri` you registered.
   */
  decryptionKeys?: PrivateKeyInput[]
  /**
   * `required` (default when `decryptionKeys` are given) or `optional` while migrating from
   * encrypted to signed-only responses (ProConnect dropped encryption for resource servers in 2026).
   */
  encryption?: 'required' | 'optional'
  /** Service providers (their `client_id`) whose tokens this API accepts (the `allowedClients` option). Default: any. */
  allowedClients?: string[]
}

/**
 * Options for {@link createResourceServer} with ProConnect as the authorization server: its
 * issuer and endpoints, `client_secret_post`, the registered response signing algorithm, the
 * audience taken from `client_id` (the calling service provider), and acceptance of base64-encoded
 * bearer tokens as sent by ProConnect's sample service providers.
 *
 * @example
 * ```ts
 * import { createResourceServer, proConnect } from '@org/rs-core'
 *
 * const rs = createResourceServer(
 *   proConnect({
 *     environment: 'integration',
 *     clientId: process.env.PC_CLIENT_ID!,
 *     clientSecret: process.env.PC_CLIENT_SECRET!,
 *     signingAlgorithm: 'RS256',
 *     scopes: ['openid'],
 *   }),
 * )
 * ```
 */
export function proConnect(options: ProConnectOptions): ResourceServerOptions {
  const { environment, issuer, signingAlgorithm = 'RS256', encryption, allowedClients, decryptionKeys, ...rest } = options
  const resolvedIssuer = issuer ?? (environment === undefined ? undefined : `https://${PROCONNECT_ENVIRONMENTS[environment]}/api/v2`)
  const introspection: NonNullable<ResourceServerOptions['introspection']> =
    signingAlgorithm === 'none'
      ? { response: 'json' }
      : { response: 'jwt', signingAlgorithms: [signingAlgorithm], ...(decryptionKeys ? { encryption: encryption ?? 'required' } : {}) }
  return {
    authMethod: 'client_secret_post',
    audienceClaim: 'client_id',
    ...rest,
    bearer: { acceptBase64: true, ...rest.bearer },
    ...(resolvedIssuer === undefined
      ? {}
      : {
          issuer: resolvedIssuer,
          introspectionEndpoint: `${resolvedIssuer}/token/introspection`,
          jwksUri: `${resolvedIssuer}/jwks`,
        }),
    ...(allowedClients ? { allowedClients } : {}),
    ...(decryptionKeys ? { decryptionKeys } : {}),
    tokenFormat: 'introspection',
    introspection,
  }
}
