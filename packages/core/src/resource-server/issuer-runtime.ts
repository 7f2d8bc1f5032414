/**
 * One authorization server as this resource server uses it: its metadata (discovered or given),
 * its key set, and the settings of introspection and JWT verification, resolved once from the
 * options.
 *
 * @module resource-server/issuer-runtime
 */
import type * as oauth from 'oauth4webapi'
import { type Clock, sha256Hex } from '../cache/index.js'
import type { EventSink } from '../events/index.js'
import { DEFAULT_MAX_RESPONSE_BYTES, type FetchLike } from '../http.js'
import { ConfigurationError } from '../errors.js'
import {
  CONTENT_ENCRYPTION_ALGS,
  DEFAULT_INTROSPECTION_SIGNING_ALGS,
  type IntrospectionClaims,
  type IntrospectorSettings,
  KEY_MANAGEMENT_ALGS,
} from '../introspection/index.js'
import { DEFAULT_JWT_ALGS, type JwtVerifierSettings, type SignatureVerifier, TENANT_PLACEHOLDER } from '../jwt/index.js'
import { type ImportedKey, type PrivateKeyInput, RemoteKeySet, type RemoteKeySetOptions } from '../keys/index.js'
import { MetadataSource } from '../metadata.js'
import { msOf, resolveAuthMethod } from '../options.js'
import { secretForms } from '../redact.js'
import type { IntrospectionCapability } from './capabilities.js'
import { canIntrospect, type IssuerEntry, type ParsedOptions, type TokenFormat } from './options.js'

const encoder = new TextEncoder()

/** What one issuer's tokens must also satisfy, on every request (`undefined` members check nothing). */
export interface IssuerPolicy {
  /** The token's calling client (`clientId`) must be one of these. */
  readonly allowedClients: ReadonlySet<string> | undefined
  /** A token whose `aud` names one of these is an ID token for that OIDC client. */
  readonly oidcClientIds: ReadonlySet<string> | undefined
}

/** What every issuer of one resource server shares. */
export interface SharedIssuerContext {
  events: EventSink
  clock: Clock
  decryptionKeys: () => Promise<readonly ImportedKey[]>
  format: TokenFormat
  /** The signature step of JWT verification, as chosen now (option, adapter default, WebCrypto). */
  signatureVerifier: () => SignatureVerifier
  /** Introspection, when the factory builds it in. */
  introspection: IntrospectionCapability | undefined
}

/** Plain settings every network call of this resource server uses. */
interface NetworkSettings {
  /** Milliseconds (the `timeout` option is seconds). */
  timeoutMs: number
  fetch: FetchLike | undefined
  allowInsecureRequests: boolean
  clockTolerance: number
  maxResponseBytes: number
}

export class IssuerRuntime {
  readonly index: number
  readonly issuer: string
  readonly metadata: MetadataSource
  readonly audience: readonly string[] | undefined
  readonly introspector: IntrospectorSettings | undefined
  readonly jwtSettings: JwtVerifierSettings | undefined
  /** What this issuer's tokens must also satisfy on every request (checked by `TokenPolicies`). */
  readonly policy: IssuerPolicy
  /**
   * Everything besides the token that changes an introspection verdict: the issuer, the client that
   * asks, and how the response is asked for and checked. Part of every verdict cache key, so two
   * resource servers sharing a store never read each other's verdicts.
   */
  readonly verdictScope: string
  #keySet: RemoteKeySet | undefined
  #keySetUrl: string | undefined
  #resolved: oauth.AuthorizationServer | undefined
  readonly #jwksOptions: RemoteKeySetOptions
  readonly #introspection: IntrospectionCapability | undefined

  constructor(index: number, entry: IssuerEntry, o: ParsedOptions, shared: SharedIssuerContext) {
    this.index = index
    this.issuer = entry.issuer
    const net: NetworkSettings = {
      timeoutMs: msOf(o.timeout ?? 5),
      fetch: o.fetch,
      allowInsecureRequests: o.allowInsecureRequests ?? false,
      clockTolerance: o.clockTolerance ?? 5,
      maxResponseBytes: o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    }
    this.audience = entry.audience === undefined ? undefined : typeof entry.audience === 'string' ? [entry.audience] : entry.audience
    this.policy = {
      allowedClients: entry.allowedClients === undefined ? undefined : new Set(entry.allowedClients),
      oidcClientIds: entry.oidcClientIds === undefined ? undefined : new Set(entry.oidcClientIds),
    }
    this.#jwksOptions = {
      cacheMaxAgeMs: msOf(o.jwks?.cacheMaxAge ?? 600),
      cooldownMs: msOf(o.jwks?.cooldown ?? 30),
      timeoutMs: net.timeoutMs,
      fetch: o.fetch,
      maxResponseBytes: net.maxResponseBytes,
      onFetched: (url) => shared.events.emit({ type: 'jwks_refreshed', jwksUri: url }),
    }
    const capability = shared.introspection
    this.#introspection = capability
    const verifiesJwts = shared.format !== 'introspection'
    const keySet = () => this.keySet()
    const introspector =
      capability !== undefined && shared.format !== 'jwt' && canIntrospect(entry)
        ? introspectorSettings(entry, o, net, shared, keySet, capability)
        : undefined
    const jwtSettings = verifiesJwts ? jwtVerifierSettings(entry, this.audience, net, shared, keySet) : undefined
    this.metadata = new MetadataSource({
      issuer: entry.issuer,
      endpoints: { introspection_endpoint: entry.introspectionEndpoint, jwks_uri: entry.jwksUri },
      required: requiredEndpoints(introspector, jwtSettings),
      fetch: o.fetch,
      timeoutMs: net.timeoutMs,
      allowInsecureRequests: net.allowInsecureRequests,
      clock: shared.clock,
      maxAgeMs: msOf(o.metadata?.cacheMaxAge ?? 3600),
      retryCooldownMs: msOf(o.metadata?.cooldown ?? 10),
      onDiscovered: (issuer) => shared.events.emit({ type: 'metadata_discovered', issuer }),
      maxResponseBytes: net.maxResponseBytes,
    })
    this.introspector = introspector === undefined ? undefined : { ...introspector, metadata: this.metadata }
    this.jwtSettings = jwtSettings
    this.verdictScope = sha256Hex(
      JSON.stringify([
        entry.issuer,
        introspector?.clientId ?? null,
        introspector?.response ?? null,
        introspector?.signingAlgorithms ?? null,
        introspector?.encryption ?? null,
        introspector?.keyManagementAlgorithms ?? null,
        introspector?.contentEncryptionAlgorithms ?? null,
        introspector?.tokenTypeHint ?? null,
        introspector?.maxResponseAge ?? null,
        (o.decryptionKeys ?? []).length,
      ]),
    ).slice(0, 32) // 128 bits: enough to tell configurations apart, and keeps the key's hash input short (hot path)
  }

  /** Asks this issuer's introspection endpoint about `token` (RFC 7662, RFC 9701). */
  introspect(token: string): Promise<IntrospectionClaims> {
    const introspector = this.introspector
    // Both or neither: an introspector is only built with the capability.
    if (introspector === undefined || this.#introspection === undefined) return Promise.reject(notIntrospecting())
    return this.#introspection.introspect(introspector, token)
  }

  /** The AS key set, for the `jwks_uri` of the metadata as last resolved. */
  keySet(): RemoteKeySet {
    const url = this.#resolved?.jwks_uri
    if (url === undefined) throw new Error(`no jwks_uri known for ${this.issuer}`)
    if (this.#keySet === undefined || this.#keySetUrl !== url) {
      this.#keySet = new RemoteKeySet(url, this.#jwksOptions)
      this.#keySetUrl = url
    }
    return this.#keySet
  }

  /** Resolves the metadata (discovering it if needed) and remembers it for {@link keySet}. */
  async resolve(): Promise<oauth.AuthorizationServer> {
    const as = await this.metadata.get()
    this.#resolved = as
    return as
  }

  /** The key set if already created (for the verified-JWT cache's key check). */
  get currentKeySet(): RemoteKeySet | undefined {
    return this.#keySet
  }
}

/**
 * The endpoints discovery must find: introspection when used, the JWKS when some signature is checked
 * against the AS's published keys (not when every allowed algorithm is HS*, keyed by a shared secret).
 */
/** What `rs.introspect()` says on a resource server that does not introspect. */
export function notIntrospecting(): ConfigurationError {
  return new ConfigurationError('introspect', [{ path: 'clientId', message: 'this resource server is not configured for introspection' }])
}

function requiredEndpoints(introspector: Omit<IntrospectorSettings, 'metadata'> | undefined, jwt: JwtVerifierSettings | undefined) {
  const required: ('introspection_endpoint' | 'jwks_uri')[] = []
  if (introspector !== undefined) required.push('introspection_endpoint')
  const published = (algs: readonly string[]) => algs.some((a) => !a.startsWith('HS'))
  const introspectionSigned = introspector?.response === 'jwt' && published(introspector.signingAlgorithms)
  if ((jwt !== undefined && published(jwt.algorithms)) || introspectionSigned) required.push('jwks_uri')
  return required
}

function introspectorSettings(
  entry: IssuerEntry,
  o: ParsedOptions,
  net: NetworkSettings,
  shared: SharedIssuerContext,
  keySet: () => RemoteKeySet,
  capability: IntrospectionCapability,
): Omit<IntrospectorSettings, 'metadata'> {
  const introspection = entry.introspection
  return {
    clientId: entry.clientId!,
    hsSecret: entry.clientSecret === undefined ? undefined : encoder.encode(entry.clientSecret),
    clientAuth: capability.clientAuth({
      clientId: entry.clientId!,
      clientSecret: entry.clientSecret,
      privateKey: entry.privateKey as PrivateKeyInput | undefined,
      authMethod: resolveAuthMethod(entry),
    }),
    response: introspection?.response ?? (introspection?.signingAlgorithms || o.decryptionKeys ? 'jwt' : 'json'),
    signingAlgorithms: introspection?.signingAlgorithms ?? [...DEFAULT_INTROSPECTION_SIGNING_ALGS],
    encryption: introspection?.encryption ?? (o.decryptionKeys ? 'required' : 'none'),
    keyManagementAlgorithms: introspection?.keyManagementAlgorithms ?? [...KEY_MANAGEMENT_ALGS],
    contentEncryptionAlgorithms: introspection?.contentEncryptionAlgorithms ?? [...CONTENT_ENCRYPTION_ALGS],
    decryptionKeys: shared.decryptionKeys,
    keySet,
    tokenTypeHint: introspection?.tokenTypeHint,
    maxResponseAge: introspection?.maxResponseAge ?? 60,
    secretForms: entry.clientSecret === undefined ? [] : secretForms(entry.clientSecret, entry.clientId),
    ...net,
    clock: shared.clock,
  }
}

function jwtVerifierSettings(
  entry: IssuerEntry,
  audience: readonly string[] | undefined,
  net: NetworkSettings,
  shared: SharedIssuerContext,
  keySet: () => RemoteKeySet,
): JwtVerifierSettings {
  const template = entry.issuer.includes(TENANT_PLACEHOLDER)
  return {
    issuer: entry.issuer,
    tenant: template
      ? {
          template: entry.issuer,
          allowed: entry.allowedTenants === undefined ? undefined : new Set(entry.allowedTenants.map((t) => t.toLowerCase())),
        }
      : undefined,
    audience: audience ?? [],
    algorithms: entry.jwt?.algorithms ?? [...DEFAULT_JWT_ALGS],
    secret: entry.jwt?.secret === undefined ? undefined : encoder.encode(entry.jwt.secret),
    typ: entry.jwt?.typ ?? 'strict',
    maxTokenAge: entry.jwt?.maxTokenAge,
    keySet,
    signatureVerifier: shared.signatureVerifier,
    clockTolerance: net.clockTolerance,
    clock: shared.clock,
  }
}
