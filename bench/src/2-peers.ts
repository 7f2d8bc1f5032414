/**
 * Scenario 2: Express, same JWT access token and route, three servers measured in alternation:
 * `express-oauth2-jwt-bearer` (Auth0's middleware, verifies every request), ours with the default
 * verified-token cache, ours with it disabled (`cache: { verifiedJwtMaxEntries: 0 }`).
 * Goals: ours ≥ 2× with the cache, ≥ 1× without.
 */
import { API_AUDIENCE, type ScenarioContext, TOKEN_POOL, tokenPool } from './as-client.js'
import { alternate, type Child, fmt, type Goal, type Section, startChild, table, verdict } from './runner.js'
import type { ServerConfig } from './servers/common.js'

export default async function versusAuth0({ as, log }: ScenarioContext): Promise<Section> {
  // Distinct tokens sent in turn: without this, our request coalescing would let one verification serve
  // all the concurrent requests carrying the same token, flattering the no-cache variant.
  const jwts = await tokenPool(() => as.jwt('read'))
  const jwtOnly = { tokenFormat: 'jwt', audience: API_AUDIENCE } as const
  const servers: Child[] = []
  try {
    servers.push(await startChild('./servers/express-auth0.ts', { issuer: as.issuer } satisfies ServerConfig))
    servers.push(await startChild('./servers/express.ts', { issuer: as.issuer, rs: jwtOnly } satisfies ServerConfig))
    servers.push(await startChild('./servers/express.ts', { issuer: as.issuer, rs: { ...jwtOnly, cache: { verifiedJwtMaxEntries: 0 } } } satisfies ServerConfig))
    const url = (c: Child) => `http://127.0.0.1:${c.ready.port as number}/protected`
    const [auth0, cached, uncached] = await alternate(
      [
        { name: 'express-oauth2-jwt-bearer', url: url(servers[0]!), tokens: jwts },
        { name: 'ours, verified-token cache', url: url(servers[1]!), tokens: jwts },
        { name: 'ours, no verified-token cache', url: url(servers[2]!), tokens: jwts },
      ],
      log,
    )
    const rCached = cached!.median.rps / auth0!.median.rps
    const rUncached = uncached!.median.rps / auth0!.median.rps
    const goals: Goal[] = [
      { scenario: '2', what: 'Express JWT: ours (cache) / express-oauth2-jwt-bearer req/s', value: `${fmt(rCached)}×`, goal: '≥ 2×', pass: rCached >= 2 },
      { scenario: '2', what: 'Express JWT: ours (no verified-token cache) / express-oauth2-jwt-bearer req/s', value: `${fmt(rUncached)}×`, goal: '≥ 1×', pass: rUncached >= 1 },
    ]
    const markdown = [
      'Three Express 5 servers, each in its own child process, `GET /protected` requiring scope `read`, the same',
      `${TOKEN_POOL} ES256 JWT access tokens sent in turn (so no two concurrent requests share a token and our request`,
      'coalescing cannot stand in for the disabled cache). `express-oauth2-jwt-bearer` 1.10.0 is set up as its README shows:',
      "`auth({ issuerBaseURL, audience })` (discovery and JWKS from the issuer) followed by `requiredScopes('read')`.",
      "Ours: `createResourceServer({ issuer, tokenFormat: 'jwt', audience })` and `requireAuth(rs, { scopes: ['read'] })`.",
      '',
      table(
        ['server', 'req/s', 'p50 ms', 'p99 ms', 'ratio to express-oauth2-jwt-bearer', 'goal', ''],
        [
          [auth0!.name, fmt(auth0!.median.rps, 0), auth0!.median.p50, auth0!.median.p99, '1.00×', '', ''],
          [cached!.name, fmt(cached!.median.rps, 0), cached!.median.p50, cached!.median.p99, `${fmt(rCached)}×`, '≥ 2×', verdict(rCached >= 2)],
          [uncached!.name, fmt(uncached!.median.rps, 0), uncached!.median.p50, uncached!.median.p99, `${fmt(rUncached)}×`, '≥ 1×', verdict(rUncached >= 1)],
        ],
      ),
    ].join('\n')
    return { markdown, goals }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}
