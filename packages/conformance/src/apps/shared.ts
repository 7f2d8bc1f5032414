/** What every conformance app shares: the factory type, the paths it serves, and a listener. */
import { createServer, type RequestListener, type Server } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { ResourceServer } from '@org/rs-core'

/** A running app: its base URL (`http://127.0.0.1:<port>`) and how to stop it. */
export interface RunningApp {
  url: string
  close(): Promise<void>
  /** How many times a protected route's handler ran: it must not run for a refused request. */
  handled(): number
}

/** Counts handler runs for {@link RunningApp.handled}. */
export function handlerCounter(): { count: number } {
  return { count: 0 }
}

/** What the app's own error handler answers for an error forwarded by `forwardErrors: true`. */
export function forwardedAnswer(err: {
  status?: number
  statusCode?: number
  headers?: Record<string, string>
  body?: { error?: string }
}) {
  return {
    status: err.statusCode ?? err.status ?? 500,
    headers: { ...(err.headers ?? {}), 'x-error-handler': 'app' } as Record<string, string>,
    body: { forwarded: true, error: err.body?.error ?? 'server_error' },
  }
}

/**
 * Starts a framework's app protecting its routes with `rs`, on 127.0.0.1 and an ephemeral port.
 * Routes: `GET /api/me` (`{ sub, scopes }`), `GET /api/admin` (scope `admin`), `GET /api/optional`
 * (`{ sub }`, `null` without a token), `GET /api/forwarded` (`forwardErrors: true`, refusals answered by
 * the app's own error handler through {@link forwardedAnswer}), {@link JWKS_PATH} and {@link metadataPath}.
 */
export type AppFactory = (rs: ResourceServer, options?: AppOptions) => Promise<RunningApp>

/** Options of an {@link AppFactory}. */
export interface AppOptions {
  /** Serve HTTPS, asking for a client certificate (any, self-signed included: RFC 8705 binds, the app does not authenticate). */
  tls?: { key: string; cert: string } | undefined
}

/** Also served by every app: `GET /api/dpop-required` (`{ sub }`), a route with `dpop: 'required'`. */
export const DPOP_REQUIRED_PATH = '/api/dpop-required'

/** A Node server for `listener`: HTTPS asking for a client certificate when `tls` is given, else HTTP. */
export function nodeServer(listener: RequestListener, tls: AppOptions['tls']): Server {
  return tls
    ? (createTlsServer({ key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false }, listener) as unknown as Server)
    : createServer(listener)
}

export const JWKS_PATH = '/.well-known/jwks.json'

/** Where the app serves RFC 9728 metadata (a fixed path when `rs` has none, to test the 404). */
export const metadataPath = (rs: ResourceServer): string => rs.resourceMetadataPath ?? '/.well-known/oauth-protected-resource'

/** Listens on 127.0.0.1:0 and returns the URL and a `close` that drops open connections. */
export async function listen(server: Server, counter: { count: number }): Promise<RunningApp> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `${'cert' in server ? 'https' : 'http'}://127.0.0.1:${port}`,
    handled: () => counter.count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
