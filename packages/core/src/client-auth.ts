/**
 * How this resource server authenticates itself to the authorization server (introspection and
 * token endpoints): `client_secret_post`, `client_secret_basic`, `private_key_jwt`, `client_secret_jwt`.
 *
 * @module client-auth
 */
import * as oauth from 'oauth4webapi'
import { importPrivateKey, type PrivateKeyInput } from './keys/index.js'

export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt' | 'client_secret_jwt'

export const CLIENT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'private_key_jwt', 'client_secret_jwt'] as const

/** Validated client authentication settings. */
export interface ClientAuthSettings {
  clientId: string
  clientSecret?: string | undefined
  privateKey?: PrivateKeyInput | undefined
  authMethod: ClientAuthMethod
}

/**
 * Returns a memoised factory of the oauth4webapi `ClientAuth` for these settings. The private key
 * (if any) is imported once, on first use.
 */
export function clientAuthFactory(settings: ClientAuthSettings): () => Promise<oauth.ClientAuth> {
  let auth: Promise<oauth.ClientAuth> | undefined
  return () => {
    auth ??= build(settings).catch((err: unknown) => {
      auth = undefined
      throw err
    })
    return auth
  }
}

async function build(settings: ClientAuthSettings): Promise<oauth.ClientAuth> {
  switch (settings.authMethod) {
    case 'client_secret_post':
      return oauth.ClientSecretPost(settings.clientSecret!)
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(settings.clientSecret!)
    case 'client_secret_jwt':
      return oauth.ClientSecretJwt(settings.clientSecret!)
    case 'private_key_jwt': {
      const { key, kid } = await importPrivateKey(settings.privateKey!, 'sign')
      return oauth.PrivateKeyJwt(kid === undefined ? { key } : { key, kid })
    }
  }
}
