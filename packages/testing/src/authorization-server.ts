/**
 * `createTestAuthorizationServer()`: a real, small OAuth 2.0 authorization server on 127.0.0.1 for the
 * tests of an API protected with `@org/rs-core` — discovery (OpenID and RFC 8414), JWKS, a token
 * endpoint (client credentials), token introspection (RFC 7662) answering plain JSON, signed JWTs or
 * signed-then-encrypted JWTs (RFC 9701), revocation, and JWT access tokens (RFC 9068).
 *
 * It is built on `jose` and `node:http` only: it installs with nothing else, starts in a few
 * milliseconds, and mints the tokens a test needs — any subject, scopes, claims, audience and
 * lifetime (an already expired one too) — which a production-grade AS would refuse to issue.
 *
 * @example
 * ```ts
 * const as = await createTestAuthorizationServer()
 * const rs = createResourceServer(as.resourceServerOptions())
 * const token = await as.mintAccessToken({ sub: 'alice', scopes: ['read'] })
 * // … call your route with `authorization: Bearer ${token}` …
 * await as.close()
 * ```
 *
 * @module
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

import { CompactEncrypt, SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose'

import { readBody, startHttpServer } from './http.js'

/** Signing algorithms of {@link createTestAuthorizationServer}: JWT access tokens and signed introspection responses. */
export type TestSigningAlgorithm = 'ES256' | 'RS256' | 'EdDSA'

/** Options of {@link createTestAuthorizationServer}. */
export interface TestAuthorizationServerOptions {
  /** Algorithm of JWT access tokens and of signed introspection responses. Default `'ES256'`. */
  signingAlgorithm?: TestSigningAlgorithm
  /** Audience of minted tokens unless a mint says otherwise, and the audience {@link TestAuthorizationServer.resourceServerOptions} expects. Default `'https://api.example.test'`. */
  audience?: string
  /** Lifetime of minted tokens in seconds unless a mint says otherwise. Default 3600. */
  expiresIn?: number
}

/** Options of {@link TestAuthorizationServer.mintAccessToken}. */
export interface MintAccessTokenOptions {
  /** Subject (the end user). Default `'test-user'`. */
  sub?: string
  /** Granted scopes: an array or a space-separated string. Default none. */
  scopes?: readonly string[] | string
  /** More claims: in the JWT's payload, or in the introspection answer of an opaque token. They may override the defaults (`client_id`, `iss`, …). */
  claims?: Record<string, unknown>
  /** Lifetime in seconds from now. Default: the server's (3600). Zero or negative: a token that has already expired. */
  expiresIn?: number
  /** `'jwt'` (default): an RFC 9068 JWT access token signed by this AS; `'opaque'`: a random string only introspection knows. */
  format?: 'jwt' | 'opaque'
  /** Audience (`aud`). Default: the server's audience. */
  audience?: string | readonly string[]
  /** The client the token was issued to (`client_id`). Default `'test-client'`. */
  clientId?: string
}

/** Options of {@link TestAuthorizationServer.resourceServerOptions}. */
export interface TestResourceServerOptionsRequest {
  /**
   * Which tokens the resource server accepts: `'jwt'` (verified locally against the JWKS),
   * `'opaque'` (introspected), `'auto'` (both; the default).
   */
  format?: 'jwt' | 'opaque' | 'auto'
  /** How introspection answers: `'json'` (default), `'signed'` (RFC 9701 JWT) or `'encrypted'` (signed, then encrypted to the resource server's key). */
  introspection?: 'json' | 'signed' | 'encrypted'
  /** Expected audience. Default: the server's audience. */
  audience?: string
}

/**
 * Options for `createResourceServer()` of `@org/rs-core` pointing at a test authorization server
 * (structurally a subset of its `ResourceServerOptions`). Add your own (`scopes`, `resource`, …) with a spread.
 */
export interface TestResourceServerOptions {
  issuer: string
  clientId: string
  clientSecret: string
  tokenFormat: 'jwt' | 'introspection' | 'auto'
  audience: string
  /** With `'auto'`: introspected tokens' `aud` is checked too (every token this AS mints carries one). */
  audienceClaim?: 'aud'
  introspection: { response: 'json' | 'jwt'; signingAlgorithms?: TestSigningAlgorithm[]; encryption?: 'required' | 'none' }
  /** The resource server's private key the AS encrypts to (with `'encrypted'` introspection only). */
  decryptionKeys?: JWK[]
  /** Introspection results are not cached, so {@link TestAuthorizationServer.revoke} is seen at once. */
  cache: false
  /** The test AS is served over `http://127.0.0.1`. */
  allowInsecureRequests: true
}

/** A running test authorization server (see {@link createTestAuthorizationServer}). */
export interface TestAuthorizationServer {
  /** `http://127.0.0.1:<port>`: the issuer identifier, and where discovery is served. */
  readonly issuer: string
  readonly endpoints: {
    readonly discovery: string
    readonly jwks: string
    readonly token: string
    readonly introspection: string
    readonly revocation: string
  }
  /** The audience minted tokens carry by default. */
  readonly audience: string
  /** The resource server's credentials at this AS, for introspection. */
  readonly resourceServer: { readonly clientId: string; readonly clientSecret: string }
  /** A client that obtains tokens at the token endpoint (`grant_type=client_credentials`, `client_secret_post` or `_basic`). */
  readonly client: { readonly clientId: string; readonly clientSecret: string }
  /** The AS's public signing keys, as served at `endpoints.jwks`. */
  readonly jwks: { keys: JWK[] }
  /** Mints an access token (see {@link MintAccessTokenOptions}). */
  mintAccessToken(options?: MintAccessTokenOptions): Promise<string>
  /** Options for `createResourceServer()`: `createResourceServer(as.resourceServerOptions())`. */
  resourceServerOptions(options?: TestResourceServerOptionsRequest): TestResourceServerOptions
  /** Revokes a token: its introspection answers `{ active: false }` from now on (a JWT stays valid for local verification). */
  revoke(token: string): void
  /** Requests received on `pathname` (e.g. `'/introspect'`), or on every path. */
  requests(pathname?: string): number
  /** Stops the server and drops its connections. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

const RS_CLIENT = 'test-resource-server'
const RS_ENC_CLIENT = 'test-resource-server-enc'
const APP_CLIENT = 'test-client'
const INTROSPECTION_JWT = 'application/token-introspection+jwt'

const secret = () => randomBytes(32).toString('base64url')

async function signingKey(alg: TestSigningAlgorithm): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  })
  const jwk = await exportJWK(publicKey)
  return { privateKey, publicKey, jwk: { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' } }
}

async function encryptionKeyPair(): Promise<{ publicKey: CryptoKey; privateJwk: JWK; kid: string }> {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true })
  const pub = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(pub)
  return { publicKey, kid, privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ECDH-ES', use: 'enc' } }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(body))
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The client id and secret of a request (`client_secret_basic` or `client_secret_post`). */
function clientCredentials(req: IncomingMessage, form: URLSearchParams): { id: string; secret: string } | undefined {
  const header = req.headers.authorization
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    if (i < 0) return undefined
    return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) }
  }
  const id = form.get('client_id')
  const sec = form.get('client_secret')
  return id && sec ? { id, secret: sec } : undefined
}

/**
 * Starts a test authorization server on `http://127.0.0.1:<ephemeral port>` (see the module comment).
 *
 * @example node:test and Express, with `@org/rs-express`
 * ```ts
 * const as = await createTestAuthorizationServer()
 * const app = express().get('/me', requireAuth(createResourceServer(as.resourceServerOptions())), (req, res) => res.json(req.auth))
 * const token = await as.mintAccessToken({ sub: 'alice', scopes: ['read'] })
 * ```
 */
export async function createTestAuthorizationServer(options: TestAuthorizationServerOptions = {}): Promise<TestAuthorizationServer> {
  const alg = options.signingAlgorithm ?? 'ES256'
  if (!['ES256', 'RS256', 'EdDSA'].includes(alg))
    throw new TypeError(`signingAlgorithm: expected ES256, RS256 or EdDSA, got ${String(alg)}`)
  const defaultAudience = options.audience ?? 'https://api.example.test'
  const defaultTtl = options.expiresIn ?? 3600
  const [signing, encryption] = await Promise.all([signingKey(alg), encryptionKeyPair()])
  const jwks = { keys: [signing.jwk] }
  const secrets: Record<string, string> = { [RS_CLIENT]: secret(), [RS_ENC_CLIENT]: secret(), [APP_CLIENT]: secret() }

  /** Opaque tokens by value: their introspection claims. */
  const opaque = new Map<string, Record<string, unknown>>()
  const revoked = new Set<string>()
  const counts = new Map<string, number>()
  let issuer = ''

  const now = () => Math.floor(Date.now() / 1000)

  async function mintAccessToken(mint: MintAccessTokenOptions = {}): Promise<string> {
    const iat = now()
    const scopes = typeof mint.scopes === 'string' ? mint.scopes.split(' ').filter(Boolean) : [...(mint.scopes ?? [])]
    const aud = mint.audience ?? defaultAudience
    const claims: Record<string, unknown> = {
      iss: issuer,
      sub: mint.sub ?? 'test-user',
      aud: typeof aud === 'string' ? aud : [...aud],
      client_id: mint.clientId ?? APP_CLIENT,
      iat,
      exp: iat + (mint.expiresIn ?? defaultTtl),
      jti: randomUUID(),
      ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
      ...mint.claims,
    }
    if (mint.format === 'opaque') {
      const token = randomBytes(32).toString('base64url')
      opaque.set(token, claims)
      return token
    }
    return new SignJWT(claims).setProtectedHeader({ alg, typ: 'at+jwt', kid: signing.jwk.kid! }).sign(signing.privateKey)
  }

  /** What introspection says about `token`: its claims when active, `{ active: false }` otherwise. */
  async function introspect(token: string): Promise<Record<string, unknown>> {
    if (revoked.has(token)) return { active: false }
    let claims = opaque.get(token)
    if (!claims) {
      try {
        ;({ payload: claims } = await jwtVerify(token, signing.publicKey, { issuer, typ: 'at+jwt', algorithms: [alg] }))
      } catch {
        return { active: false }
      }
    }
    if (typeof claims.exp === 'number' && claims.exp <= now()) return { active: false }
    return { active: true, token_type: 'Bearer', ...claims }
  }

  async function introspectionAnswer(
    req: IncomingMessage,
    res: ServerResponse,
    clientId: string,
    claims: Record<string, unknown>,
  ): Promise<void> {
    const accept = req.headers.accept ?? ''
    const encrypted = clientId === RS_ENC_CLIENT
    if (!accept.includes(INTROSPECTION_JWT) && !encrypted) return json(res, 200, claims)
    // RFC 9701: a JWT whose token_introspection member is the answer, for this client.
    let body = await new SignJWT({ token_introspection: claims })
      .setProtectedHeader({ alg, typ: 'token-introspection+jwt', kid: signing.jwk.kid! })
      .setIssuer(issuer)
      .setAudience(clientId)
      .setIssuedAt()
      .sign(signing.privateKey)
    if (encrypted) {
      body = await new CompactEncrypt(new TextEncoder().encode(body))
        .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', cty: 'JWT', kid: encryption.kid })
        .encrypt(encryption.publicKey)
    }
    res.writeHead(200, { 'content-type': INTROSPECTION_JWT, 'cache-control': 'no-store' })
    res.end(body)
  }

  const server = await startHttpServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', issuer)
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1)
    if (
      req.method === 'GET' &&
      (pathname === '/.well-known/openid-configuration' || pathname === '/.well-known/oauth-authorization-server')
    ) {
      req.resume()
      return json(res, 200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        token_endpoint: `${issuer}/token`,
        introspection_endpoint: `${issuer}/introspect`,
        revocation_endpoint: `${issuer}/revoke`,
        grant_types_supported: ['client_credentials'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [alg],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        introspection_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        revocation_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        introspection_signing_alg_values_supported: [alg],
        introspection_encryption_alg_values_supported: ['ECDH-ES'],
        introspection_encryption_enc_values_supported: ['A256GCM'],
      })
    }
    if (req.method === 'GET' && pathname === '/jwks') {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' })
      return void res.end(JSON.stringify(jwks))
    }
    if (req.method !== 'POST' || !['/token', '/introspect', '/revoke'].includes(pathname)) {
      req.resume()
      return json(res, 404, { error: 'not_found' })
    }
    const form = new URLSearchParams(await readBody(req))
    const client = clientCredentials(req, form)
    const known = client && secrets[client.id]
    if (!client || !known || !same(client.secret, known)) {
      return json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="test-as"' })
    }
    if (pathname === '/token') {
      if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' })
      const scope = form.get('scope') ?? ''
      const resource = form.get('resource') ?? form.get('audience') ?? undefined
      const access_token = await mintAccessToken({
        sub: client.id,
        clientId: client.id,
        scopes: scope,
        ...(resource ? { audience: resource } : {}),
      })
      return json(res, 200, { access_token, token_type: 'Bearer', expires_in: defaultTtl, ...(scope ? { scope } : {}) })
    }
    const token = form.get('token')
    if (!token) return json(res, 400, { error: 'invalid_request', error_description: 'token is required' })
    if (pathname === '/revoke') {
      revoked.add(token)
      res.writeHead(200)
      return void res.end()
    }
    return introspectionAnswer(req, res, client.id, await introspect(token))
  })
  issuer = server.url

  const resourceServerOptions = (request: TestResourceServerOptionsRequest = {}): TestResourceServerOptions => {
    const format = request.format ?? 'auto'
    const mode = request.introspection ?? 'json'
    const encrypted = mode === 'encrypted'
    const clientId = encrypted ? RS_ENC_CLIENT : RS_CLIENT
    return {
      issuer,
      clientId,
      clientSecret: secrets[clientId]!,
      tokenFormat: format === 'opaque' ? 'introspection' : format,
      audience: request.audience ?? defaultAudience,
      ...(format === 'auto' ? { audienceClaim: 'aud' as const } : {}),
      introspection:
        mode === 'json' ? { response: 'json' } : { response: 'jwt', signingAlgorithms: [alg], encryption: encrypted ? 'required' : 'none' },
      ...(encrypted ? { decryptionKeys: [{ ...encryption.privateJwk }] } : {}),
      cache: false,
      allowInsecureRequests: true,
    }
  }

  const close = () => server.close()
  return {
    issuer,
    endpoints: {
      discovery: `${issuer}/.well-known/openid-configuration`,
      jwks: `${issuer}/jwks`,
      token: `${issuer}/token`,
      introspection: `${issuer}/introspect`,
      revocation: `${issuer}/revoke`,
    },
    audience: defaultAudience,
    resourceServer: { clientId: RS_CLIENT, clientSecret: secrets[RS_CLIENT]! },
    client: { clientId: APP_CLIENT, clientSecret: secrets[APP_CLIENT]! },
    jwks,
    mintAccessToken,
    resourceServerOptions,
    revoke: (token) => void revoked.add(token),
    requests: (pathname) => (pathname === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(pathname) ?? 0)),
    close,
    [Symbol.asyncDispose]: close,
  }
}
