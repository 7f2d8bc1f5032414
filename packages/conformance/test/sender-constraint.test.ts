/**
 * Sender-constrained tokens on every adapter, over real sockets: DPoP-bound tokens (RFC 9449) with
 * proofs made by jose in this client, and certificate-bound tokens (RFC 8705) over real TLS with
 * client certificates made by openssl, all issued by a real oidc-provider. Every hostile case is
 * refused with the RFC's status, error code and challenge, and the route's handler never runs.
 */
import { connect } from 'node:net'
import { request as httpsRequest } from 'node:https'
import { createResourceServer, MemoryCache, type ResourceServer, type ResourceServerOptions } from '@org/rs-core'
import { dpopProof, type DpopProofOptions, generateCertificates, startTestAS, type TestAS, type TestCertificates } from '@org/rs-testing'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DPOP_REQUIRED_PATH, type RunningApp } from '../src/apps/shared.js'
import { frameworks } from '../src/frameworks.js'

const API = 'https://api.example.test'
const ALGS = 'ES256 ES384 PS256 RS256 EdDSA Ed25519'
const NONCE_SECRET = 'conformance-nonce-secret-0123456789abcdef'

let as: TestAS
let certs: TestCertificates
let key: CryptoKeyPair
let otherKey: CryptoKeyPair
const tokens = {} as Record<'dpopJwt' | 'dpopOpaque' | 'unbound' | 'mtlsJwt' | 'mtlsOpaque', string>
const servers = {} as Record<'dpop' | 'sharedA' | 'sharedB' | 'nonce' | 'mtls' | 'proxy' | 'plain', ResourceServer>
const PUBLIC_URL = 'https://api.example.com/v1'

beforeAll(async () => {
  certs = generateCertificates(2)
  as = await startTestAS({ mtls: { key: certs.server.key, cert: certs.server.cert } })
  ;[key, otherKey] = await Promise.all([jose.generateKeyPair('ES256'), jose.generateKeyPair('ES256')])
  const client = certs.clients[0]!
  ;[tokens.dpopJwt, tokens.dpopOpaque, tokens.unbound, tokens.mtlsJwt, tokens.mtlsOpaque] = await Promise.all([
    as.issueToken({ scope: 'read', resource: API, dpop: key }), // client credentials, DPoP proof at the token endpoint
    as.issueToken({ sub: 'user-1', scope: 'read', dpop: key }),
    as.issueToken({ sub: 'user-1', scope: 'read', resource: API }),
    as.issueToken({ clientId: 'app-mtls', scope: 'read', resource: API, certificate: client }), // over the AS's mTLS listener
    as.issueToken({ clientId: 'app-mtls', scope: 'read', certificate: client }),
  ])
  const base = (extra: Partial<ResourceServerOptions>) =>
    createResourceServer({
      issuer: as.issuer,
      clientId: 'rs-json',
      clientSecret: as.clients['rs-json'].clientSecret!,
      tokenFormat: 'auto',
      audience: API,
      allowInsecureRequests: true,
      ...extra,
    })
  servers.dpop = base({ dpop: {} })
  // Two instances behind one public URL, sharing the replay store.
  const store = new MemoryCache()
  servers.sharedA = base({ dpop: { publicUrl: PUBLIC_URL, replay: { store } } })
  servers.sharedB = base({ dpop: { publicUrl: PUBLIC_URL, replay: { store } } })
  servers.nonce = base({ dpop: { nonce: { secret: NONCE_SECRET } } })
  servers.mtls = base({ mtls: {} })
  servers.proxy = base({ mtls: { trustProxyHeader: true } })
  servers.plain = base({})
})
afterAll(() => as?.stop())

interface Answer {
  status: number
  headers: Record<string, string | undefined>
  body: any
}

/** GETs `path` (headers as given) and checks that a refused request did not run the handler. */
async function get(app: RunningApp, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const before = app.handled()
  const res = await fetch(app.url + path, { headers })
  const text = await res.text()
  if (res.status >= 400) expect(app.handled(), `a handler ran for a refused ${path}`).toBe(before)
  const all: Record<string, string> = {}
  res.headers.forEach((value, name) => (all[name] = value))
  return { status: res.status, headers: all, body: text === '' ? undefined : JSON.parse(text) }
}

/** GETs over TLS presenting `cert` (or none). */
function tlsGet(app: RunningApp, path: string, headers: Record<string, string>, cert?: { key: string; cert: string }): Promise<Answer> {
  const before = app.handled()
  return new Promise<Answer>((resolve, reject) => {
    const req = httpsRequest(
      app.url + path,
      { headers, rejectUnauthorized: false, agent: false, ...(cert ? { key: cert.key, cert: cert.cert } : {}) },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          const all: Record<string, string | undefined> = {}
          for (const [name, value] of Object.entries(res.headers)) all[name] = Array.isArray(value) ? value.join(', ') : value
          resolve({ status: res.statusCode ?? 0, headers: all, body: text === '' ? undefined : JSON.parse(text) })
        })
      },
    )
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('no answer within 5 s')))
    req.end()
  }).then((answer) => {
    if (answer.status >= 400) expect(app.handled(), `a handler ran for a refused ${path}`).toBe(before)
    return answer
  })
}

/** Sends raw header lines (so a header can be repeated); resolves with the status and the challenge. */
function rawGet(app: RunningApp, path: string, headerLines: string[]): Promise<{ status: number; challenge: string }> {
  const { hostname, port } = new URL(app.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${headerLines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`,
      )
    })
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('end', () =>
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
        challenge: /^www-authenticate: (.*)$/im.exec(received)?.[1]?.trim() ?? '',
      }),
    )
    socket.on('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')))
  })
}

/** An RFC 9449 refusal: status, JSON body, the error in the `DPoP` (or `Bearer`) challenge, `algs`. */
function expectRefusal(
  r: Answer,
  code: string,
  { status = 401, scheme = 'DPoP' }: { status?: number; scheme?: 'DPoP' | 'Bearer' } = {},
): void {
  expect(r.status).toBe(status)
  expect(r.body?.error).toBe(code)
  const challenge = r.headers['www-authenticate'] ?? ''
  expect(challenge).toMatch(new RegExp(`(^|, )${scheme} error="${code}"`))
  expect(challenge).toContain(`algs="${ALGS}"`)
  expect(r.headers['cache-control']).toBe('no-store')
}

const dpop = (token: string, proof: string) => ({ authorization: `DPoP ${token}`, dpop: proof })

describe.each(Object.entries(frameworks))('%s adapter', (_name, { start }) => {
  const apps = {} as Record<keyof typeof servers, RunningApp>
  const htu = (name: keyof typeof servers, path = '/api/me') => apps[name].url + path
  const proof = (
    token: string,
    options: DpopProofOptions = {},
    name: keyof typeof servers = 'dpop',
    path = '/api/me',
    pair = key,
    htm = 'GET',
  ) => dpopProof(pair, htm, htu(name, path), { accessToken: token, ...options })

  beforeAll(async () => {
    const tls = { key: certs.server.key, cert: certs.server.cert }
    const names = Object.keys(servers) as (keyof typeof servers)[]
    const started = await Promise.all(names.map((name) => start(servers[name], name === 'mtls' ? { tls } : {})))
    names.forEach((name, i) => (apps[name] = started[i]!))
  })
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((app) => app?.close()))
  })

  describe('DPoP', () => {
    it('a DPoP-bound JWT (client credentials) and a bound opaque token, each with its proof: 200', async () => {
      for (const token of [tokens.dpopJwt, tokens.dpopOpaque]) {
        const r = await get(apps.dpop, '/api/me', dpop(token, await proof(token)))
        expect(r.status).toBe(200)
        expect(r.body.scopes).toEqual(['read'])
      }
    })
    it('htu without the query string; a required-DPoP route', async () => {
      const r = await get(apps.dpop, '/api/me?page=2', dpop(tokens.dpopJwt, await proof(tokens.dpopJwt)))
      expect(r.status).toBe(200)
      const required = await get(
        apps.dpop,
        DPOP_REQUIRED_PATH,
        dpop(tokens.dpopJwt, await proof(tokens.dpopJwt, {}, 'dpop', DPOP_REQUIRED_PATH)),
      )
      expect(required.status).toBe(200)
    })
    it('a replayed proof: refused on the same instance and on another sharing the store', async () => {
      const p = await proof(tokens.dpopJwt)
      expect((await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, p))).status).toBe(200)
      expectRefusal(await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, p)), 'invalid_dpop_proof')
      // behind one public URL (a load balancer), two instances: the proof names the public URL
      const shared = await dpopProof(key, 'GET', `${PUBLIC_URL}/api/me`, { accessToken: tokens.dpopOpaque })
      expect((await get(apps.sharedA, '/api/me', dpop(tokens.dpopOpaque, shared))).status).toBe(200)
      expectRefusal(await get(apps.sharedB, '/api/me', dpop(tokens.dpopOpaque, shared)), 'invalid_dpop_proof')
      // the public URL, not the Host header, is what htu must name
      expectRefusal(
        await get(apps.sharedB, '/api/me', dpop(tokens.dpopOpaque, await proof(tokens.dpopOpaque, {}, 'sharedB'))),
        'invalid_dpop_proof',
      )
    })
    it('wrong htm, htu (path, port) or ath', async () => {
      const t = tokens.dpopJwt
      expectRefusal(await get(apps.dpop, '/api/me', dpop(t, await proof(t, {}, 'dpop', '/api/me', key, 'POST'))), 'invalid_dpop_proof')
      expectRefusal(await get(apps.dpop, '/api/me', dpop(t, await proof(t, {}, 'dpop', '/api/admin'))), 'invalid_dpop_proof')
      expectRefusal(await get(apps.dpop, '/api/me', dpop(t, await proof(t, {}, 'nonce'))), 'invalid_dpop_proof')
      expectRefusal(await get(apps.dpop, '/api/me', dpop(t, await proof(tokens.dpopOpaque))), 'invalid_dpop_proof')
    })
    it('a proof made with another key than the token is bound to: 401 invalid_token', async () => {
      expectRefusal(
        await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, await proof(tokens.dpopJwt, {}, 'dpop', '/api/me', otherKey))),
        'invalid_token',
      )
    })
    it('iat too old or in the future', async () => {
      const now = Math.floor(Date.now() / 1000)
      expectRefusal(
        await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, await proof(tokens.dpopJwt, { claims: { iat: now - 600 } }))),
        'invalid_dpop_proof',
      )
      expectRefusal(
        await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, await proof(tokens.dpopJwt, { claims: { iat: now + 120 } }))),
        'invalid_dpop_proof',
      )
    })
    it('a private jwk in the header, alg none, HS256', async () => {
      const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
      const withPrivate = await proof(tokens.dpopJwt, { header: { jwk: await jose.exportJWK(privateKey) } })
      expectRefusal(await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, withPrivate)), 'invalid_dpop_proof')
      const claims = { jti: crypto.randomUUID(), htm: 'GET', htu: htu('dpop'), iat: Math.floor(Date.now() / 1000) }
      const jwk = await jose.exportJWK(key.publicKey)
      const none = `${jose.base64url.encode(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk }))}.${jose.base64url.encode(JSON.stringify(claims))}.`
      expectRefusal(await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, none)), 'invalid_dpop_proof')
      const secret = crypto.getRandomValues(new Uint8Array(32))
      const hs = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: jose.base64url.encode(secret) } as jose.JWK })
        .sign(secret)
      expectRefusal(await get(apps.dpop, '/api/me', dpop(tokens.dpopJwt, hs)), 'invalid_dpop_proof')
    })
    it('two DPoP headers: 401 invalid_dpop_proof, even when each proof is valid', async () => {
      const [p1, p2] = [await proof(tokens.dpopJwt), await proof(tokens.dpopJwt)]
      const r = await rawGet(apps.dpop, '/api/me', [`Authorization: DPoP ${tokens.dpopJwt}`, `DPoP: ${p1}`, `dpop: ${p2}`])
      expect(r.status).toBe(401)
      expect(r.challenge).toContain('DPoP error="invalid_dpop_proof"')
    })
    it('a DPoP-bound token presented as Bearer: 401 invalid_token, both schemes in the challenge', async () => {
      for (const token of [tokens.dpopJwt, tokens.dpopOpaque]) {
        const r = await get(apps.dpop, '/api/me', { authorization: `Bearer ${token}` })
        expectRefusal(r, 'invalid_token', { scheme: 'Bearer' })
        expect(r.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", DPoP algs="/)
        // and on a resource server with no sender constraint configured at all
        const plain = await get(apps.plain, '/api/me', { authorization: `Bearer ${token}` })
        expect(plain.status).toBe(401)
        expect(plain.body.error).toBe('invalid_token')
      }
    })
    it('an unbound token with the DPoP scheme; an unbound Bearer token on a required route', async () => {
      expectRefusal(await get(apps.dpop, '/api/me', dpop(tokens.unbound, await proof(tokens.unbound))), 'invalid_token')
      expect((await get(apps.dpop, '/api/me', { authorization: `Bearer ${tokens.unbound}` })).status).toBe(200)
      const r = await get(apps.dpop, DPOP_REQUIRED_PATH, { authorization: `Bearer ${tokens.unbound}` })
      expectRefusal(r, 'invalid_token')
      expect(r.headers['www-authenticate']).toMatch(/^DPoP error=/)
      const none = await get(apps.dpop, DPOP_REQUIRED_PATH)
      expect(none.status).toBe(401)
      expect(none.headers['www-authenticate']).toBe(`DPoP algs="${ALGS}"`)
    })
    it('server nonces: use_dpop_nonce with DPoP-Nonce, then 200; also through forwardErrors', async () => {
      const first = await get(apps.nonce, '/api/me', dpop(tokens.dpopJwt, await proof(tokens.dpopJwt, {}, 'nonce')))
      expectRefusal(first, 'use_dpop_nonce')
      const nonce = first.headers['dpop-nonce']!
      expect(nonce).toMatch(/^[\w-]{43}$/)
      const second = await get(apps.nonce, '/api/me', dpop(tokens.dpopJwt, await proof(tokens.dpopJwt, { nonce }, 'nonce')))
      expect(second.status).toBe(200)
      const forwarded = await get(
        apps.nonce,
        '/api/forwarded',
        dpop(tokens.dpopJwt, await proof(tokens.dpopJwt, {}, 'nonce', '/api/forwarded')),
      )
      expect(forwarded.status).toBe(401)
      expect(forwarded.headers['x-error-handler']).toBe('app')
      expect(forwarded.headers['dpop-nonce']).toBe(nonce)
      expect(forwarded.headers['www-authenticate']).toContain('DPoP error="use_dpop_nonce"')
    })
  })

  describe('certificate-bound tokens (mTLS)', () => {
    it('the client certificate the token is bound to, on the TLS connection: 200 (JWT and opaque)', async () => {
      for (const token of [tokens.mtlsJwt, tokens.mtlsOpaque]) {
        const r = await tlsGet(apps.mtls, '/api/me', { authorization: `Bearer ${token}` }, certs.clients[0])
        expect(r.status).toBe(200)
        expect(r.body.scopes).toEqual(['read'])
      }
    })
    it('the certificate of another client, a self-signed one, none: 401 invalid_token', async () => {
      for (const cert of [certs.clients[1], certs.selfSigned, undefined]) {
        const r = await tlsGet(apps.mtls, '/api/me', { authorization: `Bearer ${tokens.mtlsJwt}` }, cert)
        expect(r.status).toBe(401)
        expect(r.body.error).toBe('invalid_token')
        expect(r.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/)
      }
    })
    it('a Client-Cert header is ignored unless the operator trusts a proxy', async () => {
      const header = `:${Buffer.from(certs.clients[0]!.der).toString('base64')}:`
      const spoofed = await tlsGet(
        apps.mtls,
        '/api/me',
        { authorization: `Bearer ${tokens.mtlsJwt}`, 'client-cert': header },
        certs.clients[1],
      )
      expect(spoofed.status).toBe(401)
      // behind a declared TLS-terminating proxy: the header is the certificate
      expect((await get(apps.proxy, '/api/me', { authorization: `Bearer ${tokens.mtlsJwt}`, 'client-cert': header })).status).toBe(200)
      const other = `:${Buffer.from(certs.clients[1]!.der).toString('base64')}:`
      expect((await get(apps.proxy, '/api/me', { authorization: `Bearer ${tokens.mtlsJwt}`, 'client-cert': other })).status).toBe(401)
      expect((await get(apps.proxy, '/api/me', { authorization: `Bearer ${tokens.mtlsJwt}` })).status).toBe(401)
      expect((await get(apps.proxy, '/api/me', { authorization: `Bearer ${tokens.mtlsJwt}`, 'client-cert': 'garbage' })).status).toBe(400)
      // and where mTLS is not configured, a certificate-bound token is refused whatever is sent
      expect((await get(apps.plain, '/api/me', { authorization: `Bearer ${tokens.mtlsJwt}`, 'client-cert': header })).status).toBe(401)
    })
  })
})
