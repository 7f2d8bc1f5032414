/**
 * The assembly of `createClientCredentials`: what the client object and a token view show (and
 * hide), which instances share a token in one store (extra parameters in any order, the same DPoP
 * JWK; never a key pair's tokens), the audience of a client assertion with and without an issuer,
 * and the defaults a call without arguments uses. A real local token endpoint.
 */
import { inspect } from 'node:util'
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readBody, startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { type ClientCredentialsOptions, createClientCredentials, MemoryCache } from '../../src/index.js'
import { type TestClock, testClock } from '../support/index.js'

let server: TestHttpServer
let clock: TestClock
let issued = 0
let tokenType = 'Bearer'
let scope: string | undefined
const bodies: string[] = []

beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
    const body = await readBody(req)
    if (req.url?.startsWith('/.well-known/')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ issuer: server.url, token_endpoint: `${server.url}/token` }))
      return
    }
    bodies.push(body)
    issued++
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: `tok-${issued}`, token_type: tokenType, expires_in: 600, ...(scope ? { scope } : {}) }))
  })
})
afterAll(() => server.close())
beforeEach(() => {
  clock = testClock()
  issued = 0
  tokenType = 'Bearer'
  scope = undefined
  bodies.length = 0
})

const endpoint = () => `${server.url}/token`
const make = (extra: Partial<ClientCredentialsOptions> = {}) =>
  createClientCredentials({
    tokenEndpoint: endpoint(),
    clientId: 'svc',
    clientSecret: 'svc-secret-0123456789',
    clock: () => clock.now(),
    ...extra,
  })

describe('the client object', () => {
  it('shows the client id and the endpoints given, never the secret', () => {
    const both = make({ issuer: 'https://as.example', tokenEndpoint: 'https://as.example/oauth/token?x=1' })
    expect(both.toJSON()).toEqual({ clientId: 'svc', issuer: 'https://as.example', tokenEndpoint: 'https://as.example/oauth/token?x=1' })
    expect(String(both)).toBe('ClientCredentials(svc at https://as.example/oauth/token)')
    expect(inspect(both)).toBe('ClientCredentials(svc at https://as.example/oauth/token)')
    const issuerOnly = make({ issuer: 'https://as.example/tenant', tokenEndpoint: undefined })
    expect(issuerOnly.toJSON()).toEqual({ clientId: 'svc', issuer: 'https://as.example/tenant' })
    expect(String(issuerOnly)).toBe('ClientCredentials(svc at https://as.example/tenant)')
    const endpointOnly = make({ tokenEndpoint: 'https://as.example/token' })
    expect(endpointOnly.toJSON()).toEqual({ clientId: 'svc', tokenEndpoint: 'https://as.example/token' })
    expect(JSON.stringify(endpointOnly)).toBe('{"clientId":"svc","tokenEndpoint":"https://as.example/token"}')
    // toJSON() hands out a copy.
    ;(endpointOnly.toJSON() as { clientId: string }).clientId = 'changed'
    expect(endpointOnly.toJSON().clientId).toBe('svc')
  })

  it('is frozen, with its methods as its only enumerable members', () => {
    const cc = make()
    expect(Object.isFrozen(cc)).toBe(true)
    expect(Object.keys(cc).sort()).toEqual(['fetch', 'getAccessToken', 'getToken', 'invalidate', 'toJSON', 'toString'])
  })
})

describe('a token view', () => {
  it('shows its type, expiry and scope; the token is readable but hidden', async () => {
    scope = 'read'
    const token = await make().getToken()
    expect({ ...token }).toEqual({ tokenType: 'Bearer', expiresAt: clock.now() + 600_000, scope: 'read' })
    expect(token.accessToken).toBe('tok-1')
    expect(Object.keys(token)).toEqual(['tokenType', 'expiresAt', 'scope'])
    expect(JSON.parse(JSON.stringify(token))).toEqual({ tokenType: 'Bearer', expiresAt: clock.now() + 600_000, scope: 'read' })
    expect(String(token)).toBe('[ClientCredentialsToken Bearer]')
    expect(inspect(token)).not.toContain('tok-1')
    expect(inspect(token)).toContain('read')
    expect(inspect(token, { showHidden: true })).not.toContain('tok-1')
    expect(Object.isFrozen(token)).toBe(true)
  })

  it('of a DPoP-bound token says DPoP; a token without a scope has scope undefined', async () => {
    tokenType = 'DPoP'
    const token = await make({ dpop: { keyPair: await jose.generateKeyPair('ES256', { extractable: true }) } }).getToken()
    expect(token.tokenType).toBe('DPoP')
    expect(String(token)).toBe('[ClientCredentialsToken DPoP]')
    expect(token.scope).toBeUndefined()
    expect(Object.keys(token)).toContain('scope')
  })
})

describe('which instances share a token in one store', () => {
  it('extra parameters in any order are the same token, sent in sorted order', async () => {
    const store = new MemoryCache()
    await make({ store, extraParams: { b: '1', a: '2', c: '3' } }).getAccessToken()
    await make({ store, extraParams: { c: '3', a: '2', b: '1' } }).getAccessToken()
    expect(issued).toBe(1)
    const names = [...new URLSearchParams(bodies[0]).keys()].filter((n) => ['a', 'b', 'c'].includes(n))
    expect(names).toEqual(['a', 'b', 'c'])
  })

  it('the same private DPoP JWK shares; another key, a key pair, or no key does not', async () => {
    tokenType = 'DPoP'
    const store = new MemoryCache()
    const jwk = await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).privateKey)
    const other = await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).privateKey)
    const keyPair = await jose.generateKeyPair('ES256', { extractable: true })
    expect(await make({ store, dpop: { privateKey: jwk } }).getAccessToken()).toBe('tok-1')
    expect(await make({ store, dpop: { privateKey: { ...jwk, kid: 'same-key' } } }).getAccessToken()).toBe('tok-1')
    expect(await make({ store, dpop: { privateKey: other } }).getAccessToken()).toBe('tok-2')
    expect(await make({ store, dpop: { keyPair } }).getAccessToken()).toBe('tok-3')
    expect(await make({ store, dpop: { keyPair } }).getAccessToken()).toBe('tok-4')
    tokenType = 'Bearer'
    expect(await make({ store }).getAccessToken()).toBe('tok-5')
  })
})

describe('the client assertion (private_key_jwt)', () => {
  const assertionOf = (body: string) => jose.decodeJwt(new URLSearchParams(body).get('client_assertion')!)

  it('is for the token endpoint without an issuer, for the issuer with one', async () => {
    const privateKey = { ...(await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256' }
    await make({ clientSecret: undefined, privateKey }).getAccessToken()
    expect(assertionOf(bodies[0]!)).toMatchObject({ iss: 'svc', sub: 'svc', aud: endpoint() })
    await make({ clientSecret: undefined, privateKey, tokenEndpoint: undefined, issuer: server.url }).getAccessToken()
    expect(assertionOf(bodies[1]!).aud).toBe(server.url)
    await make({ clientSecret: undefined, privateKey, issuer: server.url, scope: 'both' }).getAccessToken()
    expect(assertionOf(bodies[2]!).aud).toBe(server.url)
  })
})

describe('calls without arguments', () => {
  it('use the default scope and resource; invalidate({}) drops the default token', async () => {
    const cc = make({ scope: 'a', resource: 'https://r.example' })
    await cc.getAccessToken()
    await cc.getToken()
    await cc.getAccessToken({})
    expect(issued).toBe(1)
    const params = new URLSearchParams(bodies[0])
    expect([params.get('scope'), params.getAll('resource')]).toEqual(['a', ['https://r.example']])
    await cc.invalidate({})
    expect(await cc.getAccessToken()).toBe('tok-2')
  })
})
