/**
 * `createResourceServer`: one object that turns an `Authorization` header into a validated token,
 * by introspection (RFC 7662 / RFC 9701) or local JWT verification (RFC 9068), with caching,
 * request coalescing, several issuers, and RFC 6750 errors.
 *
 * @module resource-server
 */
import type * as oauth from 'oauth4webapi'
import { z } from 'zod'
import { extractBearerToken } from './bearer.js'
import { type CacheStore, type Clock, MemoryCache, sha256Hex, SingleFlight } from './cache.js'
import { clientAuthFactory } from './client-auth.js'
import { BearerError, toErrorResponse } from './errors.js'
import type { FetchLike } from './http.js'
import {
  CONTENT_ENCRYPTION_ALGS,
  DEFAULT_INTROSPECTION_SIGNING_ALGS,
  type IntrospectionClaims,
  type IntrospectorSettings,
  introspectToken,
  KEY_MANAGEMENT_ALGS,
} from './introspection.js'
import { DEFAULT_JWT_ALGS, type JwtVerifierSettings, looksLikeJws, peekJwt, verifyAccessTokenJwt } from './jwt.js'
import { type ImportedKey, importPrivateKey, type PrivateKeyInput, publicJwks, RemoteKeySet } from './keys.js'
import { MetadataSource } from './metadata.js'
import { checkClientAuth, checkUrls, clientAuthMethodSchema, parseOptions, privateKeySchema, resolveAuthMethod, urlSchema } from './options.js'
import { type AccessTokenInfo, checkAudience, checkScopes, checkTime, type ScopeRequirement, toTokenInfo } from './token-info.js'

const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'] as const
const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` })
const audienceSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'expected a string or a non-empty array of strings' })
const scopeListSchema = z.array(z.string().min(1).regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope token (no space or quote)'))

const issuerFields = {
  introspectionEndpoint: urlSchema.optional(),
  jwksUri: urlSchema.optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  privateKey: privateKeySchema.optional(),
  authMethod: clientAuthMethodSchema.optional(),
  audience: audienceSchema.optional(),
  introspection: z
    .strictObject({
      response: z.enum(['json', 'jwt']).optional(),
      signingAlgorithms: z.array(z.enum(SIGNING_ALGS)).min(1).optional(),
      encryption: z.enum(['required', 'optional', 'none']).optional(),
      keyManagementAlgorithms: z.array(z.enum(KEY_MANAGEMENT_ALGS)).min(1).optional(),
      contentEncryptionAlgorithms: z.array(z.enum(CONTENT_ENCRYPTION_ALGS)).min(1).optional(),
      tokenTypeHint: z.string().min(1).optional(),
    })
    .optional(),
  jwt: z
    .strictObject({
      algorithms: z.array(z.enum(SIGNING_ALGS, { error: `expected one of ${SIGNING_ALGS.join(', ')} ("none" is never accepted)` })).min(1).optional(),
      secret: z.string().min(32, 'expected at least 32 characters').optional(),
      typ: z.enum(['strict', 'lenient']).optional(),
      maxTokenAge: z.number().positive().optional(),
    })
    .optional(),
}

const issuerSchema = z.strictObject({ issuer: urlSchema, ...issuerFields })

const optionsSchema = z
  .strictObject({
    issuer: urlSchema.optional(),
    ...issuerFields,
    issuers: z.array(issuerSchema).min(1).optional(),
    tokenFormat: z.enum(['introspection', 'jwt', 'auto']).optional(),
    audienceClaim: z.enum(['aud', 'client_id']).optional(),
    scopes: scopeListSchema.optional(),
    anyScope: scopeListSchema.optional(),
    tryAllIntrospectionEndpoints: z.boolean().optional(),
    decryptionKeys: z.array(privateKeySchema).min(1).optional(),
    clockTolerance: z.number().min(0).max(300).optional(),
    clock: fn<Clock>('a function returning milliseconds since the epoch').optional(),
    timeout: z.number().int().min(1).max(60_000).optional(),
    fetch: fn<FetchLike>('a fetch-compatible function').optional(),
    allowInsecureRequests: z.boolean().optional(),
    bearer: z
      .strictObject({
        maxLength: z.number().int().min(16).max(65_536).optional(),
        acceptBase64: z.boolean().optional(),
      })
      .optional(),
    cache: z
      .union([
        z.literal(false),
        z.strictObject({
          maxEntries: z.number().int().min(1).optional(),
          maxTtl: z.number().min(0).optional(),
          inactiveTtl: z.number().min(0).optional(),
          store: z.custom<CacheStore>((v) => typeof v === 'object' && v !== null && ['get', 'set', 'delete'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'), { message: 'expected a CacheStore ({ get, set, delete })' }).optional(),
          verifiedJwtMaxEntries: z.number().int().min(0).optional(),
        }),
      ])
      .optional(),
    jwks: z.strictObject({ cacheMaxAge: z.number().int().min(0).optional(), cooldown: z.number().int().min(0).optional() }).optional(),
    realm: z.string().min(1).optional(),
    resource: urlSchema.optional(),
    resourceMetadata: z
      .strictObject({
        url: urlSchema.optional(),
        scopesSupported: scopeListSchema.optional(),
        resourceName: z.string().optional(),
        resourceDocumentation: urlSchema.optional(),
      })
      .optional(),
  })
  .superRefine((o, ctx) => {
    if (o.issuer === undefined && o.issuers === undefined) {
      ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'required: the issuer identifier of the authorization server (or an "issuers" list)' })
      return
    }
    if (o.issuer !== undefined && o.issuers !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['issuers'], message: 'give either "issuer" or "issuers", not both' })
      return
    }
    const allowInsecure = o.allowInsecureRequests ?? false
    checkUrls(ctx, allowInsecure, { resource: o.resource, 'resourceMetadata.url': o.resourceMetadata?.url })
    const entries = o.issuers?.map((entry, i) => ({ entry: mergeIssuer(o, entry), prefix: `issuers.${i}.` })) ?? [{ entry: mergeIssuer(o, { issuer: o.issuer! }), prefix: '' }]
    const format = o.tokenFormat ?? defaultTokenFormat(entries.map((e) => e.entry))
    if (format !== 'jwt' && !entries.some((e) => canIntrospect(e.entry))) {
      ctx.addIssue({ code: 'custom', path: ['clientId'], message: `required with tokenFormat "${format}": the client id this resource server uses at the introspection endpoint` })
    }
    for (const { entry, prefix } of entries) {
      checkUrls(ctx, allowInsecure, { [`${prefix}issuer`]: entry.issuer, [`${prefix}introspectionEndpoint`]: entry.introspectionEndpoint, [`${prefix}jwksUri`]: entry.jwksUri })
      if (format !== 'jwt' && canIntrospect(entry)) {
        checkClientAuth(ctx, entry, prefix)
        const algs = entry.introspection?.signingAlgorithms ?? []
        if (algs.some((a) => a.startsWith('HS')) && entry.clientSecret === undefined) {
          ctx.addIssue({ code: 'custom', path: [`${prefix}introspection`, 'signingAlgorithms'], message: 'HS* introspection responses are keyed by the client secret: clientSecret is required' })
        }
        const encryption = entry.introspection?.encryption ?? (o.decryptionKeys ? 'required' : 'none')
        if (encryption !== 'none' && o.decryptionKeys === undefined) {
          ctx.addIssue({ code: 'custom', path: ['decryptionKeys'], message: `required with introspection.encryption "${encryption}": the private keys the AS encrypts responses to` })
        }
        if (encryption !== 'none' && entry.introspection?.response === 'json') {
          ctx.addIssue({ code: 'custom', path: [`${prefix}introspection`, 'response'], message: 'must be "jwt" when responses are encrypted' })
        }
      }
      if (format !== 'introspection') {
        if (entry.audience === undefined) {
          ctx.addIssue({ code: 'custom', path: [`${prefix}audience`], message: `required with tokenFormat "${format}": the audience (aud) JWT access tokens must be issued for, usually this API's identifier` })
        }
        const algs = entry.jwt?.algorithms ?? []
        if (algs.some((a) => a.startsWith('HS')) && entry.jwt?.secret === undefined) {
          ctx.addIssue({ code: 'custom', path: [`${prefix}jwt`, 'secret'], message: 'required when jwt.algorithms lists an HS* algorithm' })
        }
        if (entry.jwt?.secret !== undefined && !algs.some((a) => a.startsWith('HS'))) {
          ctx.addIssue({ code: 'custom', path: [`${prefix}jwt`, 'algorithms'], message: 'must list the HS* algorithm(s) the jwt.secret is for' })
        }
      }
    }
  })

/** Options of {@link createResourceServer}. See the README for a guided tour. */
export type ResourceServerOptions = z.input<typeof optionsSchema>
/** One authorization server among several (`issuers` option). */
export type IssuerOptions = z.input<typeof issuerSchema>
type ParsedOptions = z.output<typeof optionsSchema>
type IssuerEntry = z.output<typeof issuerSchema>

function mergeIssuer(top: ParsedOptions, entry: IssuerEntry): IssuerEntry {
  const merged: IssuerEntry = { ...entry }
  for (const key of Object.keys(issuerFields) as (keyof typeof issuerFields)[]) {
    if (merged[key] === undefined && top[key] !== undefined) (merged as Record<string, unknown>)[key] = top[key]
  }
  return merged
}
function canIntrospect(entry: IssuerEntry): boolean {
  return entry.clientId !== undefined
}
function defaultTokenFormat(entries: IssuerEntry[]): 'introspection' | 'jwt' {
  return entries.some(canIntrospect) ? 'introspection' : 'jwt'
}

/** Per-call options of {@link ResourceServer.authenticate}. */
export interface AuthenticateOptions extends ScopeRequirement {
  /** Resolve `undefined` instead of rejecting when the request carries no bearer token. A bad token still rejects. */
  optional?: boolean
}

/** RFC 9728 protected resource metadata. */
export interface ProtectedResourceMetadata {
  resource: string
  authorization_servers: string[]
  bearer_methods_supported: ['header']
  scopes_supported?: string[]
  jwks_uri?: string
  resource_name?: string
  resource_documentation?: string
}

/**
 * A configured resource server. Create one per API, at start-up, and share it: it holds the caches.
 */
export interface ResourceServer {
  /**
   * Validates the `Authorization` header value of a request. Resolves with the token's
   * {@link AccessTokenInfo}; rejects with a {@link BearerError} (400/401/403) or an
   * {@link AuthorizationServerError} (503).
   */
  authenticate(authorization: string | readonly string[] | null | undefined, options?: AuthenticateOptions & { optional?: false }): Promise<AccessTokenInfo>
  authenticate(authorization: string | readonly string[] | null | undefined, options: AuthenticateOptions): Promise<AccessTokenInfo | undefined>
  /** Like {@link authenticate}, for a token already taken out of the request. */
  verifyToken(token: string, options?: ScopeRequirement): Promise<AccessTokenInfo>
  /** Introspects a token at the (first) authorization server, uncached; resolves with the verified response members. */
  introspect(token: string): Promise<IntrospectionClaims>
  /** The public keys the AS encrypts introspection responses to, as a JWKS to serve (public members only). */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>
  /** RFC 9728 metadata (needs the `resource` option), to serve at {@link resourceMetadataUrl}. */
  protectedResourceMetadata(): ProtectedResourceMetadata | undefined
  /**
   * The whole HTTP answer for the JWKS route: 200 `application/jwk-set+json` with the public keys and
   * a cache lifetime, or the error answer if the keys cannot be loaded. Never rejects.
   */
  jwksResponse(): Promise<DocumentResponse>
  /** The whole HTTP answer for the RFC 9728 metadata route: 200 `application/json`, or 404 when `resource` is not set. */
  protectedResourceMetadataResponse(): DocumentResponse
  /** Where the RFC 9728 metadata is served, as announced in `WWW-Authenticate`. */
  readonly resourceMetadataUrl: string | undefined
  /** Path part of {@link resourceMetadataUrl}, for routing. */
  readonly resourceMetadataPath: string | undefined
  /** Imports keys and discovers the AS metadata now, so a problem shows at start-up. */
  ready(): Promise<void>
  /** Forgets every cached result (e.g. after a key compromise). */
  clearCache(): Promise<void>
}

/** The HTTP answer for a document the resource server publishes (see {@link ResourceServer.jwksResponse}). */
export interface DocumentResponse {
  status: number
  headers: Record<string, string>
  body: unknown
}

/** Values cached per token. */
type CachedVerdict = AccessTokenInfo | { active: false }
interface CachedJwt {
  info: AccessTokenInfo
  kid: string | undefined
  issuer: number
  /** header.payload of the verified token: a cache hit must match it exactly. */
  signingInput: string
}
interface JwtHandle {
  key: string
  signingInput: string
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()
/** A fresh, flat copy of a string (not a slice that would keep its parent alive). */
function copyString(value: string): string {
  return decoder.decode(encoder.encode(value))
}

class IssuerRuntime {
  readonly index: number
  readonly issuer: string
  readonly metadata: MetadataSource
  readonly audience: readonly string[] | undefined
  readonly introspector: IntrospectorSettings | undefined
  readonly jwtSettings: JwtVerifierSettings | undefined
  #keySet: RemoteKeySet | undefined
  #keySetUrl: string | undefined
  readonly #jwksOptions: { cacheMaxAge?: number | undefined; cooldown?: number | undefined; timeout: number; fetch: FetchLike | undefined }

  constructor(index: number, entry: IssuerEntry, o: ParsedOptions, format: 'introspection' | 'jwt' | 'auto', shared: { clock: Clock; decryptionKeys: () => Promise<readonly ImportedKey[]> }) {
    this.index = index
    this.issuer = entry.issuer
    const timeout = o.timeout ?? 5_000
    const allowInsecureRequests = o.allowInsecureRequests ?? false
    const clockTolerance = o.clockTolerance ?? 5
    this.audience = entry.audience === undefined ? undefined : typeof entry.audience === 'string' ? [entry.audience] : entry.audience
    this.#jwksOptions = { cacheMaxAge: o.jwks?.cacheMaxAge, cooldown: o.jwks?.cooldown, timeout, fetch: o.fetch }
    const introspects = format !== 'jwt' && canIntrospect(entry)
    const verifiesJwts = format !== 'introspection'
    const response = entry.introspection?.response ?? (entry.introspection?.signingAlgorithms || o.decryptionKeys ? 'jwt' : 'json')
    const signingAlgorithms = entry.introspection?.signingAlgorithms ?? [...DEFAULT_INTROSPECTION_SIGNING_ALGS]
    const required: ('introspection_endpoint' | 'jwks_uri')[] = []
    if (introspects) required.push('introspection_endpoint')
    if (verifiesJwts || (introspects && response === 'jwt' && signingAlgorithms.some((a) => !a.startsWith('HS')))) required.push('jwks_uri')
    this.metadata = new MetadataSource({
      issuer: entry.issuer,
      endpoints: { introspection_endpoint: entry.introspectionEndpoint, jwks_uri: entry.jwksUri },
      required,
      fetch: o.fetch,
      timeout,
      allowInsecureRequests,
      clock: shared.clock,
    })
    const keySet = () => this.keySet()
    if (introspects) {
      this.introspector = {
        metadata: this.metadata,
        clientId: entry.clientId!,
        hsSecret: entry.clientSecret === undefined ? undefined : encoder.encode(entry.clientSecret),
        clientAuth: clientAuthFactory({
          clientId: entry.clientId!,
          clientSecret: entry.clientSecret,
          privateKey: entry.privateKey as PrivateKeyInput | undefined,
          authMethod: resolveAuthMethod(entry),
        }),
        response,
        signingAlgorithms,
        encryption: entry.introspection?.encryption ?? (o.decryptionKeys ? 'required' : 'none'),
        keyManagementAlgorithms: entry.introspection?.keyManagementAlgorithms ?? [...KEY_MANAGEMENT_ALGS],
        contentEncryptionAlgorithms: entry.introspection?.contentEncryptionAlgorithms ?? [...CONTENT_ENCRYPTION_ALGS],
        decryptionKeys: shared.decryptionKeys,
        keySet,
        tokenTypeHint: entry.introspection?.tokenTypeHint,
        timeout,
        fetch: o.fetch,
        allowInsecureRequests,
        clockTolerance,
        clock: shared.clock,
      }
    }
    if (verifiesJwts) {
      this.jwtSettings = {
        issuer: entry.issuer,
        audience: this.audience ?? [],
        algorithms: entry.jwt?.algorithms ?? [...DEFAULT_JWT_ALGS],
        secret: entry.jwt?.secret === undefined ? undefined : encoder.encode(entry.jwt.secret),
        typ: entry.jwt?.typ ?? 'strict',
        maxTokenAge: entry.jwt?.maxTokenAge,
        keySet,
        clockTolerance,
        clock: shared.clock,
      }
    }
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

  #resolved: oauth.AuthorizationServer | undefined

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
 * Creates a resource server: validates the options (throwing a {@link ConfigurationError} that
 * names every wrong option), then returns an object whose {@link ResourceServer.authenticate}
 * checks `Authorization` headers.
 *
 * @example Introspection (RFC 7662), signed responses (RFC 9701)
 * ```ts
 * import { createResourceServer } from '@org/rs-core'
 *
 * const rs = createResourceServer({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-api',
 *   clientSecret: process.env.INTROSPECTION_SECRET,
 *   introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
 *   scopes: ['read'],
 * })
 * const auth = await rs.authenticate(request.headers.get('authorization'))
 * console.log(auth.sub, auth.scopes)
 * ```
 *
 * @example JWT access tokens (RFC 9068), verified locally
 * ```ts
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', audience: 'https://api.example.com', tokenFormat: 'jwt' })
 * ```
 */
export function createResourceServer(options: ResourceServerOptions): ResourceServer {
  const o = parseOptions('resource server', optionsSchema, options)
  const clock = o.clock ?? Date.now
  const clockTolerance = o.clockTolerance ?? 5
  const entries = o.issuers?.map((e) => mergeIssuer(o, e)) ?? [mergeIssuer(o, { issuer: o.issuer! })]
  const format = o.tokenFormat ?? defaultTokenFormat(entries)
  // Introspected tokens are checked against `audience` when asked for (`audienceClaim`), or by default when
  // introspection is the only path. In `auto` mode `audience` is, by default, the JWT access tokens' audience:
  // opaque tokens often carry no `aud` (RFC 7662 makes it optional) and the AS vouches for them.
  const audienceClaim = o.audienceClaim ?? (format === 'introspection' ? 'aud' : undefined)

  let decryptionKeysPromise: Promise<readonly ImportedKey[]> | undefined
  const decryptionKeys = () => {
    decryptionKeysPromise ??= Promise.all((o.decryptionKeys ?? []).map((k) => importPrivateKey(k as PrivateKeyInput, 'enc')))
    return decryptionKeysPromise
  }

  const issuers = entries.map((entry, i) => new IssuerRuntime(i, entry, o, format, { clock, decryptionKeys }))
  const byIssuer = new Map(issuers.map((r) => [r.issuer, r]))
  const introspecting = issuers.filter((r) => r.introspector !== undefined)
  const tryAll = o.tryAllIntrospectionEndpoints ?? false

  const cacheOptions = o.cache === false ? undefined : (o.cache ?? {})
  const maxTtlMs = (cacheOptions?.maxTtl ?? 300) * 1000
  const inactiveTtlMs = (cacheOptions?.inactiveTtl ?? 30) * 1000
  const store: CacheStore<CachedVerdict> | undefined =
    cacheOptions === undefined ? undefined : ((cacheOptions.store as CacheStore<CachedVerdict> | undefined) ?? new MemoryCache<CachedVerdict>({ maxEntries: cacheOptions.maxEntries ?? 10_000, clock }))
  const jwtCacheSize = cacheOptions === undefined ? 0 : (cacheOptions.verifiedJwtMaxEntries ?? cacheOptions.maxEntries ?? 10_000)
  const jwtCache = jwtCacheSize > 0 ? new MemoryCache<CachedJwt>({ maxEntries: jwtCacheSize, clock }) : undefined
  const introspections = new SingleFlight<CachedVerdict>()
  const verifications = new SingleFlight<CachedJwt>()
  const bearerOptions = { maxLength: o.bearer?.maxLength ?? 8192, acceptBase64: o.bearer?.acceptBase64 ?? false }
  const baseline: ScopeRequirement = { scopes: o.scopes, anyScope: o.anyScope }

  const resourceMetadataUrl = o.resource === undefined ? undefined : (o.resourceMetadata?.url ?? wellKnownMetadataUrl(o.resource))
  const resourceMetadataPath = resourceMetadataUrl === undefined ? undefined : new URL(resourceMetadataUrl).pathname
  const challenge = o.realm !== undefined || resourceMetadataUrl !== undefined ? { realm: o.realm, resourceMetadata: resourceMetadataUrl } : undefined

  /** Introspects at one AS, caches the verdict (never a failure). */
  async function introspectAndCache(runtime: IssuerRuntime, token: string, key: string): Promise<CachedVerdict> {
    await runtime.resolve()
    const claims = await introspectToken(runtime.introspector!, token)
    const nowMs = clock()
    let verdict: CachedVerdict
    let ttl: number
    if (claims.active !== true || (typeof claims.iss === 'string' && claims.iss !== runtime.issuer)) {
      verdict = { active: false }
      ttl = inactiveTtlMs
    } else {
      const info = toTokenInfo(claims, 'introspection', runtime.issuer)
      verdict = info
      ttl = info.exp === undefined ? maxTtlMs : Math.min(maxTtlMs, info.exp * 1000 - nowMs)
    }
    if (store !== undefined && ttl > 0) {
      try {
        await store.set(key, verdict, ttl)
      } catch {
        // A shared store that fails costs a later introspection, never this answer.
      }
    }
    return verdict
  }

  /** A cached verdict; a shared store that fails (Redis down…) counts as a miss: we ask the AS. */
  async function readStore(key: string): Promise<CachedVerdict | undefined> {
    if (store === undefined) return undefined
    try {
      return await store.get(key)
    } catch {
      return undefined
    }
  }

  const introspectionKey = (runtime: IssuerRuntime, token: string) => sha256Hex(`${runtime.issuer}\n${token}`, 'rs:introspection:')

  /** An active introspection verdict, after the audience check when one applies. */
  function acceptVerdict(runtime: IssuerRuntime, verdict: CachedVerdict): AccessTokenInfo | undefined {
    if (!verdict.active) return undefined
    if (audienceClaim !== undefined) checkAudience(verdict, runtime.audience, audienceClaim)
    return verdict
  }

  async function viaIntrospection(token: string): Promise<AccessTokenInfo> {
    const candidates = tryAll ? introspecting : introspecting.slice(0, 1)
    for (const runtime of candidates) {
      const key = introspectionKey(runtime, token)
      let verdict = await readStore(key)
      verdict ??= await introspections.run(key, () => introspectAndCache(runtime, token, key))
      const info = acceptVerdict(runtime, verdict)
      if (info !== undefined) return info
    }
    throw new BearerError('invalid_token', 'The access token is not active')
  }

  /**
   * The answer for a token already judged, found without waiting (the in-memory caches), or
   * `undefined`: then {@link route} decides, with all its I/O. Saves the promise machinery of the
   * full path on the hot path.
   */
  function cachedAnswer(token: string): AccessTokenInfo | undefined {
    if (format !== 'introspection' && looksLikeJws(token)) {
      const hit = cachedJwt(jwtHandle(token))
      if (hit !== undefined || format === 'jwt') return hit
    }
    const runtime = introspecting[0]
    if (!(store instanceof MemoryCache) || runtime === undefined || format === 'jwt') return undefined
    const verdict = store.get(introspectionKey(runtime, token))
    return verdict === undefined ? undefined : acceptVerdict(runtime, verdict)
  }

  /**
   * A JWT's cache handle: the SHA-256 of its signature, and its signing input (header.payload, which
   * holds nothing the verdict does not already show). A hit needs both to match: that is the very
   * token verified before, for the cost of hashing ~86 characters instead of the whole token.
   */
  function jwtHandle(token: string): JwtHandle {
    const dot = token.lastIndexOf('.')
    return { key: sha256Hex(token.slice(dot + 1), 'rs:jwt:'), signingInput: token.slice(0, dot) }
  }

  async function verifyJwtAndCache(runtime: IssuerRuntime, token: string, handle: JwtHandle, cache: boolean): Promise<CachedJwt> {
    await runtime.resolve()
    const { info, kid } = await verifyAccessTokenJwt(runtime.jwtSettings!, token)
    // A copy, so the entry does not keep the whole token (signature included) alive through a slice of it.
    const entry: CachedJwt = { info, kid, issuer: runtime.index, signingInput: copyString(handle.signingInput) }
    if (cache && jwtCache !== undefined && info.exp !== undefined) {
      // Only tokens verified with a published key are cached, so the entry can be tied to that key.
      if (runtime.currentKeySet?.hasKid(kid) || runtime.jwtSettings!.secret !== undefined) {
        jwtCache.set(handle.key, entry, Math.min(maxTtlMs, info.exp * 1000 - clock()))
      }
    }
    return entry
  }

  /** A verdict from the verified-JWT cache, if this exact token was verified and its key is still published. */
  function cachedJwt(handle: JwtHandle): AccessTokenInfo | undefined {
    const cached = jwtCache?.get(handle.key)
    if (cached === undefined || cached.signingInput !== handle.signingInput) return undefined
    const runtime = issuers[cached.issuer]!
    // Never outlive the key that signed it: if the AS stopped publishing it, verify again.
    if (runtime.jwtSettings!.secret !== undefined || runtime.currentKeySet?.hasKid(cached.kid)) return cached.info
    jwtCache!.delete(handle.key)
    return undefined
  }

  /** The full path, for a token {@link cachedAnswer} did not find: verification, introspection, I/O. */
  async function route(token: string): Promise<AccessTokenInfo> {
    if (format === 'introspection') return viaIntrospection(token)
    const handle = looksLikeJws(token) ? jwtHandle(token) : undefined
    const claims = handle === undefined ? undefined : peekJwt(token)
    const runtime = claims !== undefined && typeof claims.iss === 'string' ? byIssuer.get(claims.iss) : undefined
    if (handle !== undefined && runtime?.jwtSettings !== undefined) {
      const shared = await verifications.run(handle.key, () => verifyJwtAndCache(runtime, token, handle, true))
      if (shared.signingInput === handle.signingInput) return shared.info
      // Same signature, other content: not the token being verified concurrently. Checked on its own.
      return (await verifyJwtAndCache(runtime, token, handle, false)).info
    }
    if (format === 'auto' && introspecting.length > 0) return viaIntrospection(token)
    if (claims === undefined) throw new BearerError('invalid_token', 'The access token is not a JWT')
    throw new BearerError('invalid_token', 'The access token comes from an unexpected issuer')
  }

  /** The checks made on every request, cached or not: lifetime, then the scopes. */
  function acceptForRequest(info: AccessTokenInfo, requirement: ScopeRequirement | undefined): AccessTokenInfo {
    checkTime(info, clock() / 1000, clockTolerance)
    checkScopes(info, baseline)
    checkScopes(info, requirement)
    return info
  }

  async function verifyToken(token: string, requirement?: ScopeRequirement): Promise<AccessTokenInfo> {
    return acceptForRequest(cachedAnswer(token) ?? (await route(token)), requirement)
  }

  function withChallenge(err: unknown): unknown {
    return challenge !== undefined && err instanceof BearerError ? err.withChallenge(challenge) : err
  }

  // Not an async function: a cached answer resolves without going through route()'s awaits.
  function authenticate(authorization: string | readonly string[] | null | undefined, options: AuthenticateOptions = {}): Promise<AccessTokenInfo | undefined> {
    try {
      const token = extractBearerToken(authorization, bearerOptions)
      if (token === undefined) {
        if (options.optional) return Promise.resolve(undefined)
        throw new BearerError('missing_token', 'The request has no bearer token')
      }
      const hit = cachedAnswer(token)
      if (hit !== undefined) return Promise.resolve(acceptForRequest(hit, options))
      return route(token)
        .then((info) => acceptForRequest(info, options))
        .catch((err: unknown) => Promise.reject(withChallenge(err)))
    } catch (err) {
      return Promise.reject(withChallenge(err))
    }
  }

  const rs: ResourceServer = {
    authenticate: authenticate as ResourceServer['authenticate'],
    verifyToken,
    async introspect(token) {
      const runtime = introspecting[0]
      if (runtime === undefined) throw new Error('This resource server is not configured for introspection (no clientId)')
      await runtime.resolve()
      return introspectToken(runtime.introspector!, token)
    },
    async jwks() {
      return publicJwks(await decryptionKeys()) as { keys: Record<string, unknown>[] }
    },
    protectedResourceMetadata() {
      if (o.resource === undefined) return undefined
      return {
        resource: o.resource,
        authorization_servers: issuers.map((r) => r.issuer),
        bearer_methods_supported: ['header'],
        ...(o.resourceMetadata?.scopesSupported ? { scopes_supported: o.resourceMetadata.scopesSupported } : {}),
        ...(o.resourceMetadata?.resourceName ? { resource_name: o.resourceMetadata.resourceName } : {}),
        ...(o.resourceMetadata?.resourceDocumentation ? { resource_documentation: o.resourceMetadata.resourceDocumentation } : {}),
      }
    },
    async jwksResponse() {
      try {
        const body = publicJwks(await decryptionKeys())
        return { status: 200, headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' }, body }
      } catch (err) {
        return toErrorResponse(err)
      }
    },
    protectedResourceMetadataResponse(): DocumentResponse {
      const body = rs.protectedResourceMetadata()
      if (body === undefined) {
        return { status: 404, headers: { 'content-type': 'application/json' }, body: { error: 'not_found', error_description: 'No protected resource metadata is configured' } }
      }
      return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }, body }
    },
    resourceMetadataUrl,
    resourceMetadataPath,
    async ready() {
      await decryptionKeys()
      for (const runtime of issuers) {
        await runtime.resolve()
        if (runtime.introspector) await runtime.introspector.clientAuth()
      }
    },
    async clearCache() {
      jwtCache?.clear()
      if (store instanceof MemoryCache) store.clear()
    },
  }
  Object.defineProperty(rs, 'toJSON', { value: () => ({ issuers: issuers.map((r) => r.issuer), tokenFormat: format }), enumerable: false })
  return rs
}

/** RFC 9728 §3.1: the well-known URL is made by inserting `/.well-known/oauth-protected-resource` before the path. */
export function wellKnownMetadataUrl(resource: string): string {
  const url = new URL(resource)
  const path = url.pathname === '/' ? '' : url.pathname
  return `${url.origin}/.well-known/oauth-protected-resource${path}`
}
