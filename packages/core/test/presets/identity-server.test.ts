/**
 * The identityServer() preset: JWT tokens against the discovery JWKS; with a client id, the
 * introspection endpoint with client_secret_basic and tokenFormat auto; a token format given is
 * kept; a ConfigurationError on `issuer` when it is missing.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { identityServer } from '../../src/presets/identity-server.js'
import { thrown } from '../support/index.js'

describe('identityServer', () => {
  it('without a client: JWT tokens against {issuer}/.well-known/openid-configuration/jwks', () => {
    expect(identityServer({ issuer: 'https://id.example/', audience: 'api1' })).toEqual({
      audience: 'api1',
      issuer: 'https://id.example/',
      jwksUri: 'https://id.example/.well-known/openid-configuration/jwks',
      tokenFormat: 'jwt',
    })
  })

  it('with a client: also introspection at /connect/introspect with client_secret_basic, format auto', () => {
    expect(identityServer({ issuer: 'https://id.example', audience: 'api1', clientId: 'api1', clientSecret: 's' })).toEqual({
      audience: 'api1',
      clientId: 'api1',
      clientSecret: 's',
      issuer: 'https://id.example',
      jwksUri: 'https://id.example/.well-known/openid-configuration/jwks',
      introspectionEndpoint: 'https://id.example/connect/introspect',
      authMethod: 'client_secret_basic',
      tokenFormat: 'auto',
    })
  })

  it('keeps the token format given', () => {
    expect(identityServer({ issuer: 'https://id.example', audience: 'a', clientId: 'c', tokenFormat: 'introspection' }).tokenFormat).toBe(
      'introspection',
    )
    expect(identityServer({ issuer: 'https://id.example', audience: 'a', tokenFormat: 'auto' }).tokenFormat).toBe('auto')
  })

  it('refuses a missing issuer on issuer', () => {
    for (const issuer of ['', undefined]) {
      expect(
        thrown(() => identityServer({ issuer: issuer as string, audience: 'a' }), ConfigurationError).issues.map((i) => i.path),
      ).toEqual(['issuer'])
    }
  })
})
