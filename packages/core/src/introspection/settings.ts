/**
 * What one introspection call needs, resolved once at construction, and the algorithm lists.
 *
 * @module introspection/settings
 */
import type * as oauth from 'oauth4webapi'
import type { FetchLike } from '../http.js'
import type { ImportedKey, RemoteKeySet } from '../keys/index.js'
import type { MetadataSource } from '../metadata.js'

/** The raw members of an introspection response (RFC 7662 §2.2), as the AS sent them. */
export type IntrospectionClaims = { active: boolean } & Record<string, unknown>

/** Signing algorithms accepted for introspection responses unless configured otherwise. */
export const DEFAULT_INTROSPECTION_SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'] as const
export const KEY_MANAGEMENT_ALGS = ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'] as const
export const CONTENT_ENCRYPTION_ALGS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'] as const
/** A JWE key-management algorithm accepted on encrypted introspection responses. */
export type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGS)[number]
/** A JWE content-encryption algorithm accepted on encrypted introspection responses. */
export type ContentEncryptionAlgorithm = (typeof CONTENT_ENCRYPTION_ALGS)[number]

/** Everything one introspection call needs, resolved at construction. */
export interface IntrospectorSettings {
  metadata: MetadataSource
  clientId: string
  /** The client secret's bytes: the HS256 key of signed responses (RFC 9701 §5). */
  hsSecret: Uint8Array | undefined
  clientAuth: () => Promise<oauth.ClientAuth>
  /** `json`: ask for and accept only JSON; `jwt`: ask for and accept only a (signed, maybe encrypted) JWT. */
  response: 'json' | 'jwt'
  signingAlgorithms: readonly string[]
  /** `required`: a JWE is required; `optional`: a JWE is decrypted, a bare JWS accepted; `none`: a JWE is refused. */
  encryption: 'required' | 'optional' | 'none'
  keyManagementAlgorithms: readonly string[]
  contentEncryptionAlgorithms: readonly string[]
  decryptionKeys: () => Promise<readonly ImportedKey[]>
  keySet: () => RemoteKeySet
  tokenTypeHint: string | undefined
  /** Milliseconds (the `timeout` option is seconds). */
  timeoutMs: number
  fetch: FetchLike | undefined
  allowInsecureRequests: boolean
  clockTolerance: number
  clock: () => number
  /** Every spelling of the client secret (see `secretForms`), removed from AS text put in messages. */
  secretForms: readonly string[]
  /** Largest response body read from the AS, in bytes. */
  maxResponseBytes: number
  /** Seconds: a signed response whose `iat` is older (beyond the clock tolerance) is refused. */
  maxResponseAge: number
}
