/**
 * A real local HTTP server standing in for an authorization server (JWKS + introspection, answers
 * chosen per test), its real signing keys, typed builders of resource servers pointed at it, and
 * signed / encrypted introspection responses (RFC 9701) made with real keys.
 */
import * as jose from 'jose'
import { readBody, startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { createResourceServer, type ResourceServer, type ResourceServerOptions } from '../../src/index.js'

export interface IntrospectionAnswer {
  status?: number
  /** An object is sent as JSON; a string as is. */
  body: unknown
  contentType?: string
}
export interface IntrospectionRequest {
  token: string
  clientId: string | undefined
  params: URLSearchParams
  authorization: string | undefined
}

export interface FakeAS {
  server: TestHttpServer
  issuer: string
  introspectionEndpoint: string
  jwksUri: string
  /** The AS's signing key (ES256, kid "k1"). */
  privateKey: CryptoKey
  /** The keys served at `jwksUri` (the public half of `privateKey` unless replaced). */
  jwks: jose.JWK[]
  /** Answers to introspection requests; replace per test. */
  introspect: (req: IntrospectionRequest) => IntrospectionAnswer | Promise<IntrospectionAnswer>
  /** Introspection requests received. */
  introspections: number
  close(): Promise<void>
}

export async function startFakeAS(): Promise<FakeAS> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
  const fake = {
    introspect: () => ({ body: { active: false } }),
    introspections: 0,
    jwks: [jwk],
  } as unknown as FakeAS
  const server = await startHttpServer(async (req, res) => {
    if (req.url === '/jwks') {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: fake.jwks }))
      return
    }
    const params = new URLSearchParams(await readBody(req))
    fake.introspections++
    const basic = req.headers.authorization?.startsWith('Basic ') ? atob(req.headers.authorization.slice(6)).split(':')[0] : undefined
    const answer = await fake.introspect({
      token: params.get('token') ?? '',
      clientId: params.get('client_id') ?? basic,
      params,
      authorization: req.headers.authorization,
    })
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
    res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' }).end(body)
  })
  Object.assign(fake, {
    server,
    issuer: server.url,
    introspectionEndpoint: `${server.url}/introspect`,
    jwksUri: `${server.url}/jwks`,
    privateKey,
    close: () => server.close(),
  })
  return fake
}

export const SECRET = 'client-secret-with-enough-length-0123'

/** An introspecting resource server at the fake AS (no discovery). */
export function introspectingRs(as: FakeAS, extra: Partial<ResourceServerOptions> = {}): ResourceServer {
  return createResourceServer(introspectingOptions(as, extra))
}

/** The options of {@link introspectingRs}: client `rs-1` with {@link SECRET}, no discovery. */
export function introspectingOptions(as: FakeAS, extra: Partial<ResourceServerOptions> = {}): ResourceServerOptions {
  return {
    issuer: as.issuer,
    introspectionEndpoint: as.introspectionEndpoint,
    jwksUri: as.jwksUri,
    clientId: 'rs-1',
    clientSecret: SECRET,
    ...extra,
  }
}

/** A JWT-verifying resource server at the fake AS (audience "api"). */
export function jwtRs(as: FakeAS, extra: Partial<ResourceServerOptions> = {}): ResourceServer {
  const options: ResourceServerOptions = { issuer: as.issuer, jwksUri: as.jwksUri, audience: 'api', tokenFormat: 'jwt', ...extra }
  return createResourceServer(options)
}

const b64url = (bytes: Uint8Array) => jose.base64url.encode(bytes)
const encoder = new TextEncoder()

/** Signs `payload` (an object, or raw JSON text such as `{"exp":1e400}`) with `header` merged over `{ alg: ES256, kid: k1, typ: at+jwt }`. */
export async function signJwt(as: FakeAS, payload: object | string, header: Record<string, unknown> = {}): Promise<string> {
  const h = { alg: 'ES256', kid: 'k1', typ: 'at+jwt', ...header }
  const input = `${b64url(encoder.encode(JSON.stringify(h)))}.${b64url(encoder.encode(typeof payload === 'string' ? payload : JSON.stringify(payload)))}`
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, as.privateKey, encoder.encode(input)))
  return `${input}.${b64url(sig)}`
}

/** A valid access-token payload for {@link jwtRs}. */
export function goodClaims(as: FakeAS, now = Date.now()): Record<string, unknown> {
  const s = Math.floor(now / 1000)
  return { iss: as.issuer, aud: 'api', sub: 'user-1', client_id: 'app', scope: 'read', iat: s - 10, exp: s + 600 }
}

/**
 * A signed introspection response (RFC 9701) from the fake AS for client `rs-1`: `{ iss, aud, iat,
 * token_introspection }` with `typ: token-introspection+jwt`, ES256 with the AS's key unless `key`
 * and `header` say otherwise. `iat: undefined` leaves it out.
 */
export async function signedIntrospection(
  as: FakeAS,
  tokenIntrospection: Record<string, unknown>,
  options: { now?: number; payload?: Record<string, unknown>; header?: Record<string, unknown>; key?: CryptoKey | Uint8Array } = {},
): Promise<string> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000)
  const payload: Record<string, unknown> = { iss: as.issuer, aud: 'rs-1', iat, token_introspection: tokenIntrospection, ...options.payload }
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k]
  const header = { alg: 'ES256', kid: 'k1', typ: 'token-introspection+jwt', ...options.header } as jose.JWTHeaderParameters
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(options.key ?? as.privateKey)
}

/** A JWE of `jws` (a nested JWT, `cty: JWT` unless `header.cty` is `undefined`) to the public half of `recipient`, with `header` (alg, enc, kid…). */
export async function encryptTo(recipient: jose.JWK, jws: string, header: jose.CompactJWEHeaderParameters): Promise<string> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = recipient
  const key = await jose.importJWK(pub, header.alg)
  const protectedHeader: jose.CompactJWEHeaderParameters = { cty: 'JWT', ...header }
  if (protectedHeader.cty === undefined) delete protectedHeader.cty
  return new jose.CompactEncrypt(encoder.encode(jws)).setProtectedHeader(protectedHeader).encrypt(key)
}

/** A private JWK for `alg` (e.g. `RSA-OAEP-256`, `ECDH-ES+A256KW`), with `extra` members (kid…). */
export async function privateJwk(alg: string, extra: Partial<jose.JWK> = {}): Promise<jose.JWK> {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true })
  return { ...(await jose.exportJWK(privateKey)), alg, ...extra }
}
