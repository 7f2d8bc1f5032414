/**
 * The okta() preset: the custom authorization server issuer (`default` unless given) from a domain,
 * or an issuer given, its keys and introspection endpoints, the token format (introspection with a
 * client id, else JWT, or the one given), the lenient typ, and a ConfigurationError on `domain` or
 * `authorizationServerId`.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { okta } from '../../src/presets/okta.js'
import { thrown } from '../support/index.js'

const issuePaths = (call: () => unknown) => thrown(call, ConfigurationError).issues.map((i) => i.path)

describe('okta', () => {
  it('from a domain, without a client: the default authorization server, JWT tokens', () => {
    expect(okta({ domain: 'dev-1.okta.com', audience: 'api://default' })).toEqual({
      audience: 'api://default',
      issuer: 'https://dev-1.okta.com/oauth2/default',
      jwksUri: 'https://dev-1.okta.com/oauth2/default/v1/keys',
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
    })
  })

  it('another authorization server, with a client: introspection at /v1/introspect', () => {
    expect(
      okta({ domain: 'dev-1.okta.com', authorizationServerId: 'aus1a2B3', audience: 'a', clientId: 'c', jwt: { typ: 'strict' } }),
    ).toEqual({
      audience: 'a',
      clientId: 'c',
      issuer: 'https://dev-1.okta.com/oauth2/aus1a2B3',
      jwksUri: 'https://dev-1.okta.com/oauth2/aus1a2B3/v1/keys',
      introspectionEndpoint: 'https://dev-1.okta.com/oauth2/aus1a2B3/v1/introspect',
      tokenFormat: 'introspection',
      jwt: { typ: 'strict' },
    })
  })

  it('from an issuer, with the token format given', () => {
    expect(okta({ issuer: 'https://login.example/oauth2/x/', audience: 'a', tokenFormat: 'auto' })).toEqual({
      audience: 'a',
      issuer: 'https://login.example/oauth2/x/',
      jwksUri: 'https://login.example/oauth2/x/v1/keys',
      tokenFormat: 'auto',
      jwt: { typ: 'lenient' },
    })
    expect(okta({ issuer: 'https://login.example/oauth2/x', audience: 'a', clientId: 'c', tokenFormat: 'jwt' }).tokenFormat).toBe('jwt')
  })

  it('refuses neither or both of domain and issuer, and a domain that is not a host name, on domain', () => {
    expect(issuePaths(() => okta({ audience: 'a' }))).toEqual(['domain'])
    expect(issuePaths(() => okta({ domain: 'd.okta.com', issuer: 'https://d.okta.com/oauth2/default', audience: 'a' }))).toEqual(['domain'])
    for (const domain of ['', 'https://d.okta.com', 'd.okta.com/x', 'd.okta.com:443'])
      expect(issuePaths(() => okta({ domain, audience: 'a' }))).toEqual(['domain'])
  })

  it('refuses an authorization server id that is not alphanumeric', () => {
    for (const id of ['', 'aus-1', 'aus/1', ' aus1', 'aus1 ']) {
      expect(
        issuePaths(() => okta({ domain: 'd.okta.com', authorizationServerId: id, audience: 'a' })),
        id,
      ).toEqual(['authorizationServerId'])
    }
  })
})
