import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startMockOAuth2Server, type MockOAuth2Server } from '../src/index.js'

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('startMockOAuth2Server (oauth2-mock-server 8.x)', () => {
  let mock: MockOAuth2Server
  beforeAll(async () => {
    mock = await startMockOAuth2Server()
  })
  afterAll(async () => {
    await mock.stop()
  })

  it('serves discovery on 127.0.0.1 and mints tokens that verify against its JWKS', async () => {
    expect(mock.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const { status, body } = await getJson(mock.discoveryUrl)
    expect(status).toBe(200)
    expect(body.issuer).toBe(mock.issuer)
    expect(body.jwks_uri).toBe(mock.jwksUri)
    const token = await mock.mintToken({
      claims: { aud: 'https://api.example.test', scope: 'read', sub: 'alice' },
      header: { typ: 'at+jwt' },
    })
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(mock.jwksUri)), {
      issuer: mock.issuer,
      audience: 'https://api.example.test',
      typ: 'at+jwt',
    })
    expect(protectedHeader.alg).toBe('RS256')
    expect(payload).toMatchObject({ sub: 'alice', scope: 'read' })
    const expired = await mock.mintToken({ expiresIn: -60 })
    await expect(jose.jwtVerify(expired, jose.createRemoteJWKSet(new URL(mock.jwksUri)))).rejects.toThrow(/exp/)
  })
})
