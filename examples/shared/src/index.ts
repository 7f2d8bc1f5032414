/**
 * Shared by the examples: the resource server, configured from the environment, and the data the
 * ProConnect documentation's use case serves (`GET /api/users/locations`).
 *
 * - With `PROCONNECT_CLIENT_ID` and `PROCONNECT_CLIENT_SECRET` set, the API is protected by ProConnect
 *   (`PROCONNECT_ENV`: integration (default), production, integration-rie, production-rie;
 *   `PROCONNECT_SIGNING_ALG`: RS256 (default), ES256, HS256 or none).
 * - Otherwise a local authorization server (oidc-provider, the engine ProConnect runs on) is started
 *   on 127.0.0.1 and a sample access token is printed.
 */
import { createResourceServer, proConnect, type ProConnectEnvironment, type ProConnectOptions, type ResourceServer } from '@org/rs-core'
import { startTestAS, type TestAS } from '@org/rs-testing'

export interface ExampleSetup {
  rs: ResourceServer
  /** The local authorization server, when not running against ProConnect. */
  as: TestAS | undefined
  /** Port to listen on: `PORT`, default 3000. */
  port: number
  /** Prints how to call the API once it listens. */
  announce(url: string): Promise<void>
  close(): Promise<void>
}

/** The locations recorded for a user (the ProConnect documentation's sample resource). */
export function locationsFor(sub: string) {
  const cities = ['Paris', 'Lyon', 'Marseille', 'Lille', 'Rennes', 'Bordeaux', 'Strasbourg', 'Nantes']
  let h = 0
  for (const c of sub) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return [0, 1, 2].map((i) => ({
    city: cities[(h + i * 3) % cities.length]!,
    recordedAt: new Date(Date.UTC(2026, 0, 1 + ((h >>> i) % 300))).toISOString(),
  }))
}

/** Builds the resource server from the environment (see the module comment); the caller runs `await rs.ready()`. */
export async function setup(env: NodeJS.ProcessEnv = process.env): Promise<ExampleSetup> {
  const port = Number(env.PORT ?? 3000)
  if (env.PROCONNECT_CLIENT_ID) {
    const rs = createResourceServer(
      proConnect({
        environment: (env.PROCONNECT_ENV ?? 'integration') as ProConnectEnvironment,
        clientId: env.PROCONNECT_CLIENT_ID,
        clientSecret: env.PROCONNECT_CLIENT_SECRET,
        signingAlgorithm: (env.PROCONNECT_SIGNING_ALG ?? 'RS256') as ProConnectOptions['signingAlgorithm'],
        anyScope: ['openid'],
      }),
    )
    return {
      rs,
      as: undefined,
      port,
      async announce(url) {
        console.log(`listening on ${url} (ProConnect ${env.PROCONNECT_ENV ?? 'integration'})`)
        console.log(`try: curl -H "Authorization: Bearer <a ProConnect access token>" ${url}/api/users/locations`)
      },
      async close() {},
    }
  }
  const as = await startTestAS()
  const rs = createResourceServer(
    proConnect({
      issuer: as.issuer,
      clientId: 'rs-rs256',
      clientSecret: as.clients['rs-rs256'].clientSecret,
      signingAlgorithm: 'RS256',
      anyScope: ['openid'],
    }),
  )
  return {
    rs,
    as,
    port,
    async announce(url) {
      const token = await as.issueToken({ sub: 'agent-1', scope: 'openid uid given_name usual_name email' })
      console.log(`listening on ${url} (local authorization server ${as.issuer})`)
      console.log(`token: ${token}`)
      console.log(`try: curl -H "Authorization: Bearer ${token}" ${url}/api/users/locations`)
    },
    close: () => as.stop(),
  }
}
