/**
 * The JWT path with discovered metadata, at a real local AS that serves its discovery document and
 * counts it: one verification for concurrent requests with the same token; a token whose key is
 * unknown or whose signature fails marks the metadata for rediscovery (once the 10 s retry cooldown
 * has passed), any other refusal does not; and the metadata is refreshed after its 3600 s maximum age.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { BearerError, createResourceServer, type ResourceServerEvent } from '../../src/index.js'
import { type FakeAS, goodClaims, rejection, signJwt, startFakeAS, testClock, type TestClock } from '../support/index.js'

let as: FakeAS
let server: TestHttpServer
let discoveries = 0
/** The path of the jwks_uri the discovery document names, and the keys served at `/jwks2`. */
let jwksPath = '/jwks'
let jwks2: unknown[] = []
beforeAll(async () => {
  as = await startFakeAS()
  server = await startHttpServer((req, res) => {
    req.resume()
    if (req.url === '/jwks' || req.url === '/jwks2') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: req.url === '/jwks' ? as.jwks : jwks2 }))
      return
    }
    if (req.url?.startsWith('/.well-known/')) {
      discoveries++
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ issuer: server.url, jwks_uri: `${server.url}${jwksPath}` }))
      return
    }
    res.writeHead(404).end()
  })
})
afterAll(async () => {
  await server.close()
  await as.close()
})

let clock: TestClock
beforeEach(() => {
  clock = testClock(Date.now())
  discoveries = 0
  jwksPath = '/jwks'
})

const bearer = (token: string) => `Bearer ${token}`
const claims = () => ({ ...goodClaims(as, clock.now()), iss: server.url })
const discovering = (events?: ResourceServerEvent[]) =>
  createResourceServer({ issuer: server.url, audience: 'api', tokenFormat: 'jwt', clock: clock.now, onEvent: (e) => events?.push(e) })

describe('verification', () => {
  it('concurrent requests with one token verify it once', async () => {
    let verifications = 0
    const rs = createResourceServer({
      issuer: as.issuer,
      jwksUri: as.jwksUri,
      audience: 'api',
      signatureVerifier: async () => (++verifications, true),
    })
    const jwt = await signJwt(as, goodClaims(as))
    const all = await Promise.all([1, 2, 3].map(() => rs.authenticate(bearer(jwt))))
    expect(all.map((i) => i?.sub)).toEqual(['user-1', 'user-1', 'user-1'])
    expect(verifications).toBe(1)
  })
})

describe('rediscovery after a key failure', () => {
  it('discovers once and emits metadata_discovered', async () => {
    const events: ResourceServerEvent[] = []
    const rs = discovering(events)
    await rs.authenticate(bearer(await signJwt(as, claims())))
    await rs.authenticate(bearer(await signJwt(as, claims())))
    expect(discoveries).toBe(1)
    expect(events.filter((e) => e.type === 'metadata_discovered')).toEqual([{ type: 'metadata_discovered', issuer: server.url }])
  })

  for (const [what, forge] of [
    ['an unknown kid', () => signJwt(as, claims(), { kid: 'k9' })],
    ['a bad signature', async () => `${(await signJwt(as, claims())).split('.').slice(0, 2).join('.')}.${'A'.repeat(86)}`],
  ] as const) {
    it(`${what} marks the metadata stale: rediscovered once the 10 s cooldown has passed`, async () => {
      const rs = discovering()
      const good = await signJwt(as, claims())
      await rs.authenticate(bearer(good))
      await rejection(async () => rs.authenticate(bearer(await forge())), BearerError, 401, 'invalid_token')
      clock.advance(9_999)
      await rs.authenticate(bearer(await signJwt(as, { ...claims(), sub: 'two' })))
      expect(discoveries).toBe(1)
      clock.advance(1)
      await rs.authenticate(bearer(await signJwt(as, { ...claims(), sub: 'three' })))
      expect(discoveries).toBe(2)
    })
  }

  it('a jwks_uri moved by the rediscovered metadata is fetched from then on', async () => {
    const rs = discovering()
    await rs.authenticate(bearer(await signJwt(as, claims())))
    const k2 = await jose.generateKeyPair('ES256', { extractable: true })
    jwks2 = [{ ...(await jose.exportJWK(k2.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' }]
    jwksPath = '/jwks2'
    const rotated = await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'k2', typ: 'at+jwt' }).sign(k2.privateKey)
    await rejection(() => rs.authenticate(bearer(rotated)), BearerError, 401) // the old key set has no k2
    clock.advance(10_000)
    expect((await rs.authenticate(bearer(rotated)))?.sub).toBe('user-1')
    expect(discoveries).toBe(2)
  })

  it('other refusals (an expired token) do not', async () => {
    const rs = discovering()
    await rs.authenticate(bearer(await signJwt(as, claims())))
    await rejection(async () => rs.authenticate(bearer(await signJwt(as, { ...claims(), exp: clock.seconds() - 60 }))), BearerError, 401)
    clock.advance(10_000)
    await rs.authenticate(bearer(await signJwt(as, { ...claims(), sub: 'two' })))
    expect(discoveries).toBe(1)
  })

  it('the metadata is refreshed after 3600 s', async () => {
    const rs = discovering()
    await rs.authenticate(bearer(await signJwt(as, claims())))
    clock.advance(3_599_999)
    await rs.authenticate(bearer(await signJwt(as, claims())))
    expect(discoveries).toBe(1)
    clock.advance(1)
    await rs.authenticate(bearer(await signJwt(as, claims())))
    for (let i = 0; i < 50 && discoveries < 2; i++) await new Promise((r) => setTimeout(r, 2))
    expect(discoveries).toBe(2)
  })
})
