/**
 * The keycloak() preset: the realm issuer (name URL-encoded) from url and realm or an issuer given,
 * the certs and introspection endpoints under it, the token format (introspection with a client id,
 * else JWT, or the one given), the lenient typ, and a ConfigurationError on `url`, `realm` or `issuer`.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { keycloak } from '../../src/presets/keycloak.js'
import { thrown } from '../support/index.js'

const issuePaths = (call: () => unknown) => thrown(call, ConfigurationError).issues.map((i) => i.path)

describe('keycloak', () => {
  it('from url and realm, without a client: JWT tokens against the realm certs', () => {
    expect(keycloak({ url: 'https://sso.example/', realm: 'my realm', audience: 'api' })).toEqual({
      audience: 'api',
      issuer: 'https://sso.example/realms/my%20realm',
      jwksUri: 'https://sso.example/realms/my%20realm/protocol/openid-connect/certs',
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
    })
  })

  it('from an issuer, with a client: introspection at the realm introspection endpoint', () => {
    expect(
      keycloak({ issuer: 'https://sso.example/realms/r', audience: 'api', clientId: 'rs', clientSecret: 's', jwt: { maxTokenAge: 2 } }),
    ).toEqual({
      audience: 'api',
      clientId: 'rs',
      clientSecret: 's',
      issuer: 'https://sso.example/realms/r',
      jwksUri: 'https://sso.example/realms/r/protocol/openid-connect/certs',
      introspectionEndpoint: 'https://sso.example/realms/r/protocol/openid-connect/token/introspect',
      tokenFormat: 'introspection',
      jwt: { typ: 'lenient', maxTokenAge: 2 },
    })
  })

  it('keeps the token format given', () => {
    expect(keycloak({ issuer: 'https://sso.example/realms/r', audience: 'a', clientId: 'c', tokenFormat: 'auto' }).tokenFormat).toBe('auto')
    expect(keycloak({ issuer: 'https://sso.example/realms/r', audience: 'a', tokenFormat: 'introspection' }).tokenFormat).toBe(
      'introspection',
    )
  })

  it('refuses a missing url or realm, a realm path, and an issuer with url or realm', () => {
    expect(issuePaths(() => keycloak({ realm: 'r', audience: 'a' }))).toEqual(['url'])
    expect(issuePaths(() => keycloak({ url: '', realm: 'r', audience: 'a' }))).toEqual(['url'])
    expect(issuePaths(() => keycloak({ url: 'https://sso.example', audience: 'a' }))).toEqual(['realm'])
    for (const realm of ['a/b', 'a?b', 'a#b'])
      expect(issuePaths(() => keycloak({ url: 'https://sso.example', realm, audience: 'a' }))).toEqual(['realm'])
    expect(issuePaths(() => keycloak({ issuer: 'https://sso.example/realms/r', url: 'https://sso.example', audience: 'a' }))).toEqual([
      'issuer',
    ])
    expect(issuePaths(() => keycloak({ issuer: 'https://sso.example/realms/r', realm: 'r', audience: 'a' }))).toEqual(['issuer'])
  })
})
