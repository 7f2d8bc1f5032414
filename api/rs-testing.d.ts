import { JWK } from 'jose';
import Provider, { ClientMetadata } from 'oidc-provider';
import { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import { ChildProcess } from 'node:child_process';

/** Signing algorithms of {@link createTestAuthorizationServer}: JWT access tokens and signed introspection responses. */
type TestSigningAlgorithm = 'ES256' | 'RS256' | 'EdDSA';
/** Options of {@link createTestAuthorizationServer}. */
interface TestAuthorizationServerOptions {
    /** Algorithm of JWT access tokens and of signed introspection responses. Default `'ES256'`. */
    signingAlgorithm?: TestSigningAlgorithm;
    /** Audience of minted tokens unless a mint says otherwise, and the audience {@link TestAuthorizationServer.resourceServerOptions} expects. Default `'https://api.example.test'`. */
    audience?: string;
    /** Lifetime of minted tokens in seconds unless a mint says otherwise. Default 3600. */
    expiresIn?: number;
}
/** Options of {@link TestAuthorizationServer.mintAccessToken}. */
interface MintAccessTokenOptions {
    /** Subject (the end user). Default `'test-user'`. */
    sub?: string;
    /** Granted scopes: an array or a space-separated string. Default none. */
    scopes?: readonly string[] | string;
    /** More claims: in the JWT's payload, or in the introspection answer of an opaque token. They may override the defaults (`client_id`, `iss`, …). */
    claims?: Record<string, unknown>;
    /** Lifetime in seconds from now. Default: the server's (3600). Zero or negative: a token that has already expired. */
    expiresIn?: number;
    /** `'jwt'` (default): an RFC 9068 JWT access token signed by this AS; `'opaque'`: a random string only introspection knows. */
    format?: 'jwt' | 'opaque';
    /** Audience (`aud`). Default: the server's audience. */
    audience?: string | readonly string[];
    /** The client the token was issued to (`client_id`). Default `'test-client'`. */
    clientId?: string;
}
/** Options of {@link TestAuthorizationServer.resourceServerOptions}. */
interface TestResourceServerOptionsRequest {
    /**
     * Which tokens the resource server accepts: `'jwt'` (verified locally against the JWKS),
     * `'opaque'` (introspected), `'auto'` (both; the default).
     */
    format?: 'jwt' | 'opaque' | 'auto';
    /** How introspection answers: `'json'` (default), `'signed'` (RFC 9701 JWT) or `'encrypted'` (signed, then encrypted to the resource server's key). */
    introspection?: 'json' | 'signed' | 'encrypted';
    /** Expected audience. Default: the server's audience. */
    audience?: string;
}
/**
 * Options for `createResourceServer()` of `@org/rs-core` pointing at a test authorization server
 * (structurally a subset of its `ResourceServerOptions`). Add your own (`scopes`, `resource`, …) with a spread.
 */
interface TestResourceServerOptions {
    issuer: string;
    clientId: string;
    clientSecret: string;
    tokenFormat: 'jwt' | 'introspection' | 'auto';
    audience: string;
    /** With `'auto'`: introspected tokens' `aud` is checked too (every token this AS mints carries one). */
    audienceClaim?: 'aud';
    introspection: {
        response: 'json' | 'jwt';
        signingAlgorithms?: TestSigningAlgorithm[];
        encryption?: 'required' | 'none';
    };
    /** The resource server's private key the AS encrypts to (with `'encrypted'` introspection only). */
    decryptionKeys?: JWK[];
    /** Introspection results are not cached, so {@link TestAuthorizationServer.revoke} is seen at once. */
    cache: false;
    /** The test AS is served over `http://127.0.0.1`. */
    allowInsecureRequests: true;
}
/** A running test authorization server (see {@link createTestAuthorizationServer}). */
interface TestAuthorizationServer {
    /** `http://127.0.0.1:<port>`: the issuer identifier, and where discovery is served. */
    readonly issuer: string;
    readonly endpoints: {
        readonly discovery: string;
        readonly jwks: string;
        readonly token: string;
        readonly introspection: string;
        readonly revocation: string;
    };
    /** The audience minted tokens carry by default. */
    readonly audience: string;
    /** The resource server's credentials at this AS, for introspection. */
    readonly resourceServer: {
        readonly clientId: string;
        readonly clientSecret: string;
    };
    /** A client that obtains tokens at the token endpoint (`grant_type=client_credentials`, `client_secret_post` or `_basic`). */
    readonly client: {
        readonly clientId: string;
        readonly clientSecret: string;
    };
    /** The AS's public signing keys, as served at `endpoints.jwks`. */
    readonly jwks: {
        keys: JWK[];
    };
    /** Mints an access token (see {@link MintAccessTokenOptions}). */
    mintAccessToken(options?: MintAccessTokenOptions): Promise<string>;
    /** Options for `createResourceServer()`: `createResourceServer(as.resourceServerOptions())`. */
    resourceServerOptions(options?: TestResourceServerOptionsRequest): TestResourceServerOptions;
    /** Revokes a token: its introspection answers `{ active: false }` from now on (a JWT stays valid for local verification). */
    revoke(token: string): void;
    /** Requests received on `pathname` (e.g. `'/introspect'`), or on every path. */
    requests(pathname?: string): number;
    /** Stops the server and drops its connections. */
    close(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
}
/**
 * Starts a test authorization server on `http://127.0.0.1:<ephemeral port>` (see the module comment).
 *
 * @example node:test and Express, with `@org/rs-express`
 * ```ts
 * const as = await createTestAuthorizationServer()
 * const app = express().get('/me', requireAuth(createResourceServer(as.resourceServerOptions())), (req, res) => res.json(req.auth))
 * const token = await as.mintAccessToken({ sub: 'alice', scopes: ['read'] })
 * ```
 */
declare function createTestAuthorizationServer(options?: TestAuthorizationServerOptions): Promise<TestAuthorizationServer>;

/** Secret of the `rs-json` client (client_secret_post, plain JSON introspection responses). */
declare const RS_JSON_SECRET = "Ba8VjPx4kFFTC7IJK4HlqzDs9vtpxrPSZGR6BQHFMmWI8bYY";
/** Secret of the `rs-rs256` client (client_secret_post, RS256-signed introspection responses). */
declare const RS_RS256_SECRET = "BbSqz2eXWVJfmr7hBYIF3FtefXm1IxzyA4v8gQA2tuiWW4y0";
/** Secret of the `rs-es256` client (client_secret_post, ES256-signed introspection responses). */
declare const RS_ES256_SECRET = "HvN3rleCyeICj936AS3NMmxpChwysydgU4B1vtBT1GxiQQog";
/** Secret of the `rs-ps256` client (client_secret_post, PS256-signed introspection responses). */
declare const RS_PS256_SECRET = "DjwPBD8xfAAxm8hLevESqd0ewfmH3P9KcyNVBl91xeriy94Z";
/** Secret of the `rs-eddsa` client (client_secret_post, EdDSA-signed introspection responses). */
declare const RS_EDDSA_SECRET = "94hrHL0sl2wxkoe8mEyC2xGEfF5NOIxVjHagtH5AX6tvdOhr";
/** Secret of the `rs-hs256` client (client_secret_post, HS256-signed introspection responses keyed by this secret). */
declare const RS_HS256_SECRET = "mSdjXTGOBA62tix4xZLtDkYbdSLgck7RwI4V8sSp2LgDoKtL";
/** Secret of the `rs-basic` client (client_secret_basic, JSON). */
declare const RS_BASIC_SECRET = "l1kx7EDHEkaJZV2H0YS66cooNd61Dfh2vuD79BkzQc5CmGm7";
/** Secret of the `rs-csjwt` client (client_secret_jwt with HS256). */
declare const RS_CSJWT_SECRET = "g2poKAGXnCiAxLKdBxtnkzbEwrykj7pkgivjyDgNTzX9kWQE";
/** Secret of the `app` client (client_secret_post, obtains access tokens). */
declare const APP_SECRET = "MPtxPpKxGVq5sMbuN8ApZjuxZpvuSKzwqjHc6jcPf1xzxAlp";
/** Secret of the `app-basic` client (client_secret_basic, obtains access tokens). */
declare const APP_BASIC_SECRET = "HC7yt7FmVAx7HsQwlaITrJnDkf5FyJqfwYxxjy3SlDxoGUHv";
/** Ids of the static clients every {@link startTestAS} instance registers. */
type DefaultClientId = 'rs-json' | 'rs-rs256' | 'rs-es256' | 'rs-ps256' | 'rs-eddsa' | 'rs-hs256' | 'rs-basic' | 'rs-pkjwt' | 'rs-csjwt' | 'app' | 'app-basic';
/** Secrets of the default clients by client id (`rs-pkjwt` has none: it uses `private_key_jwt`). */
declare const TEST_CLIENT_SECRETS: Readonly<Record<Exclude<DefaultClientId, 'rs-pkjwt'>, string>>;
/** Settings of one resource server (RFC 8707 resource indicator) known to the test AS. */
interface TestResource {
    /** Access token format for this audience. Default `'jwt'`. */
    format?: 'opaque' | 'jwt';
    /** JWT access token signing algorithm. Default `'ES256'`. */
    alg?: 'RS256' | 'ES256';
    /** Space-separated scopes this resource server accepts. Default `'read write admin'`. */
    scope?: string;
}
/** Options of {@link startTestAS}. */
interface TestASOptions {
    /** Extra static clients, appended to the default ones (e.g. one with a `jwks_uri` for encryption). */
    clients?: ClientMetadata[];
    /** Access token lifetime in seconds. Default 3600. */
    accessTokenTtl?: number;
    /**
     * Resource servers by resource indicator. Replaces the default:
     * `https://api.example.test` (JWT, ES256, `openid read write admin`) and
     * `https://rs256.example.test` (JWT, RS256, `read write`).
     */
    resources?: Record<string, TestResource>;
    /** DPoP server nonces at the token endpoint (`features.dPoP.requireNonce`): a proof without the AS's nonce gets `use_dpop_nonce`. */
    dpopNonce?: boolean;
    /**
     * Certificate-bound tokens (RFC 8705): a second, HTTPS listener on 127.0.0.1 asking for a client
     * certificate (any, self-signed included), serving the same provider; `features.mTLS` with
     * `certificateBoundAccessTokens`. The issuer and every other endpoint stay on plain HTTP.
     */
    mtls?: {
        key: string;
        cert: string;
    };
}
/** Credentials of a test client. */
interface TestClient {
    clientId: string;
    /** Absent for `private_key_jwt` clients (see {@link TestAS.clientKeys}). */
    clientSecret?: string;
}
/** Options of {@link TestAS.issueToken}. */
interface IssueTokenOptions {
    /** Client the token is issued to. Default `'app'`. */
    clientId?: string;
    /**
     * End-user subject. Absent: a client-credentials token obtained over HTTP at the token endpoint.
     * Present: a user access token created through the provider's Grant / AccessToken models.
     */
    sub?: string;
    /** Space-separated scopes. Default `'read'`. With a resource, filtered by that resource's scopes. */
    scope?: string;
    /** Resource indicator: the token becomes a JWT access token (`typ: at+jwt`) with this `aud`. */
    resource?: string;
    /** Lifetime in seconds (default: the AS's `accessTokenTtl`). */
    ttl?: number;
    /**
     * Binds the token to this DPoP key (`cnf.jkt`): a client-credentials token is requested with a DPoP
     * proof signed by it (retrying once with the AS's nonce); a user token gets the key's thumbprint.
     */
    dpop?: CryptoKeyPair;
    /**
     * Binds the token to this client certificate (`cnf["x5t#S256"]`): a client-credentials token is
     * requested over the mTLS listener presenting it; a user token gets its thumbprint.
     */
    certificate?: {
        key: string;
        cert: string;
    };
}
/** Absolute URLs of the AS endpoints. */
interface TestASEndpoints {
    introspection: string;
    token: string;
    jwks: string;
    revocation: string;
    /** `/.well-known/openid-configuration`. */
    discovery: string;
}
/** A running test authorization server (see {@link startTestAS}). */
interface TestAS {
    /** `http://127.0.0.1:<port>`. */
    readonly issuer: string;
    readonly port: number;
    /** Absolute URL of `path` on the AS. */
    url(path: string): string;
    /** The underlying oidc-provider instance. */
    readonly provider: Provider;
    readonly endpoints: TestASEndpoints;
    /** Default and extra clients by id (secret absent for `private_key_jwt` clients). */
    readonly clients: Readonly<Record<DefaultClientId, TestClient> & Record<string, TestClient | undefined>>;
    /** Private JWKs of `private_key_jwt` clients (`rs-pkjwt`: EC P-256, `alg: ES256`, with `kid`). */
    readonly clientKeys: Readonly<{
        'rs-pkjwt': JWK;
    } & Record<string, JWK | undefined>>;
    /** Public JWKS of the AS (RSA 2048, EC P-256, Ed25519), as served at the jwks endpoint. */
    readonly jwks: {
        keys: JWK[];
    };
    /** Private JWKS of the AS, to forge tokens signed with the real AS keys. */
    readonly privateJwks: {
        keys: JWK[];
    };
    /** Number of requests received on `pathname` (e.g. `'/token/introspection'`) since start or reset. */
    requestCount(pathname: string): number;
    /** Resets all request counters. */
    resetCounts(): void;
    /** Issues a real access token (see {@link IssueTokenOptions}). */
    issueToken(options?: IssueTokenOptions): Promise<string>;
    /** Revokes an access token issued by this AS: its introspection becomes `active: false`. */
    revoke(token: string): Promise<void>;
    /** `https://127.0.0.1:<port>` of the mTLS listener (with the `mtls` option). */
    readonly mtlsUrl: string | undefined;
    /** Closes the server and all its connections. */
    stop(): Promise<void>;
}
/**
 * Starts a real oidc-provider 9 authorization server on `http://127.0.0.1:<ephemeral port>`.
 *
 * Enabled: client credentials, introspection (plain, JWT-signed per RFC 9701, encrypted), revocation,
 * resource indicators (JWT access tokens). Keys (RSA 2048, EC P-256, Ed25519) are generated at start.
 * Static clients: `rs-json`, `rs-rs256`, `rs-es256`, `rs-ps256`, `rs-eddsa`, `rs-hs256`, `rs-basic`,
 * `rs-pkjwt`, `rs-csjwt` (resource servers) and `app`, `app-basic` (token holders), plus `options.clients`.
 */
declare function startTestAS(options?: TestASOptions): Promise<TestAS>;
/** Options of {@link dpopProof}. */
interface DpopProofOptions {
    /** The access token, hashed into `ath`. */
    accessToken?: string;
    nonce?: string;
    /** Overrides of the payload (`iat`, `jti`, `htm`, `htu`, `ath`…); `undefined` removes a member. */
    claims?: Record<string, unknown>;
    /** Overrides of the protected header (`typ`, `alg`, `jwk`…). */
    header?: Record<string, unknown>;
    /** Signing algorithm. Default: from the key (ES256 for P-256, RS256 for RSA, Ed25519 for Ed25519). */
    alg?: string;
}
/** A DPoP proof JWT (RFC 9449 §4.2) signed with `keyPair`, for `htm` / `htu`. */
declare function dpopProof(keyPair: CryptoKeyPair, htm: string, htu: string, options?: DpopProofOptions): Promise<string>;

/** One certificate: PEM key and certificate, DER bytes. */
interface TestCertificate {
    key: string;
    cert: string;
    der: Uint8Array;
}
interface TestCertificates {
    ca: TestCertificate;
    /** For `127.0.0.1` (subjectAltName IP), signed by the CA. */
    server: TestCertificate;
    /** Client certificates signed by the CA. */
    clients: TestCertificate[];
    /** A self-signed client certificate. */
    selfSigned: TestCertificate;
}
/** Generates a CA, a server certificate and `clients` client certificates (default 2). */
declare function generateCertificates(clients?: number): TestCertificates;

/** A request handler for {@link startHttpServer}. May be async; a thrown error becomes a 500. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
/** A running {@link startHttpServer} instance. */
interface TestHttpServer {
    /** Base URL, `http://127.0.0.1:<port>` (no trailing slash). */
    readonly url: string;
    /** The ephemeral port the server listens on. */
    readonly port: number;
    /** Number of requests received since start (or since {@link TestHttpServer.resetCount}). */
    readonly requests: number;
    /** Resets {@link TestHttpServer.requests} to 0. */
    resetCount(): void;
    /** Replaces the handler used for subsequent requests. */
    setHandler(handler: Handler): void;
    /** Closes the server, destroying every open connection (including hanging ones). */
    close(): Promise<void>;
}
/**
 * Starts a tiny `node:http` server on `127.0.0.1` with an ephemeral port.
 *
 * The handler can be swapped at any time with `setHandler` (e.g. per test) and every request is
 * counted. Use it with {@link faults} to simulate misbehaving upstreams, or to serve a JWKS.
 */
declare function startHttpServer(handler: Handler): Promise<TestHttpServer>;
/** Reads the whole request body as a UTF-8 string. */
declare function readBody(req: IncomingMessage): Promise<string>;
/** Ready-made handlers simulating misbehaving (or simple) HTTP servers. */
declare const faults: {
    /**
     * Answers with `code`. A string body is sent as is (`text/plain` unless a content-type header
     * is given), an object body as JSON; no body means an empty response.
     */
    status(code: number, body?: string | object, headers?: OutgoingHttpHeaders): Handler;
    /** Never answers. The connection stays open until the client gives up or the server is closed. */
    hang(): Handler;
    /** 200 with a random body that is not JSON (nor a JWT), labelled with `contentType`. */
    garbage(contentType?: string): Handler;
    /** Answers `obj` serialized as JSON with the given status and content type. */
    json(obj: unknown, status?: number, contentType?: string): Handler;
    /** Answers a raw text body with the given content type and status. */
    text(body: string, contentType?: string, status?: number): Handler;
    /** Destroys the socket without answering (a TCP RST where supported). */
    resetConnection(): Handler;
};

/**
 * Authorization servers whose token shapes {@link startVendorAS} reproduces.
 *
 * - `entra-v1`: Microsoft Entra ID, v1.0 access tokens (`accessTokenAcceptedVersion` 1 / null).
 * - `entra-v2`: Microsoft Entra ID, v2.0 access tokens, single-tenant metadata.
 * - `entra-multitenant`: Microsoft Entra ID v2.0 behind the `common` / `organizations` metadata,
 *   whose `issuer` is the template `…/{tenantid}/v2.0`.
 * - `auth0`: Auth0, "Auth0" access token profile (default) or "RFC 9068" profile.
 * - `okta`: Okta custom authorization server (`/oauth2/{authServerId}`).
 * - `keycloak`: Keycloak realm (`/realms/{realm}`).
 * - `cognito`: Amazon Cognito user pool.
 * - `identityserver`: Duende IdentityServer (defaults of v6/v7).
 */
type Vendor = 'entra-v1' | 'entra-v2' | 'entra-multitenant' | 'auth0' | 'okta' | 'keycloak' | 'cognito' | 'identityserver';
/** Every {@link Vendor}, in a stable order (handy for `describe.each`). */
declare const VENDORS: readonly Vendor[];
/** Client credentials (client id + secret). */
interface ClientCredentials {
    clientId: string;
    clientSecret: string;
}
/** Options of {@link startVendorAS}. Every field has a vendor-typical default. */
interface VendorASOptions {
    /**
     * Serve ONLY RFC 8414 metadata (`/.well-known/oauth-authorization-server`) and answer 404 on
     * the OpenID discovery URL. `'path-inserted'` (RFC 8414 §3.1, also `true`):
     * `/.well-known/oauth-authorization-server{issuer path}`; `'path-appended'`:
     * `{issuer}/.well-known/oauth-authorization-server`. For an issuer without a path both are the same.
     */
    oauth8414Only?: boolean | 'path-inserted' | 'path-appended';
    /** Entra: tenant id (GUID) of the tokens and of the single-tenant metadata. */
    tenantId?: string;
    /** Okta: authorization server id. Default `'default'`. */
    authServerId?: string;
    /** Keycloak: realm name. Default `'demo'`. */
    realm?: string;
    /** Cognito: user pool id, `{region}_{id}`. Default `'eu-west-3_Ex4mpLe01'`. */
    userPoolId?: string;
    /** Auth0: access token profile of the API. Default `'auth0'`. */
    auth0Profile?: 'auth0' | 'rfc9068';
    /**
     * IdentityServer: `EmitScopesAsSpaceDelimitedStringInJwt`. Default `false`: `scope` is a JSON
     * array in JWT access tokens (the historical default).
     */
    emitScopesAsSpaceDelimitedString?: boolean;
    /** Audience (API identifier) of access tokens. Default: vendor-typical value (see `audience`). */
    audience?: string;
    /** Id of the calling client (the app that obtains tokens). Default: vendor-typical value. */
    clientId?: string;
    /** Secret of the calling client (IdentityServer token endpoint). Default: a random string. */
    clientSecret?: string;
    /** Credentials the resource server uses at the introspection endpoint. Default: vendor-typical. */
    apiCredentials?: Partial<ClientCredentials>;
    /** Access (and ID) token lifetime in seconds. Default 3600. */
    tokenTtl?: number;
}
/** Claims to merge over the vendor defaults. A value of `undefined` removes that claim. */
type ClaimOverrides = Record<string, unknown>;
/** Options of {@link VendorAS.mintAccessToken} and {@link VendorAS.mintIdToken}. */
interface MintOptions {
    /**
     * An app-only token (client credentials: no user). Entra: `roles` and no `scp`; Auth0:
     * `sub = {client}@clients`, `gty`; Okta: no `uid`; Keycloak: service-account user; Cognito:
     * `sub = client_id`, no `username`; IdentityServer: no `sub`.
     */
    appOnly?: boolean;
    /** Header parameters merged over the vendor header (`undefined` removes one, e.g. `typ`). */
    header?: Record<string, unknown>;
    /** Sign with this key id (must be in the key set, e.g. a retired key); default: current key. */
    kid?: string;
    /** Lifetime in seconds from now (negative: already expired). Default: `tokenTtl`. */
    expiresIn?: number;
    /** ID tokens: compute `at_hash` from this access token. */
    accessToken?: string;
}
/** A running vendor-shaped authorization server (see {@link startVendorAS}). */
interface VendorAS {
    readonly vendor: Vendor;
    /** `http://127.0.0.1:<port>` (no trailing slash). */
    readonly origin: string;
    /**
     * Exact issuer string of the tokens, vendor form adapted to the local origin (trailing slash
     * kept where the vendor has one). For `entra-multitenant`: the issuer of `tenantId`'s tokens.
     */
    readonly issuer: string;
    /** The `issuer` member of the served metadata (differs only for `entra-multitenant`: template). */
    readonly metadataIssuer: string;
    /** URL of the served metadata document (OpenID discovery, or RFC 8414 with `oauth8414Only`). */
    readonly metadataUrl: string;
    /** OpenID discovery URL (answers 404 with `oauth8414Only`). */
    readonly openidConfigurationUrl: string;
    /** The metadata document as served. */
    readonly metadata: Readonly<Record<string, unknown>>;
    readonly jwksUri: string;
    /** Token endpoint: served for `identityserver` (client credentials); advertised only elsewhere. */
    readonly tokenEndpoint: string;
    /** Introspection endpoint (Okta, Keycloak, IdentityServer); `undefined` for the others. */
    readonly introspectionEndpoint: string | undefined;
    /** Default `aud` of access tokens (Cognito: none in tokens; this is the resource server id). */
    readonly audience: string;
    /** The calling client (`azp` / `appid` / `cid` / `client_id`; `aud` of ID tokens). */
    readonly client: ClientCredentials;
    /** Shorthand for `client.clientId`. */
    readonly clientId: string;
    /** Entra: tenant id of minted tokens. */
    readonly tenantId: string | undefined;
    /** Credentials accepted at the introspection endpoint (`undefined` where there is none). */
    readonly apiCredentials: ClientCredentials | undefined;
    /** Public JWKS currently served. */
    jwks(): {
        keys: JWK[];
    };
    /** Signs an access token shaped like this vendor's (see the vendor notes of {@link startVendorAS}). */
    mintAccessToken(overrides?: ClaimOverrides, options?: MintOptions): Promise<string>;
    /** Signs an ID token shaped like this vendor's (`aud` = `clientId`, `nonce`, optional `at_hash`). */
    mintIdToken(overrides?: ClaimOverrides, options?: MintOptions): Promise<string>;
    /**
     * An opaque token known to the introspection endpoint: it answers the vendor's RFC 7662 JSON
     * for it (defaults merged with `claims`; an `exp` in the past makes it inactive). Throws for
     * vendors without introspection.
     */
    mintOpaqueToken(claims?: ClaimOverrides): string;
    /** Makes a token (opaque or minted JWT) inactive at the introspection endpoint. */
    revoke(token: string): void;
    /**
     * Generates a new signing key and signs with it from now on. The previous key stays in the
     * JWKS unless `retire: true`. Returns the new `kid`.
     */
    rotateKeys(options?: {
        retire?: boolean;
    }): Promise<string>;
    /** Number of requests received on `pathname` (absolute URL accepted) since start / reset. */
    requests(pathname: string): number;
    resetRequests(): void;
    /** Absolute URL of `path` on this server. */
    url(path: string): string;
    stop(): Promise<void>;
}
/** OpenID Connect Core `at_hash`: base64url of the left half of SHA-256 (RS256) of the token. */
declare function atHash(accessToken: string): string;
/**
 * Starts a local authorization server on `127.0.0.1` (ephemeral port) that looks like `vendor`
 * to a resource server: its metadata and JWKS at the vendor's paths (under the local origin), its
 * introspection endpoint where the vendor has one, and helpers that mint tokens shaped EXACTLY like
 * that vendor's. Shapes, and the public documentation they were checked against:
 *
 * **Entra ID** (Microsoft identity platform "Access token claims reference", "ID token claims
 * reference", "OpenID Connect on the Microsoft identity platform"):
 * header `typ: "JWT"`, `alg: "RS256"`, `kid`; `x5t` (= `kid`) in v1.0 tokens only. JWKS keys carry
 * `kid` and `x5t`. v2.0: `iss` `…/{tid}/v2.0`, `aud` = the API's client id (GUID), `azp`, `azpacr`,
 * `ver: "2.0"`; metadata `/{tenant}/v2.0/.well-known/openid-configuration`, keys
 * `/{tenant}/discovery/v2.0/keys`. v1.0: `iss` `https://sts.windows.net/{tid}/` (trailing slash;
 * here `{origin}/sts.windows.net/{tid}/`: the issuer is NOT under the metadata URL, as in real
 * life), `aud` = App ID URI (`api://…`) or client id, `appid`, `appidacr`, `ver: "1.0"`, `unique_name`;
 * metadata `/{tenant}/.well-known/openid-configuration`, keys `/{tenant}/discovery/keys`.
 * Both: `tid`, `oid`, `sub`, `scp` (space-separated STRING, delegated tokens only), `roles`
 * (array; app-only tokens have `roles` and no `scp`), `groups` (array of GUIDs), `uti`, `aio`.
 * Multi-tenant (`/common/v2.0/…` and `/organizations/v2.0/…`): metadata `issuer` is the template
 * `…/{tenantid}/v2.0`; each token's `iss` carries its own `tid` (override `tid` to mint another
 * tenant's token, `iss` follows). No introspection.
 *
 * **Auth0** ("Access Token Profiles"): `iss` `https://{tenant}.auth0.com/` (trailing slash; here
 * `{origin}/`), RS256, `kid`. Profile "Auth0" (default): header `typ: "JWT"`, client in `azp`,
 * `gty: "client-credentials"` for M2M, no `jti`. Profile "RFC 9068": header `typ: "at+jwt"`,
 * client in `client_id`, `jti`, no `gty`. Both: `aud` a string, or an array with
 * `{issuer}userinfo` when `openid` was asked; `scope` space-separated string; `permissions` array
 * (RBAC). M2M `sub` = `{client_id}@clients`. Discovery `/.well-known/openid-configuration`, keys
 * `/.well-known/jwks.json`. No introspection.
 *
 * **Okta** custom authorization server (Okta "OpenID Connect & OAuth 2.0 API" reference): `iss`
 * `https://{org}.okta.com/oauth2/{authServerId}`; access token header `alg: "RS256"`, `kid`, NO
 * `typ`; claims `ver: 1` (integer), `jti: "AT.…"`, `aud` (`api://default` for the default server),
 * `cid` (client), `uid` (user only), `scp` (JSON ARRAY), `sub`, `auth_time`, `groups` when
 * configured. ID token header without `typ`, `ver: 1`, `jti: "ID.…"`, `amr`, `idp`, `at_hash`.
 * Metadata `{issuer}/.well-known/openid-configuration` and `{issuer}/.well-known/oauth-authorization-server`,
 * keys `{issuer}/v1/keys`, introspection `{issuer}/v1/introspect` (Basic or post; answers `active`,
 * `token_type: "Bearer"`, `scope` string, `client_id`, `username`, `uid`, … ; 401 `invalid_client`).
 *
 * **Keycloak** (Keycloak "Securing applications … OpenID Connect" endpoints): `iss`
 * `{base}/realms/{realm}`; header `typ: "JWT"`, RS256, `kid`; `typ: "Bearer"` claim, `azp`,
 * `scope` string, `realm_access.roles`, `resource_access.{client}.roles`, `aud` only `account`
 * unless an audience mapper adds the API (here: `["{audience}", "account"]`), `sid`,
 * `preferred_username`; ID token `typ: "ID"` claim. Keys `…/protocol/openid-connect/certs`,
 * introspection `…/protocol/openid-connect/token/introspect` (Basic or post).
 *
 * **Amazon Cognito** ("Understanding the access token", "Understanding the identity (ID) token",
 * "Verifying JSON web tokens"): `iss` `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`
 * (here `{origin}/{userPoolId}`); header `kid` + `alg: "RS256"`, NO `typ`; access tokens have NO
 * `aud`: `client_id`, `token_use: "access"`, `scope` string, `username`, `cognito:groups`,
 * `origin_jti`, `event_id`, `jti`, `auth_time`. ID tokens: `token_use: "id"`, `aud` = client id,
 * `cognito:username`, signed with a DIFFERENT key than access tokens. Keys
 * `{issuer}/.well-known/jwks.json`. No introspection.
 *
 * **Duende IdentityServer** ("IdentityServer Options": `AccessTokenJwtType` default `at+jwt`;
 * "Authorization based on Scopes and Claims": scope claim format, `EmitScopesAsSpaceDelimitedStringInJwt`;
 * "Introspection Endpoint"): `iss` = the origin (no trailing slash); header `typ: "at+jwt"`, RS256,
 * `kid`; `scope` JSON ARRAY by default (string with the option), `client_id`, `aud` = API resource
 * name, `nbf`, `jti`, user tokens `sub`, `auth_time`, `idp`, `amr`, `sid`. Keys
 * `/.well-known/openid-configuration/jwks`; introspection `/connect/introspect` with Basic auth of
 * the API resource name + secret (401 otherwise); `/connect/token` serves client_credentials.
 */
declare function startVendorAS(vendor: Vendor, options?: VendorASOptions): Promise<VendorAS>;

/** Options of {@link MockOAuth2Server.mintToken}. */
interface MockTokenOptions {
    /** Claims merged into the payload (`undefined` removes one, e.g. to drop `aud`). */
    claims?: Record<string, unknown>;
    /** Header parameters merged into the header (e.g. `{ typ: 'at+jwt' }`). */
    header?: Record<string, unknown>;
    /** Lifetime in seconds. Default 3600. */
    expiresIn?: number;
}
/** A running `oauth2-mock-server` 8.x instance (see {@link startMockOAuth2Server}). */
interface MockOAuth2Server {
    /** Issuer URL, `http://127.0.0.1:<port>` (no trailing slash). */
    readonly issuer: string;
    /** `{issuer}/.well-known/openid-configuration`. */
    readonly discoveryUrl: string;
    /** `{issuer}/jwks`. */
    readonly jwksUri: string;
    /**
     * The underlying `OAuth2Server` of oauth2-mock-server (events such as `beforeTokenSigning`,
     * `beforeIntrospect`, …). Typed loosely so that this package's types do not need oauth2-mock-server,
     * an optional peer dependency.
     */
    readonly server: {
        on(event: string, listener: (...args: never[]) => void): unknown;
    };
    /** Signs a JWT (RS256, key generated at start) with `iss`, `iat`, `nbf`, `exp` and `claims`. */
    mintToken(options?: MockTokenOptions): Promise<string>;
    stop(): Promise<void>;
}
/**
 * Starts an `oauth2-mock-server` (8.x: the 9.x line needs Node 22) on `127.0.0.1` with an
 * ephemeral port and one RS256 signing key: a second, independent authorization server
 * implementation for tests (discovery, JWKS, token, introspection and userinfo endpoints).
 */
declare function startMockOAuth2Server(): Promise<MockOAuth2Server>;

/**
 * A real `redis-server` for tests of a shared store (`@org/rs-redis`, or your own `CacheStore`):
 * started on 127.0.0.1 with an ephemeral port (or the port you give, to restart one), without
 * persistence, and stopped by signal — so a test can also stall it (`SIGSTOP`) or kill it mid-run.
 *
 * @example
 * ```ts
 * import { redisServerInstalled, startRedisServer } from '@org/rs-testing'
 * import { createRedisStore } from '@org/rs-redis'
 *
 * describe.skipIf(!redisServerInstalled())('a shared cache', () => {
 *   let redis: Awaited<ReturnType<typeof startRedisServer>>
 *   beforeAll(async () => { redis = await startRedisServer() })
 *   afterAll(() => redis.stop())
 *   it('…', async () => {
 *     const store = createRedisStore({ url: redis.url })
 *     // …
 *   })
 * })
 * ```
 *
 * @module
 */

/** A running `redis-server` started by {@link startRedisServer}. */
interface TestRedisServer {
    /** The port it listens on, on 127.0.0.1. Pass it to {@link startRedisServer} to start a new server in its place. */
    readonly port: number;
    /** `redis://127.0.0.1:<port>`. */
    readonly url: string;
    /** The child process, e.g. to stall it with `process.kill('SIGSTOP')` (and resume with `'SIGCONT'`). */
    readonly process: ChildProcess;
    /**
     * Stops it with `signal` (default `SIGTERM`; `SIGKILL` to kill it the hard way) and waits for the exit,
     * at most 5 s. A stalled (`SIGSTOP`) server is resumed first. Does nothing when it already exited.
     */
    stop(signal?: NodeJS.Signals): Promise<void>;
}
/** Options of {@link startRedisServer}. */
interface StartRedisServerOptions {
    /** The port on 127.0.0.1; default: a free ephemeral port. */
    port?: number;
    /** How long to wait for it to accept connections, in milliseconds; default 5,000. */
    startTimeoutMs?: number;
}
/**
 * Whether `redis-server` is on the `PATH`. Suites that need it can skip themselves without it (and
 * should fail instead under CI, where it is meant to be installed).
 */
declare function redisServerInstalled(): boolean;
/**
 * Starts `redis-server` on 127.0.0.1 (no RDB snapshots, no append-only file) and resolves once it
 * accepts connections. Rejects, after killing it, if it does not within `startTimeoutMs`.
 */
declare function startRedisServer(options?: StartRedisServerOptions): Promise<TestRedisServer>;

export { APP_BASIC_SECRET, APP_SECRET, type ClaimOverrides, type ClientCredentials, type DefaultClientId, type DpopProofOptions, type Handler, type IssueTokenOptions, type MintAccessTokenOptions, type MintOptions, type MockOAuth2Server, type MockTokenOptions, RS_BASIC_SECRET, RS_CSJWT_SECRET, RS_EDDSA_SECRET, RS_ES256_SECRET, RS_HS256_SECRET, RS_JSON_SECRET, RS_PS256_SECRET, RS_RS256_SECRET, type StartRedisServerOptions, TEST_CLIENT_SECRETS, type TestAS, type TestASEndpoints, type TestASOptions, type TestAuthorizationServer, type TestAuthorizationServerOptions, type TestCertificate, type TestCertificates, type TestClient, type TestHttpServer, type TestRedisServer, type TestResource, type TestResourceServerOptions, type TestResourceServerOptionsRequest, type TestSigningAlgorithm, VENDORS, type Vendor, type VendorAS, type VendorASOptions, atHash, createTestAuthorizationServer, dpopProof, faults, generateCertificates, readBody, redisServerInstalled, startHttpServer, startMockOAuth2Server, startRedisServer, startTestAS, startVendorAS };
