import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, request as httpsRequest, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'

import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import type Provider from 'oidc-provider'
import type { Adapter, AdapterPayload, ClientMetadata, Configuration, ResourceServer } from 'oidc-provider'

/* ------------------------------------------------------------------------------------------------
 * Static client secrets (fixed, ≥ 32 characters so that HS256 / client_secret_jwt work).
 * --------------------------------------------------------------------------------------------- */

/** Secret of the `rs-json` client (client_secret_post, plain JSON introspection responses). */
export const RS_JSON_SECRET = 'Ba8VjPx4kFFTC7IJK4HlqzDs9vtpxrPSZGR6BQHFMmWI8bYY'
/** Secret of the `rs-rs256` client (client_secret_post, RS256-signed introspection responses). */
export const RS_RS256_SECRET = 'BbSqz2eXWVJfmr7hBYIF3FtefXm1IxzyA4v8gQA2tuiWW4y0'
/** Secret of the `rs-es256` client (client_secret_post, ES256-signed introspection responses). */
export const RS_ES256_SECRET = 'HvN3rleCyeICj936AS3NMmxpChwysydgU4B1vtBT1GxiQQog'
/** Secret of the `rs-ps256` client (client_secret_post, PS256-signed introspection responses). */
export const RS_PS256_SECRET = 'DjwPBD8xfAAxm8hLevESqd0ewfmH3P9KcyNVBl91xeriy94Z'
/** Secret of the `rs-eddsa` client (client_secret_post, EdDSA-signed introspection responses). */
export const RS_EDDSA_SECRET = '94hrHL0sl2wxkoe8mEyC2xGEfF5NOIxVjHagtH5AX6tvdOhr'
/** Secret of the `rs-hs256` client (client_secret_post, HS256-signed introspection responses keyed by this secret). */
export const RS_HS256_SECRET = 'mSdjXTGOBA62tix4xZLtDkYbdSLgck7RwI4V8sSp2LgDoKtL'
/** Secret of the `rs-basic` client (client_secret_basic, JSON). */
export const RS_BASIC_SECRET = 'l1kx7EDHEkaJZV2H0YS66cooNd61Dfh2vuD79BkzQc5CmGm7'
/** Secret of the `rs-csjwt` client (client_secret_jwt with HS256). */
export const RS_CSJWT_SECRET = 'g2poKAGXnCiAxLKdBxtnkzbEwrykj7pkgivjyDgNTzX9kWQE'
/** Secret of the `app` client (client_secret_post, obtains access tokens). */
export const APP_SECRET = 'MPtxPpKxGVq5sMbuN8ApZjuxZpvuSKzwqjHc6jcPf1xzxAlp'
/** Secret of the `app-basic` client (client_secret_basic, obtains access tokens). */
export const APP_BASIC_SECRET = 'HC7yt7FmVAx7HsQwlaITrJnDkf5FyJqfwYxxjy3SlDxoGUHv'

/** Ids of the static clients every {@link startTestAS} instance registers. */
export type DefaultClientId =
  'rs-json' | 'rs-rs256' | 'rs-es256' | 'rs-ps256' | 'rs-eddsa' | 'rs-hs256' | 'rs-basic' | 'rs-pkjwt' | 'rs-csjwt' | 'app' | 'app-basic'

/** Secrets of the default clients by client id (`rs-pkjwt` has none: it uses `private_key_jwt`). */
export const TEST_CLIENT_SECRETS: Readonly<Record<Exclude<DefaultClientId, 'rs-pkjwt'>, string>> = {
  'rs-json': RS_JSON_SECRET,
  'rs-rs256': RS_RS256_SECRET,
  'rs-es256': RS_ES256_SECRET,
  'rs-ps256': RS_PS256_SECRET,
  'rs-eddsa': RS_EDDSA_SECRET,
  'rs-hs256': RS_HS256_SECRET,
  'rs-basic': RS_BASIC_SECRET,
  'rs-csjwt': RS_CSJWT_SECRET,
  app: APP_SECRET,
  'app-basic': APP_BASIC_SECRET,
}

/* ------------------------------------------------------------------------------------------------
 * Public types
 * --------------------------------------------------------------------------------------------- */

/** Settings of one resource server (RFC 8707 resource indicator) known to the test AS. */
export interface TestResource {
  /** Access token format for this audience. Default `'jwt'`. */
  format?: 'opaque' | 'jwt'
  /** JWT access token signing algorithm. Default `'ES256'`. */
  alg?: 'RS256' | 'ES256'
  /** Space-separated scopes this resource server accepts. Default `'read write admin'`. */
  scope?: string
}

/** Options of {@link startTestAS}. */
export interface TestASOptions {
  /** Extra static clients, appended to the default ones (e.g. one with a `jwks_uri` for encryption). */
  clients?: ClientMetadata[]
  /** Access token lifetime in seconds. Default 3600. */
  accessTokenTtl?: number
  /**
   * Resource servers by resource indicator. Replaces the default:
   * `https://api.example.test` (JWT, ES256, `openid read write admin`) and
   * `https://rs256.example.test` (JWT, RS256, `read write`).
   */
  resources?: Record<string, TestResource>
  /** DPoP server nonces at the token endpoint (`features.dPoP.requireNonce`): a proof without the AS's nonce gets `use_dpop_nonce`. */
  dpopNonce?: boolean
  /**
   * Certificate-bound tokens (RFC 8705): a second, HTTPS listener on 127.0.0.1 asking for a client
   * certificate (any, self-signed included), serving the same provider; `features.mTLS` with
   * `certificateBoundAccessTokens`. The issuer and every other endpoint stay on plain HTTP.
   */
  mtls?: { key: string; cert: string }
}

/** Credentials of a test client. */
export interface TestClient {
  clientId: string
  /** Absent for `private_key_jwt` clients (see {@link TestAS.clientKeys}). */
  clientSecret?: string
}

/** Options of {@link TestAS.issueToken}. */
export interface IssueTokenOptions {
  /** Client the token is issued to. Default `'app'`. */
  clientId?: string
  /**
   * End-user subject. Absent: a client-credentials token obtained over HTTP at the token endpoint.
   * Present: a user access token created through the provider's Grant / AccessToken models.
   */
  sub?: string
  /** Space-separated scopes. Default `'read'`. With a resource, filtered by that resource's scopes. */
  scope?: string
  /** Resource indicator: the token becomes a JWT access token (`typ: at+jwt`) with this `aud`. */
  resource?: string
  /** Lifetime in seconds (default: the AS's `accessTokenTtl`). */
  ttl?: number
  /**
   * Binds the token to this DPoP key (`cnf.jkt`): a client-credentials token is requested with a DPoP
   * proof signed by it (retrying once with the AS's nonce); a user token gets the key's thumbprint.
   */
  dpop?: CryptoKeyPair
  /**
   * Binds the token to this client certificate (`cnf["x5t#S256"]`): a client-credentials token is
   * requested over the mTLS listener presenting it; a user token gets its thumbprint.
   */
  certificate?: { key: string; cert: string }
}

/** Absolute URLs of the AS endpoints. */
export interface TestASEndpoints {
  introspection: string
  token: string
  jwks: string
  revocation: string
  /** `/.well-known/openid-configuration`. */
  discovery: string
}

/** A running test authorization server (see {@link startTestAS}). */
export interface TestAS {
  /** `http://127.0.0.1:<port>`. */
  readonly issuer: string
  readonly port: number
  /** Absolute URL of `path` on the AS. */
  url(path: string): string
  /** The underlying oidc-provider instance. */
  readonly provider: Provider
  readonly endpoints: TestASEndpoints
  /** Default and extra clients by id (secret absent for `private_key_jwt` clients). */
  readonly clients: Readonly<Record<DefaultClientId, TestClient> & Record<string, TestClient | undefined>>
  /** Private JWKs of `private_key_jwt` clients (`rs-pkjwt`: EC P-256, `alg: ES256`, with `kid`). */
  readonly clientKeys: Readonly<{ 'rs-pkjwt': JWK } & Record<string, JWK | undefined>>
  /** Public JWKS of the AS (RSA 2048, EC P-256, Ed25519), as served at the jwks endpoint. */
  readonly jwks: { keys: JWK[] }
  /** Private JWKS of the AS, to forge tokens signed with the real AS keys. */
  readonly privateJwks: { keys: JWK[] }
  /** Number of requests received on `pathname` (e.g. `'/token/introspection'`) since start or reset. */
  requestCount(pathname: string): number
  /** Resets all request counters. */
  resetCounts(): void
  /** Issues a real access token (see {@link IssueTokenOptions}). */
  issueToken(options?: IssueTokenOptions): Promise<string>
  /** Revokes an access token issued by this AS: its introspection becomes `active: false`. */
  revoke(token: string): Promise<void>
  /** `https://127.0.0.1:<port>` of the mTLS listener (with the `mtls` option). */
  readonly mtlsUrl: string | undefined
  /** Closes the server and all its connections. */
  stop(): Promise<void>
}

/* ------------------------------------------------------------------------------------------------
 * Internals
 * --------------------------------------------------------------------------------------------- */

type OidcModule = typeof import('oidc-provider')
let oidcModule: Promise<OidcModule> | undefined

/** Imports oidc-provider once, dropping its "Unsupported runtime" warning printed on Node 20. */
function loadOidcProvider(): Promise<OidcModule> {
  oidcModule ??= (async () => {
    const original = console.warn
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return
      original.apply(console, args)
    }
    try {
      return await import('oidc-provider')
    } catch (err) {
      oidcModule = undefined
      throw new Error(
        'startTestAS() needs oidc-provider 9: npm install --save-dev oidc-provider@9 (createTestAuthorizationServer() does not)',
        { cause: err },
      )
    } finally {
      console.warn = original
    }
  })()
  return oidcModule
}

let pkjwtKey: Promise<JWK> | undefined

/** The `rs-pkjwt` client's private EC P-256 key, generated once per process. */
function getPkjwtKey(): Promise<JWK> {
  pkjwtKey ??= (async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const jwk = cleanJwk(await exportJWK(privateKey))
    jwk.kid = await calculateJwkThumbprint(jwk)
    jwk.alg = 'ES256'
    jwk.use = 'sig'
    return jwk
  })()
  return pkjwtKey
}

function cleanJwk(jwk: JWK): JWK {
  const { alg: _alg, key_ops: _ops, ext: _ext, ...rest } = jwk
  return rest
}

function toPublic(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub } = jwk
  return pub
}

async function generateAsKeys(): Promise<JWK[]> {
  const pairs = await Promise.all([
    generateKeyPair('RS256', { modulusLength: 2048, extractable: true }),
    generateKeyPair('ES256', { extractable: true }),
    generateKeyPair('Ed25519', { extractable: true }),
  ])
  return Promise.all(
    pairs.map(async ({ privateKey }) => {
      const jwk = cleanJwk(await exportJWK(privateKey))
      jwk.kid = await calculateJwkThumbprint(toPublic(jwk))
      jwk.use = 'sig'
      return jwk
    }),
  )
}

/** A per-provider in-memory adapter (avoids oidc-provider's shared dev adapter and its warning). */
function createAdapterFactory(): (name: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt?: number }>()
  const byGrant = new Map<string, Set<string>>()
  const byUid = new Map<string, string>()
  const byUserCode = new Map<string, string>()
  const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'])
  const get = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key)
    if (!entry) return undefined
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      store.delete(key)
      return undefined
    }
    return entry.payload
  }
  return (name) => {
    const key = (id: string) => `${name}:${id}`
    return {
      async upsert(id, payload, expiresIn) {
        const k = key(id)
        store.set(k, {
          payload: structuredClone(payload),
          ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
        })
        if (grantable.has(name) && payload.grantId) {
          let set = byGrant.get(payload.grantId)
          if (!set) byGrant.set(payload.grantId, (set = new Set()))
          set.add(k)
        }
        if (payload.uid) byUid.set(payload.uid, id)
        if (payload.userCode) byUserCode.set(payload.userCode, id)
      },
      async find(id) {
        const p = get(key(id))
        return p ? structuredClone(p) : undefined
      },
      async findByUid(uid) {
        const id = byUid.get(uid)
        return id ? this.find(id) : undefined
      },
      async findByUserCode(userCode) {
        const id = byUserCode.get(userCode)
        return id ? this.find(id) : undefined
      },
      async consume(id) {
        const entry = store.get(key(id))
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000)
      },
      async destroy(id) {
        store.delete(key(id))
      },
      async revokeByGrantId(grantId) {
        for (const k of byGrant.get(grantId) ?? []) store.delete(k)
        byGrant.delete(grantId)
      },
    }
  }
}

const DEFAULT_RESOURCES: Record<string, TestResource> = {
  'https://api.example.test': { format: 'jwt', alg: 'ES256', scope: 'openid read write admin' },
  'https://rs256.example.test': { format: 'jwt', alg: 'RS256', scope: 'read write' },
}

/** Header used internally by {@link TestAS.issueToken} to pass a per-token TTL to the token endpoint. */
const TTL_HEADER = 'x-test-as-ttl'

function isLoopback(url: string | URL | Request): boolean {
  try {
    const u = new URL(typeof url === 'string' || url instanceof URL ? url : url.url)
    return ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)
  } catch {
    return false
  }
}

/* ------------------------------------------------------------------------------------------------
 * startTestAS
 * --------------------------------------------------------------------------------------------- */

/**
 * Starts a real oidc-provider 9 authorization server on `http://127.0.0.1:<ephemeral port>`.
 *
 * Enabled: client credentials, introspection (plain, JWT-signed per RFC 9701, encrypted), revocation,
 * resource indicators (JWT access tokens). Keys (RSA 2048, EC P-256, Ed25519) are generated at start.
 * Static clients: `rs-json`, `rs-rs256`, `rs-es256`, `rs-ps256`, `rs-eddsa`, `rs-hs256`, `rs-basic`,
 * `rs-pkjwt`, `rs-csjwt` (resource servers) and `app`, `app-basic` (token holders), plus `options.clients`.
 */
export async function startTestAS(options: TestASOptions = {}): Promise<TestAS> {
  const { default: ProviderClass, errors } = await loadOidcProvider()
  const accessTokenTtl = options.accessTokenTtl ?? 3600
  const resources = options.resources ?? DEFAULT_RESOURCES

  const [privateKeys, pkjwt] = await Promise.all([generateAsKeys(), getPkjwtKey()])
  const privateJwks = { keys: privateKeys }
  const jwks = { keys: privateKeys.map(toPublic) }

  const counts = new Map<string, number>()
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1)
    if (handler) handler(req, res)
    else {
      res.writeHead(503)
      res.end()
    }
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`

  let tlsServer: HttpsServer | undefined
  let mtlsUrl: string | undefined
  if (options.mtls) {
    tlsServer = createHttpsServer(
      { key: options.mtls.key, cert: options.mtls.cert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        if (handler) handler(req, res)
        else {
          res.writeHead(503)
          res.end()
        }
      },
    )
    tlsServer.keepAliveTimeout = 1000
    await new Promise<void>((resolve, reject) => {
      tlsServer!.once('error', reject)
      tlsServer!.listen(0, '127.0.0.1', () => resolve())
    })
    mtlsUrl = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`
  }

  const post = (id: string, secret: string, extra: ClientMetadata = { client_id: id }): ClientMetadata => ({
    client_secret: secret,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    ...extra,
    client_id: id,
  })
  const appScope = 'openid read write admin'
  const defaultClients: ClientMetadata[] = [
    post('rs-json', RS_JSON_SECRET),
    post('rs-rs256', RS_RS256_SECRET, { client_id: 'rs-rs256', introspection_signed_response_alg: 'RS256' }),
    post('rs-es256', RS_ES256_SECRET, { client_id: 'rs-es256', introspection_signed_response_alg: 'ES256' }),
    post('rs-ps256', RS_PS256_SECRET, { client_id: 'rs-ps256', introspection_signed_response_alg: 'PS256' }),
    post('rs-eddsa', RS_EDDSA_SECRET, { client_id: 'rs-eddsa', introspection_signed_response_alg: 'EdDSA' }),
    post('rs-hs256', RS_HS256_SECRET, { client_id: 'rs-hs256', introspection_signed_response_alg: 'HS256' }),
    post('rs-basic', RS_BASIC_SECRET, { client_id: 'rs-basic', token_endpoint_auth_method: 'client_secret_basic' }),
    {
      client_id: 'rs-pkjwt',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [toPublic(pkjwt)] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
    post('rs-csjwt', RS_CSJWT_SECRET, {
      client_id: 'rs-csjwt',
      token_endpoint_auth_method: 'client_secret_jwt',
      token_endpoint_auth_signing_alg: 'HS256',
    }),
    post('app', APP_SECRET, { client_id: 'app', scope: appScope }),
    post('app-basic', APP_BASIC_SECRET, {
      client_id: 'app-basic',
      scope: appScope,
      token_endpoint_auth_method: 'client_secret_basic',
    }),
  ]
  if (options.mtls) {
    // Its client-credentials tokens are bound to the certificate it presents on the mTLS listener.
    defaultClients.push(
      post('app-mtls', APP_SECRET, { client_id: 'app-mtls', scope: appScope, tls_client_certificate_bound_access_tokens: true }),
    )
  }
  const allClients = [...defaultClients, ...(options.clients ?? [])]

  const resourceInfo = (resourceUrl: string): ResourceServer => {
    const r = resources[resourceUrl]
    if (!r) throw new errors.InvalidTarget(`unknown resource ${resourceUrl}`)
    const format = r.format ?? 'jwt'
    return {
      scope: r.scope ?? 'read write admin',
      audience: resourceUrl,
      accessTokenFormat: format,
      accessTokenTTL: accessTokenTtl,
      ...(format === 'jwt' ? { jwt: { sign: { alg: r.alg ?? 'ES256' } } } : {}),
    }
  }

  const ttlFor = (ctx: unknown, fallback: number | undefined): number => {
    const header = (ctx as { get?: (name: string) => string } | undefined)?.get?.(TTL_HEADER)
    const n = header ? Number(header) : NaN
    return Number.isSafeInteger(n) && n > 0 ? n : (fallback ?? accessTokenTtl)
  }

  const configuration: Configuration = {
    clients: allClients,
    jwks: privateJwks as Configuration['jwks'],
    adapter: createAdapterFactory(),
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    scopes: ['openid', 'offline_access', 'read', 'write', 'admin', 'uid', 'given_name', 'usual_name', 'email', 'groups'],
    clientBasedCORS: () => true,
    cookies: { keys: ['test-as-cookie-key-0123456789abcdef'] },
    fetch: (url, init) => {
      if (isLoopback(url) && init) {
        const { dispatcher: _dispatcher, ...rest } = init as RequestInit & { dispatcher?: unknown }
        return globalThis.fetch(url, rest)
      }
      return globalThis.fetch(url, init)
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: {
        enabled: true,
        ...(options.dpopNonce ? { nonceSecret: randomBytes(32), requireNonce: () => true } : {}),
      },
      ...(options.mtls
        ? {
            mTLS: {
              enabled: true,
              certificateBoundAccessTokens: true,
              getCertificate: (ctx) => {
                const socket = ctx.socket as Partial<TLSSocket>
                const raw = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate().raw : undefined
                return raw && raw.length > 0 ? new X509Certificate(raw) : undefined
              },
            },
          }
        : {}),
      introspection: { enabled: true, allowedPolicy: async () => true },
      jwtIntrospection: { enabled: true },
      encryption: { enabled: true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
        getResourceServerInfo: async (_ctx, resourceUrl) => resourceInfo(resourceUrl),
        useGrantedResource: async () => true,
      },
    },
    enabledJWA: {
      introspectionSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'],
      introspectionEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
      introspectionEncryptionEncValues: ['A128GCM', 'A256GCM', 'A128CBC-HS256', 'A256CBC-HS512'],
    } as Configuration['enabledJWA'],
    ttl: {
      AccessToken: (ctx, token) => ttlFor(ctx, token.resourceServer?.accessTokenTTL),
      ClientCredentials: (ctx, token) => ttlFor(ctx, token.resourceServer?.accessTokenTTL),
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
  }

  let provider: Provider
  try {
    provider = new ProviderClass(issuer, configuration)
  } catch (err) {
    await new Promise((r) => server.close(r))
    throw err
  }
  handler = provider.callback()

  const url = (path: string) => new URL(path, `${issuer}/`).href
  const endpoints: TestASEndpoints = {
    introspection: url('/token/introspection'),
    token: url('/token'),
    jwks: url('/jwks'),
    revocation: url('/token/revocation'),
    discovery: url('/.well-known/openid-configuration'),
  }

  const clients: Record<string, TestClient> = {}
  for (const c of allClients) {
    clients[c.client_id] = {
      clientId: c.client_id,
      ...(typeof c.client_secret === 'string' ? { clientSecret: c.client_secret } : {}),
    }
  }
  const clientKeys: Record<string, JWK> = { 'rs-pkjwt': pkjwt }

  /** Builds the client authentication of `clientId` for a request to `endpoint`. */
  const clientAuth = async (clientId: string) => {
    const meta = allClients.find((c) => c.client_id === clientId)
    if (!meta) throw new Error(`unknown client ${clientId}`)
    const headers: Record<string, string> = {}
    const params: Record<string, string> = {}
    const secret = typeof meta.client_secret === 'string' ? meta.client_secret : undefined
    switch (meta.token_endpoint_auth_method ?? 'client_secret_basic') {
      case 'client_secret_basic':
        headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret ?? '')}`).toString(
          'base64',
        )}`
        break
      case 'client_secret_post':
        params.client_id = clientId
        params.client_secret = secret ?? ''
        break
      case 'client_secret_jwt':
      case 'private_key_jwt': {
        const pk = meta.token_endpoint_auth_method === 'private_key_jwt'
        const key = pk ? clientKeys[clientId] : undefined
        if (pk && !key) throw new Error(`no private key known for ${clientId}`)
        const alg = pk ? (key!.alg ?? 'ES256') : 'HS256'
        const assertion = await new SignJWT({})
          .setProtectedHeader({ alg, ...(key?.kid ? { kid: key.kid } : {}) })
          .setIssuer(clientId)
          .setSubject(clientId)
          .setAudience(issuer)
          .setJti(randomUUID())
          .setIssuedAt()
          .setExpirationTime('2m')
          .sign(pk ? key! : new TextEncoder().encode(secret ?? ''))
        params.client_id = clientId
        params.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
        params.client_assertion = assertion
        break
      }
      default:
        throw new Error(`unsupported token_endpoint_auth_method for ${clientId}`)
    }
    return { headers, params }
  }

  const issueToken = async ({
    clientId = 'app',
    sub,
    scope = 'read',
    resource,
    ttl,
    dpop,
    certificate,
  }: IssueTokenOptions = {}): Promise<string> => {
    if (sub === undefined) {
      const tokenUrl = certificate ? `${mtlsUrl ?? failNoMtls()}/token` : endpoints.token
      let nonce: string | undefined
      for (let attempt = 0; ; attempt++) {
        const auth = await clientAuth(clientId)
        const body = new URLSearchParams({ grant_type: 'client_credentials', scope, ...auth.params })
        if (resource) body.set('resource', resource)
        const headers: Record<string, string> = {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...auth.headers,
          ...(ttl ? { [TTL_HEADER]: String(ttl) } : {}),
          ...(dpop ? { dpop: await dpopProof(dpop, 'POST', tokenUrl, { nonce }) } : {}),
        }
        const res = certificate
          ? await mtlsPost(tokenUrl, headers, body.toString(), certificate)
          : await fetchPost(tokenUrl, headers, body.toString())
        const json = JSON.parse(res.body) as { access_token?: string; error?: string; error_description?: string }
        if (json.error === 'use_dpop_nonce' && res.nonce && attempt === 0) {
          nonce = res.nonce
          continue
        }
        if (res.status !== 200 || !json.access_token) {
          throw new Error(`token request failed (${res.status}): ${json.error ?? ''} ${json.error_description ?? ''}`)
        }
        return json.access_token
      }
    }

    const client = await provider.Client.find(clientId)
    if (!client) throw new Error(`unknown client ${clientId}`)
    const grant = new provider.Grant({ accountId: sub, clientId })
    let resourceServer: InstanceType<Provider['ResourceServer']> | undefined
    let tokenScope = scope
    if (resource) {
      const info = resourceInfo(resource)
      resourceServer = new provider.ResourceServer(resource, info)
      const allowed = new Set(info.scope.split(' '))
      tokenScope = scope
        .split(' ')
        .filter((s) => allowed.has(s))
        .join(' ')
      grant.addResourceScope(resource, tokenScope)
    } else {
      grant.addOIDCScope(scope)
    }
    const grantId = await grant.save()
    const token = new provider.AccessToken({
      accountId: sub,
      client,
      grantId,
      gty: 'authorization_code',
      scope: tokenScope || undefined,
      expiresWithSession: false,
      ...(resourceServer ? { resourceServer } : {}),
      ...(ttl ? { expiresIn: ttl } : {}),
    })
    if (dpop) token.setThumbprint('jkt', await calculateJwkThumbprint(await exportJWK(dpop.publicKey)))
    if (certificate) token.setThumbprint('x5t', certificate.cert)
    return token.save()
  }

  const revoke = async (token: string): Promise<void> => {
    let id = token
    const parts = token.split('.')
    if (parts.length === 3) {
      // JWT access token: destroy the stored record by its jti (it stays cryptographically valid).
      try {
        const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as { jti?: string }
        if (payload.jti) id = payload.jti
      } catch {
        /* not a JWT after all */
      }
    }
    await Promise.all([provider.AccessToken.adapter.destroy(id), provider.ClientCredentials.adapter.destroy(id)])
  }

  let stopping: Promise<void> | undefined
  return {
    issuer,
    port,
    url,
    provider,
    endpoints,
    clients: clients as TestAS['clients'],
    clientKeys: clientKeys as TestAS['clientKeys'],
    jwks,
    privateJwks,
    requestCount: (pathname) => counts.get(pathname) ?? 0,
    resetCounts: () => counts.clear(),
    issueToken,
    revoke,
    mtlsUrl,
    stop() {
      stopping ??= Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        }),
        tlsServer
          ? new Promise<void>((resolve) => {
              tlsServer!.close(() => resolve())
              tlsServer!.closeAllConnections()
            })
          : undefined,
      ]).then(() => undefined)
      return stopping
    },
  }
}

function failNoMtls(): never {
  throw new Error('issueToken({ certificate }) needs startTestAS({ mtls })')
}

interface PostAnswer {
  status: number
  body: string
  nonce: string | undefined
}

async function fetchPost(url: string, headers: Record<string, string>, body: string): Promise<PostAnswer> {
  const res = await fetch(url, { method: 'POST', headers, body })
  return { status: res.status, body: await res.text(), nonce: res.headers.get('dpop-nonce') ?? undefined }
}

/** A POST over TLS presenting a client certificate (the AS's certificate is self-signed: not verified). */
function mtlsPost(
  url: string,
  headers: Record<string, string>,
  body: string,
  certificate: { key: string; cert: string },
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: 'POST', headers, key: certificate.key, cert: certificate.cert, rejectUnauthorized: false, agent: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => {
          const nonce = res.headers['dpop-nonce']
          resolve({ status: res.statusCode ?? 0, body: text, nonce: typeof nonce === 'string' ? nonce : undefined })
        })
      },
    )
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('no answer within 5 s')))
    req.end(body)
  })
}

/** Options of {@link dpopProof}. */
export interface DpopProofOptions {
  /** The access token, hashed into `ath`. */
  accessToken?: string
  nonce?: string
  /** Overrides of the payload (`iat`, `jti`, `htm`, `htu`, `ath`…); `undefined` removes a member. */
  claims?: Record<string, unknown>
  /** Overrides of the protected header (`typ`, `alg`, `jwk`…). */
  header?: Record<string, unknown>
  /** Signing algorithm. Default: from the key (ES256 for P-256, RS256 for RSA, Ed25519 for Ed25519). */
  alg?: string
}

/** A DPoP proof JWT (RFC 9449 §4.2) signed with `keyPair`, for `htm` / `htu`. */
export async function dpopProof(keyPair: CryptoKeyPair, htm: string, htu: string, options: DpopProofOptions = {}): Promise<string> {
  const jwk = await exportJWK(keyPair.publicKey)
  const alg = options.alg ?? (jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'OKP' ? 'Ed25519' : jwk.crv === 'P-384' ? 'ES384' : 'ES256')
  const payload: Record<string, unknown> = {
    jti: randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...(options.accessToken ? { ath: createHash('sha256').update(options.accessToken).digest('base64url') } : {}),
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...options.claims,
  }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
  return new SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk, ...options.header } as Parameters<SignJWT['setProtectedHeader']>[0])
    .sign(keyPair.privateKey)
}
