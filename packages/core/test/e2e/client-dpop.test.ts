/**
 * The client side of DPoP: createClientCredentials asks a real oidc-provider (which requires its
 * DPoP nonce) for DPoP-bound tokens through oauth4webapi, and cc.fetch calls a real resource server
 * (this SDK, over HTTP, requiring its own nonce) with a fresh proof per call.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, startTestAS, type TestAS, type TestHttpServer } from '@org/rs-testing'
import { createClientCredentials, createResourceServer, type ResourceServer, toErrorResponse } from '../../src/index.js'

const API = 'https://api.example.test'
let as: TestAS
let api: TestHttpServer
let rs: ResourceServer
const seen: { authorization: string | undefined; dpop: string | undefined; status: number }[] = []

beforeAll(async () => {
  as = await startTestAS({ dpopNonce: true })
  rs = createResourceServer({
    issuer: as.issuer,
    tokenFormat: 'jwt',
    audience: API,
    allowInsecureRequests: true,
    dpop: { nonce: { secret: 'resource-server-nonce-secret-0123456789' } },
  })
  api = await startHttpServer(async (req, res) => {
    try {
      const auth = await rs.authenticateRequest({
        method: req.method,
        url: req.url,
        rawHeaders: req.rawHeaders,
        href: `${api.url}${req.url}`,
      })
      seen.push({ authorization: req.headers.authorization, dpop: req.headers.dpop as string | undefined, status: 200 })
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ client: auth.clientId, cnf: auth.claims.cnf }))
    } catch (err) {
      const { status, headers, body } = toErrorResponse(err)
      seen.push({ authorization: req.headers.authorization, dpop: req.headers.dpop as string | undefined, status })
      res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
  })
})
afterAll(async () => {
  await Promise.all([as?.stop(), api?.close()])
})

const options = () => ({
  issuer: as.issuer,
  clientId: 'app',
  clientSecret: as.clients.app.clientSecret!,
  scope: 'read',
  resource: API,
  allowInsecureRequests: true,
})

describe('createClientCredentials({ dpop })', () => {
  it.each(['keyPair', 'privateKey'] as const)(
    'gets a DPoP-bound token (AS nonce retried) and calls an API with proofs (%s)',
    async (kind) => {
      const pair = await jose.generateKeyPair('ES256', { extractable: true })
      const dpop = kind === 'keyPair' ? { keyPair: pair } : { privateKey: await jose.exportJWK(pair.privateKey) }
      const cc = createClientCredentials({ ...options(), dpop })
      const token = await cc.getToken()
      expect(token.tokenType).toBe('DPoP')
      const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey))
      expect(jose.decodeJwt(token.accessToken).cnf).toEqual({ jkt })

      seen.length = 0
      const first = await cc.fetch(`${api.url}/orders?page=1`)
      expect(first.status).toBe(200)
      expect(await first.json()).toEqual({ client: 'app', cnf: { jkt } })
      // the RS asked for its nonce once (401 use_dpop_nonce), the retry carried it
      expect(seen.map((s) => s.status)).toEqual([401, 200])
      expect(seen.every((s) => s.authorization?.startsWith('DPoP '))).toBe(true)
      expect(seen[0]!.dpop).not.toBe(seen[1]!.dpop)
      const proof = jose.decodeJwt(seen[1]!.dpop!)
      expect(proof).toMatchObject({ htm: 'GET', htu: `${api.url}/orders` })
      expect(typeof proof.nonce).toBe('string')

      seen.length = 0
      expect((await cc.fetch(`${api.url}/orders`, { method: 'POST', body: 'x' })).status).toBe(200)
      expect(seen.map((s) => s.status)).toEqual([200]) // the nonce was remembered
      expect(jose.decodeJwt(seen[0]!.dpop!).htm).toBe('POST')
    },
  )

  it('a Bearer client is unchanged, and its token is refused by a route that requires DPoP', async () => {
    const cc = createClientCredentials(options())
    expect((await cc.getToken()).tokenType).toBe('Bearer')
    const required = createResourceServer({
      issuer: as.issuer,
      tokenFormat: 'jwt',
      audience: API,
      allowInsecureRequests: true,
      dpop: { mode: 'required' },
    })
    const token = await cc.getAccessToken()
    await expect(
      required.authenticateRequest({ method: 'GET', url: 'http://x/', headers: { authorization: `Bearer ${token}` } }),
    ).rejects.toMatchObject({ code: 'invalid_token' })
  })

  it('refuses a malformed dpop option at construction', () => {
    for (const dpop of [{}, { keyPair: {} }, { privateKey: { kty: 'EC' } }, { privateKey: { kty: 'oct', d: 'x' } }]) {
      expect(() => createClientCredentials({ ...options(), dpop } as never), JSON.stringify(dpop)).toThrow(/dpop/)
    }
  })
})
