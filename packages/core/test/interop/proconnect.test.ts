/**
 * ProConnect, with oidc-provider (the engine ProConnect runs on) standing in for it: a token is
 * accepted with the preset, an ID token is refused, a route requiring an authentication level (acr)
 * accepts and refuses (RFC 9470 step-up), and allowedClients is the first-class option.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAS, type TestAS } from '@org/rs-testing'
import { createResourceServer, proConnect, type ResourceServer } from '../../src/index.js'
import { outcome } from './helpers.js'

let as: TestAS
let rs: ResourceServer
beforeAll(async () => {
  as = await startTestAS()
  rs = createResourceServer(
    proConnect({ issuer: as.issuer, clientId: 'rs-rs256', clientSecret: as.clients['rs-rs256'].clientSecret!, logger: false }),
  )
})
afterAll(() => as?.stop())

/** An opaque access token whose introspection carries what ProConnect adds (acr, amr, auth_time). */
async function agentToken(extra: Record<string, unknown>): Promise<string> {
  const provider = as.provider as unknown as {
    Client: { find(id: string): Promise<unknown> }
    AccessToken: (new (p: Record<string, unknown>) => { save(): Promise<string> }) & {
      adapter: { find(id: string): Promise<Record<string, unknown>>; upsert(id: string, p: unknown, ttl: number): Promise<void> }
    }
  }
  const token = await new provider.AccessToken({
    accountId: 'agent-1',
    client: await provider.Client.find('app'),
    gty: 'authorization_code',
    scope: 'openid email',
  }).save()
  const stored = await provider.AccessToken.adapter.find(token)
  await provider.AccessToken.adapter.upsert(token, { ...stored, extra }, 3600)
  return token
}

describe('ProConnect preset (oidc-provider)', () => {
  it('accepts a ProConnect token; a route requiring eidas2 accepts it and steps up an eidas1 one', async () => {
    const now = Math.floor(Date.now() / 1000)
    const strong = await agentToken({ acr: 'eidas2', amr: ['pwd', 'mfa'], auth_time: now - 60 })
    const weak = await agentToken({ acr: 'eidas1', amr: ['pwd'], auth_time: now - 60 })
    expect(await outcome(rs, strong, { acr: ['eidas2', 'eidas3'] })).toMatchObject({
      status: 200,
      clientId: 'app',
      scopes: ['openid', 'email'],
    })
    expect(await outcome(rs, weak, { acr: ['eidas2', 'eidas3'] })).toMatchObject({
      status: 401,
      reason: 'insufficient_user_authentication',
    })
    expect(await outcome(rs, strong, { acr: ['eidas2'], maxAge: 30 })).toMatchObject({
      status: 401,
      reason: 'insufficient_user_authentication',
    })
    expect(await outcome(rs, strong, { claims: { amr: { includes: 'mfa' } } })).toMatchObject({ status: 200 })
    expect(await outcome(rs, weak, { claims: { amr: { includes: 'mfa' } } })).toMatchObject({ status: 403, reason: 'claim_mismatch' })
  })

  it("refuses an ID token signed with the AS's own key", async () => {
    const key = as.privateJwks.keys.find((k) => k.kty === 'RSA')!
    const now = Math.floor(Date.now() / 1000)
    const idToken = await new jose.SignJWT({
      iss: as.issuer,
      sub: 'agent-1',
      aud: 'app',
      nonce: 'n-0S6',
      iat: now,
      exp: now + 60,
      acr: 'eidas2',
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid!, typ: 'JWT' })
      .sign(await jose.importJWK(key, 'RS256'))
    expect(await outcome(rs, idToken)).toMatchObject({ status: 401, reason: 'inactive' })
  })

  it('allowedClients is the allowedClients option', async () => {
    const options = proConnect({
      issuer: as.issuer,
      clientId: 'rs-rs256',
      clientSecret: as.clients['rs-rs256'].clientSecret!,
      allowedClients: ['another-sp'],
      logger: false,
    })
    expect(options).toMatchObject({ allowedClients: ['another-sp'] })
    expect(options).not.toHaveProperty('audience')
    expect(await outcome(createResourceServer(options), await agentToken({ acr: 'eidas1' }))).toMatchObject({
      status: 401,
      reason: 'wrong_audience',
    })
  })
})
