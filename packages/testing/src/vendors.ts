import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'

import { readBody, startHttpServer } from './http.js'

/* ------------------------------------------------------------------------------------------------
 * Public types
 * --------------------------------------------------------------------------------------------- */

/**
 * Authorization servers whose token shapes {@link startVendorAS} reproduces.
 *
 * - `entra-v1`: Microsoft Entra ID, v1.0 access tokens (`accessTokenAcceptedVersion` 1 / null).
 * - `entra-v2`: Microsoft Entra ID, v2.0 access tokens, single-tenant metadata.
 * - `entra-multitenant`: Microsoft Entra ID v2.0 behind the `common` / `organizations` metadata,
 *   whose `issuer` is the template `…/{tenantid}/v2.0`.
 * - `auth0`: Auth0, "Auth0" access token profile (default) or "RFC 9068" profile.
 * - `okta`: Okta custom authorization server (`/oauth2/{authServerId}`).
 * - `keycloak`: Keycloak realm (`/realms/{realm}`).
 * - `cognito`: Amazon Cognito user pool.
 * - `identityserver`: Duende IdentityServer (defaults of v6/v7).
 */
export type Vendor = 'entra-v1' | 'entra-v2' | 'entra-multitenant' | 'auth0' | 'okta' | 'keycloak' | 'cognito' | 'identityserver'

/** Every {@link Vendor}, in a stable order (handy for `describe.each`). */
export const VENDORS: readonly Vendor[] = [
  'entra-v1',
  'entra-v2',
  'entra-multitenant',
  'auth0',
  'okta',
  'keycloak',
  'cognito',
  'identityserver',
]

/** Client credentials (client id + secret). */
export interface ClientCredentials {
  clientId: string
  clientSecret: string
}

/** Options of {@link startVendorAS}. Every field has a vendor-typical default. */
export interface VendorASOptions {
  /**
   * Serve ONLY RFC 8414 metadata (`/.well-known/oauth-authorization-server`) and answer 404 on
   * the OpenID discovery URL. `'path-inserted'` (RFC 8414 §3.1, also `true`):
   * `/.well-known/oauth-authorization-server{issuer path}`; `'path-appended'`:
   * `{issuer}/.well-known/oauth-authorization-server`. For an issuer without a path both are the same.
   */
  oauth8414Only?: boolean | 'path-inserted' | 'path-appended'
  /** Entra: tenant id (GUID) of the tokens and of the single-tenant metadata. */
  tenantId?: string
  /** Okta: authorization server id. Default `'default'`. */
  authServerId?: string
  /** Keycloak: realm name. Default `'demo'`. */
  realm?: string
  /** Cognito: user pool id, `{region}_{id}`. Default `'eu-west-3_Ex4mpLe01'`. */
  userPoolId?: string
  /** Auth0: access token profile of the API. Default `'auth0'`. */
  auth0Profile?: 'auth0' | 'rfc9068'
  /**
   * IdentityServer: `EmitScopesAsSpaceDelimitedStringInJwt`. Default `false`: `scope` is a JSON
   * array in JWT access tokens (the historical default).
   */
  emitScopesAsSpaceDelimitedString?: boolean
  /** Audience (API identifier) of access tokens. Default: vendor-typical value (see `audience`). */
  audience?: string
  /** Id of the calling client (the app that obtains tokens). Default: vendor-typical value. */
  clientId?: string
  /** Secret of the calling client (IdentityServer token endpoint). Default: a random string. */
  clientSecret?: string
  /** Credentials the resource server uses at the introspection endpoint. Default: vendor-typical. */
  apiCredentials?: Partial<ClientCredentials>
  /** Access (and ID) token lifetime in seconds. Default 3600. */
  tokenTtl?: number
}

/** Claims to merge over the vendor defaults. A value of `undefined` removes that claim. */
export type ClaimOverrides = Record<string, unknown>

/** Options of {@link VendorAS.mintAccessToken} and {@link VendorAS.mintIdToken}. */
export interface MintOptions {
  /**
   * An app-only token (client credentials: no user). Entra: `roles` and no `scp`; Auth0:
   * `sub = {client}@clients`, `gty`; Okta: no `uid`; Keycloak: service-account user; Cognito:
   * `sub = client_id`, no `username`; IdentityServer: no `sub`.
   */
  appOnly?: boolean
  /** Header parameters merged over the vendor header (`undefined` removes one, e.g. `typ`). */
  header?: Record<string, unknown>
  /** Sign with this key id (must be in the key set, e.g. a retired key); default: current key. */
  kid?: string
  /** Lifetime in seconds from now (negative: already expired). Default: `tokenTtl`. */
  expiresIn?: number
  /** ID tokens: compute `at_hash` from this access token. */
  accessToken?: string
}

/** A running vendor-shaped authorization server (see {@link startVendorAS}). */
export interface VendorAS {
  readonly vendor: Vendor
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string
  /**
   * Exact issuer string of the tokens, vendor form adapted to the local origin (trailing slash
   * kept where the vendor has one). For `entra-multitenant`: the issuer of `tenantId`'s tokens.
   */
  readonly issuer: string
  /** The `issuer` member of the served metadata (differs only for `entra-multitenant`: template). */
  readonly metadataIssuer: string
  /** URL of the served metadata document (OpenID discovery, or RFC 8414 with `oauth8414Only`). */
  readonly metadataUrl: string
  /** OpenID discovery URL (answers 404 with `oauth8414Only`). */
  readonly openidConfigurationUrl: string
  /** The metadata document as served. */
  readonly metadata: Readonly<Record<string, unknown>>
  readonly jwksUri: string
  /** Token endpoint: served for `identityserver` (client credentials); advertised only elsewhere. */
  readonly tokenEndpoint: string
  /** Introspection endpoint (Okta, Keycloak, IdentityServer); `undefined` for the others. */
  readonly introspectionEndpoint: string | undefined
  /** Default `aud` of access tokens (Cognito: none in tokens; this is the resource server id). */
  readonly audience: string
  /** The calling client (`azp` / `appid` / `cid` / `client_id`; `aud` of ID tokens). */
  readonly client: ClientCredentials
  /** Shorthand for `client.clientId`. */
  readonly clientId: string
  /** Entra: tenant id of minted tokens. */
  readonly tenantId: string | undefined
  /** Credentials accepted at the introspection endpoint (`undefined` where there is none). */
  readonly apiCredentials: ClientCredentials | undefined
  /** Public JWKS currently served. */
  jwks(): { keys: JWK[] }
  /** Signs an access token shaped like this vendor's (see the vendor notes of {@link startVendorAS}). */
  mintAccessToken(overrides?: ClaimOverrides, options?: MintOptions): Promise<string>
  /** Signs an ID token shaped like this vendor's (`aud` = `clientId`, `nonce`, optional `at_hash`). */
  mintIdToken(overrides?: ClaimOverrides, options?: MintOptions): Promise<string>
  /**
   * An opaque token known to the introspection endpoint: it answers the vendor's RFC 7662 JSON
   * for it (defaults merged with `claims`; an `exp` in the past makes it inactive). Throws for
   * vendors without introspection.
   */
  mintOpaqueToken(claims?: ClaimOverrides): string
  /** Makes a token (opaque or minted JWT) inactive at the introspection endpoint. */
  revoke(token: string): void
  /**
   * Generates a new signing key and signs with it from now on. The previous key stays in the
   * JWKS unless `retire: true`. Returns the new `kid`.
   */
  rotateKeys(options?: { retire?: boolean }): Promise<string>
  /** Number of requests received on `pathname` (absolute URL accepted) since start / reset. */
  requests(pathname: string): number
  resetRequests(): void
  /** Absolute URL of `path` on this server. */
  url(path: string): string
  stop(): Promise<void>
}

/* ------------------------------------------------------------------------------------------------
 * Keys
 * --------------------------------------------------------------------------------------------- */

interface SigningKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

const b64url = (buf: Buffer): string => buf.toString('base64url')

/** A vendor-looking `kid` for an RSA public key. */
async function kidFor(vendor: Vendor, jwk: JWK): Promise<string> {
  const material = Buffer.from(`${jwk.n}.${jwk.e}`)
  switch (vendor) {
    case 'entra-v1':
    case 'entra-v2':
    case 'entra-multitenant':
      // Entra: base64url of a SHA-1 thumbprint (27 chars); `x5t` carries the same value.
      return b64url(createHash('sha1').update(material).digest())
    case 'cognito':
      // Cognito: standard base64 (with `=` padding, may contain `+` `/`).
      return createHash('sha256').update(material).digest('base64')
    case 'auth0':
      return b64url(randomBytes(16))
    case 'identityserver':
      // Duende automatic key management: 32 upper-case hex characters.
      return randomBytes(16).toString('hex').toUpperCase()
    default:
      // Okta, Keycloak: 43-character base64url strings.
      return calculateJwkThumbprint(jwk)
  }
}

async function newKey(vendor: Vendor): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 })
  const raw = await exportJWK(publicKey)
  const kid = await kidFor(vendor, raw)
  const publicJwk: JWK = { kty: 'RSA', use: 'sig', kid, n: raw.n, e: raw.e }
  if (vendor.startsWith('entra')) publicJwk.x5t = kid
  else publicJwk.alg = 'RS256'
  return { kid, privateKey, publicJwk }
}

/* ------------------------------------------------------------------------------------------------
 * Helpers
 * --------------------------------------------------------------------------------------------- */

const now = (): number => Math.floor(Date.now() / 1000)
const guid = (): string => randomUUID()

/** Merges `over` onto `base`; `undefined` values delete. */
function merge(base: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k]
    else out[k] = v
  }
  return out
}

/** OpenID Connect Core `at_hash`: base64url of the left half of SHA-256 (RS256) of the token. */
export function atHash(accessToken: string): string {
  const d = createHash('sha256').update(accessToken, 'ascii').digest()
  return b64url(d.subarray(0, d.length / 2))
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}

/** Client authentication from `Authorization: Basic` or `client_id`/`client_secret` form fields. */
function clientAuth(
  req: IncomingMessage,
  form: URLSearchParams,
  allowPost: boolean,
): { clientId: string; clientSecret: string } | undefined {
  const h = req.headers.authorization
  if (h?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    if (i < 0) return undefined
    return {
      clientId: decodeURIComponent(decoded.slice(0, i).replace(/\+/g, ' ')),
      clientSecret: decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, ' ')),
    }
  }
  if (allowPost && form.has('client_id') && form.has('client_secret')) {
    return { clientId: form.get('client_id')!, clientSecret: form.get('client_secret')! }
  }
  return undefined
}

/* ------------------------------------------------------------------------------------------------
 * Vendor layouts (paths relative to the origin)
 * --------------------------------------------------------------------------------------------- */

interface Layout {
  /** Path of the issuer ('' = the origin itself). */
  issuerPath: string
  /** Exact issuer string of tokens (absolute). */
  issuer: string
  /** `issuer` member of the metadata. */
  metadataIssuer: string
  /** OpenID discovery path. */
  discoveryPath: string
  /** Extra paths that serve the same OpenID metadata (e.g. `organizations`). */
  extraDiscoveryPaths: string[]
  /** Path of the RFC 8414 document the vendor serves besides OpenID discovery (Okta), if any. */
  native8414Path?: string
  jwksPath: string
  tokenPath: string
  authorizePath: string
  introspectionPath?: string
  /** Introspection client auth: `client_secret_post` accepted besides Basic. */
  introspectionPost: boolean
}

function layoutFor(
  vendor: Vendor,
  origin: string,
  o: Required<Pick<VendorASOptions, 'tenantId' | 'authServerId' | 'realm' | 'userPoolId'>>,
): Layout {
  const t = o.tenantId
  switch (vendor) {
    case 'entra-v2':
      return {
        issuerPath: `/${t}/v2.0`,
        issuer: `${origin}/${t}/v2.0`,
        metadataIssuer: `${origin}/${t}/v2.0`,
        discoveryPath: `/${t}/v2.0/.well-known/openid-configuration`,
        extraDiscoveryPaths: [],
        jwksPath: `/${t}/discovery/v2.0/keys`,
        tokenPath: `/${t}/oauth2/v2.0/token`,
        authorizePath: `/${t}/oauth2/v2.0/authorize`,
        introspectionPost: false,
      }
    case 'entra-multitenant':
      return {
        issuerPath: `/${t}/v2.0`,
        issuer: `${origin}/${t}/v2.0`,
        metadataIssuer: `${origin}/{tenantid}/v2.0`,
        discoveryPath: `/common/v2.0/.well-known/openid-configuration`,
        extraDiscoveryPaths: [`/organizations/v2.0/.well-known/openid-configuration`],
        jwksPath: `/common/discovery/v2.0/keys`,
        tokenPath: `/common/oauth2/v2.0/token`,
        authorizePath: `/common/oauth2/v2.0/authorize`,
        introspectionPost: false,
      }
    case 'entra-v1':
      // Real: metadata on login.microsoftonline.com, issuer on sts.windows.net. The second host
      // becomes the path prefix `/sts.windows.net` so that the issuer is NOT the metadata prefix.
      return {
        issuerPath: `/sts.windows.net/${t}/`,
        issuer: `${origin}/sts.windows.net/${t}/`,
        metadataIssuer: `${origin}/sts.windows.net/${t}/`,
        discoveryPath: `/${t}/.well-known/openid-configuration`,
        extraDiscoveryPaths: [],
        jwksPath: `/${t}/discovery/keys`,
        tokenPath: `/${t}/oauth2/token`,
        authorizePath: `/${t}/oauth2/authorize`,
        introspectionPost: false,
      }
    case 'auth0':
      return {
        issuerPath: '/',
        issuer: `${origin}/`,
        metadataIssuer: `${origin}/`,
        discoveryPath: '/.well-known/openid-configuration',
        extraDiscoveryPaths: [],
        jwksPath: '/.well-known/jwks.json',
        tokenPath: '/oauth/token',
        authorizePath: '/authorize',
        introspectionPost: false,
      }
    case 'okta': {
      const p = `/oauth2/${o.authServerId}`
      return {
        issuerPath: p,
        issuer: `${origin}${p}`,
        metadataIssuer: `${origin}${p}`,
        discoveryPath: `${p}/.well-known/openid-configuration`,
        extraDiscoveryPaths: [],
        native8414Path: `${p}/.well-known/oauth-authorization-server`,
        jwksPath: `${p}/v1/keys`,
        tokenPath: `${p}/v1/token`,
        authorizePath: `${p}/v1/authorize`,
        introspectionPath: `${p}/v1/introspect`,
        introspectionPost: true,
      }
    }
    case 'keycloak': {
      const p = `/realms/${o.realm}`
      return {
        issuerPath: p,
        issuer: `${origin}${p}`,
        metadataIssuer: `${origin}${p}`,
        discoveryPath: `${p}/.well-known/openid-configuration`,
        extraDiscoveryPaths: [],
        jwksPath: `${p}/protocol/openid-connect/certs`,
        tokenPath: `${p}/protocol/openid-connect/token`,
        authorizePath: `${p}/protocol/openid-connect/auth`,
        introspectionPath: `${p}/protocol/openid-connect/token/introspect`,
        introspectionPost: true,
      }
    }
    case 'cognito': {
      const p = `/${o.userPoolId}`
      return {
        issuerPath: p,
        issuer: `${origin}${p}`,
        metadataIssuer: `${origin}${p}`,
        discoveryPath: `${p}/.well-known/openid-configuration`,
        extraDiscoveryPaths: [],
        jwksPath: `${p}/.well-known/jwks.json`,
        tokenPath: `/oauth2/token`,
        authorizePath: `/oauth2/authorize`,
        introspectionPost: false,
      }
    }
    case 'identityserver':
      return {
        issuerPath: '',
        issuer: origin,
        metadataIssuer: origin,
        discoveryPath: '/.well-known/openid-configuration',
        extraDiscoveryPaths: [],
        jwksPath: '/.well-known/openid-configuration/jwks',
        tokenPath: '/connect/token',
        authorizePath: '/connect/authorize',
        introspectionPath: '/connect/introspect',
        introspectionPost: false,
      }
  }
}

/** RFC 8414 metadata path for an issuer path, in either form. */
function oauthMetadataPath(issuerPath: string, form: 'path-inserted' | 'path-appended'): string {
  const p = issuerPath.replace(/\/+$/, '')
  return form === 'path-inserted' ? `/.well-known/oauth-authorization-server${p}` : `${p}/.well-known/oauth-authorization-server`
}

/* ------------------------------------------------------------------------------------------------
 * startVendorAS
 * --------------------------------------------------------------------------------------------- */

const DEFAULT_TENANT = 'a1b2c3d4-0000-4000-8000-00000000e171'
const ENTRA_API_APP_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3'
const ENTRA_CLIENT_APP_ID = '3f1c7a3e-0c2b-4c4f-9d52-8d3a1b2c4d5e'

function defaultAudience(vendor: Vendor): string {
  switch (vendor) {
    case 'entra-v1':
      return `api://${ENTRA_API_APP_ID}`
    case 'entra-v2':
    case 'entra-multitenant':
      return ENTRA_API_APP_ID
    case 'auth0':
      return 'https://api.example.test'
    case 'okta':
      return 'api://default'
    case 'keycloak':
      return 'orders-api'
    case 'cognito':
      return 'orders-api'
    case 'identityserver':
      return 'api1'
  }
}

function defaultClientId(vendor: Vendor): string {
  switch (vendor) {
    case 'entra-v1':
    case 'entra-v2':
    case 'entra-multitenant':
      return ENTRA_CLIENT_APP_ID
    case 'auth0':
      return 'K1AUPhZq8mRi0Q0pjhkfu1D7y6KjDQja'
    case 'okta':
      return '0oa1bcdEFGhijKLM2n3o'
    case 'keycloak':
      return 'web-app'
    case 'cognito':
      return '7m1234abcdefghijklmnopqrst'
    case 'identityserver':
      return 'client'
  }
}

/**
 * Starts a local authorization server on `127.0.0.1` (ephemeral port) that looks like `vendor`
 * to a resource server: its metadata and JWKS at the vendor's paths (under the local origin), its
 * introspection endpoint where the vendor has one, and helpers that mint tokens shaped EXACTLY like
 * that vendor's. Shapes, and the public documentation they were checked against:
 *
 * **Entra ID** (Microsoft identity platform "Access token claims reference", "ID token claims
 * reference", "OpenID Connect on the Microsoft identity platform"):
 * header `typ: "JWT"`, `alg: "RS256"`, `kid`; `x5t` (= `kid`) in v1.0 tokens only. JWKS keys carry
 * `kid` and `x5t`. v2.0: `iss` `…/{tid}/v2.0`, `aud` = the API's client id (GUID), `azp`, `azpacr`,
 * `ver: "2.0"`; metadata `/{tenant}/v2.0/.well-known/openid-configuration`, keys
 * `/{tenant}/discovery/v2.0/keys`. v1.0: `iss` `https://sts.windows.net/{tid}/` (trailing slash;
 * here `{origin}/sts.windows.net/{tid}/`: the issuer is NOT under the metadata URL, as in real
 * life), `aud` = App ID URI (`api://…`) or client id, `appid`, `appidacr`, `ver: "1.0"`, `unique_name`;
 * metadata `/{tenant}/.well-known/openid-configuration`, keys `/{tenant}/discovery/keys`.
 * Both: `tid`, `oid`, `sub`, `scp` (space-separated STRING, delegated tokens only), `roles`
 * (array; app-only tokens have `roles` and no `scp`), `groups` (array of GUIDs), `uti`, `aio`.
 * Multi-tenant (`/common/v2.0/…` and `/organizations/v2.0/…`): metadata `issuer` is the template
 * `…/{tenantid}/v2.0`; each token's `iss` carries its own `tid` (override `tid` to mint another
 * tenant's token, `iss` follows). No introspection.
 *
 * **Auth0** ("Access Token Profiles"): `iss` `https://{tenant}.auth0.com/` (trailing slash; here
 * `{origin}/`), RS256, `kid`. Profile "Auth0" (default): header `typ: "JWT"`, client in `azp`,
 * `gty: "client-credentials"` for M2M, no `jti`. Profile "RFC 9068": header `typ: "at+jwt"`,
 * client in `client_id`, `jti`, no `gty`. Both: `aud` a string, or an array with
 * `{issuer}userinfo` when `openid` was asked; `scope` space-separated string; `permissions` array
 * (RBAC). M2M `sub` = `{client_id}@clients`. Discovery `/.well-known/openid-configuration`, keys
 * `/.well-known/jwks.json`. No introspection.
 *
 * **Okta** custom authorization server (Okta "OpenID Connect & OAuth 2.0 API" reference): `iss`
 * `https://{org}.okta.com/oauth2/{authServerId}`; access token header `alg: "RS256"`, `kid`, NO
 * `typ`; claims `ver: 1` (integer), `jti: "AT.…"`, `aud` (`api://default` for the default server),
 * `cid` (client), `uid` (user only), `scp` (JSON ARRAY), `sub`, `auth_time`, `groups` when
 * configured. ID token header without `typ`, `ver: 1`, `jti: "ID.…"`, `amr`, `idp`, `at_hash`.
 * Metadata `{issuer}/.well-known/openid-configuration` and `{issuer}/.well-known/oauth-authorization-server`,
 * keys `{issuer}/v1/keys`, introspection `{issuer}/v1/introspect` (Basic or post; answers `active`,
 * `token_type: "Bearer"`, `scope` string, `client_id`, `username`, `uid`, … ; 401 `invalid_client`).
 *
 * **Keycloak** (Keycloak "Securing applications … OpenID Connect" endpoints): `iss`
 * `{base}/realms/{realm}`; header `typ: "JWT"`, RS256, `kid`; `typ: "Bearer"` claim, `azp`,
 * `scope` string, `realm_access.roles`, `resource_access.{client}.roles`, `aud` only `account`
 * unless an audience mapper adds the API (here: `["{audience}", "account"]`), `sid`,
 * `preferred_username`; ID token `typ: "ID"` claim. Keys `…/protocol/openid-connect/certs`,
 * introspection `…/protocol/openid-connect/token/introspect` (Basic or post).
 *
 * **Amazon Cognito** ("Understanding the access token", "Understanding the identity (ID) token",
 * "Verifying JSON web tokens"): `iss` `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`
 * (here `{origin}/{userPoolId}`); header `kid` + `alg: "RS256"`, NO `typ`; access tokens have NO
 * `aud`: `client_id`, `token_use: "access"`, `scope` string, `username`, `cognito:groups`,
 * `origin_jti`, `event_id`, `jti`, `auth_time`. ID tokens: `token_use: "id"`, `aud` = client id,
 * `cognito:username`, signed with a DIFFERENT key than access tokens. Keys
 * `{issuer}/.well-known/jwks.json`. No introspection.
 *
 * **Duende IdentityServer** ("IdentityServer Options": `AccessTokenJwtType` default `at+jwt`;
 * "Authorization based on Scopes and Claims": scope claim format, `EmitScopesAsSpaceDelimitedStringInJwt`;
 * "Introspection Endpoint"): `iss` = the origin (no trailing slash); header `typ: "at+jwt"`, RS256,
 * `kid`; `scope` JSON ARRAY by default (string with the option), `client_id`, `aud` = API resource
 * name, `nbf`, `jti`, user tokens `sub`, `auth_time`, `idp`, `amr`, `sid`. Keys
 * `/.well-known/openid-configuration/jwks`; introspection `/connect/introspect` with Basic auth of
 * the API resource name + secret (401 otherwise); `/connect/token` serves client_credentials.
 */
export async function startVendorAS(vendor: Vendor, options: VendorASOptions = {}): Promise<VendorAS> {
  const ttl = options.tokenTtl ?? 3600
  const keys: SigningKey[] = [await newKey(vendor)]
  // Cognito signs ID tokens with another key than access tokens.
  let idKey: SigningKey | undefined = vendor === 'cognito' ? await newKey(vendor) : undefined
  if (idKey) keys.push(idKey)
  let current = keys[0]!

  const counts = new Map<string, number>()
  const tokens = new Map<string, Record<string, unknown>>() // token -> introspection claims
  const revoked = new Set<string>()
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>
  const server = await startHttpServer((req, res) => handler(req, res))
  const origin = server.url

  const tenantId = options.tenantId ?? DEFAULT_TENANT
  const layout = layoutFor(vendor, origin, {
    tenantId,
    authServerId: options.authServerId ?? 'default',
    realm: options.realm ?? 'demo',
    userPoolId: options.userPoolId ?? 'eu-west-3_Ex4mpLe01',
  })
  const audience = options.audience ?? defaultAudience(vendor)
  const client: ClientCredentials = {
    clientId: options.clientId ?? defaultClientId(vendor),
    clientSecret: options.clientSecret ?? b64url(randomBytes(24)),
  }
  const hasIntrospection = layout.introspectionPath !== undefined
  const apiCredentials: ClientCredentials | undefined = hasIntrospection
    ? {
        clientId:
          options.apiCredentials?.clientId ??
          (vendor === 'identityserver' ? audience : vendor === 'okta' ? '0oaApiResourceServer1' : 'orders-api'),
        clientSecret: options.apiCredentials?.clientSecret ?? b64url(randomBytes(24)),
      }
    : undefined

  const only8414 = options.oauth8414Only === true ? 'path-inserted' : options.oauth8414Only || undefined
  const abs = (p: string): string => `${origin}${p}`
  const metadata: Record<string, unknown> = {
    issuer: layout.metadataIssuer,
    authorization_endpoint: abs(layout.authorizePath),
    token_endpoint: abs(layout.tokenPath),
    jwks_uri: abs(layout.jwksPath),
    response_types_supported: ['code', 'id_token', 'code id_token'],
    subject_types_supported: [vendor.startsWith('entra') ? 'pairwise' : 'public'],
    id_token_signing_alg_values_supported: ['RS256'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
  }
  if (vendor.startsWith('entra')) metadata.tenant_region_scope = 'EU'
  if (hasIntrospection) {
    metadata.introspection_endpoint = abs(layout.introspectionPath!)
    metadata.introspection_endpoint_auth_methods_supported = layout.introspectionPost
      ? ['client_secret_basic', 'client_secret_post']
      : ['client_secret_basic']
  }
  if (vendor === 'okta') metadata.claims_supported = ['ver', 'jti', 'iss', 'aud', 'iat', 'exp', 'cid', 'uid', 'scp', 'sub']
  const metadataPath = only8414 ? oauthMetadataPath(layout.issuerPath, only8414) : layout.discoveryPath
  const metadataPaths = new Set<string>(
    only8414
      ? [metadataPath]
      : [layout.discoveryPath, ...layout.extraDiscoveryPaths, ...(layout.native8414Path ? [layout.native8414Path] : [])],
  )

  /* ---------------- token building ---------------- */

  function issuerFor(claims: Record<string, unknown>): string {
    if (vendor === 'entra-multitenant' && typeof claims.tid === 'string') return `${origin}/${claims.tid}/v2.0`
    return layout.issuer
  }

  function accessDefaults(appOnly: boolean, exp: number, iat: number): Record<string, unknown> {
    const userId = guid()
    switch (vendor) {
      case 'entra-v1':
      case 'entra-v2':
      case 'entra-multitenant': {
        const v1 = vendor === 'entra-v1'
        const oid = guid()
        const c: Record<string, unknown> = {
          aud: audience,
          iat,
          nbf: iat,
          exp,
          aio: b64url(randomBytes(40)),
          oid,
          sub: appOnly ? oid : b64url(randomBytes(32)),
          tid: tenantId,
          uti: b64url(randomBytes(16)),
          rh: `0.${b64url(randomBytes(30))}.`,
          ver: v1 ? '1.0' : '2.0',
        }
        if (v1) {
          c.appid = client.clientId
          c.appidacr = '1'
        } else {
          c.azp = client.clientId
          c.azpacr = '1'
        }
        if (appOnly) {
          c.roles = ['Orders.Read.All']
        } else {
          c.scp = 'Orders.Read Orders.Write'
          c.name = 'Ada Lovelace'
          if (v1) {
            c.unique_name = 'ada@contoso.example'
            c.upn = 'ada@contoso.example'
            c.amr = ['pwd', 'mfa']
            c.acr = '1'
          } else {
            c.preferred_username = 'ada@contoso.example'
          }
        }
        return c
      }
      case 'auth0': {
        const rfc = options.auth0Profile === 'rfc9068'
        const c: Record<string, unknown> = {
          iss: layout.issuer,
          sub: appOnly ? `${client.clientId}@clients` : 'auth0|6553da60a54af58e29493993',
          aud: appOnly ? audience : [audience, `${layout.issuer}userinfo`],
          iat,
          exp,
          scope: appOnly ? 'read:orders' : 'openid profile read:orders',
          permissions: ['read:orders'],
        }
        if (rfc) {
          c.client_id = client.clientId
          c.jti = b64url(randomBytes(16))
        } else {
          c.azp = client.clientId
          if (appOnly) c.gty = 'client-credentials'
        }
        return c
      }
      case 'okta': {
        const c: Record<string, unknown> = {
          ver: 1,
          jti: `AT.${b64url(randomBytes(32))}`,
          iss: layout.issuer,
          aud: audience,
          iat,
          exp,
          cid: client.clientId,
          scp: appOnly ? ['orders.read'] : ['openid', 'profile', 'orders.read'],
          sub: appOnly ? client.clientId : 'ada.lovelace@example.com',
        }
        if (!appOnly) {
          c.uid = '00uid4BxXw6I6TV4m0g3'
          c.auth_time = iat - 30
          c.groups = ['Everyone', 'OrdersAdmins']
        }
        return c
      }
      case 'keycloak': {
        const sid = guid()
        const c: Record<string, unknown> = {
          exp,
          iat,
          jti: guid(),
          iss: layout.issuer,
          aud: [audience, 'account'],
          sub: userId,
          typ: 'Bearer',
          azp: client.clientId,
          acr: '1',
          'allowed-origins': ['http://127.0.0.1'],
          realm_access: { roles: ['offline_access', `default-roles-${options.realm ?? 'demo'}`, 'uma_authorization', 'orders-admin'] },
          resource_access: {
            [audience]: { roles: ['orders:read'] },
            account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] },
          },
          scope: appOnly ? 'profile email' : 'openid profile email',
          email_verified: true,
        }
        if (appOnly) {
          c.preferred_username = `service-account-${client.clientId}`
        } else {
          c.session_state = sid
          c.sid = sid
          c.name = 'Ada Lovelace'
          c.preferred_username = 'ada'
          c.given_name = 'Ada'
          c.family_name = 'Lovelace'
          c.email = 'ada@example.com'
        }
        return c
      }
      case 'cognito': {
        const c: Record<string, unknown> = {
          sub: appOnly ? client.clientId : userId,
          iss: layout.issuer,
          client_id: client.clientId,
          token_use: 'access',
          scope: appOnly ? `${audience}/orders.read` : 'aws.cognito.signin.user.admin openid profile',
          auth_time: iat,
          exp,
          iat,
          jti: guid(),
        }
        if (!appOnly) {
          c['cognito:groups'] = ['admins', 'editors']
          c.origin_jti = guid()
          c.event_id = guid()
          c.username = 'ada'
        }
        return c
      }
      case 'identityserver': {
        const scopes = appOnly ? ['api1.read'] : ['openid', 'profile', 'api1.read']
        const c: Record<string, unknown> = {
          iss: layout.issuer,
          nbf: iat,
          iat,
          exp,
          aud: audience,
          scope: options.emitScopesAsSpaceDelimitedString ? scopes.join(' ') : scopes,
          client_id: client.clientId,
          jti: randomBytes(16).toString('hex').toUpperCase(),
        }
        if (!appOnly) {
          c.sub = '818727'
          c.auth_time = iat - 30
          c.idp = 'local'
          c.amr = ['pwd']
          c.sid = randomBytes(16).toString('hex').toUpperCase()
        }
        return c
      }
    }
  }

  function accessHeader(): Record<string, unknown> {
    switch (vendor) {
      case 'entra-v1':
        return { typ: 'JWT', alg: 'RS256', x5t: current.kid, kid: current.kid }
      case 'entra-v2':
      case 'entra-multitenant':
        return { typ: 'JWT', alg: 'RS256', kid: current.kid }
      case 'auth0':
        return { alg: 'RS256', typ: options.auth0Profile === 'rfc9068' ? 'at+jwt' : 'JWT', kid: current.kid }
      case 'keycloak':
        return { alg: 'RS256', typ: 'JWT', kid: current.kid }
      case 'identityserver':
        return { alg: 'RS256', kid: current.kid, typ: 'at+jwt' }
      case 'okta':
      case 'cognito':
        return { kid: current.kid, alg: 'RS256' }
    }
  }

  function idHeader(key: SigningKey): Record<string, unknown> {
    switch (vendor) {
      case 'entra-v1':
        return { typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid }
      case 'okta':
      case 'cognito':
        return { kid: key.kid, alg: 'RS256' }
      default:
        return { alg: 'RS256', typ: 'JWT', kid: key.kid }
    }
  }

  function idDefaults(exp: number, iat: number): Record<string, unknown> {
    const nonce = b64url(randomBytes(16))
    switch (vendor) {
      case 'entra-v1':
      case 'entra-v2':
      case 'entra-multitenant': {
        const v1 = vendor === 'entra-v1'
        const c: Record<string, unknown> = {
          aud: client.clientId,
          iat,
          nbf: iat,
          exp,
          name: 'Ada Lovelace',
          nonce,
          oid: guid(),
          sub: b64url(randomBytes(32)),
          tid: tenantId,
          uti: b64url(randomBytes(16)),
          ver: v1 ? '1.0' : '2.0',
        }
        if (v1) {
          c.unique_name = 'ada@contoso.example'
          c.upn = 'ada@contoso.example'
          c.amr = ['pwd']
        } else {
          c.preferred_username = 'ada@contoso.example'
          c.aio = b64url(randomBytes(40))
        }
        return c
      }
      case 'auth0':
        return {
          iss: layout.issuer,
          sub: 'auth0|6553da60a54af58e29493993',
          aud: client.clientId,
          iat,
          exp,
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          email_verified: true,
          nonce,
          sid: b64url(randomBytes(16)),
        }
      case 'okta':
        return {
          ver: 1,
          sub: '00uid4BxXw6I6TV4m0g3',
          iss: layout.issuer,
          aud: client.clientId,
          iat,
          exp,
          jti: `ID.${b64url(randomBytes(32))}`,
          amr: ['pwd'],
          idp: '00ok1u7AsAkrwdZL3z0g3',
          nonce,
          auth_time: iat - 30,
          preferred_username: 'ada.lovelace@example.com',
        }
      case 'keycloak': {
        const sid = guid()
        return {
          exp,
          iat,
          auth_time: iat - 30,
          jti: guid(),
          iss: layout.issuer,
          aud: client.clientId,
          sub: guid(),
          typ: 'ID',
          azp: client.clientId,
          nonce,
          session_state: sid,
          sid,
          acr: '1',
          email_verified: true,
          preferred_username: 'ada',
        }
      }
      case 'cognito':
        return {
          sub: guid(),
          'cognito:groups': ['admins', 'editors'],
          email_verified: true,
          iss: layout.issuer,
          'cognito:username': 'ada',
          origin_jti: guid(),
          aud: client.clientId,
          event_id: guid(),
          token_use: 'id',
          auth_time: iat,
          nonce,
          exp,
          iat,
          jti: guid(),
          email: 'ada@example.com',
        }
      case 'identityserver':
        return {
          iss: layout.issuer,
          nbf: iat,
          iat,
          exp,
          aud: client.clientId,
          nonce,
          amr: ['pwd'],
          sid: randomBytes(16).toString('hex').toUpperCase(),
          sub: '818727',
          auth_time: iat - 30,
          idp: 'local',
        }
    }
  }

  async function sign(header: Record<string, unknown>, payload: Record<string, unknown>, kid?: string): Promise<string> {
    const key = kid ? keys.find((k) => k.kid === kid) : keys.find((k) => k.kid === header.kid)
    if (!key) throw new Error(`startVendorAS(${vendor}): no key ${String(kid ?? header.kid)}`)
    const h = { ...header }
    if (kid) {
      h.kid = kid
      if ('x5t' in h) h.x5t = kid
    }
    return new SignJWT(payload).setProtectedHeader(h as { alg: string }).sign(key.privateKey)
  }

  /** RFC 7662 answer for a minted JWT's claims, vendor flavoured. */
  function introspectionFromJwt(c: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...c, active: true }
    if (vendor === 'okta') {
      out.client_id = c.cid
      out.scope = Array.isArray(c.scp) ? c.scp.join(' ') : c.scp
      out.token_type = 'Bearer'
      out.username = c.sub
      delete out.cid
      delete out.scp
      delete out.ver
      delete out.auth_time
      delete out.groups
    } else if (vendor === 'keycloak') {
      out.client_id = c.azp
      out.username = c.preferred_username
      out.token_type = 'Bearer'
    } else if (vendor === 'identityserver') {
      out.scope = Array.isArray(c.scope) ? c.scope.join(' ') : c.scope
      out.token_type = 'access_token'
    }
    return out
  }

  function opaqueDefaults(): Record<string, unknown> {
    const iat = now()
    const base: Record<string, unknown> = { iss: layout.issuer, iat, exp: iat + ttl, client_id: client.clientId }
    if (vendor === 'okta')
      return {
        ...base,
        token_type: 'Bearer',
        scope: 'openid profile orders.read',
        username: 'ada.lovelace@example.com',
        sub: 'ada.lovelace@example.com',
        aud: audience,
        jti: `AT.${b64url(randomBytes(16))}`,
        uid: '00uid4BxXw6I6TV4m0g3',
      }
    if (vendor === 'keycloak')
      return {
        ...base,
        token_type: 'Bearer',
        scope: 'openid profile email',
        username: 'ada',
        sub: guid(),
        aud: [audience, 'account'],
        azp: client.clientId,
        typ: 'Bearer',
        jti: guid(),
        realm_access: { roles: ['orders-admin'] },
      }
    return {
      ...base,
      token_type: 'access_token',
      scope: 'api1.read',
      nbf: iat,
      aud: audience,
      jti: randomBytes(16).toString('hex').toUpperCase(),
      sub: '818727',
    }
  }

  /* ---------------- HTTP ---------------- */

  async function introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return json(res, 405, { error: 'invalid_request' }, { allow: 'POST' })
    const form = new URLSearchParams(await readBody(req))
    const auth = clientAuth(req, form, layout.introspectionPost)
    if (!auth || auth.clientId !== apiCredentials!.clientId || auth.clientSecret !== apiCredentials!.clientSecret) {
      const body =
        vendor === 'okta' ? { error: 'invalid_client', error_description: 'No client credentials found.' } : { error: 'invalid_client' }
      return json(res, 401, body, vendor === 'identityserver' ? {} : { 'www-authenticate': 'Basic realm="introspection"' })
    }
    const token = form.get('token')
    if (!token) return json(res, 400, { error: 'invalid_request', error_description: 'token is required' })
    const claims = tokens.get(token)
    const exp = claims?.exp
    if (!claims || revoked.has(token) || (typeof exp === 'number' && exp <= now())) return json(res, 200, { active: false })
    return json(res, 200, claims)
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return json(res, 405, { error: 'invalid_request' }, { allow: 'POST' })
    const form = new URLSearchParams(await readBody(req))
    const auth = clientAuth(req, form, true)
    if (!auth || auth.clientId !== client.clientId || auth.clientSecret !== client.clientSecret)
      return json(res, 400, { error: 'invalid_client' })
    if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' })
    const scopes = (form.get('scope') ?? 'api1.read').split(' ').filter(Boolean)
    const token = await api.mintAccessToken(
      { scope: options.emitScopesAsSpaceDelimitedString ? scopes.join(' ') : scopes },
      { appOnly: true },
    )
    return json(
      res,
      200,
      { access_token: token, expires_in: ttl, token_type: 'Bearer', scope: scopes.join(' ') },
      { 'cache-control': 'no-store' },
    )
  }

  handler = async (req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname
    counts.set(path, (counts.get(path) ?? 0) + 1)
    if (req.method === 'GET' && metadataPaths.has(path)) return json(res, 200, metadata)
    if (req.method === 'GET' && path === layout.jwksPath) return json(res, 200, { keys: keys.map((k) => k.publicJwk) })
    if (hasIntrospection && path === layout.introspectionPath) return introspect(req, res)
    if (vendor === 'identityserver' && path === layout.tokenPath) return tokenEndpoint(req, res)
    req.resume()
    return json(res, 404, { error: 'not_found', path })
  }

  const api: VendorAS = {
    vendor,
    origin,
    issuer: layout.issuer,
    metadataIssuer: layout.metadataIssuer,
    metadataUrl: abs(metadataPath),
    openidConfigurationUrl: abs(layout.discoveryPath),
    metadata,
    jwksUri: abs(layout.jwksPath),
    tokenEndpoint: abs(layout.tokenPath),
    introspectionEndpoint: hasIntrospection ? abs(layout.introspectionPath!) : undefined,
    audience,
    client,
    clientId: client.clientId,
    tenantId: vendor.startsWith('entra') ? tenantId : undefined,
    apiCredentials,
    jwks: () => ({ keys: keys.map((k) => ({ ...k.publicJwk })) }),
    async mintAccessToken(overrides = {}, o = {}) {
      const iat = now()
      const exp = iat + (o.expiresIn ?? ttl)
      let claims = merge(accessDefaults(o.appOnly ?? false, exp, iat), overrides)
      if (vendor.startsWith('entra') && !('iss' in overrides)) claims = { iss: issuerFor(claims), ...claims }
      const token = await sign(merge(accessHeader(), o.header), claims, o.kid)
      if (hasIntrospection) tokens.set(token, introspectionFromJwt(claims))
      return token
    },
    async mintIdToken(overrides = {}, o = {}) {
      const iat = now()
      const exp = iat + (o.expiresIn ?? ttl)
      const defaults = idDefaults(exp, iat)
      if (o.accessToken) defaults.at_hash = atHash(o.accessToken)
      let claims = merge(defaults, overrides)
      if (vendor.startsWith('entra') && !('iss' in overrides)) claims = { iss: issuerFor(claims), ...claims }
      const key = idKey ?? current
      return sign(merge(idHeader(key), o.header), claims, o.kid)
    },
    mintOpaqueToken(claims = {}) {
      if (!hasIntrospection) throw new Error(`${vendor} has no introspection endpoint: its access tokens are JWTs`)
      const token =
        vendor === 'okta'
          ? b64url(randomBytes(32))
          : vendor === 'identityserver'
            ? randomBytes(32).toString('hex').toUpperCase()
            : b64url(randomBytes(48))
      tokens.set(token, { active: true, ...merge(opaqueDefaults(), claims) })
      return token
    },
    revoke(token) {
      revoked.add(token)
    },
    async rotateKeys(o = {}) {
      const next = await newKey(vendor)
      if (o.retire) {
        const i = keys.indexOf(current)
        if (i >= 0) keys.splice(i, 1)
        if (idKey === current) idKey = undefined
      }
      keys.push(next)
      current = next
      return next.kid
    },
    requests(pathname) {
      const p = pathname.startsWith('http') ? new URL(pathname).pathname : pathname
      return counts.get(p) ?? 0
    },
    resetRequests() {
      counts.clear()
    },
    url: (path) => abs(path),
    stop: () => server.close(),
  }
  return api
}
