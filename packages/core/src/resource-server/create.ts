/**
 * `createResourceServer` and `createJwtResourceServer`: the assembly. Validates the options once,
 * then wires the named parts: issuer runtimes, verdict caches, the two token paths, routing,
 * per-request requirements, the published documents. What goes beyond JWT bearer tokens
 * (introspection, DPoP, mTLS) comes in through {@link Capabilities}, so that the JWT-only factory
 * bundles none of it.
 *
 * @module resource-server/create
 */
import { type CacheStore, DEFAULT_STORE_TIMEOUT, GuardedStore, MemoryCache } from '../cache/index.js'
import { EventSink } from '../events/index.js'
import { importPrivateKey, type ImportedKey, type PrivateKeyInput, publicJwks } from '../keys/index.js'
import { clientAuthFactory } from '../client-auth.js'
import { introspectToken } from '../introspection/index.js'
import { msOf, parseOptions } from '../options.js'
import { dpopSettings, modeOf, SenderConstraints } from '../sender-constraint/index.js'
import { Authenticator } from './authenticate.js'
import { type Capabilities, type IntrospectionCapability, refuseMissingCapabilities } from './capabilities.js'
import { PublishedDocuments } from './documents.js'
import { checkReadiness } from './readiness.js'
import { IntrospectionPath } from './introspection-path.js'
import { IssuerRuntime, notIntrospecting } from './issuer-runtime.js'
import { JwtPath } from './jwt-path.js'
import { defaultTokenFormat, mergeIssuer, optionsSchema, type ParsedOptions, type ResourceServerOptions } from './options.js'
import { RequestRequirements } from './requirements.js'
import { answerNow, markBearerOnly } from './route.js'
import { attachSignatureChoice, SignatureChoice } from './signature-choice.js'
import { TokenRouter } from './routing.js'
import { TokenPolicies } from './token-policy.js'
import type { ResourceServer, RouteOptions } from './types.js'
import { IntrospectionVerdicts, type StoredVerdict, VerifiedJwtCache } from './verdict-cache.js'

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
 *   everyRoute: { scopes: ['read'] },
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
  return assemble(options, EVERYTHING)
}

/** Every capability: introspection (plain, signed, encrypted responses), DPoP and mTLS. */
const EVERYTHING: Capabilities = {
  factory: 'resource server',
  introspection: { introspect: introspectToken, clientAuth: clientAuthFactory, importKey: importPrivateKey, publicJwks },
  senderConstraints: (settings) => new SenderConstraints(settings),
}

/**
 * Creates a resource server that verifies JWT access tokens (RFC 9068) sent as bearer tokens, and
 * nothing else: the smallest bundle, for edge workers (Cloudflare Workers, Deno Deploy, Vercel Edge…).
 * It takes the same options as {@link createResourceServer} (presets included) and returns the same
 * {@link ResourceServer}, so the adapters work with both. A bundler then leaves out introspection,
 * encrypted responses, DPoP and mTLS: 36 KB gzipped for the worker against 52 KB (esbuild,
 * minified, tree-shaken; `pnpm bench` scenario 7).
 *
 * Options that need what is left out are refused with a {@link ConfigurationError} naming each one
 * (`clientId`, `introspectionEndpoint`, `decryptionKeys`, `tokenFormat` other than `"jwt"`, `dpop`,
 * `mtls`, a route's `dpop` / `mtls` mode); it never silently does less than asked. DPoP-bound
 * tokens (`cnf.jkt`) and certificate-bound tokens (`cnf.x5t#S256`) are refused, as on a bearer-only
 * route of `createResourceServer`.
 *
 * @example An edge worker's fetch handler (with Hono, `requireAuth` from `@org/rs-hono` takes this `rs` too)
 * ```ts
 * import { createJwtResourceServer, toErrorResponse } from '@org/rs-core'
 *
 * const rs = createJwtResourceServer({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' })
 *
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     try {
 *       const auth = await rs.authenticateRequest(request, { scopes: ['profile'] })
 *       return Response.json({ sub: auth?.sub })
 *     } catch (err) {
 *       const { status, headers, body } = toErrorResponse(err)
 *       return Response.json(body, { status, headers })
 *     }
 *   },
 * }
 * ```
 */
export function createJwtResourceServer(options: ResourceServerOptions): ResourceServer {
  return assemble(options, JWT_ONLY)
}

const JWT_ONLY: Capabilities = { factory: 'createJwtResourceServer' }

function assemble(options: ResourceServerOptions, capabilities: Capabilities): ResourceServer {
  refuseMissingCapabilities(options, capabilities)
  const o = parseOptions(capabilities.factory, optionsSchema, options)
  const introspection = capabilities.introspection
  const clock = o.clock ?? Date.now
  const events = new EventSink({ onEvent: o.onEvent, logger: o.logger, clock })
  const decryptionKeys = memoizedDecryptionKeys(o, introspection)
  const entries = o.issuers?.map((e) => mergeIssuer(o, e)) ?? [mergeIssuer(o, { issuer: o.issuer! })]
  const format = o.tokenFormat ?? defaultTokenFormat(entries)
  const signatures = new SignatureChoice(o.signatureVerifier)
  const signatureVerifier = signatures.current
  const issuers = entries.map(
    (entry, i) => new IssuerRuntime(i, entry, o, { clock, decryptionKeys, format, events, signatureVerifier, introspection }),
  )
  const introspecting = issuers.filter((r) => r.introspector !== undefined)

  const caching = o.cache === false ? undefined : (o.cache ?? {})
  const lifetimes = { maxTtlMs: (caching?.maxTtl ?? 300) * 1000, inactiveTtlMs: (caching?.inactiveTtl ?? 30) * 1000 }
  // A MemoryCache given as the store is the first level itself; any other store is the shared second level.
  const given = caching?.store as CacheStore | undefined
  const memory =
    caching === undefined
      ? undefined
      : given instanceof MemoryCache
        ? (given as MemoryCache<StoredVerdict>)
        : new MemoryCache<StoredVerdict>({ maxEntries: caching.maxEntries ?? 10_000, clock })
  const shared =
    given === undefined || given instanceof MemoryCache
      ? undefined
      : new GuardedStore(given, {
          timeoutMs: msOf(caching?.storeTimeout ?? DEFAULT_STORE_TIMEOUT),
          onFailure: (operation, error) => events.emit({ type: 'store_error', operation, message: describeStoreError(error) }),
        })
  // The others wait for the instance introspecting a token at most as long as it may take, plus a margin.
  const lockTtlMs = msOf(o.timeout ?? 5) + LOCK_MARGIN_MS
  const verdicts = new IntrospectionVerdicts({
    memory,
    shared,
    lockTtlMs,
    maxTtlMs: lifetimes.maxTtlMs,
    clock,
    hexDigest: signatures.hexDigest,
  })
  const jwtCache = new VerifiedJwtCache(
    caching === undefined ? 0 : (caching.verifiedJwtMaxEntries ?? caching.maxEntries ?? 10_000),
    issuers,
    clock,
    lifetimes.maxTtlMs,
  )

  // Introspected tokens are checked against `audience` when asked for (`audienceClaim`), or by default when
  // introspection is the only path. In `auto` mode `audience` is, by default, the JWT access tokens' audience:
  // opaque tokens often carry no `aud` (RFC 7662 makes it optional) and the AS vouches for them.
  const audienceClaim = o.audienceClaim ?? (format === 'introspection' ? 'aud' : undefined)
  if (given?.onClear !== undefined) dropOnClear(given, verdicts, jwtCache)
  const introspectionPath = new IntrospectionPath({
    runtimes: introspecting,
    tryAll: o.tryAllIntrospectionEndpoints ?? false,
    audienceClaim,
    lifetimes,
    verdicts,
    clock,
  })
  const router = new TokenRouter(format, issuers, new JwtPath(jwtCache, signatures), introspectionPath)
  const requirements = new RequestRequirements(clock, o.clockTolerance ?? 5, everyRouteOf(o))
  const documents = new PublishedDocuments(
    o,
    issuers.map((r) => r.issuer),
    decryptionKeys,
    introspection?.publicJwks ?? NO_KEYS,
  )
  const metadataUrl = documents.resourceMetadataUrl
  const challenge = o.realm !== undefined || metadataUrl !== undefined ? { realm: o.realm, resourceMetadata: metadataUrl } : undefined
  const bearer = { maxLength: o.bearer?.maxLength ?? 8192, acceptBase64: o.bearer?.acceptBase64 ?? false }
  const senders = capabilities.senderConstraints?.({
    dpop: dpopSettings(o.dpop),
    mtls: { mode: modeOf(o.mtls), trustProxyHeader: o.mtls?.trustProxyHeader ?? false },
    clock,
    clockTolerance: o.clockTolerance ?? 5,
    bearer,
    challenge,
  })
  const authenticator = new Authenticator(router, requirements, bearer, challenge, events, new TokenPolicies(issuers), senders)

  const rs: ResourceServer = {
    authenticate: authenticator.authenticate.bind(authenticator) as ResourceServer['authenticate'],
    authenticateRequest: authenticator.authenticateRequest.bind(authenticator) as ResourceServer['authenticateRequest'],
    verifyToken: authenticator.verifyToken.bind(authenticator),
    async introspect(token) {
      const runtime = introspecting[0]
      if (runtime === undefined) throw notIntrospecting()
      await runtime.resolve()
      return runtime.introspect(token)
    },
    encryptionJwks: () => documents.jwks(),
    jwks: () => documents.jwks(),
    protectedResourceMetadata: () => documents.protectedResourceMetadata(),
    encryptionJwksResponse: () => documents.jwksResponse(),
    jwksResponse: () => documents.jwksResponse(),
    protectedResourceMetadataResponse: () => documents.protectedResourceMetadataResponse(),
    resourceMetadataUrl: metadataUrl,
    resourceMetadataPath: documents.resourceMetadataPath,
    ready: () => checkReadiness(issuers, decryptionKeys, events),
    async clearCache() {
      jwtCache.clear()
      await verdicts.clear()
    },
  }
  attachSignatureChoice(rs, signatures)
  if (senders === undefined) markBearerOnly(rs) // its routes may not ask for DPoP or mTLS
  answerNow(rs, (request, route) => authenticator.authenticateRequestNow(request, route))
  Object.defineProperty(rs, 'toJSON', { value: () => ({ issuers: issuers.map((r) => r.issuer), tokenFormat: format }), enumerable: false })
  return rs
}

/** What every route requires: `everyRoute`, with the deprecated top-level `scopes` / `anyScope` folded in. */
function everyRouteOf(o: ParsedOptions): RouteOptions | undefined {
  const every: RouteOptions = { ...o.everyRoute }
  if (o.scopes !== undefined) every.scopes = [...(every.scopes ?? []), ...o.scopes]
  if (o.anyScope !== undefined && every.anyScope === undefined) every.anyScope = o.anyScope
  return Object.keys(every).length === 0 ? undefined : Object.freeze(every)
}

/** Added to the AS timeout to make the lifetime of the cross-instance introspection lock, in ms. */
const LOCK_MARGIN_MS = 1_000

/**
 * Another instance cleared the shared store: drop this one's in-memory levels. The listener holds
 * this resource server weakly (it has no close()), and unregisters itself once it is gone.
 */
function dropOnClear(store: CacheStore, verdicts: IntrospectionVerdicts, jwtCache: VerifiedJwtCache): void {
  const caches = { verdicts, jwtCache }
  keepAlive.set(verdicts, caches) // the pair lives exactly as long as the verdict cache
  const ref = new WeakRef(caches)
  const unsubscribe = store.onClear!(() => {
    const live = ref.deref()
    if (live === undefined) return void unsubscribe?.()
    live.verdicts.dropMemory()
    live.jwtCache.clear()
  })
}
const keepAlive = new WeakMap<object, object>()

function describeStoreError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

/** The resource server's own private keys, imported once, on first use. */
function memoizedDecryptionKeys(
  o: ParsedOptions,
  introspection: IntrospectionCapability | undefined,
): () => Promise<readonly ImportedKey[]> {
  // Without introspection there are no decryption keys (the option is refused).
  if (introspection === undefined) return () => Promise.resolve([])
  let imported: Promise<readonly ImportedKey[]> | undefined
  return () => (imported ??= Promise.all((o.decryptionKeys ?? []).map((k) => introspection.importKey(k as PrivateKeyInput, 'enc'))))
}

/** The JWK Set of a resource server without decryption keys. */
const NO_KEYS = () => ({ keys: [] })
