/**
 * Reading claims the way vendors put them: nested paths (`realm_access.roles`), and one place that
 * gathers a token's roles, groups and permissions whatever the AS calls them.
 *
 * @module claims
 */
import type { AccessTokenInfo } from './token-info.js'

/**
 * The value at a dotted path in the token's claims (`realm_access.roles`), or `undefined`. A claim
 * whose own name contains a dot (`https://example.com/roles`, `cognito:groups`) is found first.
 *
 * @example
 * ```ts
 * getClaim(auth, 'realm_access.roles') // ['admin', 'user'] for a Keycloak token
 * ```
 */
export function getClaim(auth: Pick<AccessTokenInfo, 'claims'>, path: string): unknown {
  const claims = auth.claims as Record<string, unknown>
  if (Object.prototype.hasOwnProperty.call(claims, path)) return claims[path]
  let value: unknown = claims
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, part))
      return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/**
 * Every role, group and permission the token carries, from the claims vendors use: `roles` (Entra
 * ID, RFC 9068 §7.2), `role` (IdentityServer), `groups` (Okta, RFC 9068), `permissions` (Auth0), `realm_access.roles` and
 * `resource_access.{clientId}.roles` (Keycloak; pass `clientId` for the latter), `cognito:groups`
 * (Cognito), `entitlements` (RFC 9068). Strings only; duplicates removed.
 *
 * @example
 * ```ts
 * if (!rolesOf(auth).includes('billing-admin')) throw new Error('forbidden')
 * ```
 */
export function rolesOf(auth: Pick<AccessTokenInfo, 'claims'>, options: { clientId?: string } = {}): string[] {
  const paths = ['roles', 'role', 'groups', 'permissions', 'entitlements', 'realm_access.roles', 'cognito:groups']
  const values = paths.map((p) => getClaim(auth, p))
  if (options.clientId !== undefined) {
    const access = getClaim(auth, 'resource_access')
    if (typeof access === 'object' && access !== null && Object.prototype.hasOwnProperty.call(access, options.clientId)) {
      values.push(getClaim({ claims: (access as Record<string, Record<string, unknown>>)[options.clientId] ?? {} }, 'roles'))
    }
  }
  const roles = new Set<string>()
  for (const value of values) {
    if (typeof value === 'string') roles.add(value)
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') roles.add(v)
  }
  return [...roles]
}
