/**
 * Amazon Cognito user pools as the authorization server.
 *
 * @module presets/cognito
 */
import type { ResourceServerOptions } from '../resource-server/index.js'
import { lenientJwt, type PassThroughOptions, presetError, requireString, under } from './shared.js'

/** Options of {@link cognito}. */
export interface CognitoOptions extends Omit<
  PassThroughOptions,
  'tokenFormat' | 'clientId' | 'clientSecret' | 'privateKey' | 'authMethod' | 'audience' | 'audienceClaim'
> {
  /** The user pool id, `{region}_{id}` (e.g. `eu-west-3_Ex4mpLe01`). */
  userPoolId: string
  /** The pool's region. Default: read from `userPoolId`. */
  region?: string
  /**
   * The app clients (their client ids) whose access tokens are accepted. Required: Cognito access
   * tokens carry no `aud`, so the calling client (`client_id`) is what says they are meant for you.
   */
  allowedClients: string[]
  /** Overrides the issuer, `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
  issuer?: string
}

/**
 * Options for {@link createResourceServer} with an Amazon Cognito user pool: JWT access tokens (no
 * `typ` header) verified against `{issuer}/.well-known/jwks.json`; no `aud` in them, so the calling
 * client (`client_id`) is checked against `allowedClients` and a token that names an audience is
 * refused; ID tokens (`token_use: "id"`) are refused. `cognito:groups` is required with a route's `roles`.
 *
 * @example
 * ```ts
 * import { cognito, createResourceServer } from '@org/rs-core'
 *
 * const rs = createResourceServer(cognito({ userPoolId: 'eu-west-3_Ex4mpLe01', allowedClients: ['7m1234abcdefghijklmnopqrst'] }))
 * const auth = await rs.authenticate('Bearer …', { roles: ['admins'] })
 * ```
 */
export function cognito(options: CognitoOptions): ResourceServerOptions {
  const { userPoolId, region, allowedClients, issuer, jwt, ...rest } = options
  requireString('cognito', 'userPoolId', userPoolId, 'the user pool id, {region}_{id}')
  const match = /^([a-z]{2}(?:-[a-z]+)+-\d)_[A-Za-z0-9]+$/.exec(userPoolId)
  if (match === null) presetError('cognito', 'userPoolId', 'expected {region}_{id}, e.g. eu-west-3_Ex4mpLe01')
  if (region !== undefined && region !== match[1]) presetError('cognito', 'region', `the user pool ${userPoolId} is in ${match[1]}`)
  if (!Array.isArray(allowedClients) || allowedClients.length === 0)
    presetError(
      'cognito',
      'allowedClients',
      'required: the app client ids whose access tokens this API accepts (Cognito access tokens have no aud)',
    )
  const resolved = issuer ?? `https://cognito-idp.${match[1]}.amazonaws.com/${userPoolId}`
  return {
    ...rest,
    issuer: resolved,
    jwksUri: under(resolved, '/.well-known/jwks.json'),
    tokenFormat: 'jwt',
    allowedClients,
    jwt: lenientJwt(jwt),
  }
}
