/**
 * The parent's handle on the authorization server child (src/servers/as.ts): a real oidc-provider
 * on 127.0.0.1 in its own process, asked over IPC for tokens and request counts.
 */
import { type Child, startChild } from './runner.js'

export interface AuthorizationServer {
  issuer: string
  introspectionEndpoint: string
  /** The AS's JWKS URI (`{issuer}/jwks`), for peers that take it rather than discovering it. */
  jwksUri: string
  clients: { 'rs-json': { clientId: string; clientSecret: string }; app: { clientId: string; clientSecret: string } }
  /** A JWT access token for `https://api.example.test` (ES256, `typ: at+jwt`). */
  jwt(scope?: string): Promise<string>
  /** A JWT access token for `https://api.example.test` bound to this DPoP public key (`cnf.jkt`). */
  dpopJwt(publicJwk: Record<string, unknown>, scope?: string): Promise<string>
  /** An opaque access token (checked by introspection). */
  opaque(scope?: string): Promise<string>
  /** Requests the AS received on `path` since the last reset. */
  count(path: string): Promise<number>
  reset(): Promise<void>
  stop(): Promise<void>
}

export const API_AUDIENCE = 'https://api.example.test'

/** Distinct tokens per load variant, sent in turn (more than the connections, so none is in flight twice). */
export const TOKEN_POOL = 64

export function tokenPool(issue: () => Promise<string>, size = TOKEN_POOL): Promise<string[]> {
  return Promise.all(Array.from({ length: size }, issue))
}

export async function startAuthorizationServer(): Promise<AuthorizationServer> {
  const child: Child = await startChild('./servers/as.ts', {})
  const info = child.ready as unknown as {
    issuer: string
    endpoints: { introspection: string; jwks: string }
    clients: AuthorizationServer['clients']
  }
  const issue = async (options: Record<string, unknown>) => (await child.request<{ token: string }>({ type: 'issue', options })).token
  let n = 0
  return {
    issuer: info.issuer,
    introspectionEndpoint: info.endpoints.introspection,
    jwksUri: info.endpoints.jwks,
    clients: info.clients,
    jwt: (scope = 'read') => issue({ sub: `bench-user-${++n}`, scope, resource: API_AUDIENCE }),
    opaque: (scope = 'read') => issue({ sub: `bench-user-${++n}`, scope }),
    dpopJwt: (publicJwk, scope = 'read') => issue({ sub: `bench-user-${++n}`, scope, resource: API_AUDIENCE, dpopJwk: publicJwk }),
    count: async (path) => (await child.request<{ count: number }>({ type: 'count', path })).count,
    reset: async () => {
      await child.request({ type: 'reset' })
    },
    stop: () => child.stop(),
  }
}

/** What main.ts hands every scenario. */
export interface ScenarioContext {
  as: AuthorizationServer
  log: (line: string) => void
}
