/**
 * The auth0() preset: the options it produces from a domain or an issuer (issuer with its trailing
 * slash, JWKS under it, JWT tokens, lenient typ), what it passes through, and a ConfigurationError on
 * `domain` for no domain and no issuer, both, or a domain that is not a host name.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { auth0 } from '../../src/presets/auth0.js'
import { thrown } from '../support/index.js'

const issuePaths = (call: () => unknown) => thrown(call, ConfigurationError).issues.map((i) => i.path)

describe('auth0', () => {
  it('from a domain: issuer https://{domain}/, JWKS at /.well-known/jwks.json, JWT tokens with a lenient typ', () => {
    expect(auth0({ domain: 'tenant.eu.auth0.com', audience: 'https://api.example' })).toEqual({
      audience: 'https://api.example',
      issuer: 'https://tenant.eu.auth0.com/',
      jwksUri: 'https://tenant.eu.auth0.com/.well-known/jwks.json',
      tokenFormat: 'jwt',
      jwt: { typ: 'lenient' },
    })
  })

  it('from an issuer: taken exactly, JWKS under it; other options and jwt options passed through', () => {
    expect(
      auth0({
        issuer: 'https://login.example.com/',
        audience: ['a', 'b'],
        jwt: { typ: 'strict', maxTokenAge: 3 },
        allowedClients: ['c'],
      }),
    ).toEqual({
      audience: ['a', 'b'],
      allowedClients: ['c'],
      issuer: 'https://login.example.com/',
      jwksUri: 'https://login.example.com/.well-known/jwks.json',
      tokenFormat: 'jwt',
      jwt: { typ: 'strict', maxTokenAge: 3 },
    })
  })

  it('refuses neither or both of domain and issuer, and a domain that is empty or not a host name, on domain', () => {
    expect(issuePaths(() => auth0({ audience: 'a' }))).toEqual(['domain'])
    expect(issuePaths(() => auth0({ domain: 't.auth0.com', issuer: 'https://t.auth0.com/', audience: 'a' }))).toEqual(['domain'])
    for (const domain of ['', 'https://t.auth0.com', 't.auth0.com/', 't.auth0.com:443', 7 as never]) {
      expect(
        issuePaths(() => auth0({ domain, audience: 'a' })),
        String(domain),
      ).toEqual(['domain'])
    }
  })
})
