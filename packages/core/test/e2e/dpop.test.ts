/**
 * DPoP (RFC 9449) against a real oidc-provider issuing DPoP-bound tokens (JWT and opaque, user and
 * client-credentials), and every hostile proof the RFC's checks exist for, refused with the RFC's
 * status and challenge.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dpopProof, type DpopProofOptions, startTestAS, type TestAS } from '@org/rs-testing'
import {
  BearerError,
  type CacheStore,
  ConfigurationError,
  createResourceServer,
  type HttpRequestInput,
  MemoryCache,
  ReplayCacheError,
  type ResourceServer,
  type ResourceServerOptions,
  SenderConstraintError,
  toErrorResponse,
} from '../../src/index.js'
import { rejection } from '../support/index.js'

const API = 'https://api.example.test'
const HREF = 'http://127.0.0.1:8080/api/me'
let as: TestAS
let key: CryptoKeyPair
let otherKey: CryptoKeyPair
let rs: ResourceServer
const tokens = {} as Record<'jwt' | 'opaque' | 'ccJwt' | 'ccOpaque' | 'unbound', string>

function server(options: Partial<ResourceServerOptions> = {}): ResourceServer {
  return createResourceServer({
    issuer: as.issuer,
    clientId: 'rs-json',
    clientSecret: as.clients['rs-json'].clientSecret!,
    tokenFormat: 'auto',
    audience: API,
    allowInsecureRequests: true,
    dpop: {},
    ...options,
  })
}

beforeAll(async () => {
  as = await startTestAS()
  ;[key, otherKey] = await Promise.all([jose.generateKeyPair('ES256'), jose.generateKeyPair('ES256')])
  ;[tokens.jwt, tokens.opaque, tokens.ccJwt, tokens.ccOpaque, tokens.unbound] = await Promise.all([
    as.issueToken({ sub: 'user-1', scope: 'read', resource: API, dpop: key }),
    as.issueToken({ sub: 'user-1', scope: 'read', dpop: key }),
    as.issueToken({ scope: 'read', resource: API, dpop: key }),
    as.issueToken({ scope: 'read', dpop: key }),
    as.issueToken({ sub: 'user-1', scope: 'read', resource: API }),
  ])
  rs = server()
})
afterAll(() => as?.stop())

/** A request for `GET HREF` with the DPoP scheme and this proof (headers given as a plain object). */
function request(
  token: string,
  proof: string | string[] | undefined,
  extra: Partial<HttpRequestInput> = {},
  scheme = 'DPoP',
): HttpRequestInput {
  return {
    method: 'GET',
    url: '/api/me',
    href: HREF,
    headers: { authorization: `${scheme} ${token}`, ...(proof === undefined ? {} : { dpop: proof }) },
    ...extra,
  }
}
const proofFor = (token: string, options: DpopProofOptions = {}, pair = key, htm = 'GET', htu = HREF) =>
  dpopProof(pair, htm, htu, { accessToken: token, ...options })

const refused = (promise: Promise<unknown>, code: string, status = 401): Promise<SenderConstraintError> =>
  rejection(() => promise, SenderConstraintError, status, code)

describe('DPoP-bound tokens from oidc-provider are accepted with their proof', () => {
  it.each(['jwt', 'opaque', 'ccJwt', 'ccOpaque'] as const)('%s token', async (kind) => {
    const token = tokens[kind]
    const auth = await rs.authenticateRequest(request(token, await proofFor(token)))
    expect(auth.claims.cnf).toEqual({ jkt: await jose.calculateJwkThumbprint(await jose.exportJWK(key.publicKey)) })
    expect(auth.source).toBe(kind === 'jwt' || kind === 'ccJwt' ? 'jwt' : 'introspection')
  })
  it('with Node raw headers, a path-only url and href as a function', async () => {
    const proof = await proofFor(tokens.jwt)
    let calls = 0
    const auth = await rs.authenticateRequest({
      method: 'GET',
      url: '/api/me?x=1',
      rawHeaders: ['Host', '127.0.0.1:8080', 'Authorization', `DPoP ${tokens.jwt}`, 'DPoP', proof],
      href: () => (calls++, `${HREF}?x=1`),
    })
    expect(auth.sub).toBe('user-1')
    expect(calls).toBe(1)
  })
  it('htu is compared after RFC 3986 normalisation, without query or fragment', async () => {
    for (const htu of ['HTTP://127.0.0.1:8080/api/me', 'http://127.0.0.1:8080/api/%6De', 'http://127.0.0.1:8080/api/./me?q=1#f']) {
      await expect(rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, {}, key, 'GET', htu)))).resolves.toMatchObject({
        sub: 'user-1',
      })
    }
    const viaDefaultPort = server()
    const proof = await proofFor(tokens.jwt, {}, key, 'GET', 'https://api.example.com:443/v1/x%2fy')
    await expect(
      viaDefaultPort.authenticateRequest(request(tokens.jwt, proof, { href: 'https://API.example.com/v1/x%2Fy' })),
    ).resolves.toBeDefined()
  })
  it('publicUrl: the origin and path prefix are the declared ones, the Host header is ignored', async () => {
    const behindProxy = server({ dpop: { publicUrl: 'https://public.example.com/api' } })
    const proof = await proofFor(tokens.jwt, {}, key, 'GET', 'https://public.example.com/api/me')
    const input = {
      method: 'GET',
      url: '/me',
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', authorization: `DPoP ${tokens.jwt}`, dpop: proof },
    }
    await expect(behindProxy.authenticateRequest(input)).resolves.toMatchObject({ sub: 'user-1' })
    const forHost = await proofFor(tokens.jwt, {}, key, 'GET', 'https://evil.example/me')
    await refused(
      behindProxy.authenticateRequest({ ...input, headers: { ...input.headers, dpop: forHost }, href: 'https://evil.example/me' }),
      'invalid_dpop_proof',
    )
  })
  it('without publicUrl nor an absolute URL the request is not accepted (a wiring mistake: 500)', async () => {
    const err = await rs
      .authenticateRequest({ ...request(tokens.jwt, await proofFor(tokens.jwt)), href: undefined })
      .catch((e: unknown) => e)
    expect(err).not.toBeInstanceOf(BearerError)
    expect(toErrorResponse(err).status).toBe(500)
  })
})

describe('hostile proofs are refused 401 invalid_dpop_proof, with a DPoP challenge', () => {
  it('a replayed proof, on the same instance', async () => {
    const proof = await proofFor(tokens.jwt)
    await rs.authenticateRequest(request(tokens.jwt, proof))
    const err = await refused(rs.authenticateRequest(request(tokens.jwt, proof)), 'invalid_dpop_proof')
    expect(err.description).toMatch(/replay/)
  })
  it('a replayed proof, on a second instance sharing the store', async () => {
    const store = new MemoryCache()
    const [a, b] = [server({ dpop: { replay: { store } } }), server({ dpop: { replay: { store } } })]
    const proof = await proofFor(tokens.opaque)
    await a.authenticateRequest(request(tokens.opaque, proof))
    await refused(b.authenticateRequest(request(tokens.opaque, proof)), 'invalid_dpop_proof')
  })
  it('a store without add() (get then set) still detects the replay', async () => {
    const memory = new MemoryCache()
    const store: CacheStore = { get: (k) => memory.get(k), set: (k, v, t) => memory.set(k, v, t), delete: (k) => memory.delete(k) }
    const withStore = server({ dpop: { replay: { store } } })
    const proof = await proofFor(tokens.jwt)
    await withStore.authenticateRequest(request(tokens.jwt, proof))
    await refused(withStore.authenticateRequest(request(tokens.jwt, proof)), 'invalid_dpop_proof')
  })
  it('wrong htm, wrong htu, wrong ath', async () => {
    await refused(rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, {}, key, 'POST'))), 'invalid_dpop_proof')
    await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, {}, key, 'GET', 'http://127.0.0.1:8080/api/other'))),
      'invalid_dpop_proof',
    )
    await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, {}, key, 'GET', 'http://127.0.0.1:8081/api/me'))),
      'invalid_dpop_proof',
    )
    await refused(rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.opaque))), 'invalid_dpop_proof')
    await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { claims: { ath: undefined } }))),
      'invalid_dpop_proof',
    )
  })
  it('a proof signed with another key than the token is bound to: invalid_token (key binding)', async () => {
    const err = await refused(rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, {}, otherKey))), 'invalid_token')
    expect(err.wwwAuthenticate).toMatch(/DPoP error="invalid_token"/)
  })
  it('iat too old, or in the future', async () => {
    const now = Math.floor(Date.now() / 1000)
    await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { claims: { iat: now - 400 } }))),
      'invalid_dpop_proof',
    )
    await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { claims: { iat: now + 60 } }))),
      'invalid_dpop_proof',
    )
    const strict = server({ dpop: { proofMaxAge: 10 } })
    await refused(
      strict.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { claims: { iat: now - 30 } }))),
      'invalid_dpop_proof',
    )
  })
  it('a private jwk in the header', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
    const privateJwk = await jose.exportJWK(privateKey)
    const err = await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { header: { jwk: privateJwk } }))),
      'invalid_dpop_proof',
    )
    expect(err.description).toMatch(/private/)
  })
  it('alg none, HS256 with an oct jwk, an algorithm not allowed, typ not dpop+jwt, no jwk', async () => {
    const now = Math.floor(Date.now() / 1000)
    const claims = { jti: crypto.randomUUID(), htm: 'GET', htu: HREF, iat: now }
    const jwk = await jose.exportJWK(key.publicKey)
    const none = `${jose.base64url.encode(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk }))}.${jose.base64url.encode(JSON.stringify(claims))}.`
    await refused(rs.authenticateRequest(request(tokens.jwt, none)), 'invalid_dpop_proof')
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const hs = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: jose.base64url.encode(secret) } as jose.JWK })
      .sign(secret)
    await refused(rs.authenticateRequest(request(tokens.jwt, hs)), 'invalid_dpop_proof')
    const es384Only = server({ dpop: { algorithms: ['ES384'] } })
    await refused(es384Only.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt))), 'invalid_dpop_proof')
    await refused(rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { header: { typ: 'JWT' } }))), 'invalid_dpop_proof')
    await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { header: { jwk: undefined } }))),
      'invalid_dpop_proof',
    )
  })
  it('two DPoP headers (raw headers, an array, Fetch Headers joining them)', async () => {
    const [p1, p2] = [await proofFor(tokens.jwt), await proofFor(tokens.jwt)]
    await refused(rs.authenticateRequest(request(tokens.jwt, [p1, p2])), 'invalid_dpop_proof')
    await refused(
      rs.authenticateRequest({
        method: 'GET',
        url: '/api/me',
        href: HREF,
        rawHeaders: ['authorization', `DPoP ${tokens.jwt}`, 'DPoP', p1, 'dpop', p2],
      }),
      'invalid_dpop_proof',
    )
    const headers = new Headers({ authorization: `DPoP ${tokens.jwt}` })
    headers.append('dpop', p1)
    headers.append('dpop', p2)
    await refused(rs.authenticateRequest({ method: 'GET', url: HREF, headers }), 'invalid_dpop_proof')
  })
  it('the DPoP scheme without a proof', async () => {
    await refused(rs.authenticateRequest(request(tokens.jwt, undefined)), 'invalid_dpop_proof')
  })
  it('a challenge listing both schemes, the error in the DPoP one, algs', async () => {
    const err = await refused(rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, {}, key, 'PUT'))), 'invalid_dpop_proof')
    const { status, headers, body } = toErrorResponse(err.withChallenge({ realm: 'api' }))
    expect(status).toBe(401)
    expect(body.error).toBe('invalid_dpop_proof')
    expect(headers['www-authenticate']).toBe(
      'Bearer realm="api", DPoP error="invalid_dpop_proof", error_description="The DPoP proof is for another HTTP method (htm)", realm="api", algs="ES256 ES384 PS256 RS256 EdDSA Ed25519"',
    )
  })
})

describe('bound tokens without their proof, unbound tokens with the DPoP scheme', () => {
  it('a DPoP-bound token sent as Bearer is refused (RFC 9449 §7.2), by every entry point', async () => {
    for (const token of [tokens.jwt, tokens.opaque]) {
      const err = await refused(rs.authenticateRequest(request(token, undefined, {}, 'Bearer')), 'invalid_token')
      expect(err.wwwAuthenticate).toMatch(/^Bearer error="invalid_token", error_description="[^"]*", DPoP algs="/)
      await refused(rs.authenticate(`Bearer ${token}`), 'invalid_token')
      await expect(rs.verifyToken(token)).rejects.toMatchObject({ code: 'invalid_token' })
    }
  })
  it('a resource server without DPoP refuses a DPoP-bound token as Bearer too', async () => {
    const plain = server({ dpop: undefined })
    for (const token of [tokens.jwt, tokens.opaque]) {
      await expect(plain.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'invalid_token', status: 401 })
      await expect(plain.authenticateRequest(request(token, undefined, {}, 'Bearer'))).rejects.toMatchObject({ code: 'invalid_token' })
    }
    // and the DPoP scheme is not a credential there
    await expect(plain.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt)))).rejects.toMatchObject({
      code: 'missing_token',
    })
  })
  it('an unbound token with the DPoP scheme is refused', async () => {
    await refused(rs.authenticateRequest(request(tokens.unbound, await proofFor(tokens.unbound))), 'invalid_token')
  })
  it('an unbound token as Bearer is fine when DPoP is allowed, refused when required (RS or route)', async () => {
    await expect(rs.authenticateRequest(request(tokens.unbound, undefined, {}, 'Bearer'))).resolves.toMatchObject({ sub: 'user-1' })
    const required = server({ dpop: { mode: 'required' } })
    const err = await refused(required.authenticateRequest(request(tokens.unbound, undefined, {}, 'Bearer')), 'invalid_token')
    expect(err.wwwAuthenticate).toMatch(/^DPoP error="invalid_token"/)
    await refused(required.authenticate(`Bearer ${tokens.unbound}`), 'invalid_token')
    await expect(required.verifyToken(tokens.unbound)).rejects.toMatchObject({ code: 'invalid_token' })
    await refused(rs.authenticateRequest(request(tokens.unbound, undefined, {}, 'Bearer'), { dpop: 'required' }), 'invalid_token')
    // and a route may turn DPoP on where the resource server has it off
    const plain = server({ dpop: undefined })
    await expect(plain.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt)), { dpop: 'allowed' })).resolves.toMatchObject({
      sub: 'user-1',
    })
  })
  it('a step-up refusal (RFC 9470) on a route where DPoP is on keeps acr_values and max_age in its challenge', async () => {
    const err = await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt)), { acr: ['eidas2', 'eidas3'] }),
      'insufficient_user_authentication',
    )
    expect(err.wwwAuthenticate).toMatch(
      /^Bearer, DPoP error="insufficient_user_authentication", error_description="[^"]*", acr_values="eidas2 eidas3", algs=/,
    )
    const bearer = await refused(
      rs.authenticateRequest(request(tokens.unbound, undefined, {}, 'Bearer'), { maxAge: 60 }),
      'insufficient_user_authentication',
    )
    expect(bearer.wwwAuthenticate).toMatch(
      /^Bearer error="insufficient_user_authentication", error_description="[^"]*", max_age=60, DPoP algs=/,
    )
  })
  it('no token at all: missing_token, a challenge naming both schemes; DPoP only when required', async () => {
    const err = await refused(rs.authenticateRequest({ method: 'GET', url: HREF, headers: {} }), 'missing_token')
    expect(err.wwwAuthenticate).toBe('Bearer, DPoP algs="ES256 ES384 PS256 RS256 EdDSA Ed25519"')
    const required = server({ dpop: { mode: 'required', algorithms: ['ES256'] } })
    const err2 = await refused(required.authenticateRequest({ method: 'GET', url: HREF, headers: {} }), 'missing_token')
    expect(err2.wwwAuthenticate).toBe('DPoP algs="ES256"')
    await expect(rs.authenticateRequest({ method: 'GET', url: HREF, headers: {} }, { optional: true })).resolves.toBeUndefined()
  })
  it('insufficient scope comes after the binding, with a DPoP challenge', async () => {
    const err = await refused(
      rs.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt)), { scopes: ['admin'] }),
      'insufficient_scope',
      403,
    )
    expect(err.wwwAuthenticate).toMatch(/DPoP error="insufficient_scope", error_description="[^"]*", scope="admin", algs=/)
  })
  it('a cnf this SDK does not check (jwk, kid) is never ignored', async () => {
    const ec = as.privateJwks.keys.find((k) => k.kty === 'EC')!
    const now = Math.floor(Date.now() / 1000)
    for (const cnf of [{ jwk: { kty: 'EC' } }, { kid: 'x' }, {}, 'jkt']) {
      const forged = await new jose.SignJWT({ scope: 'read', client_id: 'app', cnf })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: ec.kid! })
        .setIssuer(as.issuer)
        .setAudience(API)
        .setSubject('user-1')
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(await jose.importJWK(ec, 'ES256'))
      await refused(rs.authenticateRequest(request(forged, undefined, {}, 'Bearer')), 'invalid_token')
      await expect(server({ dpop: undefined }).authenticate(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'invalid_token' })
    }
  })
})

describe('server nonces', () => {
  const secret = 'a-nonce-secret-of-at-least-32-characters!'
  it('no nonce: use_dpop_nonce with DPoP-Nonce; with it: accepted; a second instance with the secret accepts it', async () => {
    const withNonce = server({ dpop: { nonce: { secret } } })
    const err = await refused(withNonce.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt))), 'use_dpop_nonce')
    const answer = toErrorResponse(err)
    expect(answer.headers['www-authenticate']).toMatch(/DPoP error="use_dpop_nonce"/)
    const nonce = answer.headers['dpop-nonce']!
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await expect(withNonce.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { nonce })))).resolves.toBeDefined()
    await expect(
      server({ dpop: { nonce: { secret } } }).authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt, { nonce }))),
    ).resolves.toBeDefined()
    await refused(
      server({ dpop: { nonce: { secret: `${secret}-other` } } }).authenticateRequest(
        request(tokens.jwt, await proofFor(tokens.jwt, { nonce })),
      ),
      'use_dpop_nonce',
    )
  })
  it('rotation: a nonce is accepted for one to two periods, then a new one is handed out', async () => {
    let now = Date.now()
    const rotating = server({ dpop: { nonce: { secret, rotation: 60 } }, clock: () => now })
    const first = toErrorResponse(
      await refused(rotating.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt))), 'use_dpop_nonce'),
    ).headers['dpop-nonce']!
    now += 60_000
    const proof = () => proofFor(tokens.jwt, { nonce: first, claims: { iat: Math.floor(now / 1000) } })
    await expect(rotating.authenticateRequest(request(tokens.jwt, await proof()))).resolves.toBeDefined()
    now += 60_000
    const err = await refused(rotating.authenticateRequest(request(tokens.jwt, await proof())), 'use_dpop_nonce')
    const second = toErrorResponse(err).headers['dpop-nonce']
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
  })
})

describe('the replay store fails closed', () => {
  it('a failing store: 503 with Retry-After, never accepted', async () => {
    const broken: CacheStore = { get: () => undefined, set: () => {}, delete: () => {}, add: () => Promise.reject(new Error('down')) }
    const err = await server({ dpop: { replay: { store: broken } } })
      .authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt)))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ReplayCacheError)
    expect(toErrorResponse(err)).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, body: { error: 'temporarily_unavailable' } })
  })
  it('a store that does not answer: 503 after the timeout', async () => {
    const hanging: CacheStore = { get: () => new Promise(() => {}), set: () => {}, delete: () => {} }
    const started = Date.now()
    const err = await server({ dpop: { replay: { store: hanging, timeout: 0.2 } } })
      .authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt)))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ReplayCacheError)
    expect(Date.now() - started).toBeLessThan(2000)
  })
  it('a full in-memory store does not evict a live jti: 503', async () => {
    const tiny = server({ dpop: { replay: { maxEntries: 1 } } })
    await tiny.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt)))
    expect(await tiny.authenticateRequest(request(tokens.jwt, await proofFor(tokens.jwt))).catch((e: unknown) => e)).toBeInstanceOf(
      ReplayCacheError,
    )
  })
})

describe('options', () => {
  it('are validated at construction', () => {
    for (const dpop of [
      { algorithms: ['HS256'] },
      { algorithms: ['none'] },
      { mode: 'sometimes' },
      { nonce: { secret: 'short' } },
      { publicUrl: 'http://public.example.com' },
      { typo: 1 },
    ]) {
      expect(() => server({ dpop, allowInsecureRequests: false } as never), JSON.stringify(dpop)).toThrow(ConfigurationError)
    }
    expect(() => server({ dpop: { mode: 'required' }, mtls: { mode: 'required' } })).toThrow(ConfigurationError)
    return expect(rs.authenticateRequest(request(tokens.jwt, undefined), { dpop: 'maybe' } as never)).rejects.toThrow(ConfigurationError)
  })
})
