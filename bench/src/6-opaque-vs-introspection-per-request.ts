/**
 * Scenario 6 (`opaque`), the headline for ProConnect users: opaque access tokens checked by
 * introspection at the local AS. Peer: what the ProConnect sample resource server does, one
 * introspection request per API request and no cache (`servers/express-introspect.ts`, a tiny Express
 * middleware on oauth4webapi). Ours: `@org/rs-express` with the default introspection cache. Same
 * Express 5, same route, same 64 tokens in turn, same AS client (`rs-json`, client_secret_post).
 * Reported: requests/s of each and the AS introspection requests per API request, counted at the AS
 * around every load run (warm-up included). No goal was set for this comparison: it is reported.
 */
import { type ScenarioContext, TOKEN_POOL, tokenPool } from './as-client.js'
import { alternate, type Child, fmt, type Goal, type LoadResult, ratioOf, type Section, startChild, statusOf, table } from './runner.js'
import type { ServerConfig } from './servers/common.js'

export default async function opaque({ as, log }: ScenarioContext): Promise<Section> {
  const tokens = await tokenPool(() => as.opaque('read'))
  const client = as.clients['rs-json']
  const servers: Child[] = []
  try {
    const peer = await startChild('./servers/express-introspect.ts', {
      issuer: as.issuer,
      peer: { clientId: client.clientId, clientSecret: client.clientSecret },
    } satisfies ServerConfig)
    servers.push(peer)
    const ours = await startChild('./servers/express.ts', {
      issuer: as.issuer,
      rs: { tokenFormat: 'introspection', clientId: client.clientId, clientSecret: client.clientSecret },
    } satisfies ServerConfig)
    servers.push(ours)
    const url = (c: Child) => `http://127.0.0.1:${c.ready.port as number}/protected`

    // Sanity: both accept a valid token and refuse an unknown one (401).
    const unknown = `${tokens[0]!.slice(0, -4)}AAAA`
    for (const [name, c] of [
      ['peer', peer],
      ['ours', ours],
    ] as const) {
      const s = [await statusOf(url(c), `Bearer ${tokens[0]}`), await statusOf(url(c), `Bearer ${unknown}`)]
      if (s[0] !== 200 || s[1] !== 401) throw new Error(`${name}: valid token → ${s[0]}, unknown token → ${s[1]} (expected 200, 401)`)
    }

    const counts = new Map<string, { calls: number; requests: number }>()
    const counting = (name: string) => ({
      before: () => as.reset(),
      after: async (r: LoadResult) => {
        const t = counts.get(name) ?? { calls: 0, requests: 0 }
        t.calls += await as.count('/token/introspection')
        t.requests += r.sent
        counts.set(name, t)
      },
    })
    const PEER = 'introspection per request (ProConnect sample)'
    const OURS = 'ours, introspection cache (default)'
    const [p, o] = await alternate(
      [
        { name: PEER, url: url(peer), tokens, ...counting(PEER) },
        { name: OURS, url: url(ours), tokens, ...counting(OURS) },
      ],
      log,
    )
    const perRequest = (name: string) => counts.get(name)!.calls / counts.get(name)!.requests
    const ratio = ratioOf(o!, p!)
    const goals: Goal[] = [
      {
        scenario: '6',
        what: 'Opaque tokens, Express: ours (cached) / one introspection per request (ProConnect sample) req/s',
        value: `${fmt(ratio)}×`,
        goal: '-',
        pass: undefined,
      },
      {
        scenario: '6',
        what: 'Opaque tokens: AS introspection requests per API request, ours / ProConnect sample',
        value: `${perRequest(OURS).toPrecision(2)} / ${fmt(perRequest(PEER), 2)}`,
        goal: '-',
        pass: undefined,
      },
    ]
    const row = (m: typeof p, name: string) => {
      const c = counts.get(name)!
      return [
        m!.name,
        fmt(m!.median.rps, 0),
        m!.median.p50,
        m!.median.p99,
        fmt(c.requests, 0),
        fmt(c.calls, 0),
        perRequest(name) < 0.01 ? perRequest(name).toExponential(1) : fmt(perRequest(name), 3),
      ]
    }
    const markdown = [
      'Opaque access tokens from the local oidc-provider (its child process shares the 2 cores), checked by introspection',
      '(RFC 7662, client `rs-json`, client_secret_post, plain JSON answers). Two Express 5 servers, each in its own child process:',
      '',
      '- **ProConnect sample**: what the ProConnect sample resource server does, one introspection request per API request',
      '  and no cache, written as a tiny Express middleware on oauth4webapi (`src/servers/express-introspect.ts`);',
      "- **ours**: `createResourceServer({ issuer, tokenFormat: 'introspection', clientId, clientSecret })` with the default",
      "  introspection cache and `requireAuth(rs, { scopes: ['read'] })`.",
      '',
      `The same ${TOKEN_POOL} tokens are sent in turn to both. AS calls are counted by the AS around every load run of each`,
      'server, warm-up included (our server starts with an empty cache, so its first request per token introspects), and',
      'divided by the API requests autocannon sent (answered, or in flight when a run ended).',
      '',
      table(
        ['server', 'req/s', 'p50 ms', 'p99 ms', 'API requests sent', 'AS introspection requests', 'AS calls per API request'],
        [row(p, PEER), row(o, OURS)],
      ),
      '',
      `Ours / ProConnect sample: **${fmt(ratio)}×** the requests per second. The sample's throughput is bounded by the`,
      "AS's introspection endpoint (one round trip and one oidc-provider request per API request, on the same 2 cores);",
      `ours asks the AS once per token per cache lifetime (\`maxTtl\` 300 s by default, capped by the token's \`exp\`), here`,
      `${counts.get(OURS)!.calls} requests for ${TOKEN_POOL} tokens.`,
    ].join('\n')
    return { markdown, goals }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}
