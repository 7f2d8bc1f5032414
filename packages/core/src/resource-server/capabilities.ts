/**
 * What a resource server can do beyond verifying JWT access tokens as bearer tokens: introspection
 * (with its client authentication and encrypted responses), and DPoP / mTLS sender constraints.
 * The assembly (`create.ts`) reaches them only through a {@link Capabilities} object, so a bundler
 * keeps their code (and jose's JWE, oauth4webapi's client) only when the factory used passes them:
 * `createResourceServer` passes all, `createJwtResourceServer` none. Options that would need a missing
 * capability are refused at construction, naming the option; they never silently do less.
 *
 * @module resource-server/capabilities
 */
import type { clientAuthFactory } from '../client-auth.js'
import { ConfigurationError } from '../errors.js'
import type { introspectToken } from '../introspection/index.js'
import type { importPrivateKey, publicJwks } from '../keys/index.js'
import type { SenderConstraints, SenderConstraintSettings } from '../sender-constraint/index.js'
import { BEYOND_JWT, type RouteOptions, senderModeIssue } from './route.js'

/** Token introspection (RFC 7662, RFC 9701 signed and encrypted responses) and what it needs. */
export interface IntrospectionCapability {
  readonly introspect: typeof introspectToken
  readonly clientAuth: typeof clientAuthFactory
  /** Imports `decryptionKeys` (encrypted introspection responses). */
  readonly importKey: typeof importPrivateKey
  /** The public half of the decryption keys, as published by `rs.jwks()`. */
  readonly publicJwks: typeof publicJwks
}

/** What a factory builds in. A capability left out is refused when the options ask for it. */
export interface Capabilities {
  /** The factory, as named in its configuration errors. */
  readonly factory: string
  readonly introspection?: IntrospectionCapability | undefined
  readonly senderConstraints?: ((settings: SenderConstraintSettings) => SenderConstraints) | undefined
}

/** Issuer options that only introspection uses. */
const INTROSPECTION_FIELDS = ['introspectionEndpoint', 'clientId', 'clientSecret', 'privateKey', 'authMethod', 'introspection'] as const

/**
 * Throws a {@link ConfigurationError} naming every option `capabilities` cannot honour (for
 * `createJwtResourceServer`: introspection, encrypted responses, DPoP, mTLS, a token format other
 * than `jwt`). Runs on the options as given, before the schema, whose cross-option checks would
 * otherwise ask for what cannot be used (`clientSecret: required with clientId`). Reads only
 * whether each option is there; the schema then checks everything else.
 */
export function refuseMissingCapabilities(options: unknown, capabilities: Capabilities): void {
  if (typeof options !== 'object' || options === null) return // the schema words this one
  const o = options as Record<string, unknown>
  const issues: { path: string; message: string }[] = []
  const refuse = (path: string, what: string) => issues.push({ path, message: `${what} is ${BEYOND_JWT}` })
  if (capabilities.introspection === undefined) {
    // Not a string: the schema says what is expected.
    if (typeof o.tokenFormat === 'string' && o.tokenFormat !== 'jwt') refuse('tokenFormat', JSON.stringify(o.tokenFormat))
    for (const field of INTROSPECTION_FIELDS) if (o[field] !== undefined) refuse(field, 'introspection')
    if (Array.isArray(o.issuers)) {
      o.issuers.forEach((entry: unknown, i) => {
        if (typeof entry !== 'object' || entry === null) return
        for (const field of INTROSPECTION_FIELDS) {
          if ((entry as Record<string, unknown>)[field] !== undefined) refuse(`issuers.${i}.${field}`, 'introspection')
        }
      })
    }
    if (o.tryAllIntrospectionEndpoints !== undefined) refuse('tryAllIntrospectionEndpoints', 'introspection')
    if (o.audienceClaim !== undefined) refuse('audienceClaim', 'introspection')
    if (o.decryptionKeys !== undefined) refuse('decryptionKeys', 'an encrypted introspection response')
  }
  if (capabilities.senderConstraints === undefined) {
    if (o.dpop !== undefined) refuse('dpop', 'DPoP')
    if (o.mtls !== undefined) refuse('mtls', 'mTLS')
    const every = typeof o.everyRoute === 'object' && o.everyRoute !== null ? (o.everyRoute as RouteOptions) : undefined
    const modes = senderModeIssue(every)
    if (modes !== undefined) issues.push({ ...modes, path: `everyRoute.${modes.path}` })
  }
  if (issues.length > 0) throw new ConfigurationError(capabilities.factory, issues)
}
