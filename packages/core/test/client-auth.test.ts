/**
 * How the SDK authenticates to the AS, as the AS sees it: each method's effect on a real request's
 * body and headers, built once and reused, and built again after a failure.
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { clientAuthFactory } from '../src/client-auth.js'

const as = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' }
const client = { client_id: 'api' }

async function applied(auth: Awaited<ReturnType<ReturnType<typeof clientAuthFactory>>>) {
  const body = new URLSearchParams()
  const headers = new Headers()
  await auth(as, client, body, headers)
  return { body, headers }
}

describe('clientAuthFactory', () => {
  it('client_secret_post: the secret in the body', async () => {
    const { body, headers } = await applied(
      await clientAuthFactory({ clientId: 'api', clientSecret: 's3cret', authMethod: 'client_secret_post' })(),
    )
    expect(body.get('client_id')).toBe('api')
    expect(body.get('client_secret')).toBe('s3cret')
    expect(headers.get('authorization')).toBeNull()
  })

  it('client_secret_basic: the secret in the Authorization header only', async () => {
    const { body, headers } = await applied(
      await clientAuthFactory({ clientId: 'api', clientSecret: 's3cret', authMethod: 'client_secret_basic' })(),
    )
    expect(headers.get('authorization')).toBe(`Basic ${btoa('api:s3cret')}`)
    expect(body.get('client_secret')).toBeNull()
  })

  it('client_secret_jwt: an HS256 assertion signed with the secret', async () => {
    const { body } = await applied(
      await clientAuthFactory({ clientId: 'api', clientSecret: 'a-secret-of-at-least-32-bytes-long!', authMethod: 'client_secret_jwt' })(),
    )
    expect(body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    const { payload, protectedHeader } = await jose.jwtVerify(
      body.get('client_assertion')!,
      new TextEncoder().encode('a-secret-of-at-least-32-bytes-long!'),
    )
    expect(protectedHeader.alg).toBe('HS256')
    expect(payload).toMatchObject({ iss: 'api', sub: 'api' })
    expect(body.get('client_secret')).toBeNull()
  })

  it("private_key_jwt: an assertion signed with the private key, with the key's kid, or its JWK thumbprint when it has none", async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
    const jwk = { ...(await jose.exportJWK(privateKey)), alg: 'ES256' }
    for (const kid of ['key-1', undefined]) {
      const factory = clientAuthFactory({
        clientId: 'api',
        privateKey: kid === undefined ? jwk : { ...jwk, kid },
        authMethod: 'private_key_jwt',
      })
      const { body } = await applied(await factory())
      const { protectedHeader, payload } = await jose.jwtVerify(body.get('client_assertion')!, publicKey)
      expect(protectedHeader.kid).toBe(kid ?? (await jose.calculateJwkThumbprint(await jose.exportJWK(publicKey))))
      expect(protectedHeader.alg).toBe('ES256')
      expect(payload).toMatchObject({ iss: 'api', sub: 'api' })
    }
  })

  it('builds once and hands the same authentication to every call', async () => {
    const factory = clientAuthFactory({ clientId: 'api', clientSecret: 's', authMethod: 'client_secret_post' })
    const [a, b] = [factory(), factory()]
    expect(a).toBe(b)
    expect(await a).toBe(await factory())
  })

  it('a key that cannot be imported fails the call, and the next call tries again (nothing broken is kept)', async () => {
    const bad = clientAuthFactory({
      clientId: 'api',
      privateKey: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA', alg: 'ES256' },
      authMethod: 'private_key_jwt',
    })
    const first = bad()
    await expect(first).rejects.toThrow()
    const second = bad()
    expect(second).not.toBe(first)
    await expect(second).rejects.toThrow()
  })
})
