/**
 * Shared by the framework servers: the configuration passed by the parent and the resource server
 * it describes. Every server answers `GET /public` (no auth) and `GET /protected` (needs scope
 * `read`) with a tiny JSON body, on 127.0.0.1 and an ephemeral port.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createResourceServer, type ResourceServer, type ResourceServerOptions } from '@org/rs-core'
import { childConfig, serveParent } from '../runner.js'

export interface ServerConfig {
  issuer: string
  /** Options of createResourceServer, without `issuer` (filled in). */
  rs?: Omit<ResourceServerOptions, 'issuer'>
  /** For the peers (other libraries): the AS's JWKS URI, the API's audience, a variant of the set-up. */
  peer?: { jwksUri?: string; audience?: string; variant?: string; clientId?: string; clientSecret?: string }
}

/** The peers' scope check, as an application using them would write it (they only verify the token). */
export function hasScope(scope: unknown, wanted = 'read'): boolean {
  return typeof scope === 'string' && scope.split(' ').includes(wanted)
}

export const config = childConfig<ServerConfig>()

/** The resource server of this child, discovery and keys done before the first request. */
export async function resourceServer(): Promise<ResourceServer> {
  const rs = createResourceServer({ issuer: config.issuer, ...config.rs })
  await rs.ready()
  return rs
}

/** The scope requirement of the protected route. */
export const routeScopes = { scopes: ['read'] }

/**
 * Tells the parent the port of `server` (a listening node:http server), and answers its `cpu`
 * requests with this process's CPU time so far (`process.cpuUsage()`, µs): the parent divides the
 * difference over a load run by the requests answered, the server's own cost per request.
 */
export function announce(server: Server): void {
  serveParent({ port: (server.address() as AddressInfo).port }, { cpu: () => process.cpuUsage() })
}
