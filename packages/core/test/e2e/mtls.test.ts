/**
 * Certificate-bound tokens (RFC 8705 §3) from a real oidc-provider, checked against the certificate
 * an adapter passes (`clientCertificate`) or, only when the operator trusts a proxy, the RFC 9440
 * `Client-Cert` header. Certificates are made by openssl.
 */
import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateCertificates, startTestAS, type TestAS, type TestCertificates } from '@org/rs-testing'
import {
  certificateThumbprint,
  clientCertificateOf,
  createResourceServer,
  type ResourceServer,
  type ResourceServerOptions,
} from '../../src/index.js'

const API = 'https://api.example.test'
let as: TestAS
let certs: TestCertificates
const tokens = {} as Record<'jwt' | 'opaque', string>

const server = (extra: Partial<ResourceServerOptions>): ResourceServer =>
  createResourceServer({
    issuer: as.issuer,
    clientId: 'rs-json',
    clientSecret: as.clients['rs-json'].clientSecret!,
    tokenFormat: 'auto',
    audience: API,
    allowInsecureRequests: true,
    ...extra,
  })
const header = (der: Uint8Array) => `:${Buffer.from(der).toString('base64')}:`

beforeAll(async () => {
  certs = generateCertificates(2)
  as = await startTestAS()
  ;[tokens.jwt, tokens.opaque] = await Promise.all([
    as.issueToken({ sub: 'user-1', scope: 'read', resource: API, certificate: certs.clients[0] }),
    as.issueToken({ sub: 'user-1', scope: 'read', certificate: certs.clients[0] }),
  ])
})
afterAll(() => as?.stop())

describe('certificate-bound tokens', () => {
  it('the thumbprint is base64url(SHA-256(DER)), as oidc-provider computes it', async () => {
    const rs = server({ mtls: {} })
    const auth = await rs.authenticateRequest({
      method: 'GET',
      url: '/',
      headers: { authorization: `Bearer ${tokens.jwt}` },
      clientCertificate: certs.clients[0]!.der,
    })
    expect(auth.claims.cnf).toEqual({ 'x5t#S256': certificateThumbprint(certs.clients[0]!.der) })
    expect(certificateThumbprint(new Uint8Array(new X509Certificate(certs.clients[0]!.cert).raw))).toBe(
      (auth.claims.cnf as Record<string, string>)['x5t#S256'],
    )
  })
  it('accepted with its certificate (a function is called only then), refused with another or none', async () => {
    const rs = server({ mtls: {} })
    for (const token of [tokens.jwt, tokens.opaque]) {
      let calls = 0
      const ok = await rs.authenticateRequest({
        method: 'GET',
        url: '/',
        headers: { authorization: `Bearer ${token}` },
        clientCertificate: () => (calls++, certs.clients[0]!.der),
      })
      expect(ok.sub).toBe('user-1')
      expect(calls).toBe(1)
      for (const clientCertificate of [certs.clients[1]!.der, certs.selfSigned.der, undefined, new Uint8Array()]) {
        await expect(
          rs.authenticateRequest({ method: 'GET', url: '/', headers: { authorization: `Bearer ${token}` }, clientCertificate }),
        ).rejects.toMatchObject({ code: 'invalid_token', status: 401 })
      }
      // and a header alone cannot prove it
      await expect(rs.authenticate(`Bearer ${token}`)).rejects.toMatchObject({ code: 'invalid_token' })
    }
  })
  it('the Client-Cert header counts only with trustProxyHeader, and then the TLS certificate does not', async () => {
    const direct = server({ mtls: {} })
    const proxied = server({ mtls: { trustProxyHeader: true } })
    const request = (cert?: Uint8Array, tls?: Uint8Array) => ({
      method: 'GET',
      url: '/',
      headers: { authorization: `Bearer ${tokens.jwt}`, ...(cert ? { 'client-cert': header(cert) } : {}) },
      clientCertificate: tls,
    })
    await expect(direct.authenticateRequest(request(certs.clients[0]!.der))).rejects.toMatchObject({ code: 'invalid_token' })
    await expect(proxied.authenticateRequest(request(certs.clients[0]!.der))).resolves.toMatchObject({ sub: 'user-1' })
    await expect(proxied.authenticateRequest(request(undefined, certs.clients[0]!.der))).rejects.toMatchObject({ code: 'invalid_token' })
    await expect(proxied.authenticateRequest(request(certs.clients[1]!.der))).rejects.toMatchObject({ code: 'invalid_token' })
    for (const value of ['MIIB', ':not base64!:', [header(certs.clients[0]!.der), header(certs.clients[0]!.der)]]) {
      await expect(
        proxied.authenticateRequest({ ...request(), headers: { authorization: `Bearer ${tokens.jwt}`, 'client-cert': value } }),
      ).rejects.toMatchObject({ code: 'invalid_request', status: 400 })
    }
  })
  it('mode none (the default) refuses a certificate-bound token; required refuses an unbound one', async () => {
    await expect(
      server({}).authenticateRequest({
        method: 'GET',
        url: '/',
        headers: { authorization: `Bearer ${tokens.jwt}` },
        clientCertificate: certs.clients[0]!.der,
      }),
    ).rejects.toMatchObject({
      code: 'invalid_token',
    })
    const unbound = await as.issueToken({ sub: 'user-2', scope: 'read', resource: API })
    const required = server({ mtls: { mode: 'required' } })
    await expect(
      required.authenticateRequest({
        method: 'GET',
        url: '/',
        headers: { authorization: `Bearer ${unbound}` },
        clientCertificate: certs.clients[0]!.der,
      }),
    ).rejects.toMatchObject({
      code: 'invalid_token',
    })
    await expect(
      server({ mtls: {} }).authenticateRequest({ method: 'GET', url: '/', headers: { authorization: `Bearer ${unbound}` } }),
    ).resolves.toMatchObject({ sub: 'user-2' })
  })
  it('clientCertificateOf reads a TLS socket, and nothing else', () => {
    const der = certs.clients[0]!.der
    expect(clientCertificateOf({ getPeerCertificate: () => ({ raw: der }) })).toBe(der)
    expect(clientCertificateOf({ getPeerCertificate: () => ({}) })).toBeUndefined()
    expect(clientCertificateOf({})).toBeUndefined()
    expect(clientCertificateOf(undefined)).toBeUndefined()
  })
})
