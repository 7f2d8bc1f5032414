import * as jose from 'jose';

/**
 * A validated access token. Plain, frozen, JSON-serialisable data; never contains the token itself.
 *
 * @example
 * ```ts
 * const auth = await rs.authenticate(req.headers.authorization)
 * auth.sub          // 'user-1'
 * auth.scopes       // ['openid', 'email']
 * auth.claims.email // any other claim the AS sent
 * ```
 */
interface AccessTokenInfo {
    /** Subject: the user (or, for client credentials, often the client). */
    readonly sub: string | undefined;
    /**
     * Scopes granted, from `scope`, else `scp`: each either a space-separated string or an array of
     * strings (IdentityServer's `"scope": ["api1"]`, Okta's `"scp": [...]`, Entra's `"scp": "a b"`).
     */
    readonly scopes: readonly string[];
    /**
     * The OAuth client the token was issued to (the calling application), from the first of these
     * claims present: `client_id` (RFC 9068, RFC 7662, IdentityServer, Cognito), `azp` (Auth0, Keycloak,
     * Entra v2), `appid` (Entra v1), `cid` (Okta). Roles, groups and permissions: see `rolesOf(auth)`.
     */
    readonly clientId: string | undefined;
    /** Audiences, always as an array (empty when the token names none). */
    readonly aud: readonly string[];
    /** Expiry, issued-at and not-before, in seconds since the epoch. */
    readonly exp: number | undefined;
    readonly iat: number | undefined;
    readonly nbf: number | undefined;
    /** The issuer: the AS that issued (or vouched for) the token. */
    readonly iss: string;
    /** How the token was checked: `introspection` (RFC 7662) or `jwt` (RFC 9068, locally). */
    readonly source: 'introspection' | 'jwt';
    /** Every claim as the AS sent it (for introspection: the members of the response). */
    readonly claims: Readonly<Record<string, unknown>>;
}
/** What a route requires of a token. */
interface ScopeRequirement {
    /** Every one of these scopes is required. */
    scopes?: readonly string[] | undefined;
    /** At least one of these scopes is required. */
    anyScope?: readonly string[] | undefined;
}

/**
 * The {@link CacheStore} contract: what a shared store (Redis, …) implements so several instances
 * share verdicts and tokens.
 *
 * @module cache/store
 */
/** Milliseconds since the epoch. Injected in tests; defaults to `Date.now`. */
type Clock = () => number;
/**
 * A key-value store with per-entry lifetime. Values are JSON-serialisable. Keys never contain a
 * token or a secret: they are SHA-256 hashes. Methods may be synchronous or return promises.
 *
 * Ready-made: `MemoryCache` (in memory, per instance) and `createRedisStore` of `@org/rs-redis`
 * (shared by several instances, with `add`, `clear` and `onClear`).
 *
 * With a shared store, the resource server keeps an in-memory first level in front of it (a warm
 * token never waits on the store) and uses the optional members when present: `add` for a
 * cross-instance lock (one introspection, one client-credentials token request per key across
 * instances), `clear` for `clearCache()`, `onClear` to drop its first level when another instance
 * cleared the store.
 *
 * @example A minimal shared store (node-redis v4+); `@org/rs-redis` does this and more
 * ```ts
 * import type { CacheStore } from '@org/rs-core'
 * import { createClient } from 'redis'
 *
 * const redis = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * await redis.connect()
 * const store: CacheStore = {
 *   async get(key) { const v = await redis.get(key); return v === null ? undefined : JSON.parse(v) },
 *   async set(key, value, ttlMs) { await redis.set(key, JSON.stringify(value), { PX: Math.max(1, Math.ceil(ttlMs)) }) },
 *   async delete(key) { await redis.del(key) },
 *   async add(key, value, ttlMs) { return (await redis.set(key, JSON.stringify(value), { PX: Math.max(1, Math.ceil(ttlMs)), NX: true })) !== null },
 * }
 * ```
 */
interface CacheStore<V = unknown> {
    /**
     * The value stored under `key`, or `undefined`. What a store returns is treated as untrusted
     * input: it is validated (shape, version, expiry by the SDK's own clock) and a bad value is a
     * miss. A call slower than the `storeTimeout` option (default 0.05 s) is a miss too.
     */
    get(key: string): V | undefined | Promise<V | undefined>;
    /** Stores `value` for `ttlMs` milliseconds. A call slower than `storeTimeout` is ignored (not awaited further). */
    set(key: string, value: V, ttlMs: number): void | Promise<void>;
    delete(key: string): void | Promise<void>;
    /**
     * Optional: forgets every entry this SDK wrote. Called by `ResourceServer.clearCache()` (which
     * "forgets every cached result"); without it a shared store keeps its entries until they expire,
     * so a revoked token may stay authorized until then. A shared store (Redis, …) typically
     * implements it as a generation bump: a counter that is part of every key, incremented here.
     */
    clear?(): void | Promise<void>;
    /**
     * Optional: stores `value` for `ttlMs` milliseconds only if `key` holds nothing (Redis `SET NX PX`);
     * `true` when this call stored it. Must be atomic across every instance sharing the store.
     *
     * Used to detect a replayed DPoP proof (the key is a hash of the proof key and its `jti`), and as a
     * short lock (the value is a random instance id, never a token): the instance that gets
     * it asks the authorization server, the others wait (bounded) for the result it writes, so one new
     * token costs one introspection, and one client-credentials key one token request, across instances.
     * A lock that fails, times out or is lost makes an instance ask the AS itself, never authorize.
     * Without `add`, concurrent requests are coalesced per instance only.
     */
    add?(key: string, value: V, ttlMs: number): boolean | Promise<boolean>;
    /**
     * Optional: registers `listener`, called when any instance sharing the store (this one included)
     * cleared it; returns a function that unregisters it. The resource server drops its in-memory
     * first level then, so another instance's `clearCache()` reaches this one as soon as the store
     * tells (`@org/rs-redis`: at once by pub/sub, else within its `generationRefreshMs`). A listener
     * never throws.
     */
    onClear?(listener: () => void): () => void;
}

/**
 * The in-memory store: a bounded LRU with per-entry lifetime. A `Map` from key to a slot number, and
 * per slot the key, the value, the end of its lifetime and its place in a doubly linked recency list,
 * kept in parallel arrays (typed arrays for the numbers): a hit is one `Map.get` and, unless the entry
 * is already the newest, a few integer writes; an eviction reuses the list's tail slot.
 *
 * No dependency: `lru-cache` did the same in 18.4 KB of an edge bundle (issue 14), and this measured
 * at least as fast on hits, misses and sets. Slots instead of one object per entry keep the memory
 * of lru-cache's layout: a per-entry object with a boxed lifetime cost 117 bytes per entry against
 * lru-cache's 70 (100,000 introspection-shaped entries, `--expose-gc`); the figures are in the commit.
 *
 * @module cache/memory-cache
 */

/**
 * A bounded in-memory LRU cache with per-entry lifetime. Synchronous, so a warm hit costs no I/O.
 *
 * @example
 * ```ts
 * const cache = new MemoryCache({ maxEntries: 10_000 })
 * cache.set('k', { active: true }, 60_000)
 * ```
 */
declare class MemoryCache<V = unknown> implements CacheStore<V> {
    #private;
    readonly maxEntries: number;
    constructor(options?: {
        maxEntries?: number;
        clock?: Clock;
    });
    /** Number of entries held (expired ones included until they are evicted or read). */
    get size(): number;
    get(key: string): V | undefined;
    set(key: string, value: V, ttlMs: number): void;
    delete(key: string): void;
    /**
     * Stores `value` only if `key` has no live entry; `false` when it has one. Never evicts a live
     * entry to make room (that would forget a key whose uniqueness is being checked): when the cache is
     * full of live entries it throws a `RangeError`, so a replay check fails closed.
     */
    add(key: string, value: V, ttlMs: number): boolean;
    clear(): void;
}

/**
 * The reason codes of refusals, for the operator (events, logs): stable, documented, never sent to
 * the client (which gets the RFC 6750 error code).
 *
 * @module refusal-reason
 */
/**
 * Why a request was refused. Stable codes, documented in the README's table.
 *
 * | reason | status | meaning |
 * |---|---|---|
 * | `missing_token` | 401 | no bearer token in the request |
 * | `malformed_request` | 400 | the `Authorization` header is malformed, repeated or oversized |
 * | `inactive` | 401 | the AS says the token is not active (revoked, expired, unknown) |
 * | `expired` | 401 | `exp` is past |
 * | `not_yet_valid` | 401 | `nbf` is in the future |
 * | `issued_in_future` | 401 | `iat` is in the future |
 * | `too_old` | 401 | `iat` is older than `jwt.maxTokenAge` |
 * | `wrong_audience` | 401 | the token is not meant for this resource server |
 * | `wrong_issuer` | 401 | the token comes from an issuer that is not configured |
 * | `wrong_type` | 401 | the JWT's `typ` is not the one of an access token |
 * | `id_token` | 401 | the token is an OpenID Connect ID token, not an access token |
 * | `bound_token` | 401 | a sender-constrained token (`cnf`: DPoP, certificate-bound) was sent as a plain bearer token |
 * | `not_a_jwt` | 401 | a JWT was expected (JWT-only set-up) |
 * | `bad_signature` | 401 | the signature does not verify |
 * | `unknown_kid` | 401 | the token names a key the AS does not publish |
 * | `alg_not_allowed` | 401 | the token's algorithm is not allowed |
 * | `malformed_token` | 401 | the token or one of its claims is malformed |
 * | `insufficient_scope` | 403 | the token lacks a scope the route requires |
 * | `claim_mismatch` | 403 | a claim, role, group or permission the route requires is missing |
 * | `insufficient_user_authentication` | 401 | the user must authenticate again: `acr` or `auth_time` does not meet the route's (RFC 9470 step-up) |
 * | `invalid_dpop_proof` | 401 | the DPoP proof is missing, malformed, replayed, for another key, method or URL (RFC 9449) |
 * | `use_dpop_nonce` | 401 | the DPoP proof lacks the server's current nonce (RFC 9449 §9) |
 * | `sender_constraint` | 401 | a sender-constrained token (`cnf`) without its proof or certificate, with another's, or an unbound token where binding is required |
 * | `invalid_token` | 401 | any other reason to refuse the token |
 */
type RefusalReason = 'missing_token' | 'malformed_request' | 'inactive' | 'expired' | 'not_yet_valid' | 'issued_in_future' | 'too_old' | 'wrong_audience' | 'wrong_issuer' | 'wrong_type' | 'id_token' | 'bound_token' | 'not_a_jwt' | 'bad_signature' | 'unknown_kid' | 'alg_not_allowed' | 'malformed_token' | 'insufficient_scope' | 'claim_mismatch' | 'insufficient_user_authentication' | 'invalid_dpop_proof' | 'use_dpop_nonce' | 'sender_constraint' | 'invalid_token';

/**
 * Typed errors. Every error carries a stable `code`; none ever carries a token or a secret.
 *
 * - {@link BearerError}: the request's credentials are missing or wrong (400 / 401 / 403, RFC 6750 §3).
 * - {@link AuthorizationServerError}: the authorization server (or its keys) could not be used to decide;
 *   the request must be answered 503 and nothing is cached.
 * - {@link ConfigurationError}: an option is wrong; thrown at construction, never at the first request.
 * - {@link TokenEndpointError}: the token endpoint refused a client-credentials request with an OAuth error.
 * - {@link ReplayCacheError}: the DPoP replay store failed; the request must be answered 503.
 *
 * @module errors
 */
/**
 * The RFC 6750 §3.1 error codes, plus `missing_token` for a request that carries no credentials at all,
 * RFC 9470's `insufficient_user_authentication` (step-up), and the RFC 9449 §7.1 DPoP ones
 * (`invalid_dpop_proof`, `use_dpop_nonce`; sent in a `DPoP` challenge).
 */
type BearerErrorCode = 'missing_token' | 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication' | 'invalid_dpop_proof' | 'use_dpop_nonce';

/** Options shared by every error of this package. */
interface BaseErrorOptions {
    cause?: unknown;
}
/**
 * Every `code` an error of this package can carry, like jose's: switch on it rather than on
 * messages, which may change.
 */
type SdkErrorCode = BearerErrorCode | 'authorization_server_unavailable' | 'replay_cache_unavailable' | 'invalid_configuration' | 'token_endpoint_error';
/** The base of every error thrown by this package. */
declare abstract class ResourceServerSdkError extends Error {
    /** A stable, machine-readable code. */
    abstract readonly code: SdkErrorCode;
    constructor(message: string, options?: BaseErrorOptions);
}
/** The HTTP answer a framework adapter sends for an error: status, headers and a JSON body. */
interface ErrorResponse {
    status: number;
    headers: Record<string, string>;
    body: {
        error: string;
        error_description: string;
    };
}
/** Options of {@link BearerError}. */
interface BearerErrorOptions extends BaseErrorOptions {
    /** Space-separated scopes the resource needs; sent in the challenge with `insufficient_scope`. */
    scope?: string;
    /** `realm` of the challenge. */
    realm?: string;
    /** RFC 9728 protected resource metadata URL, sent as `resource_metadata` in the challenge. */
    resourceMetadata?: string;
    /** Why, for the operator (events, logs); read from the code and cause when not given. */
    reason?: RefusalReason;
    /** More for the operator only (events, logs): never sent to the client. */
    detail?: string;
    /** RFC 9470 step-up: the authentication context classes the resource accepts (space-separated), for `insufficient_user_authentication`. */
    acrValues?: string;
    /** RFC 9470 step-up: the longest acceptable time since the user authenticated, in seconds. */
    maxAge?: number;
}
/**
 * The request's credentials are missing or not acceptable. Carries the HTTP status, the RFC 6750
 * error code, a description safe to show the caller, and a ready `WWW-Authenticate` value.
 *
 * @example
 * ```ts
 * try {
 *   const auth = await rs.authenticate(req.headers.authorization)
 * } catch (err) {
 *   if (err instanceof BearerError) {
 *     res.writeHead(err.status, { 'www-authenticate': err.wwwAuthenticate }).end()
 *   }
 * }
 * ```
 */
declare class BearerError extends ResourceServerSdkError {
    readonly code: BearerErrorCode;
    /** 400 (`invalid_request`), 401 (`invalid_token`, `missing_token`, `insufficient_user_authentication`) or 403 (`insufficient_scope`). */
    readonly status: 400 | 401 | 403;
    /** Human-readable, safe to send to the client (never contains the token). */
    readonly description: string;
    /** Scopes required, for `insufficient_scope`. */
    readonly scope: string | undefined;
    /** Value for the `WWW-Authenticate` response header (RFC 6750 §3). */
    readonly wwwAuthenticate: string;
    /** Why, for the operator, when the code that refused said so (see `RefusalReason`). */
    readonly reason: RefusalReason | undefined;
    /** More for the operator only (events, logs): never in the answer. */
    readonly detail: string | undefined;
    /** RFC 9470: `acr_values` of the step-up challenge. */
    readonly acrValues: string | undefined;
    /** RFC 9470: `max_age` of the step-up challenge, in seconds. */
    readonly maxAge: number | undefined;
    constructor(code: BearerErrorCode, description: string, options?: BearerErrorOptions);
    /** Headers the answer carries besides `WWW-Authenticate` (e.g. `DPoP-Nonce`); none for a plain Bearer refusal. */
    get responseHeaders(): Readonly<Record<string, string>> | undefined;
    /** A copy of this error with a realm / resource metadata URL added to the challenge. */
    withChallenge(options: Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>): BearerError;
    toJSON(): ErrorResponse['body'];
}
/** Why the authorization server could not be used. */
type AuthorizationServerFailure = 'network' | 'timeout' | 'http_status' | 'bad_response' | 'bad_signature' | 'client_rejected' | 'metadata' | 'issuer_mismatch';
/**
 * The authorization server (or its keys) was unreachable, too slow or misbehaved, so the token could
 * not be judged. Adapters answer 503 with `Retry-After`. Never cached, never authenticates.
 */
declare class AuthorizationServerError extends ResourceServerSdkError {
    readonly code: "authorization_server_unavailable";
    readonly status: 503;
    readonly failure: AuthorizationServerFailure;
    /** Seconds the client should wait before retrying. */
    readonly retryAfter: number;
    /** The HTTP status the AS answered with, when it answered. */
    readonly upstreamStatus: number | undefined;
    constructor(failure: AuthorizationServerFailure, message: string, options?: BaseErrorOptions & {
        retryAfter?: number;
        upstreamStatus?: number;
    });
    /** What `toErrorResponse` sends, plus the failure kind: the message (for your logs) is not in it. */
    toJSON(): ErrorResponse['body'] & {
        failure: AuthorizationServerFailure;
    };
}
/**
 * The store that detects replayed DPoP proofs (`jti`) failed or timed out, so the proof could not be
 * checked: the request is answered 503 with `Retry-After`, never accepted (an unchecked proof could
 * be a replay) and never refused as the client's fault (the proof may well be fine).
 */
declare class ReplayCacheError extends ResourceServerSdkError {
    readonly code: "replay_cache_unavailable";
    readonly status: 503;
    /** Seconds the client should wait before retrying. */
    readonly retryAfter: number;
    constructor(message: string, options?: BaseErrorOptions & {
        retryAfter?: number;
    });
}
/** One wrong option: where it is and what was expected. */
interface ConfigurationIssue {
    /** Dotted path of the option, e.g. `cache.maxEntries`. */
    path: string;
    message: string;
}
/**
 * A wrong or missing option. Thrown by the factories at construction (never at the first request for
 * a construction-time option), and by a call given wrong per-call arguments.
 */
declare class ConfigurationError extends ResourceServerSdkError {
    readonly code: "invalid_configuration";
    readonly issues: ConfigurationIssue[];
    constructor(component: string, issues: ConfigurationIssue[]);
}
/**
 * The token endpoint answered a client-credentials request with an OAuth error (RFC 6749 §5.2), such
 * as `invalid_client` or `invalid_scope`. Not retried: the request would fail again.
 */
declare class TokenEndpointError extends ResourceServerSdkError {
    readonly code: "token_endpoint_error";
    /** The AS's `error` code. */
    readonly error: string;
    /** The AS's `error_description`, if any (the client secret removed). */
    readonly errorDescription: string | undefined;
    /** The HTTP status the AS answered with (not a status for your own answer). */
    readonly upstreamStatus: number;
    constructor(error: string, errorDescription: string | undefined, upstreamStatus: number);
}

/**
 * The events a resource server emits to explain itself to the operator: every authentication,
 * every refusal with its reason, every failure of the authorization server, key and metadata
 * refreshes, set-up problems, and failures of a shared cache store. No event ever holds a token or a secret.
 *
 * @module events/types
 */

/** A token was accepted. */
interface AuthenticatedEvent {
    type: 'authenticated';
    /** How it was judged now: a cached verdict, a local JWT verification, or an introspection. */
    source: 'cache' | 'jwt' | 'introspection';
    issuer: string;
    clientId: string | undefined;
    sub: string | undefined;
    /** Milliseconds spent in the SDK for this request. */
    durationMs: number;
}
/** A request was refused (400, 401, 403). */
interface RejectedEvent {
    type: 'rejected';
    reason: RefusalReason;
    status: 400 | 401 | 403;
    /** The description sent to the client. */
    description: string;
    /** More for the operator, when there is more to say (e.g. an issuer that differs only by a trailing slash). */
    detail?: string;
    durationMs: number;
}
/** The authorization server (or its keys) could not be used: the request was answered 503. */
interface AuthorizationServerErrorEvent {
    type: 'authorization_server_error';
    failure: AuthorizationServerFailure;
    /** What went wrong, naming the endpoint (origin and path) and, for a set-up problem, the fix. */
    message: string;
    upstreamStatus: number | undefined;
    durationMs: number;
}
/** The AS's key set was fetched. */
interface JwksRefreshedEvent {
    type: 'jwks_refreshed';
    /** Origin and path of the JWKS. */
    jwksUri: string;
}
/** The AS's metadata was discovered. */
interface MetadataDiscoveredEvent {
    type: 'metadata_discovered';
    issuer: string;
}
/** The set-up cannot work as configured (bad client credentials, an issuer that is not the AS's): every request will fail. */
interface ConfigurationProblemEvent {
    type: 'configuration_problem';
    message: string;
}
/**
 * The shared cache store (`cache.store`, e.g. Redis) failed or did not answer within `storeTimeout`:
 * requests are answered as without a shared store (in-memory cache, then the AS), and the store is
 * left alone for a second before it is tried again. Emitted once per outage (again only after a
 * call succeeded); logged once a minute per message.
 */
interface StoreErrorEvent {
    type: 'store_error';
    /** The store call that failed. */
    operation: 'get' | 'set' | 'delete' | 'add' | 'clear';
    /** What the store said (its error's name and message), or that it timed out. */
    message: string;
}
/** Every event, by its `type`. */
type ResourceServerEvent = AuthenticatedEvent | RejectedEvent | AuthorizationServerErrorEvent | JwksRefreshedEvent | MetadataDiscoveredEvent | ConfigurationProblemEvent | StoreErrorEvent;
/** A pino-, winston- or console-compatible logger: only the methods used are needed. */
interface Logger {
    debug?(message: string, fields?: Record<string, unknown>): void;
    info?(message: string, fields?: Record<string, unknown>): void;
    warn?(message: string, fields?: Record<string, unknown>): void;
    error?(message: string, fields?: Record<string, unknown>): void;
}

/** The `fetch` signature this package calls; pass your own to add a proxy, tracing or mTLS. */
type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The resource server's own private keys: for `private_key_jwt`, and to decrypt encrypted
 * introspection responses (their public halves are published through {@link publicJwks}).
 *
 * @module keys/private-keys
 */

/**
 * A private key given as a JWK (its `alg` and `kid` are used when present), or as PKCS#8 PEM with
 * the algorithm it is for.
 *
 * @example
 * ```ts
 * const key: PrivateKeyInput = { pem: process.env.RS_PRIVATE_KEY!, alg: 'RSA-OAEP-256', kid: 'rs-enc-1' }
 * ```
 */
type PrivateKeyInput = jose.JWK | {
    pem: string;
    alg: string;
    kid?: string;
};

/**
 * Checks one JWS signature; returns `true` only when `signature` is a valid signature of `data`
 * by `key` under `alg`. Called once the token's header has passed every check (the `alg` is on the
 * allow-list, `crit` is refused) and `key` has been checked against `alg`:
 *
 * - `alg`: `RS256`/`384`/`512`, `PS256`/`384`/`512`, `ES256`/`384`/`512` (`signature` in the JWS
 *   form, r‖s, IEEE P1363), `EdDSA` or `Ed25519` (Ed25519 keys), `HS256`/`384`/`512`;
 * - `key`: the AS's public key as a WebCrypto `CryptoKey` (imported by jose from the JWKS, for this
 *   `alg`), or the configured shared secret's bytes for HS*;
 * - `data`: the JWS signing input (the ASCII bytes of `header.payload`).
 *
 * A verifier that throws, rejects or returns anything but a boolean refuses the token (fail closed).
 * The default is {@link webCryptoSignatureVerifier}; on Node, `nodeSignatureVerifier(crypto)` is faster.
 */
type SignatureVerifier = (alg: string, key: CryptoKey | Uint8Array, signature: Uint8Array, data: Uint8Array) => boolean | Promise<boolean>;
/** The default {@link SignatureVerifier}: WebCrypto's `crypto.subtle.verify`, on every runtime. */
declare const webCryptoSignatureVerifier: SignatureVerifier;

/**
 * A {@link SignatureVerifier} on Node's `node:crypto` (one-shot `crypto.verify` with a callback, so
 * the public-key work runs on libuv's thread pool and the event loop keeps serving requests; a
 * `KeyObject` kept per key): cheaper per verification than WebCrypto on Node, and, unlike the
 * synchronous call, it does not hold the event loop for the ~50 µs of an ECDSA check. Core imports
 * nothing from Node: the caller hands the module in (`import * as crypto from 'node:crypto'`), which
 * the Node adapters do for their users.
 *
 * @module jwt/node-signature
 */

/**
 * The part of `node:crypto` the verifier uses (Node's module, or a runtime's `node:crypto` compatible
 * one). `Key`: its `KeyObject` type, opaque here.
 */
interface NodeCryptoLike<Key extends object = object> {
    KeyObject: {
        from(key: CryptoKey): Key;
    };
    /** Used with its callback (Node runs it on the thread pool). */
    verify(algorithm: string | null | undefined, data: Uint8Array, key: NoInfer<Key> | {
        key: NoInfer<Key>;
        dsaEncoding?: 'der' | 'ieee-p1363';
        padding?: number;
        saltLength?: number;
    }, signature: Uint8Array, callback: (error: Error | null, valid: boolean) => void): void;
    createHmac(algorithm: string, key: Uint8Array): {
        update(data: Uint8Array): {
            digest(): Uint8Array;
        };
    };
    timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
    constants: {
        RSA_PKCS1_PSS_PADDING: number;
    };
    /** One-shot digest (Node 20.12+), used by `useNodeCrypto` for cache keys (JWT and introspection); optional. */
    hash?(algorithm: 'sha256', data: string, outputEncoding: 'binary' | 'hex'): string;
}
/**
 * A {@link SignatureVerifier} on `node:crypto`: ECDSA signatures read as IEEE P1363 (r‖s, as in a
 * JWS), RSA-PSS with the hash-length salt, Ed25519 without a digest, HMAC compared in constant time.
 * Answers `false` for anything it does not know. Public-key signatures are checked on the thread
 * pool (`crypto.verify` with a callback); HMAC, a few microseconds, on the spot. Each verifier keeps
 * one `KeyObject` per `CryptoKey` (held weakly): create it once, not per request.
 *
 * @param nodeCrypto - Node's `node:crypto` module.
 * @example
 * ```ts
 * import * as crypto from 'node:crypto'
 * import { createResourceServer, nodeSignatureVerifier } from '@org/rs-core'
 *
 * const rs = createResourceServer({ issuer, audience, tokenFormat: 'jwt', signatureVerifier: nodeSignatureVerifier(crypto) })
 * ```
 */
declare function nodeSignatureVerifier<Key extends object>(nodeCrypto: NodeCryptoLike<Key>): SignatureVerifier;

/**
 * How this resource server authenticates itself to the authorization server (introspection and
 * token endpoints): `client_secret_post`, `client_secret_basic`, `private_key_jwt`, `client_secret_jwt`.
 *
 * @module client-auth
 */

type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt' | 'client_secret_jwt';

/**
 * What one introspection call needs, resolved once at construction, and the algorithm lists.
 *
 * @module introspection/settings
 */

/** The raw members of an introspection response (RFC 7662 §2.2), as the AS sent them. */
type IntrospectionClaims = {
    active: boolean;
} & Record<string, unknown>;
declare const KEY_MANAGEMENT_ALGS: readonly ["RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"];
declare const CONTENT_ENCRYPTION_ALGS: readonly ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"];
/** A JWE key-management algorithm accepted on encrypted introspection responses. */
type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGS)[number];
/** A JWE content-encryption algorithm accepted on encrypted introspection responses. */
type ContentEncryptionAlgorithm = (typeof CONTENT_ENCRYPTION_ALGS)[number];

/**
 * The public, hand-written types of the options that describe one authorization server: those of
 * an `issuers` entry, also accepted at the top level of {@link ResourceServerOptions} (a per-issuer
 * value overrides the top-level one). `test/types/option-types.test.ts` checks that the validation
 * schema of `resource-server/options.ts` accepts exactly these types.
 *
 * Every duration is a number of seconds (fractions allowed).
 *
 * @module resource-server/issuer-options
 */

/** JWS algorithms accepted on JWT access tokens and signed introspection responses (`none` never is). */
declare const SIGNING_ALGS: readonly ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "HS256", "HS384", "HS512"];
/** A JWS algorithm of {@link SIGNING_ALGS}. HS* ones are keyed by a secret (`jwt.secret`, the client secret). */
type SigningAlgorithm = (typeof SIGNING_ALGS)[number];
/** How introspection responses (RFC 7662, RFC 9701) are asked for and checked: the `introspection` option. */
interface IntrospectionOptions {
    /**
     * `json` (RFC 7662) or `jwt` (RFC 9701: a signed, optionally encrypted, response). Default `json`,
     * `jwt` when `signingAlgorithms` or `decryptionKeys` is given.
     */
    response?: 'json' | 'jwt' | undefined;
    /** Algorithms accepted on a signed response. Default `RS256`, `PS256`, `ES256`, `EdDSA`, `Ed25519`; HS* needs `clientSecret`. */
    signingAlgorithms?: readonly SigningAlgorithm[] | undefined;
    /**
     * Whether the response must be encrypted to one of `decryptionKeys` (`required`), may be
     * (`optional`) or is not (`none`). Default `required` when `decryptionKeys` is given, else `none`.
     */
    encryption?: 'required' | 'optional' | 'none' | undefined;
    /** Key-management algorithms accepted on an encrypted response. Default: all of RSA-OAEP(-256), ECDH-ES(+A*KW). */
    keyManagementAlgorithms?: readonly KeyManagementAlgorithm[] | undefined;
    /** Content-encryption algorithms accepted on an encrypted response. Default: all of A*GCM, A*CBC-HS*. */
    contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[] | undefined;
    /** The `token_type_hint` sent with each introspection request (e.g. `access_token`). Default: none sent. */
    tokenTypeHint?: string | undefined;
    /** Seconds: the oldest `iat` accepted on a signed response (plus `clockTolerance`), at most 3600. Default 60. */
    maxResponseAge?: number | undefined;
}
/** How JWT access tokens (RFC 9068) are verified locally: the `jwt` option. */
interface JwtOptions {
    /** The allow-list of signature algorithms (`none` is never accepted). Default: every asymmetric one of {@link SIGNING_ALGS}. */
    algorithms?: readonly SigningAlgorithm[] | undefined;
    /** The shared secret of HS* tokens, at least 32 characters; needs an HS* algorithm in `algorithms`. */
    secret?: string | undefined;
    /** `strict`: the header's `typ` must be `at+jwt` (RFC 9068). `lenient` also accepts `JWT` and no `typ`. Default `strict`. */
    typ?: 'strict' | 'lenient' | undefined;
    /** Seconds: refuse a token whose `iat` is older than this (reason `too_old`), whatever its `exp`. Default: no bound. */
    maxTokenAge?: number | undefined;
}
/** The options describing one authorization server (also accepted at the top level). */
interface IssuerFields {
    /** The introspection endpoint, used as is. Default: discovered from `issuer`. */
    introspectionEndpoint?: string | undefined;
    /** The AS's JWKS (its signing keys), used as is. Default: discovered from `issuer`. Required with a `{tenantid}` issuer. */
    jwksUri?: string | undefined;
    /** This API's client id at the AS, to call its introspection endpoint. Without it, tokens are JWTs checked locally. */
    clientId?: string | undefined;
    /** The client secret, for `client_secret_post` (default), `client_secret_basic`, `client_secret_jwt` (at least 32 characters). */
    clientSecret?: string | undefined;
    /** The private key for `private_key_jwt` (the default method when only a key is given): a private JWK or `{ pem, alg, kid? }`. */
    privateKey?: PrivateKeyInput | undefined;
    /** How this API authenticates at the introspection endpoint. Default `client_secret_post` (`private_key_jwt` with only `privateKey`). */
    authMethod?: ClientAuthMethod | undefined;
    /**
     * The audience tokens must be issued for, usually this API's identifier; one of several with an
     * array. Required for JWT access tokens (unless `allowedClients` replaces it); checked on
     * introspected tokens as `audienceClaim` says.
     */
    audience?: string | readonly string[] | undefined;
    /** The calling clients accepted (`client_id`, `azp`, `appid` or `cid`), checked on every request. Default: any client. */
    allowedClients?: readonly string[] | undefined;
    /** Your OpenID Connect clients: a token whose `aud` names one of them is an ID token, refused. */
    oidcClientIds?: readonly string[] | undefined;
    /** With a multi-tenant `{tenantid}` issuer: the tenant ids (GUIDs) accepted. Default: any tenant. */
    allowedTenants?: readonly string[] | undefined;
    /** How introspection responses are asked for and checked. */
    introspection?: IntrospectionOptions | undefined;
    /** How JWT access tokens are verified. */
    jwt?: JwtOptions | undefined;
}
/**
 * One authorization server among several (the `issuers` option): a JWT is routed by its `iss`, an
 * opaque token is introspected at the first one (or all, with `tryAllIntrospectionEndpoints`). Each
 * option left out is taken from the top level.
 *
 * @example
 * ```ts
 * const partners: IssuerOptions = { issuer: 'https://partners.example.com', audience: 'orders-api', jwt: { algorithms: ['ES256'] } }
 * createResourceServer({ tokenFormat: 'jwt', issuers: [{ issuer: 'https://auth.example.com', audience: 'orders-api' }, partners] })
 * ```
 */
interface IssuerOptions extends IssuerFields {
    /** The AS's issuer identifier, exactly as in its tokens and metadata; may hold one `{tenantid}` placeholder (JWTs only). */
    issuer: string;
}

/**
 * An HTTP request, as a framework adapter (or your own server) hands it to
 * {@link ResourceServer.authenticateRequest}. Give `rawHeaders` (Node) or `headers`.
 *
 * @example Node's `http` module
 * ```ts
 * const auth = await rs.authenticateRequest({ method: req.method, url: req.url, rawHeaders: req.rawHeaders })
 * ```
 * @example A Fetch `Request` (Bun, Deno, workers)
 * ```ts
 * const auth = await rs.authenticateRequest({ method: request.method, url: request.url, headers: request.headers })
 * ```
 */
interface HttpRequestInput {
    /** The request method, e.g. `GET`. */
    method?: string | undefined;
    /** The request URL (absolute, or the path and query as received). */
    url?: string | undefined;
    /**
     * The headers: a Fetch `Headers` (duplicates arrive joined by `, `, which a bearer credential can
     * never contain, so a duplicate is still refused) or an object of lower-case names (a value may be
     * an array when the header was repeated).
     */
    headers?: HeadersLike | undefined;
    /** Node's `req.rawHeaders` (`[name, value, name, value, …]`): the exact headers received, duplicates included. Read first when given. */
    rawHeaders?: readonly string[] | undefined;
    /**
     * The request's absolute URL as the framework sees it (scheme and host after the framework's own
     * proxy settings, path and query as received), for a DPoP proof's `htu` when `url` is only a path.
     * Ignored when the `dpop.publicUrl` option is set. A function is called only when a proof is checked.
     */
    href?: string | (() => string | undefined) | undefined;
    /**
     * The DER bytes of the certificate the client presented on the TLS connection, for certificate-bound
     * tokens (RFC 8705). A function is called only when a token is bound to a certificate. On Node, see
     * `clientCertificateOf(req.socket)`.
     */
    clientCertificate?: Uint8Array | (() => Uint8Array | undefined) | undefined;
}
/** A Fetch `Headers`, or a plain object of lower-case header names. */
type HeadersLike = {
    get(name: string): string | null;
} | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Asymmetric algorithms a proof may use; `none` and HS* never are. */
declare const DPOP_ALGS: readonly ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA", "Ed25519"];
type DpopAlgorithm = (typeof DPOP_ALGS)[number];

/**
 * The public, hand-written types of the `dpop` and `mtls` options of a resource server and of the
 * per-route modes. `test/types/option-types.test.ts` checks that the validation schemas of
 * `sender-constraint/options.ts` accept exactly these types. Durations are seconds.
 *
 * @module sender-constraint/types
 */

/**
 * How a sender-constraint mechanism is treated: `none` (a token bound with it is refused),
 * `allowed` (bound tokens must prove it, unbound ones are fine), `required` (every token must be bound with it).
 */
type SenderConstraintMode = 'none' | 'allowed' | 'required';
/**
 * DPoP (RFC 9449): tokens bound to a client key (`cnf.jkt`) are only good with a proof of that key
 * made for the very request (`authenticateRequest` / an adapter, not a header alone).
 *
 * @example
 * ```ts
 * createResourceServer({
 *   issuer: 'https://auth.example.com', audience: 'orders-api', tokenFormat: 'jwt',
 *   dpop: { mode: 'allowed', publicUrl: 'https://api.example.com', proofMaxAge: 60, nonce: { secret: process.env.DPOP_NONCE_SECRET!, rotation: 300 } },
 * })
 * ```
 */
interface DpopOptions {
    /** Default `allowed` when `dpop` is given (`none` when it is not). A route's `dpop` overrides it. */
    mode?: SenderConstraintMode | undefined;
    /** Proof algorithms accepted (asymmetric only). Default `ES256`, `ES384`, `PS256`, `RS256`, `EdDSA`, `Ed25519`. */
    algorithms?: readonly DpopAlgorithm[] | undefined;
    /** Seconds a proof is accepted after its `iat` (plus `clockTolerance`), from 1 to 3600. Default 300. */
    proofMaxAge?: number | undefined;
    /**
     * The API's public base URL (`https://api.example.com`, or with the path prefix a proxy strips):
     * each proof's `htu` is checked against it. Default: the request's own URL (set it in production).
     */
    publicUrl?: string | undefined;
    /** Server-issued nonces (`DPoP-Nonce`, `use_dpop_nonce`): proofs must carry a recent one. Default: no nonce asked for. */
    nonce?: {
        /** Shared by the instances that must accept each other's nonces. At least 32 characters. */
        secret: string;
        /** Seconds between two nonces, from 10 to 86400; a nonce is accepted for one to two periods. Default 300. */
        rotation?: number | undefined;
    } | undefined;
    /** Where proof `jti`s are remembered, so a proof is accepted once. Fails closed (503) when the store fails. */
    replay?: {
        /** Where seen `jti` values are kept; share one (e.g. Redis, with `add`) between instances. Default: in memory. */
        store?: CacheStore | undefined;
        /** Bound of the default in-memory store; full, it fails closed. Default 100 000. */
        maxEntries?: number | undefined;
        /** Seconds a store call may take before the request is answered 503 (fractions allowed), at most 60. Default 1. */
        timeout?: number | undefined;
    } | undefined;
}
/** Certificate-bound access tokens (RFC 8705, `cnf.x5t#S256`): the client's TLS certificate must match. */
interface MtlsOptions {
    /** Default `allowed` when `mtls` is given (`none` when it is not). A route's `mtls` overrides it. */
    mode?: SenderConstraintMode | undefined;
    /**
     * `true`: the client certificate is read only from the RFC 9440 `Client-Cert` header, set by a
     * TLS-terminating proxy you trust to overwrite any such header sent by the client. Default `false`:
     * only the TLS connection's certificate is used and the header is ignored.
     */
    trustProxyHeader?: boolean | undefined;
}

/**
 * Refusals of a route that accepts DPoP: the `WWW-Authenticate` value lists every scheme the route
 * accepts (`Bearer` unless DPoP is required, `DPoP` with `algs`, RFC 9449 §7.1), the error goes in
 * the challenge of the scheme the client used (always `DPoP` for a proof or nonce error), and a
 * `DPoP-Nonce` header goes with it when nonces are configured.
 *
 * @module sender-constraint/challenge
 */

/** What the challenge of a route says besides the error. */
interface SchemeChallenge {
    /** `Bearer` is accepted (DPoP is not required). */
    bearer: boolean;
    /** DPoP is accepted, with these algorithms (`undefined`: not accepted). */
    dpopAlgs: readonly string[] | undefined;
    /** The current server nonce, sent in `DPoP-Nonce`. */
    nonce: string | undefined;
}
interface SenderConstraintErrorOptions extends BearerErrorOptions, SchemeChallenge {
    /** The scheme the client used, when it sent credentials. */
    usedScheme: 'bearer' | 'dpop' | undefined;
}
/**
 * A {@link BearerError} whose challenge lists the `Bearer` and `DPoP` schemes the route accepts, and
 * whose answer may carry a `DPoP-Nonce` header. `toErrorResponse(err)` sends both.
 */
declare class SenderConstraintError extends BearerError {
    #private;
    readonly wwwAuthenticate: string;
    constructor(code: BearerErrorCode, description: string, options: SenderConstraintErrorOptions);
    get responseHeaders(): Readonly<Record<string, string>> | undefined;
    withChallenge(options: Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'>): SenderConstraintError;
    /** `err` with the route's challenge, when it is a refusal; anything else as it is. */
    static from(err: unknown, challenge: SchemeChallenge, usedScheme: 'bearer' | 'dpop' | undefined, realm: Pick<BearerErrorOptions, 'realm' | 'resourceMetadata'> | undefined): unknown;
}

/** Options of {@link extractBearerToken}. */
interface BearerOptions {
    /** Longest token accepted, in characters. Default 8192. */
    maxLength?: number;
    /**
     * ProConnect's sample service providers base64-encode the access token before sending it. With
     * `true`, a credential that is strict standard base64 and decodes to a valid token is decoded
     * first; anything else is taken as is. Default `false`.
     */
    acceptBase64?: boolean;
}
/**
 * Returns the access token of an `Authorization` header value, or `undefined` when the request
 * carries no bearer credentials (no header, an empty one, or another scheme such as Basic).
 * Throws a {@link BearerError} `invalid_request` (400) for a malformed or oversized credential.
 *
 * @example
 * ```ts
 * extractBearerToken('Bearer mF_9.B5f-4.1JqM') // 'mF_9.B5f-4.1JqM'
 * extractBearerToken(undefined)               // undefined
 * extractBearerToken('Bearer a b')            // throws BearerError invalid_request
 * ```
 */
declare function extractBearerToken(input: string | readonly string[] | null | undefined, options?: BearerOptions): string | undefined;

/**
 * The public shape of a resource server: {@link ResourceServer}, the per-call options and the
 * documents it publishes.
 *
 * @module resource-server/types
 */

/** A required claim value: equal to a value (or, for an array claim, containing it), one of several, or an array claim including all given. */
type ClaimCondition = string | number | boolean | {
    oneOf: readonly (string | number | boolean)[];
} | {
    includes: string | readonly string[];
};
/**
 * What a route requires of a token, and whether a token is optional. Validated once (a typo is a
 * `ConfigurationError`). Scopes and claims failing give 403 `insufficient_scope`; `acr` and `maxAge`
 * failing give 401 `insufficient_user_authentication` with `acr_values` / `max_age` (RFC 9470 step-up).
 *
 * @example
 * ```ts
 * requireAuth(rs, { scopes: ['orders:write'], roles: ['billing'], claims: { 'realm_access.roles': { includes: 'admin' } }, acr: ['eidas2'], maxAge: 600 })
 * ```
 */
interface RouteOptions {
    /** Every one of these scopes is required. */
    scopes?: readonly string[] | undefined;
    /** At least one of these scopes is required. */
    anyScope?: readonly string[] | undefined;
    /** Resolve `undefined` instead of refusing when the request carries no token. A bad token is still refused. */
    optional?: boolean | undefined;
    /** Required claim values by path (`tid`, `realm_access.roles`, `https://example.com/tier`). */
    claims?: Readonly<Record<string, ClaimCondition>> | undefined;
    /** Every one of these roles, groups or permissions is required (see `rolesOf`). */
    roles?: readonly string[] | undefined;
    /** At least one of these roles, groups or permissions is required (see `rolesOf`). */
    anyRole?: readonly string[] | undefined;
    /** The token's `acr` must be one of these (RFC 9470 step-up otherwise), e.g. `['eidas2', 'eidas3']`. */
    acr?: readonly string[] | undefined;
    /** The user must have authenticated (`auth_time`) at most this many seconds ago (RFC 9470 step-up otherwise). */
    maxAge?: number | undefined;
    /** Anything else: return `true` to accept the token (403 otherwise). Keep it synchronous and fast. */
    check?: ((auth: AccessTokenInfo) => boolean) | undefined;
    /**
     * DPoP on this route, overriding the `dpop.mode` option: `none`, `allowed`, `required`. Takes
     * effect through `authenticateRequest` / `protectRoute` (a header alone carries no proof).
     */
    dpop?: SenderConstraintMode | undefined;
    /** Certificate-bound tokens on this route, overriding the `mtls.mode` option. */
    mtls?: SenderConstraintMode | undefined;
}
/** Per-call options of {@link ResourceServer.authenticate}: the route's requirements (see {@link RouteOptions}). */
type AuthenticateOptions = RouteOptions;
/** RFC 9728 protected resource metadata. */
interface ProtectedResourceMetadata {
    resource: string;
    authorization_servers: string[];
    bearer_methods_supported: ['header'];
    scopes_supported?: string[];
    jwks_uri?: string;
    resource_name?: string;
    resource_documentation?: string;
}
/**
 * A configured resource server. Create one per API, at start-up, and share it: it holds the caches.
 */
interface ResourceServer {
    /**
     * Validates the `Authorization` header value of a request. Resolves with the token's
     * {@link AccessTokenInfo}; rejects with a {@link BearerError} (400/401/403) or an
     * {@link AuthorizationServerError} (503).
     */
    authenticate(authorization: string | readonly string[] | null | undefined, options?: AuthenticateOptions & {
        optional?: false;
    }): Promise<AccessTokenInfo>;
    authenticate(authorization: string | readonly string[] | null | undefined, options: AuthenticateOptions): Promise<AccessTokenInfo | undefined>;
    /**
     * Validates a whole request: today its `Authorization` header (a duplicated one is refused); the
     * entry point that sender-constrained tokens (DPoP proofs, client certificates) build on. Adapters
     * call this. `options` are validated on every call here; validate them once with `protectRoute`.
     *
     * @example
     * ```ts
     * const auth = await rs.authenticateRequest({ method: request.method, url: request.url, headers: request.headers }, { scopes: ['read'] })
     * ```
     */
    authenticateRequest(request: HttpRequestInput, options?: AuthenticateOptions & {
        optional?: false;
    }): Promise<AccessTokenInfo>;
    authenticateRequest(request: HttpRequestInput, options: AuthenticateOptions): Promise<AccessTokenInfo | undefined>;
    /** Like {@link authenticate}, for a token already taken out of the request. */
    verifyToken(token: string, options?: Omit<RouteOptions, 'optional'>): Promise<AccessTokenInfo>;
    /** Introspects a token at the (first) authorization server, uncached; resolves with the verified response members. */
    introspect(token: string): Promise<IntrospectionClaims>;
    /**
     * This resource server's own public keys — those the AS encrypts introspection responses to
     * (`decryptionKeys`, public members only) — as a JWKS to serve at the `jwks_uri` registered at the AS.
     * Not the AS's keys (those are the `jwksUri` option).
     */
    encryptionJwks(): Promise<{
        keys: Record<string, unknown>[];
    }>;
    /** @deprecated renamed {@link encryptionJwks}: these are this resource server's keys, not the AS's. */
    jwks(): Promise<{
        keys: Record<string, unknown>[];
    }>;
    /** RFC 9728 metadata (needs the `resource` option), to serve at {@link resourceMetadataUrl}. */
    protectedResourceMetadata(): ProtectedResourceMetadata | undefined;
    /**
     * The whole HTTP answer for the JWKS route: 200 `application/jwk-set+json` with the public keys and
     * a cache lifetime, or the error answer if the keys cannot be loaded. Never rejects.
     */
    encryptionJwksResponse(): Promise<DocumentResponse>;
    /** @deprecated renamed {@link encryptionJwksResponse}. */
    jwksResponse(): Promise<DocumentResponse>;
    /** The whole HTTP answer for the RFC 9728 metadata route: 200 `application/json`, or 404 when `resource` is not set. */
    protectedResourceMetadataResponse(): DocumentResponse;
    /** Where the RFC 9728 metadata is served, as announced in `WWW-Authenticate`. */
    readonly resourceMetadataUrl: string | undefined;
    /** Path part of {@link resourceMetadataUrl}, for routing. */
    readonly resourceMetadataPath: string | undefined;
    /** Imports keys and discovers the AS metadata now, so a problem shows at start-up. */
    ready(): Promise<void>;
    /**
     * Forgets every cached result (e.g. after a key compromise or a revocation): verified JWTs, the
     * in-memory verdicts, and the entries of a custom `cache.store` when it offers the optional
     * `clear()` method (see `CacheStore.clear`; a store without it keeps its entries until they expire).
     */
    clearCache(): Promise<void>;
}
/** The HTTP answer for a document the resource server publishes (see {@link ResourceServer.jwksResponse}). */
interface DocumentResponse {
    status: number;
    headers: Record<string, string>;
    body: unknown;
}

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

/** Caching of verdicts (introspection answers) and of verified JWTs: the `cache` option. */
interface CacheOptions {
    /** Most verdicts kept in memory (least recently used evicted first). Default 10 000. */
    maxEntries?: number | undefined;
    /** Seconds an active verdict is kept at most (it also ends at the token's `exp`). Default 300. */
    maxTtl?: number | undefined;
    /** Seconds an inactive verdict is kept (a token refused by the AS). Default 30. */
    inactiveTtl?: number | undefined;
    /**
     * A shared second level (Redis…) behind the in-memory one, so several instances share verdicts;
     * treated as untrusted (values validated on every read). A `MemoryCache` replaces the first level.
     */
    store?: CacheStore | undefined;
    /** Most verified JWTs kept (signature checks skipped until expiry); `0` turns it off. Default: `maxEntries`. */
    verifiedJwtMaxEntries?: number | undefined;
    /** Seconds one `store` call may take (fractions allowed), at most 10: a slower `get` is a miss, a slower `set` is not waited for. Default 0.05. */
    storeTimeout?: number | undefined;
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
interface ResourceServerOptions extends IssuerFields {
    /** The AS's issuer identifier, exactly as in its tokens and metadata. Required unless `issuers` is given (not both). */
    issuer?: string | undefined;
    /** Several authorization servers: JWTs are routed by `iss`; each entry inherits the top-level issuer options it leaves out. */
    issuers?: readonly IssuerOptions[] | undefined;
    /**
     * `introspection`, `jwt` (checked locally), or `auto` (JWTs of a configured issuer locally, the
     * rest by introspection). Default `introspection` when a `clientId` is given, else `jwt`.
     */
    tokenFormat?: 'introspection' | 'jwt' | 'auto' | undefined;
    /**
     * Which claim of an introspected token `audience` is checked against: `aud`, or `client_id` (an AS
     * whose answers carry no `aud`). Default `aud` with `tokenFormat: 'introspection'`; in `auto` mode,
     * opaque tokens are checked only when this is set.
     */
    audienceClaim?: 'aud' | 'client_id' | undefined;
    /** Requirements added to every route's own (scopes, claims, roles, `acr`…): the route vocabulary without `optional`. */
    everyRoute?: Omit<RouteOptions, 'optional'> | undefined;
    /** @deprecated use `everyRoute: { scopes }`: scopes required on every route, added to the route's own. */
    scopes?: readonly string[] | undefined;
    /** @deprecated use `everyRoute: { anyScope }`. */
    anyScope?: readonly string[] | undefined;
    /** With several `issuers`, introspect an opaque token at each in turn until one says active. Default `false`: the first only. */
    tryAllIntrospectionEndpoints?: boolean | undefined;
    /** This API's private keys, that the AS encrypts introspection responses to (published by `rs.encryptionJwks()`). */
    decryptionKeys?: readonly PrivateKeyInput[] | undefined;
    /** Seconds of clock skew accepted on `exp`, `nbf`, `iat` and proofs, from 0 to 300. Default 5. */
    clockTolerance?: number | undefined;
    /** Milliseconds since the epoch, like `Date.now` (the default); injected in tests. */
    clock?: Clock | undefined;
    /** Seconds one call to the AS (discovery, JWKS, introspection) may take (fractions allowed), at most 60. Default 5. */
    timeout?: number | undefined;
    /** The `fetch` used for every call to the AS. Default `globalThis.fetch`. */
    fetch?: FetchLike | undefined;
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
    signatureVerifier?: SignatureVerifier | undefined;
    /** Receives every event: each request accepted or refused (with its `reason`), AS failures, set-up problems. */
    onEvent?: ((event: ResourceServerEvent) => void) | undefined;
    /** A logger (`console`, pino, winston…) for the events, or `false` for nothing. Default: only set-up problems, on the console, once a minute. */
    logger?: Logger | false | undefined;
    /** Accept plain `http://` URLs on hosts other than loopback (never in production). Default `false`. */
    allowInsecureRequests?: boolean | undefined;
    /** Bytes read at most from any AS response (streamed, aborted past it), from 1024 to 64 MB. Default 262144 (256 KB). */
    maxResponseBytes?: number | undefined;
    /** How the `Authorization` header is read. */
    bearer?: {
        /** Longest token accepted, in characters, from 16 to 65536. Default 8192. */
        maxLength?: number | undefined;
        /** Decode a token sent base64-encoded (ProConnect's sample service providers do). Default `false`. */
        acceptBase64?: boolean | undefined;
    } | undefined;
    /** Caching of verdicts and verified JWTs, or `false` for none. Default: in memory, with the defaults of {@link CacheOptions}. */
    cache?: false | CacheOptions | undefined;
    /** The AS's key set (JWKS). */
    jwks?: {
        /** Seconds a fetched key set is used before it is refetched, at most 86400. Default 600. */
        cacheMaxAge?: number | undefined;
        /** Seconds at least between two fetches (an unknown `kid` refetches), at most 3600. Default 30. */
        cooldown?: number | undefined;
    } | undefined;
    /** Discovered AS metadata. */
    metadata?: {
        /** Seconds discovered metadata is used before it is refreshed in the background, from 60 to 604800. Default 3600. */
        cacheMaxAge?: number | undefined;
        /** Seconds at least between two discoveries after a failure or an unknown key, at most 3600. Default 10. */
        cooldown?: number | undefined;
    } | undefined;
    /** The `realm` of `WWW-Authenticate` challenges. Default: none. */
    realm?: string | undefined;
    /** This API's identifier (an https URL): turns on RFC 9728 protected resource metadata and its challenge parameter. */
    resource?: string | undefined;
    /** RFC 9728 protected resource metadata (needs `resource`). */
    resourceMetadata?: {
        /** Where the document is served. Default: `/.well-known/oauth-protected-resource` inserted before the `resource` path (RFC 9728). */
        url?: string | undefined;
        /** `scopes_supported`. */
        scopesSupported?: readonly string[] | undefined;
        /** `resource_name`. */
        resourceName?: string | undefined;
        /** `resource_documentation`, a URL. */
        resourceDocumentation?: string | undefined;
    } | undefined;
    /** DPoP-bound tokens (RFC 9449). Default: refused (`mode: 'none'`) unless a route allows them. */
    dpop?: DpopOptions | undefined;
    /** Certificate-bound tokens (RFC 8705). Default: refused (`mode: 'none'`) unless a route allows them. */
    mtls?: MtlsOptions | undefined;
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
declare function createResourceServer(options: ResourceServerOptions): ResourceServer;
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
declare function createJwtResourceServer(options: ResourceServerOptions): ResourceServer;

/** RFC 9728 §3.1: the well-known URL is made by inserting `/.well-known/oauth-protected-resource` before the path. */
declare function wellKnownMetadataUrl(resource: string): string;

/**
 * Route options (what a route requires, whether a token is optional), validated once when a route
 * is protected: a typo such as `{ scope: ['admin'] }` is a {@link ConfigurationError} at start-up,
 * never an open route. Every adapter protects its routes through {@link protectRoute}.
 *
 * @module resource-server/route
 */

/** What a route's answer can be: the validated token (`undefined`: no token on an optional route), now or later. */
type RouteAnswer = AccessTokenInfo | undefined | Promise<AccessTokenInfo | undefined>;
/** A protected route: its options, validated, and the call that authenticates one request for it. */
interface ProtectedRoute {
    readonly options: Readonly<RouteOptions>;
    /** Authenticates one request for this route (see {@link ResourceServer.authenticateRequest}). */
    authenticate(request: HttpRequestInput): Promise<AccessTokenInfo | undefined>;
    /**
     * {@link ProtectedRoute.authenticate}, answering without a promise when the answer is known now:
     * a token accepted from the in-memory caches (or no token on an optional route) comes back as the
     * value itself; anything else (a verification, an introspection, a proof to check, and every
     * refusal) as a promise, which rejects with the refusal. It never throws. For adapters whose
     * framework can go on synchronously (Express's `next()`), where a promise hop on every cached
     * request costs measurably.
     *
     * @example
     * ```ts
     * const answer = route.authenticateNow({ method: req.method, url: req.url, rawHeaders: req.rawHeaders })
     * if (answer instanceof Promise) answer.then(proceed, refuse)
     * else proceed(answer)
     * ```
     */
    authenticateNow(request: HttpRequestInput): RouteAnswer;
}
/**
 * Checks, once, that `rs` is a resource server and `options` are valid route options, and returns
 * the route's authentication call. Adapters call this when the middleware is created.
 *
 * @example
 * ```ts
 * const route = protectRoute(rs, { scopes: ['admin'] }, 'requireAuth') // throws on a typo, at start-up
 * const auth = await route.authenticate({ method: req.method, url: req.url, rawHeaders: req.rawHeaders })
 * ```
 */
declare function protectRoute(rs: ResourceServer, options?: unknown, component?: string): ProtectedRoute;

/**
 * Sets the signature verifier `rs` uses for JWT access tokens when its options name none
 * (`signatureVerifier`, which always wins). The Node adapters call it when they protect a route,
 * with `nodeSignatureVerifier(crypto)`, so that on Node JWTs are verified with `node:crypto`
 * without any configuration; elsewhere the default stays WebCrypto. Has no effect on an object
 * that `createResourceServer` did not return.
 *
 * @example
 * ```ts
 * import * as crypto from 'node:crypto'
 * const verifier = nodeSignatureVerifier(crypto) // once, at module load
 * setDefaultSignatureVerifier(rs, verifier)
 * ```
 * @throws ConfigurationError - when `verifier` is not a function.
 */
declare function setDefaultSignatureVerifier(rs: ResourceServer, verifier: SignatureVerifier, component?: string): void;
/**
 * What the Node adapters (Express, Fastify, Koa, NestJS) call when they protect a route, with Node's
 * `node:crypto` module: from then on `rs` verifies JWT signatures with it (unless the
 * `signatureVerifier` option names a verifier, which always wins), and hashes its verified-JWT cache
 * keys with its one-shot `hash` (the same SHA-256, about three times cheaper per warm request than
 * core's JavaScript one). Core itself imports nothing from Node. Call it yourself when you use core
 * directly on Node (or Bun, Deno) with `import * as crypto from 'node:crypto'`. Has no effect on an
 * object that `createResourceServer` did not return.
 *
 * @example
 * ```ts
 * import * as crypto from 'node:crypto'
 * import { createResourceServer, useNodeCrypto } from '@org/rs-core'
 *
 * const rs = createResourceServer({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' })
 * useNodeCrypto(rs, crypto)
 * ```
 * @throws ConfigurationError - when `nodeCrypto` is not `node:crypto` (no `verify`, no `KeyObject`), or
 *   its `hash('sha256', …)` does not give SHA-256.
 */
declare function useNodeCrypto<Key extends object>(rs: ResourceServer, nodeCrypto: NodeCryptoLike<Key>, component?: string): void;

/**
 * Reading claims the way vendors put them: nested paths (`realm_access.roles`), and one place that
 * gathers a token's roles, groups and permissions whatever the AS calls them.
 *
 * @module claims
 */

/**
 * The value at a dotted path in the token's claims (`realm_access.roles`), or `undefined`. A claim
 * whose own name contains a dot (`https://example.com/roles`, `cognito:groups`) is found first.
 *
 * @example
 * ```ts
 * getClaim(auth, 'realm_access.roles') // ['admin', 'user'] for a Keycloak token
 * ```
 */
declare function getClaim(auth: Pick<AccessTokenInfo, 'claims'>, path: string): unknown;
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
declare function rolesOf(auth: Pick<AccessTokenInfo, 'claims'>, options?: {
    clientId?: string;
}): string[];

/**
 * The HTTP answer for any error of an authentication: what every adapter sends.
 *
 * @module error-response
 */

/**
 * Turns any error from {@link ResourceServer.authenticate} into the HTTP answer to send: the
 * {@link BearerError}'s status and challenge, 503 with `Retry-After` for an unavailable AS, and a
 * bare 500 for anything else (a bug: never authenticates, never leaks details).
 */
declare function toErrorResponse(err: unknown): ErrorResponse;

/** base64url(SHA-256(DER)): the `x5t#S256` confirmation of a certificate. */
declare function certificateThumbprint(der: Uint8Array): string;
/**
 * The DER of the certificate the client presented on a Node TLS socket (`req.socket`), or
 * `undefined` for a plain socket or no certificate. Duck-typed: core imports nothing from Node.
 *
 * @example An adapter
 * ```ts
 * rs.authenticateRequest({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, clientCertificate: () => clientCertificateOf(req.socket) })
 * ```
 */
declare function clientCertificateOf(socket: unknown): Uint8Array | undefined;

/** What a forwarded error carries for the framework. */
interface HttpErrorFields {
    /** The status to answer with (Express, Koa). */
    readonly status: number;
    /** The same, under the name Fastify and Node read. */
    readonly statusCode: number;
    /** Headers to send with the answer. */
    readonly headers: Readonly<Record<string, string>>;
    /** Whether the message is safe to show the client (4xx: yes; 503: no). */
    readonly expose: boolean;
    /** The JSON body core would have answered with. */
    readonly body: {
        error: string;
        error_description: string;
    };
}
/**
 * Returns `err` with the {@link HttpErrorFields} set when it is one of ours (a {@link BearerError} or
 * an {@link AuthorizationServerError}); any other error is returned as it is (a bug: 500).
 *
 * @example Express, with `requireAuth(rs, { forwardErrors: true })`
 * ```ts
 * app.use((err, req, res, next) => {
 *   logger.warn({ err }, 'request refused')
 *   res.status(err.status ?? 500).set(err.headers ?? {}).json(err.body ?? { error: 'server_error' })
 * })
 * ```
 */
declare function asHttpError<E>(err: E): E | (E & HttpErrorFields);

/**
 * ProConnect / AgentConnect (the French public-sector identity federation) as the authorization
 * server: environments, endpoints and the options its resource servers need.
 *
 * @module presets/proconnect
 */

/** ProConnect environments and their hosts. */
declare const PROCONNECT_ENVIRONMENTS: {
    readonly integration: "fca.integ01.dev-agentconnect.fr";
    readonly production: "auth.agentconnect.gouv.fr";
    readonly 'integration-rie': "fca.integ02.agentconnect.rie.gouv.fr";
    readonly 'production-rie': "auth.agentconnect.rie.gouv.fr";
};
type ProConnectEnvironment = keyof typeof PROCONNECT_ENVIRONMENTS;
/** Options of {@link proConnect}. */
interface ProConnectOptions extends Omit<ResourceServerOptions, 'issuer' | 'issuers' | 'introspectionEndpoint' | 'jwksUri' | 'introspection' | 'tokenFormat'> {
    /** Which ProConnect environment; or give `issuer` to point at another deployment (e.g. a local one). */
    environment?: ProConnectEnvironment;
    /** Overrides the environment's issuer (`https://{host}/api/v2`). */
    issuer?: string;
    /** This resource server's client id at ProConnect (a separate one from your web app is recommended). */
    clientId: string;
    clientSecret?: string;
    /**
     * The `introspection_signed_response_alg` you registered with ProConnect support: `RS256`
     * (recommended), `ES256`, `HS256` (keyed by the client secret), or `none` for plain JSON (the default
     * registration). Default `RS256`.
     */
    signingAlgorithm?: 'RS256' | 'ES256' | 'HS256' | 'none';
    /**
     * Your private keys, for set-ups that also encrypt introspection responses (older AgentConnect):
     * publish `rs.jwks()` at the `jwks_uri` you registered.
     */
    decryptionKeys?: PrivateKeyInput[];
    /**
     * `required` (default when `decryptionKeys` are given) or `optional` while migrating from
     * encrypted to signed-only responses (ProConnect dropped encryption for resource servers in 2026).
     */
    encryption?: 'required' | 'optional';
    /** Service providers (their `client_id`) whose tokens this API accepts (the `allowedClients` option). Default: any. */
    allowedClients?: string[];
}
/**
 * Options for {@link createResourceServer} with ProConnect as the authorization server: its
 * issuer and endpoints, `client_secret_post`, the registered response signing algorithm, the
 * audience taken from `client_id` (the calling service provider), and acceptance of base64-encoded
 * bearer tokens as sent by ProConnect's sample service providers.
 *
 * @example
 * ```ts
 * import { createResourceServer, proConnect } from '@org/rs-core'
 *
 * const rs = createResourceServer(
 *   proConnect({
 *     environment: 'integration',
 *     clientId: process.env.PC_CLIENT_ID!,
 *     clientSecret: process.env.PC_CLIENT_SECRET!,
 *     signingAlgorithm: 'RS256',
 *     scopes: ['openid'],
 *   }),
 * )
 * ```
 */
declare function proConnect(options: ProConnectOptions): ResourceServerOptions;

/** Options every JWT preset sets itself: where the AS and its keys are, how tokens are checked. */
type PresetManaged = 'issuer' | 'issuers' | 'introspectionEndpoint' | 'jwksUri' | 'introspection';
/** The options a preset passes through unchanged. */
type PassThroughOptions = Omit<ResourceServerOptions, PresetManaged>;

/**
 * Auth0 as the authorization server.
 *
 * @module presets/auth0
 */

/** Options of {@link auth0}. */
interface Auth0Options extends Omit<PassThroughOptions, 'tokenFormat' | 'clientId' | 'clientSecret' | 'privateKey' | 'authMethod' | 'audience'> {
    /** Your tenant's domain (`my-tenant.eu.auth0.com`) or custom domain, without `https://`. */
    domain?: string;
    /** Or the exact issuer, with its trailing slash (`https://my-tenant.eu.auth0.com/`). */
    issuer?: string;
    /** The API's Identifier in the Auth0 dashboard (APIs → your API), the tokens' `aud`. */
    audience: string | string[];
}
/**
 * Options for {@link createResourceServer} with Auth0: JWT access tokens of either access token
 * profile ("Auth0": `typ: "JWT"`, client in `azp`; "RFC 9068": `typ: "at+jwt"`, `client_id`),
 * verified against `https://{domain}/.well-known/jwks.json`; the issuer `https://{domain}/` (with its
 * trailing slash). With RBAC, `permissions` can be required with a route's `roles`.
 *
 * @example
 * ```ts
 * import { auth0, createResourceServer } from '@org/rs-core'
 *
 * const rs = createResourceServer(auth0({ domain: 'my-tenant.eu.auth0.com', audience: 'https://api.example.com' }))
 * const auth = await rs.authenticate('Bearer …', { roles: ['read:orders'] })
 * ```
 */
declare function auth0(options: Auth0Options): ResourceServerOptions;

/**
 * Amazon Cognito user pools as the authorization server.
 *
 * @module presets/cognito
 */

/** Options of {@link cognito}. */
interface CognitoOptions extends Omit<PassThroughOptions, 'tokenFormat' | 'clientId' | 'clientSecret' | 'privateKey' | 'authMethod' | 'audience' | 'audienceClaim'> {
    /** The user pool id, `{region}_{id}` (e.g. `eu-west-3_Ex4mpLe01`). */
    userPoolId: string;
    /** The pool's region. Default: read from `userPoolId`. */
    region?: string;
    /**
     * The app clients (their client ids) whose access tokens are accepted. Required: Cognito access
     * tokens carry no `aud`, so the calling client (`client_id`) is what says they are meant for you.
     */
    allowedClients: string[];
    /** Overrides the issuer, `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
    issuer?: string;
}
/**
 * Options for {@link createResourceServer} with an Amazon Cognito user pool: JWT access tokens (no
 * `typ` header) verified against `{issuer}/.well-known/jwks.json`; no `aud` in them, so the calling
 * client (`client_id`) is checked against `allowedClients` and a token that names an audience is
 * refused; ID tokens (`token_use: "id"`) are refused. `cognito:groups` is required with a route's `roles`.
 *
 * @example
 * ```ts
 * import { cognito, createResourceServer } from '@org/rs-core'
 *
 * const rs = createResourceServer(cognito({ userPoolId: 'eu-west-3_Ex4mpLe01', allowedClients: ['7m1234abcdefghijklmnopqrst'] }))
 * const auth = await rs.authenticate('Bearer …', { roles: ['admins'] })
 * ```
 */
declare function cognito(options: CognitoOptions): ResourceServerOptions;

/** Options of {@link entraId}. */
interface EntraIdOptions extends Omit<PassThroughOptions, 'tokenFormat' | 'clientId' | 'clientSecret' | 'privateKey' | 'authMethod' | 'audience'> {
    /**
     * Your directory's tenant id (a GUID) for a single-tenant API, or `common` / `organizations` for a
     * multi-tenant one: each token's `iss` is then checked against the template with the token's own `tid`.
     */
    tenant: string;
    /**
     * The `aud` of your API's access tokens: with v2.0 tokens, the API's application (client) id;
     * with v1.0 tokens, its Application ID URI (`api://…`) or client id, as the client asked for it.
     */
    audience: string | string[];
    /**
     * The access token version your API's app registration issues: `accessTokenAcceptedVersion` in its
     * manifest (`2`, or `null`/`1` for v1.0, the default of new registrations is v1.0 unless set). Default 2.
     */
    version?: 1 | 2;
    /** Multi-tenant: the tenants (GUIDs) whose tokens are accepted. Default: any tenant. */
    allowedTenants?: string[];
    /** The login host. Default `https://login.microsoftonline.com` (sovereign clouds: their host). */
    authority?: string;
    /** Overrides the issuer (or template) computed from `tenant`, `version` and `authority`. */
    issuer?: string;
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
declare function entraId(options: EntraIdOptions): ResourceServerOptions;

/**
 * Duende IdentityServer as the authorization server.
 *
 * @module presets/identity-server
 */

/** Options of {@link identityServer}. */
interface IdentityServerOptions extends Omit<PassThroughOptions, 'authMethod'> {
    /** The IdentityServer's issuer, exactly as in its discovery document (`https://identity.example.com`). */
    issuer: string;
    /** The API resource's name (`new ApiResource("api1")`): the tokens' `aud`. */
    audience: string | string[];
    /** For reference (opaque) tokens: the API resource's name, which authenticates at `/connect/introspect`. */
    clientId?: string;
    /** For reference tokens: the API resource's secret (`ApiSecrets`). */
    clientSecret?: string;
}
/**
 * Options for {@link createResourceServer} with Duende IdentityServer: JWT access tokens
 * (`typ: "at+jwt"`, `scope` as a JSON array by default) verified against
 * `{issuer}/.well-known/openid-configuration/jwks`; with `clientId` / `clientSecret` (the API
 * resource's name and secret), reference tokens are introspected at `{issuer}/connect/introspect`
 * with HTTP Basic authentication (`tokenFormat: 'auto'`).
 *
 * @example
 * ```ts
 * import { createResourceServer, identityServer } from '@org/rs-core'
 *
 * const rs = createResourceServer(
 *   identityServer({ issuer: 'https://identity.example.com', audience: 'api1', clientId: 'api1', clientSecret: process.env.API1_SECRET }),
 * )
 * const auth = await rs.authenticate('Bearer …', { scopes: ['api1.read'] })
 * ```
 */
declare function identityServer(options: IdentityServerOptions): ResourceServerOptions;

/**
 * Keycloak as the authorization server.
 *
 * @module presets/keycloak
 */

/** Options of {@link keycloak}. */
interface KeycloakOptions extends Omit<PassThroughOptions, 'audience'> {
    /** The server's base URL (`https://sso.example.com`, or `https://sso.example.com/auth` before Keycloak 17). */
    url?: string;
    /** The realm. */
    realm?: string;
    /** Or the exact issuer, `{url}/realms/{realm}`. */
    issuer?: string;
    /**
     * The `aud` your API's tokens carry: add it with an Audience mapper (Client scopes → Add mapper →
     * Audience, "Included Client Audience" = your API's client); without one, `aud` is only `account`.
     */
    audience: string | string[];
}
/**
 * Options for {@link createResourceServer} with a Keycloak realm: JWT access tokens (`typ: "JWT"`)
 * verified against `{issuer}/protocol/openid-connect/certs`; the client in `azp`; realm roles
 * (`realm_access.roles`) required with a route's `roles`, client roles with its `claims`
 * (`'resource_access.my-api.roles': { includes: 'reports' }`). Give `clientId` / `clientSecret` (a
 * confidential client) to introspect at `…/protocol/openid-connect/token/introspect` instead.
 *
 * @example
 * ```ts
 * import { createResourceServer, keycloak } from '@org/rs-core'
 *
 * const rs = createResourceServer(keycloak({ url: 'https://sso.example.com', realm: 'acme', audience: 'orders-api' }))
 * const auth = await rs.authenticate('Bearer …', { roles: ['orders-admin'] })
 * ```
 */
declare function keycloak(options: KeycloakOptions): ResourceServerOptions;

/**
 * Okta (a custom authorization server) as the authorization server.
 *
 * @module presets/okta
 */

/** Options of {@link okta}. */
interface OktaOptions extends Omit<PassThroughOptions, 'audience'> {
    /** Your Okta domain (`dev-123456.okta.com` or a custom domain), without `https://`. */
    domain?: string;
    /** The custom authorization server's id (Security → API → Authorization Servers). Default `default`. */
    authorizationServerId?: string;
    /** Or the exact issuer, `https://{domain}/oauth2/{authorizationServerId}`. */
    issuer?: string;
    /** The authorization server's Audience setting (`api://default` for the default server), the tokens' `aud`. */
    audience: string | string[];
}
/**
 * Options for {@link createResourceServer} with an Okta custom authorization server: JWT access tokens
 * (no `typ` header) verified against `{issuer}/v1/keys`; `scp` (an array), `cid` (the client) and
 * `groups` (when a groups claim is configured) are read. Give `clientId` / `clientSecret` (an API
 * services app) to introspect at `{issuer}/v1/introspect` instead (revoked tokens refused at once).
 *
 * @example
 * ```ts
 * import { createResourceServer, okta } from '@org/rs-core'
 *
 * const rs = createResourceServer(okta({ domain: 'dev-123456.okta.com', audience: 'api://default' }))
 * const auth = await rs.authenticate('Bearer …', { scopes: ['orders.read'], roles: ['OrdersAdmins'] })
 * ```
 */
declare function okta(options: OktaOptions): ResourceServerOptions;

/** The `dpop` option: a key pair (its public key extractable), or a private JWK (`alg` optional). */
type ClientDpopOptions = {
    /** A `CryptoKeyPair` whose public key is extractable (tokens bound to it are not shared between instances). */
    keyPair: CryptoKeyPair;
} | {
    /** A private EC, RSA or OKP JWK (`alg` optional): tokens bound to it may be shared through a `store`. */
    privateKey: jose.JWK;
};

/**
 * The public types of the client-credentials token source: its options, a token request, a token,
 * and the {@link ClientCredentials} object.
 *
 * @module client-credentials/types
 */

/**
 * Options of {@link createClientCredentials}. Validated once, at construction: a mistake throws a
 * {@link ConfigurationError} naming the option (and never showing a secret).
 *
 * @example
 * ```ts
 * const options: ClientCredentialsOptions = {
 *   issuer: 'https://auth.example.com',
 *   clientId: 'billing-service',
 *   clientSecret: process.env.BILLING_CLIENT_SECRET,
 *   scope: ['invoices:read', 'invoices:write'],
 *   resource: 'https://api.example.com',
 * }
 * ```
 */
interface ClientCredentialsOptions {
    /** The authorization server's issuer; the token endpoint is discovered from it. One of `issuer` / `tokenEndpoint` is required. */
    issuer?: string;
    /** The token endpoint, used as is (no discovery). One of `issuer` / `tokenEndpoint` is required. */
    tokenEndpoint?: string;
    /** The client id registered at the authorization server. */
    clientId: string;
    /** The client secret, for `client_secret_post` (the default), `client_secret_basic` and `client_secret_jwt` (≥ 32 characters). */
    clientSecret?: string;
    /** The private key for `private_key_jwt` (the default method when only a key is given): a private JWK or `{ pem, alg, kid? }`. */
    privateKey?: PrivateKeyInput;
    /** How the client authenticates at the token endpoint. Default `client_secret_post` (`private_key_jwt` when only `privateKey` is given). */
    authMethod?: ClientAuthMethod;
    /** Scopes to ask for, by default (a space-separated string or an array). */
    scope?: string | string[];
    /** RFC 8707 resource indicator(s) to ask for, by default: absolute URIs without a fragment. */
    resource?: string | string[];
    /** An `audience` parameter (Auth0, Keycloak and others use it instead of `resource`). */
    audience?: string;
    /** Other parameters sent with every token request. Cannot override the ones this module sets. */
    extraParams?: Record<string, string>;
    /** Seconds before expiry at which a token is refreshed. Default 60, capped at half the token's lifetime. */
    refreshSkew?: number;
    /** Lifetime in seconds assumed when the token response has no `expires_in`. Default 300. */
    defaultLifetime?: number;
    /** Seconds one token request (or discovery) may take (fractions allowed). Default 5. */
    timeout?: number;
    /**
     * Retries of transient failures (network, timeout, 408, 429, 5xx) with exponential backoff and
     * full jitter. `attempts` counts the first try (default 3, so two retries); `baseDelay` (default
     * 0.2) and `maxDelay` (default 5) are seconds, fractions allowed. A `Retry-After` longer than
     * `maxDelay` ends the retries at once.
     */
    retry?: {
        attempts?: number;
        baseDelay?: number;
        maxDelay?: number;
    };
    /** The `fetch` used for the token endpoint, discovery and the {@link ClientCredentials.fetch} wrapper. Default `globalThis.fetch`. */
    fetch?: FetchLike;
    /**
     * Where tokens are cached. Default: an in-memory LRU of this instance. Give a shared store (Redis,
     * …) so several instances or processes share one token. Keys are SHA-256 hashes; values hold the token.
     */
    store?: CacheStore;
    /** Milliseconds since the epoch; injected in tests. Default `Date.now`. */
    clock?: Clock;
    /** Accept plain `http://` URLs on hosts other than loopback. Default `false`. */
    allowInsecureRequests?: boolean;
    /** Largest token-endpoint or discovery response body read, in bytes; a longer body is aborted. Default 262144 (256 KB). */
    maxResponseBytes?: number;
    /** Seconds a `store` call may take (fractions allowed): a slower `get` is a miss, a slower `set`/`delete` is ignored. Default 0.05 (50 ms). */
    storeTimeout?: number;
    /**
     * Ask for DPoP-bound tokens (RFC 9449): `{ keyPair }` (a `CryptoKeyPair`, public key extractable)
     * or `{ privateKey }` (a private JWK). Token requests carry a proof (with the AS's nonce when it
     * asks for one); {@link ClientCredentials.fetch} sends `Authorization: DPoP` with a proof per call
     * and retries once with the resource server's nonce. Tokens cached in a shared `store` are shared
     * only between instances with the same `privateKey` (never with a `keyPair`).
     */
    dpop?: ClientDpopOptions;
}
/**
 * What to ask for in one call; omitted members take the defaults of {@link ClientCredentialsOptions}.
 * An empty string or array asks for no scope / no resource.
 *
 * @example
 * ```ts
 * const token = await cc.getAccessToken({ scope: 'reports:read', resource: 'https://reports.example.com' })
 * ```
 */
interface TokenRequestOptions {
    scope?: string | string[];
    resource?: string | string[];
}
/**
 * A token with its metadata, as returned by {@link ClientCredentials.getToken}. `accessToken` is
 * readable but not enumerable: `JSON.stringify`, `console.log` and spreading never show it.
 *
 * @example
 * ```ts
 * const t = await cc.getToken()
 * headers.set('authorization', `Bearer ${t.accessToken}`)
 * console.log(t) // { tokenType: 'Bearer', expiresAt: 1767225600000, scope: 'read' }: no token
 * ```
 */
interface ClientCredentialsToken {
    /** The access token (non-enumerable). */
    readonly accessToken: string;
    /** Always `'Bearer'`. */
    /** `DPoP` when the token is DPoP-bound (see the `dpop` option). */
    readonly tokenType: 'Bearer' | 'DPoP';
    /** When the token expires, in milliseconds since the epoch (by the injected clock). */
    readonly expiresAt: number;
    /** The scope granted (the scope asked for when the response does not say), or `undefined`. */
    readonly scope: string | undefined;
}
/**
 * A client-credentials token source, created by {@link createClientCredentials}. Holds its secret
 * in a closure: `toJSON()`, `toString()` and inspection show only the client id and the endpoint.
 *
 * @example
 * ```ts
 * const cc = createClientCredentials({ issuer, clientId: 'svc', clientSecret })
 * const res = await cc.fetch('https://api.example.com/v1/things')
 * ```
 */
interface ClientCredentials {
    /**
     * An access token for the request (default scope / resource / audience unless given). Cached,
     * refreshed `refreshSkew` before expiry, shared by concurrent callers. Rejects with
     * {@link TokenEndpointError} (the AS refused: not retried) or {@link AuthorizationServerError}
     * (unreachable, too slow, 5xx, 429 or a malformed answer, after the retries).
     */
    getAccessToken(options?: TokenRequestOptions): Promise<string>;
    /** Like {@link ClientCredentials.getAccessToken}, with the token's type, expiry and scope. */
    getToken(options?: TokenRequestOptions): Promise<ClientCredentialsToken>;
    /**
     * A drop-in `fetch` that sends `Authorization: Bearer <token>` (replacing any given). On a 401
     * whose `WWW-Authenticate` says `error="invalid_token"`, drops that token and sends the request
     * once more with a fresh one, when the body can be sent again (none, string, URLSearchParams,
     * ArrayBuffer / typed array, Blob, FormData; not a stream nor a `Request` with a body).
     * Refuses plain-http URLs off loopback unless `allowInsecureRequests` is set.
     */
    fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
    /**
     * Drops cached tokens: with no argument, every token this instance cached; with an argument, the
     * token of that request (defaults applied, so `invalidate({})` drops the default token).
     */
    invalidate(options?: TokenRequestOptions): Promise<void>;
    /** `{ clientId, issuer?, tokenEndpoint? }`: never a secret or a token. */
    toJSON(): {
        clientId: string;
        issuer?: string;
        tokenEndpoint?: string;
    };
    toString(): string;
}

/**
 * Creates a client-credentials token source (RFC 6749 §4.4) for calling other APIs as this service.
 *
 * - Tokens are cached per (scope, resource, audience) under a SHA-256 key of those, the client id
 *   and the token endpoint (or issuer), and refreshed `refreshSkew` seconds before they expire.
 * - Concurrent callers share one token request. Transient failures (network, timeout, 408, 429,
 *   5xx) are retried with exponential backoff and full jitter, honouring `Retry-After`; OAuth errors
 *   (`invalid_client`, `invalid_scope`, …) reject at once with {@link TokenEndpointError}.
 * - A refresh that fails while the current token is still valid returns the current token, and the
 *   next refresh is tried only after a short backoff (1 s doubling to 30 s, at least `Retry-After`).
 * - Without a valid token, after the AS sent `Retry-After`, calls reject at once until it elapses.
 *
 * Options are validated here; a mistake throws {@link ConfigurationError} naming the option.
 *
 * @example
 * ```ts
 * import { createClientCredentials } from '@org/rs-core'
 *
 * const cc = createClientCredentials({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'billing-service',
 *   clientSecret: process.env.BILLING_CLIENT_SECRET,
 *   scope: 'invoices:read',
 * })
 *
 * const token = await cc.getAccessToken()                       // cached, refreshed before expiry
 * const res = await cc.fetch('https://api.example.com/invoices') // Authorization: Bearer …, one retry on invalid_token
 * ```
 */
declare function createClientCredentials(options: ClientCredentialsOptions): ClientCredentials;

export { type AccessTokenInfo, type Auth0Options, type AuthenticateOptions, type AuthenticatedEvent, AuthorizationServerError, type AuthorizationServerErrorEvent, type AuthorizationServerFailure, BearerError, type BearerErrorCode, type BearerErrorOptions, type BearerOptions, type CacheOptions, type CacheStore, type ClaimCondition, type ClientAuthMethod, type ClientCredentials, type ClientCredentialsOptions, type ClientCredentialsToken, type Clock, type CognitoOptions, ConfigurationError, type ConfigurationIssue, type ConfigurationProblemEvent, type ContentEncryptionAlgorithm, type DocumentResponse, type DpopAlgorithm, type DpopOptions, type EntraIdOptions, type ErrorResponse, type FetchLike, type HeadersLike, type HttpErrorFields, type HttpRequestInput, type IdentityServerOptions, type IntrospectionClaims, type IntrospectionOptions, type IssuerFields, type IssuerOptions, type JwksRefreshedEvent, type JwtOptions, type KeyManagementAlgorithm, type KeycloakOptions, type Logger, MemoryCache, type MetadataDiscoveredEvent, type MtlsOptions, type NodeCryptoLike, type OktaOptions, PROCONNECT_ENVIRONMENTS, type PrivateKeyInput, type ProConnectEnvironment, type ProConnectOptions, type ProtectedResourceMetadata, type ProtectedRoute, type RefusalReason, type RejectedEvent, ReplayCacheError, type ResourceServer, type ResourceServerEvent, type ResourceServerOptions, ResourceServerSdkError, type RouteAnswer, type RouteOptions, type ScopeRequirement, type SdkErrorCode, SenderConstraintError, type SenderConstraintMode, type SignatureVerifier, type SigningAlgorithm, type StoreErrorEvent, TokenEndpointError, type TokenRequestOptions, asHttpError, auth0, certificateThumbprint, clientCertificateOf, cognito, createClientCredentials, createJwtResourceServer, createResourceServer, entraId, extractBearerToken, getClaim, identityServer, keycloak, nodeSignatureVerifier, okta, proConnect, protectRoute, rolesOf, setDefaultSignatureVerifier, toErrorResponse, useNodeCrypto, webCryptoSignatureVerifier, wellKnownMetadataUrl };
