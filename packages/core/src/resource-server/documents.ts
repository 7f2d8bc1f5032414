/**
 * The documents a resource server publishes: its JWKS (the public keys the AS encrypts
 * introspection responses to) and its RFC 9728 protected resource metadata.
 *
 * @module resource-server/documents
 */
import { toErrorResponse } from '../error-response.js'
import type { ImportedKey } from '../keys/index.js'
import type { ParsedOptions } from './options.js'
import type { DocumentResponse, ProtectedResourceMetadata } from './types.js'

/** RFC 9728 §3.1: the well-known URL is made by inserting `/.well-known/oauth-protected-resource` before the path. */
export function wellKnownMetadataUrl(resource: string): string {
  const url = new URL(resource)
  const path = url.pathname === '/' ? '' : url.pathname
  return `${url.origin}/.well-known/oauth-protected-resource${path}`
}

/** The public JWK Set of the resource server's decryption keys. */
export type PublicJwks = (keys: readonly ImportedKey[]) => { keys: object[] }

export class PublishedDocuments {
  readonly #o: ParsedOptions
  readonly #issuers: readonly string[]
  readonly #decryptionKeys: () => Promise<readonly ImportedKey[]>
  readonly #publicJwks: PublicJwks
  /** Where the RFC 9728 metadata is served, when `resource` is set. */
  readonly resourceMetadataUrl: string | undefined

  constructor(o: ParsedOptions, issuers: readonly string[], decryptionKeys: () => Promise<readonly ImportedKey[]>, publish: PublicJwks) {
    this.#o = o
    this.#issuers = issuers
    this.#decryptionKeys = decryptionKeys
    this.#publicJwks = publish
    this.resourceMetadataUrl = o.resource === undefined ? undefined : (o.resourceMetadata?.url ?? wellKnownMetadataUrl(o.resource))
  }

  get resourceMetadataPath(): string | undefined {
    return this.resourceMetadataUrl === undefined ? undefined : new URL(this.resourceMetadataUrl).pathname
  }

  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    return this.#publicJwks(await this.#decryptionKeys()) as { keys: Record<string, unknown>[] }
  }

  async jwksResponse(): Promise<DocumentResponse> {
    try {
      const body = this.#publicJwks(await this.#decryptionKeys())
      return { status: 200, headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' }, body }
    } catch (err) {
      return toErrorResponse(err)
    }
  }

  protectedResourceMetadata(): ProtectedResourceMetadata | undefined {
    const o = this.#o
    if (o.resource === undefined) return undefined
    return {
      resource: o.resource,
      authorization_servers: [...this.#issuers],
      bearer_methods_supported: ['header'],
      ...(o.resourceMetadata?.scopesSupported ? { scopes_supported: o.resourceMetadata.scopesSupported } : {}),
      ...(o.resourceMetadata?.resourceName ? { resource_name: o.resourceMetadata.resourceName } : {}),
      ...(o.resourceMetadata?.resourceDocumentation ? { resource_documentation: o.resourceMetadata.resourceDocumentation } : {}),
    }
  }

  protectedResourceMetadataResponse(): DocumentResponse {
    const body = this.protectedResourceMetadata()
    if (body === undefined) {
      return {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: { error: 'not_found', error_description: 'No protected resource metadata is configured' },
      }
    }
    return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }, body }
  }
}
