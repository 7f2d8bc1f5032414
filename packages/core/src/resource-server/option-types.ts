/**
 * The public, hand-written type of the options of {@link createResourceServer}. The schema of
 * `resource-server/options.ts` validates them at construction; `test/types/option-types.test.ts`
 * checks that it accepts exactly this type, so the two never drift.
 *
 * Units: every duration is a number of **seconds** (fractions allowed: `0.05` is 50 ms); sizes are
 * bytes; only the `clock` function counts milliseconds (since the epoch, like `Date.now`).
 *
 * @module resource-server/option-types
 */
import type { CacheStore, Clock } from '../cache/index.js'
import type { Logger, ResourceServerEvent } from '../events/index.js'
import type { FetchLike } from '../http.js'
import type { SignatureVerifier } from '../jwt/index.js'
import type { PrivateKeyInput } from '../keys/index.js'
import type { DpopOptions, MtlsOptions } from '../sender-constraint/types.js'
import type { IssuerFields, IssuerOptions } from './issuer-options.js'
import type { RouteOptions } from './types.js'

/** Caching of verdicts (introspection answers) and of verified JWTs: the `cache` option. */
export interface CacheOptions {
  /** Most verdicts kept in memory (least recently used evicted first). Default 10 000. */
  maxEntries?: number | undefined
  /** Seconds an active verdict is kept at most (it also ends at the token's `exp`). Default 300. */
  maxTtl?: number | undefined
  /** Seconds an inactive verdict is kept (a token refused by the AS). Default 30. */
  inactiveTtl?: number | undefined
  /**
   * A shared second level (Redis…) behind the in-memory one, so several instances share verdicts;
   * treated as untrusted (values validated on every read). A `MemoryCache` replaces the first level.
   */
  store?: CacheStore | undefined
  /** Most verified JWTs kept (signature checks skipped until expiry); `0` turns it off. Default: `maxEntries`. */
  verifiedJwtMaxEntries?: number | undefined
  /** Seconds one `store` call may take (fractions allowed), at most 10: a slower `get` is a miss, a slower `set` is not waited for. Default 0.05. */
  storeTimeout?: number | undefined
}

/**
 * Options of {@link createResourceServer}. Validated once, at construction: a mistake throws a
 * `ConfigurationError` naming the option (and never showing a secret). The options of
 * {@link IssuerFields} describe the authorization server; give several with `issuers`.
 * The README has a guided tour.
 *
 * @example
 * ```ts
 * const options: ResourceServerOptions = {
 *   issuer: 'https://auth.example.com',
 *   clientId: 'orders-api',                       // introspection, with this API's client
 *   clientSecret: process.env.INTROSPECTION_SECRET,
 *   audience: 'https://api.example.com',
 *   timeout: 3,                                   // seconds, like every duration
 *   cache: { maxTtl: 60, storeTimeout: 0.05 },
 * }
 * const rs = createResourceServer(options)
 * ```
 */
export interface ResourceServerOptions extends IssuerFields {
  /** The AS's issuer identifier, exactly as in its tokens and metadata. Required unless `issuers` is given (not both). */
  issuer?: string | undefined
  /** Several authorization servers: JWTs are routed by `iss`; each entry inherits the top-level issuer options it leaves out. */
  issuers?: readonly IssuerOptions[] | undefined
  /**
   * `introspection`, `jwt` (checked locally), or `auto` (JWTs of a configured issuer locally, the
   * rest by introspection). Default `introspection` when a `clientId` is given, else `jwt`.
   */
  tokenFormat?: 'introspection' | 'jwt' | 'auto' | undefined
  /**
   * Which claim of an introspected token `audience` is checked against: `aud`, or `client_id` (an AS
   * whose answers carry no `aud`). Default `aud` with `tokenFormat: 'introspection'`; in `auto` mode,
   * opaque tokens are checked only when this is set.
   */
  audienceClaim?: 'aud' | 'client_id' | undefined
  /** Requirements added to every route's own (scopes, claims, roles, `acr`…): the route vocabulary without `optional`. */
  everyRoute?: Omit<RouteOptions, 'optional'> | undefined
  /** @deprecated use `everyRoute: { scopes }`: scopes required on every route, added to the route's own. */
  scopes?: readonly string[] | undefined
  /** @deprecated use `everyRoute: { anyScope }`. */
  anyScope?: readonly string[] | undefined
  /** With several `issuers`, introspect an opaque token at each in turn until one says active. Default `false`: the first only. */
  tryAllIntrospectionEndpoints?: boolean | undefined
  /** This API's private keys, that the AS encrypts introspection responses to (published by `rs.encryptionJwks()`). */
  decryptionKeys?: readonly PrivateKeyInput[] | undefined
  /** Seconds of clock skew accepted on `exp`, `nbf`, `iat` and proofs, from 0 to 300. Default 5. */
  clockTolerance?: number | undefined
  /** Milliseconds since the epoch, like `Date.now` (the default); injected in tests. */
  clock?: Clock | undefined
  /** Seconds one call to the AS (discovery, JWKS, introspection) may take (fractions allowed), at most 60. Default 5. */
  timeout?: number | undefined
  /** The `fetch` used for every call to the AS. Default `globalThis.fetch`. */
  fetch?: FetchLike | undefined
  /**
   * The signature step of JWT verification (every other check stays core's: `alg` allow-list, `typ`,
   * `crit`, key type against `alg`, claims). Default: the Node adapters (Express, Fastify, Koa,
   * NestJS) use `nodeSignatureVerifier` on `node:crypto`; everywhere else, WebCrypto
   * (`webCryptoSignatureVerifier`). A verifier that throws or answers anything but `true` refuses the token.
   *
   * @example
   * ```ts
   * import * as crypto from 'node:crypto'
   * import { createResourceServer, nodeSignatureVerifier, webCryptoSignatureVerifier } from '@org/rs-core'
   *
   * // node:crypto without an adapter (a plain node:http server, Hono on Node):
   * createResourceServer({ issuer, audience, signatureVerifier: nodeSignatureVerifier(crypto) })
   * // WebCrypto even under a Node adapter:
   * createResourceServer({ issuer, audience, signatureVerifier: webCryptoSignatureVerifier })
   * ```
   */
  signatureVerifier?: SignatureVerifier | undefined
  /** Receives every event: each request accepted or refused (with its `reason`), AS failures, set-up problems. */
  onEvent?: ((event: ResourceServerEvent) => void) | undefined
  /** A logger (`console`, pino, winston…) for the events, or `false` for nothing. Default: only set-up problems, on the console, once a minute. */
  logger?: Logger | false | undefined
  /** Accept plain `http://` URLs on hosts other than loopback (never in production). Default `false`. */
  allowInsecureRequests?: boolean | undefined
  /** Bytes read at most from any AS response (streamed, aborted past it), from 1024 to 64 MB. Default 262144 (256 KB). */
  maxResponseBytes?: number | undefined
  /** How the `Authorization` header is read. */
  bearer?:
    | {
        /** Longest token accepted, in characters, from 16 to 65536. Default 8192. */
        maxLength?: number | undefined
        /** Decode a token sent base64-encoded (ProConnect's sample service providers do). Default `false`. */
        acceptBase64?: boolean | undefined
      }
    | undefined
  /** Caching of verdicts and verified JWTs, or `false` for none. Default: in memory, with the defaults of {@link CacheOptions}. */
  cache?: false | CacheOptions | undefined
  /** The AS's key set (JWKS). */
  jwks?:
    | {
        /** Seconds a fetched key set is used before it is refetched, at most 86400. Default 600. */
        cacheMaxAge?: number | undefined
        /** Seconds at least between two fetches (an unknown `kid` refetches), at most 3600. Default 30. */
        cooldown?: number | undefined
      }
    | undefined
  /** Discovered AS metadata. */
  metadata?:
    | {
        /** Seconds discovered metadata is used before it is refreshed in the background, from 60 to 604800. Default 3600. */
        cacheMaxAge?: number | undefined
        /** Seconds at least between two discoveries after a failure or an unknown key, at most 3600. Default 10. */
        cooldown?: number | undefined
      }
    | undefined
  /** The `realm` of `WWW-Authenticate` challenges. Default: none. */
  realm?: string | undefined
  /** This API's identifier (an https URL): turns on RFC 9728 protected resource metadata and its challenge parameter. */
  resource?: string | undefined
  /** RFC 9728 protected resource metadata (needs `resource`). */
  resourceMetadata?:
    | {
        /** Where the document is served. Default: `/.well-known/oauth-protected-resource` inserted before the `resource` path (RFC 9728). */
        url?: string | undefined
        /** `scopes_supported`. */
        scopesSupported?: readonly string[] | undefined
        /** `resource_name`. */
        resourceName?: string | undefined
        /** `resource_documentation`, a URL. */
        resourceDocumentation?: string | undefined
      }
    | undefined
  /** DPoP-bound tokens (RFC 9449). Default: refused (`mode: 'none'`) unless a route allows them. */
  dpop?: DpopOptions | undefined
  /** Certificate-bound tokens (RFC 8705). Default: refused (`mode: 'none'`) unless a route allows them. */
  mtls?: MtlsOptions | undefined
}
