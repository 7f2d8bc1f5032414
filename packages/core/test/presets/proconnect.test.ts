/**
 * The proConnect() preset: the issuer and endpoints of each environment (or an issuer given),
 * introspection of signed responses (RS256 unless told, JSON with `none`, encrypted when decryption
 * keys are given: required unless told), client_secret_post and the `client_id` audience claim as
 * defaults the caller may override, base64 bearer tokens accepted, allowed clients kept.
 */
import { describe, expect, it } from 'vitest'
import { PROCONNECT_ENVIRONMENTS, proConnect } from '../../src/presets/proconnect.js'

describe('proConnect', () => {
  it('names the host of each environment', () => {
    expect(PROCONNECT_ENVIRONMENTS).toEqual({
      integration: 'fca.integ01.dev-agentconnect.fr',
      production: 'auth.agentconnect.gouv.fr',
      'integration-rie': 'fca.integ02.agentconnect.rie.gouv.fr',
      'production-rie': 'auth.agentconnect.rie.gouv.fr',
    })
  })

  it('an environment: its /api/v2 issuer and endpoints, RS256 signed introspection, client_secret_post, client_id audience, base64 tokens', () => {
    expect(proConnect({ environment: 'production', clientId: 'c', clientSecret: 's' })).toEqual({
      authMethod: 'client_secret_post',
      audienceClaim: 'client_id',
      clientId: 'c',
      clientSecret: 's',
      bearer: { acceptBase64: true },
      issuer: 'https://auth.agentconnect.gouv.fr/api/v2',
      introspectionEndpoint: 'https://auth.agentconnect.gouv.fr/api/v2/token/introspection',
      jwksUri: 'https://auth.agentconnect.gouv.fr/api/v2/jwks',
      tokenFormat: 'introspection',
      introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
    })
  })

  it('an issuer given wins over the environment; none of them sets no endpoint', () => {
    expect(proConnect({ environment: 'integration', issuer: 'https://pc.example/api/v2', clientId: 'c' })).toMatchObject({
      issuer: 'https://pc.example/api/v2',
      introspectionEndpoint: 'https://pc.example/api/v2/token/introspection',
      jwksUri: 'https://pc.example/api/v2/jwks',
    })
    const bare = proConnect({ clientId: 'c' })
    for (const key of ['issuer', 'introspectionEndpoint', 'jwksUri']) expect(bare).not.toHaveProperty(key)
    expect(proConnect({ environment: 'integration-rie', clientId: 'c' }).issuer).toBe('https://fca.integ02.agentconnect.rie.gouv.fr/api/v2')
  })

  it('introspection: the signing algorithm given, JSON with none, encryption with decryption keys', () => {
    expect(proConnect({ clientId: 'c', signingAlgorithm: 'ES256' }).introspection).toEqual({
      response: 'jwt',
      signingAlgorithms: ['ES256'],
    })
    expect(proConnect({ clientId: 'c', signingAlgorithm: 'none' }).introspection).toEqual({ response: 'json' })
    const keys = [{ kty: 'RSA', n: 'n', e: 'AQAB', d: 'd' }]
    const encrypted = proConnect({ clientId: 'c', decryptionKeys: keys })
    expect(encrypted.introspection).toEqual({ response: 'jwt', signingAlgorithms: ['RS256'], encryption: 'required' })
    expect(encrypted.decryptionKeys).toBe(keys)
    expect(proConnect({ clientId: 'c', decryptionKeys: keys, encryption: 'optional' }).introspection).toEqual({
      response: 'jwt',
      signingAlgorithms: ['RS256'],
      encryption: 'optional',
    })
    expect(proConnect({ clientId: 'c', encryption: 'required' }).introspection).toEqual({ response: 'jwt', signingAlgorithms: ['RS256'] })
    expect(proConnect({ clientId: 'c' })).not.toHaveProperty('decryptionKeys')
  })

  it('lets the caller override the auth method, audience claim and bearer options; keeps allowed clients', () => {
    const options = proConnect({
      clientId: 'c',
      authMethod: 'client_secret_basic',
      audienceClaim: 'aud',
      bearer: { acceptBase64: false, maxLength: 100 },
      allowedClients: ['sp1'],
    })
    expect(options).toMatchObject({
      authMethod: 'client_secret_basic',
      audienceClaim: 'aud',
      bearer: { acceptBase64: false, maxLength: 100 },
      allowedClients: ['sp1'],
    })
    expect(proConnect({ clientId: 'c', bearer: { maxLength: 10 } }).bearer).toEqual({ acceptBase64: true, maxLength: 10 })
    expect(proConnect({ clientId: 'c' })).not.toHaveProperty('allowedClients')
  })
})
