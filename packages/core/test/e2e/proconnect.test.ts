/**
 * The ProConnect preset against a local oidc-provider standing in for ProConnect (same engine,
 * same endpoint paths: {issuer}/token/introspection and {issuer}/jwks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAS, type TestAS } from '@org/rs-testing'
import { createResourceServer, PROCONNECT_ENVIRONMENTS, proConnect } from '../../src/index.js'

let as: TestAS
beforeAll(async () => {
  as = await startTestAS()
})
afterAll(() => as?.stop())

describe('proConnect preset', () => {
  it('maps environments to issuers and ProConnect endpoints, client_secret_post, introspection only', () => {
    const options = proConnect({ environment: 'integration', clientId: 'rs', clientSecret: 's' })
    expect(options).toMatchObject({
      issuer: 'https://fca.integ01.dev-agentconnect.fr/api/v2',
      introspectionEndpoint: 'https://fca.integ01.dev-agentconnect.fr/api/v2/token/introspection',
      jwksUri: 'https://fca.integ01.dev-agentconnect.fr/api/v2/jwks',
      authMethod: 'client_secret_post',
      tokenFormat: 'introspection',
      audienceClaim: 'client_id',
      introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
      bearer: { acceptBase64: true },
    })
    expect(proConnect({ environment: 'production-rie', clientId: 'rs', clientSecret: 's' }).issuer).toBe(
      `https://${PROCONNECT_ENVIRONMENTS['production-rie']}/api/v2`,
    )
    expect(() => createResourceServer(proConnect({ environment: 'production', clientId: 'rs', clientSecret: 's' }))).not.toThrow()
    expect(() => createResourceServer(proConnect({ clientId: 'rs', clientSecret: 's' }))).toThrow(/issuer/)
  })

  it.each([
    ['RS256', 'rs-rs256'],
    ['ES256', 'rs-es256'],
    ['HS256', 'rs-hs256'],
    ['none', 'rs-json'],
  ] as const)('signingAlgorithm %s round-trips', async (signingAlgorithm, clientId) => {
    const rs = createResourceServer(
      proConnect({ issuer: as.issuer, clientId, clientSecret: as.clients[clientId].clientSecret, signingAlgorithm }),
    )
    const token = await as.issueToken({ sub: 'agent-1', scope: 'openid uid given_name usual_name email' })
    const auth = await rs.authenticate(`Bearer ${token}`, { anyScope: ['email', 'phone'] })
    expect(auth).toMatchObject({ sub: 'agent-1', clientId: 'app', scopes: ['openid', 'uid', 'given_name', 'usual_name', 'email'] })
  })

  it("accepts the token raw or base64-encoded, as ProConnect's sample service provider sends it", async () => {
    const rs = createResourceServer(
      proConnect({ issuer: as.issuer, clientId: 'rs-rs256', clientSecret: as.clients['rs-rs256'].clientSecret }),
    )
    const token = await as.issueToken({ sub: 'agent-2', scope: 'openid' })
    expect((await rs.authenticate(`Bearer ${token}`)).sub).toBe('agent-2')
    expect((await rs.authenticate(`Bearer ${btoa(token)}`)).sub).toBe('agent-2')
  })

  it('allowedClients restricts the calling service providers (client_id)', async () => {
    const token = await as.issueToken({ sub: 'agent-3', scope: 'openid' })
    const base = { issuer: as.issuer, clientId: 'rs-rs256', clientSecret: as.clients['rs-rs256'].clientSecret }
    await expect(
      createResourceServer(proConnect({ ...base, allowedClients: ['app'] })).authenticate(`Bearer ${token}`),
    ).resolves.toMatchObject({ sub: 'agent-3' })
    await expect(
      createResourceServer(proConnect({ ...base, allowedClients: ['another-sp'] })).authenticate(`Bearer ${token}`),
    ).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
    })
  })

  it('a wrong client secret is a 503 that says to check the configuration, not a 401', async () => {
    const rs = createResourceServer(proConnect({ issuer: as.issuer, clientId: 'rs-rs256', clientSecret: 'wrong-secret' }))
    const token = await as.issueToken({ sub: 'agent-4' })
    const err = (await rs.authenticate(`Bearer ${token}`).catch((e: unknown) => e)) as Error
    expect(err).toMatchObject({ status: 503, failure: 'client_rejected' })
    expect(err.message).toMatch(/clientSecret/)
    expect(err.message).not.toContain('wrong-secret')
  })
})
