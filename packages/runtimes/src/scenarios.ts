/**
 * The scenarios every runtime runs. Written against the public API of `@org/rs-core` and
 * `@org/rs-hono` only, and Web-standard only: this module is bundled with esbuild
 * (`platform: 'neutral'`) and loaded unchanged by Bun, Deno and workerd, and by Node.
 *
 * Each runtime serves {@link createHandler}: `GET /__scenarios` runs scenarios 1–8 inside the runtime
 * and answers their JSON results; every other path is the Hono app of scenario 9 (`GET /me` behind
 * `requireAuth`). The Node test process prepares the authorization server and the tokens, and does
 * all the assertions.
 */
import {
  AuthorizationServerError,
  ConfigurationError,
  createClientCredentials,
  createJwtResourceServer,
  createResourceServer,
  toErrorResponse,
  type AccessTokenInfo,
  type ResourceServer,
} from '@org/rs-core'
import { requireAuth } from '@org/rs-hono'
import { Hono } from 'hono'

/** A client registered at the test authorization server. */
export interface ClientConfig {
  id: string
  secret: string
}

/** Everything a runtime needs, prepared by the Node test process. JSON only. */
export interface ScenarioConfig {
  /** `http://127.0.0.1:<port>` of the oidc-provider running on Node. */
  issuer: string
  /** A loopback URL where nothing listens (scenario 8). */
  closedUrl: string
  /** Audience (RFC 8707 resource) of the JWT access token of scenario 6. */
  jwtAudience: string
  clients: {
    json: ClientConfig
    rs256: ClientConfig
    es256: ClientConfig
    hs256: ClientConfig
    enc: ClientConfig
    app: ClientConfig
  }
  /** The private JWK (RSA-OAEP-256) whose public half the AS encrypts introspection responses to. */
  decryptionKey: Record<string, unknown>
  /** Access tokens minted by the AS, one per scenario. */
  tokens: { json: string; rs256: string; es256: string; hs256: string; enc: string; jwt: string; hono: string }
}

/** The names scenarios are reported under, in order. */
export const SCENARIOS = {
  json: 'JSON introspection',
  rs256: 'signed introspection RS256',
  es256: 'signed introspection ES256',
  hs256: 'signed introspection HS256',
  enc: 'encrypted introspection (signed then encrypted)',
  jwt: 'JWT access token verified locally (RFC 9068)',
  jwtOnly: 'JWT access token, JWT-only factory (createJwtResourceServer)',
  clientCredentials: 'client credentials from the token endpoint',
  unreachable: 'AS unreachable is AuthorizationServerError / 503',
} as const

export type ScenarioId = keyof typeof SCENARIOS

/** Outcome of one scenario: what the runtime observed, or the error it hit. */
export type ScenarioResult =
  { ok: true; value: Record<string, unknown> } | { ok: false; error: { name: string; message: string; stack?: string } }

/** What `GET /__scenarios` answers. */
export interface ScenarioReport {
  runtime: RuntimeIdentity
  results: Record<ScenarioId, ScenarioResult>
}

export interface RuntimeIdentity {
  name: 'node' | 'bun' | 'deno' | 'workerd' | 'unknown'
  version: string
}

/** Which runtime this code runs on, from its own globals (so a mislabelled binary is caught). */
export function detectRuntime(): RuntimeIdentity {
  const g = globalThis as Record<string, any>
  if (g.Bun) return { name: 'bun', version: String(g.Bun.version) }
  if (g.Deno) return { name: 'deno', version: String(g.Deno.version?.deno) }
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', version: 'Cloudflare-Workers' }
  if (g.process?.versions?.node) return { name: 'node', version: String(g.process.versions.node) }
  return { name: 'unknown', version: String(g.navigator?.userAgent ?? '') }
}

/** The parts of a validated token the Node side checks (never the token itself). */
function summary(auth: AccessTokenInfo): Record<string, unknown> {
  return { sub: auth.sub, scopes: auth.scopes, clientId: auth.clientId, aud: auth.aud, iss: auth.iss, source: auth.source, exp: auth.exp }
}

function describeError(err: unknown): { name: string; message: string; stack?: string } {
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) }
  return { name: typeof err, message: String(err) }
}

/** A resource server introspecting with `client`, optionally asking for a signed JWT response. */
function introspectingRs(config: ScenarioConfig, client: ClientConfig, alg?: 'RS256' | 'ES256' | 'HS256'): ResourceServer {
  return createResourceServer({
    issuer: config.issuer,
    clientId: client.id,
    clientSecret: client.secret,
    timeout: 5,
    ...(alg ? { introspection: { response: 'jwt', signingAlgorithms: [alg] } } : {}),
  })
}

const bearer = (token: string) => `Bearer ${token}`

/** Scenarios 1–8. Each one is independent: one failing does not stop the others. */
export async function runScenarios(config: ScenarioConfig): Promise<ScenarioReport> {
  const { clients, tokens } = config
  const scenarios: Record<ScenarioId, () => Promise<Record<string, unknown>>> = {
    json: async () => summary(await introspectingRs(config, clients.json).authenticate(bearer(tokens.json), { scopes: ['read'] })),
    rs256: async () => summary(await introspectingRs(config, clients.rs256, 'RS256').authenticate(bearer(tokens.rs256))),
    es256: async () => summary(await introspectingRs(config, clients.es256, 'ES256').authenticate(bearer(tokens.es256))),
    hs256: async () => summary(await introspectingRs(config, clients.hs256, 'HS256').authenticate(bearer(tokens.hs256))),
    enc: async () => {
      const rs = createResourceServer({
        issuer: config.issuer,
        clientId: clients.enc.id,
        clientSecret: clients.enc.secret,
        timeout: 5,
        introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
        decryptionKeys: [config.decryptionKey as never],
      })
      const published = await rs.jwks()
      return {
        ...summary(await rs.authenticate(bearer(tokens.enc))),
        publishedKeys: published.keys.map((k) => ({ kid: k.kid, use: k.use, alg: k.alg, private: 'd' in k })),
      }
    },
    jwt: async () => {
      const rs = createResourceServer({ issuer: config.issuer, tokenFormat: 'jwt', audience: config.jwtAudience, timeout: 5 })
      return summary(await rs.authenticate(bearer(tokens.jwt), { scopes: ['write'] }))
    },
    jwtOnly: async () => {
      const rs = createJwtResourceServer({ issuer: config.issuer, audience: config.jwtAudience, timeout: 5 })
      let refused: unknown
      try {
        createJwtResourceServer({ issuer: config.issuer, clientId: clients.json.id, clientSecret: clients.json.secret })
      } catch (err) {
        refused = err instanceof ConfigurationError ? err.issues.map((i) => i.path) : String(err)
      }
      return { ...summary(await rs.authenticate(bearer(tokens.jwt), { scopes: ['write'] })), refused }
    },
    clientCredentials: async () => {
      const cc = createClientCredentials({
        tokenEndpoint: `${config.issuer}/token`,
        clientId: clients.app.id,
        clientSecret: clients.app.secret,
        scope: 'read',
        timeout: 5,
        retry: { attempts: 1 },
      })
      const token = await cc.getAccessToken()
      // The token is real: the AS says it is active when the RS introspects it.
      const auth = await introspectingRs(config, clients.json).authenticate(bearer(token))
      return { tokenLength: token.length, ...summary(auth) }
    },
    unreachable: async () => {
      const rs = createResourceServer({
        issuer: config.closedUrl,
        introspectionEndpoint: `${config.closedUrl}/token/introspection`,
        clientId: clients.json.id,
        clientSecret: clients.json.secret,
        timeout: 3,
      })
      try {
        await rs.authenticate(bearer(tokens.json))
      } catch (err) {
        const response = toErrorResponse(err)
        return {
          isAuthorizationServerError: err instanceof AuthorizationServerError,
          name: err instanceof Error ? err.name : typeof err,
          status: (err as { status?: unknown }).status,
          failure: (err as { failure?: unknown }).failure,
          response: { status: response.status, error: response.body.error },
        }
      }
      return { isAuthorizationServerError: false, resolved: true }
    },
  }

  const results = {} as Record<ScenarioId, ScenarioResult>
  for (const id of Object.keys(scenarios) as ScenarioId[]) {
    try {
      results[id] = { ok: true, value: await scenarios[id]() }
    } catch (err) {
      results[id] = { ok: false, error: describeError(err) }
    }
  }
  return { runtime: detectRuntime(), results }
}

/** Scenario 9: a Hono app protected by `requireAuth`, served natively by the runtime. */
export function createHonoApp(config: ScenarioConfig): Hono {
  const rs = introspectingRs(config, config.clients.json)
  const app = new Hono()
  app.get('/me', requireAuth(rs, { scopes: ['read'] }), (c) =>
    c.json({ sub: c.get('auth').sub, scopes: c.get('auth').scopes, runtime: detectRuntime().name }),
  )
  return app
}

/** The fetch handler every runtime serves: `/__scenarios` runs 1–8, anything else goes to the Hono app. */
export function createHandler(config: ScenarioConfig): (request: Request) => Promise<Response> {
  const app = createHonoApp(config)
  return async (request) => {
    if (new URL(request.url).pathname === '/__scenarios') return Response.json(await runScenarios(config))
    return app.fetch(request)
  }
}
