/**
 * Microsoft Entra ID (Azure AD) as the authorization server: v1.0 and v2.0 access tokens, single-
 * and multi-tenant applications.
 *
 * @module presets/entra-id
 */
import { TENANT_PLACEHOLDER } from '../jwt/index.js'
import type { ResourceServerOptions } from '../resource-server/index.js'
import { lenientJwt, type PassThroughOptions, presetError, requireString } from './shared.js'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MULTI_TENANT = new Set(['common', 'organizations'])

/** Options of {@link entraId}. */
export interface EntraIdOptions extends Omit<
  PassThroughOptions,
  'tokenFormat' | 'clientId' | 'clientSecret' | 'privateKey' | 'authMethod' | 'audience'
> {
  /**
   * Your directory's tenant id (a GUID) for a single-tenant API, or `common` / `organizations` for a
   * multi-tenant one: each token's `iss` is then checked against the template with the token's own `tid`.
   */
  tenant: string
  /**
   * The `aud` of your API's access tokens: with v2.0 tokens, the API's application (client) id;
   * with v1.0 tokens, its Application ID URI (`api://…`) or client id, as the client asked for it.
   */
  audience: string | string[]
  /**
   * The access token version your API's app registration issues: `accessTokenAcceptedVersion` in its
   * manifest (`2`, or `null`/`1` for v1.0, the default of new registrations is v1.0 unless set). Default 2.
   */
  version?: 1 | 2
  /** Multi-tenant: the tenants (GUIDs) whose tokens are accepted. Default: any tenant. */
  allowedTenants?: string[]
  /** The login host. Default `https://login.microsoftonline.com` (sovereign clouds: their host). */
  authority?: string
  /** Overrides the issuer (or template) computed from `tenant`, `version` and `authority`. */
  issuer?: string
}

/**
 * Options for {@link createResourceServer} with Microsoft Entra ID: JWT access tokens verified
 * against the tenant's published keys (no discovery: the keys' URL is known), `typ: "JWT"` accepted,
 * the exact issuer of the token version (v2.0 `https://login.microsoftonline.com/{tid}/v2.0`, v1.0
 * `https://sts.windows.net/{tid}/`), and for `common` / `organizations` the issuer checked against
 * the token's `tid` (optionally within `allowedTenants`). Delegated tokens carry `scp`; app-only
 * tokens carry `roles`: require them with a route's `roles`.
 *
 * @example
 * ```ts
 * import { createResourceServer, entraId } from '@org/rs-core'
 *
 * const rs = createResourceServer(
 *   entraId({
 *     tenant: '0b7c5a8e-1d6f-4c2b-9a3e-5f8d7c6b4a21',
 *     audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3', // the API's application (client) id (v2.0 tokens)
 *   }),
 * )
 * const auth = await rs.authenticate('Bearer …', { roles: ['Orders.Read.All'] })
 * ```
 */
export function entraId(options: EntraIdOptions): ResourceServerOptions {
  const { tenant, version = 2, authority = 'https://login.microsoftonline.com', issuer, allowedTenants, jwt, ...rest } = options
  requireString('entraId', 'tenant', tenant, 'your tenant id (a GUID), or "common" / "organizations" for a multi-tenant API')
  const multi = MULTI_TENANT.has(tenant)
  if (!multi && !GUID.test(tenant))
    presetError('entraId', 'tenant', 'expected the tenant id (a GUID, not a domain name), or "common" / "organizations"')
  if (version !== 1 && version !== 2)
    presetError('entraId', 'version', 'expected 1 or 2 (accessTokenAcceptedVersion of the API app registration)')
  if (allowedTenants !== undefined && !multi) presetError('entraId', 'allowedTenants', 'only with tenant "common" or "organizations"')
  const base = authority.replace(/\/+$/, '')
  const tid = multi ? TENANT_PLACEHOLDER : tenant
  return {
    ...rest,
    issuer: issuer ?? (version === 2 ? `${base}/${tid}/v2.0` : `https://sts.windows.net/${tid}/`),
    jwksUri: `${base}/${tenant}/discovery/${version === 2 ? 'v2.0/' : ''}keys`,
    tokenFormat: 'jwt',
    jwt: lenientJwt(jwt),
    ...(allowedTenants ? { allowedTenants } : {}),
  }
}
