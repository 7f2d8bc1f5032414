/**
 * Scenario 2 (`peers`): on each framework, ours vs that framework's usual JWT middleware(s), the same
 * ES256 JWT access tokens from the same local AS and JWKS, every server in its own child process,
 * measured in alternation with the framework's unprotected route (the ceiling of any ratio).
 * Ours: with the verified-token cache (default) and without (`cache: false`).
 * Goals (set for express-oauth2-jwt-bearer, applied to every peer): ours ≥ 2× the peer with the
 * cache, ≥ 1× without. Before measuring, every server must answer 200 to a valid token and 401 to
 * the same token with a wrong signature and to no token; a peer that does not is reported, not measured.
 */
import { API_AUDIENCE, type ScenarioContext, TOKEN_POOL, tokenPool } from './as-client.js'
import {
  alternate,
  shortTiming,
  timingText,
  type Child,
  fmt,
  type Goal,
  type LoadResult,
  ratioOf,
  type Section,
  startChild,
  statusOf,
  table,
  verdict,
} from './runner.js'
import type { ServerConfig } from './servers/common.js'

interface Peer {
  name: string
  file: string
  variant?: string
  /** Measured, but not held to the goals (a set-up shown for what it costs, not the peer's best). */
  noGoal?: boolean
}

const FRAMEWORKS: { name: string; ours: string; peers: Peer[] }[] = [
  {
    name: 'Express 5',
    ours: './servers/express.ts',
    peers: [
      { name: 'express-oauth2-jwt-bearer 1.10', file: './servers/express-auth0.ts' },
      { name: 'express-jwt 8 + jwks-rsa 4', file: './servers/express-jwt.ts' },
    ],
  },
  {
    name: 'Fastify 5',
    ours: './servers/fastify.ts',
    peers: [
      { name: '@fastify/jwt 10 + get-jwks 11, PEM kept per kid', file: './servers/fastify-jwt.ts', variant: 'pem-memo' },
      { name: '@fastify/jwt 10 + get-jwks 11 (documented)', file: './servers/fastify-jwt.ts', noGoal: true },
    ],
  },
  {
    name: 'Hono 4',
    ours: './servers/hono.ts',
    peers: [
      { name: 'hono/jwk, keys fetched at start', file: './servers/hono-jwk.ts', variant: 'keys' },
      { name: 'hono/jwk, jwks_uri (documented)', file: './servers/hono-jwk.ts', variant: 'jwks_uri', noGoal: true },
    ],
  },
  { name: 'Koa 3', ours: './servers/koa.ts', peers: [{ name: 'koa-jwt 4 + jwks-rsa 4', file: './servers/koa-jwt.ts' }] },
]

/** The same JWT with one character of its signature changed: a valid shape, a wrong signature. */
export function forge(jwt: string): string {
  const dot = jwt.lastIndexOf('.')
  const i = dot + 20
  return jwt.slice(0, i) + (jwt[i] === 'A' ? 'B' : 'A') + jwt.slice(i + 1)
}

export default async function peers({ as, log }: ScenarioContext): Promise<Section> {
  // Distinct tokens sent in turn: without this, our request coalescing would let one verification serve
  // all the concurrent requests carrying the same token, flattering the no-cache variant.
  const jwts = await tokenPool(() => as.jwt('read'))
  const jwtOnly = { tokenFormat: 'jwt', audience: API_AUDIENCE } as const
  const peerConfig = { jwksUri: as.jwksUri, audience: API_AUDIENCE }

  const medians: (string | number)[][] = []
  const sanityRows: (string | number)[][] = []
  const goals: Goal[] = []
  const notMeasured: string[] = []
  for (const fw of FRAMEWORKS) {
    log(`  ${fw.name}`)
    const servers: Child[] = []
    try {
      const candidates: { name: string; child: Child; peer?: Peer }[] = [
        { name: 'ours, verified-token cache', child: await startChild(fw.ours, { issuer: as.issuer, rs: jwtOnly } satisfies ServerConfig) },
        {
          name: 'ours, `cache: false`',
          child: await startChild(fw.ours, { issuer: as.issuer, rs: { ...jwtOnly, cache: false } } satisfies ServerConfig),
        },
      ]
      servers.push(...candidates.map((c) => c.child))
      for (const peer of fw.peers) {
        try {
          const child = await startChild(peer.file, {
            issuer: as.issuer,
            peer: { ...peerConfig, variant: peer.variant },
          } satisfies ServerConfig)
          servers.push(child)
          candidates.push({ name: peer.name, child, peer })
        } catch (err) {
          notMeasured.push(`${fw.name}, ${peer.name}: did not start (${err instanceof Error ? err.message : String(err)})`)
        }
      }
      const url = (c: Child, path = '/protected') => `http://127.0.0.1:${c.ready.port as number}${path}`

      // Sanity: valid → 200, wrong signature → 401, no token → 401 (twice for the valid token: the first warms caches).
      const measured: typeof candidates = []
      for (const c of candidates) {
        const valid = [await statusOf(url(c.child), `Bearer ${jwts[0]}`), await statusOf(url(c.child), `Bearer ${jwts[0]}`)]
        const forged = await statusOf(url(c.child), `Bearer ${forge(jwts[1]!)}`)
        // A forged variant of a token already verified (and cached, for ours): must still be refused.
        const forgedCached = await statusOf(url(c.child), `Bearer ${forge(jwts[0]!)}`)
        const none = await statusOf(url(c.child))
        const ok = valid.every((s) => s === 200) && forged === 401 && forgedCached === 401 && none === 401
        sanityRows.push([fw.name, c.name, valid.join(', '), forged, forgedCached, none, ok ? 'ok' : '**refused: not measured**'])
        if (ok) measured.push(c)
        else
          notMeasured.push(
            `${fw.name}, ${c.name}: sanity check failed (valid ${valid.join('/')}, wrong signature ${forged}/${forgedCached}, no token ${none})`,
          )
      }
      if (measured.length < 2 || measured[0]!.peer || measured[1]!.peer) throw new Error(`${fw.name}: ours failed the sanity check`)

      // JWKS requests at the AS per variant (warm-up included), counted around each load run.
      const jwks = new Map<string, { calls: number; requests: number }>()
      const counting = (name: string) => ({
        before: () => as.reset(),
        after: async (r: LoadResult) => {
          const t = jwks.get(name) ?? { calls: 0, requests: 0 }
          t.calls += await as.count('/jwks')
          t.requests += r.sent
          jwks.set(name, t)
        },
      })
      const results = await alternate(
        [
          { name: 'unprotected', url: url(measured[0]!.child, '/public'), tokens: jwts },
          ...measured.map((c) => ({ name: c.name, url: url(c.child), tokens: jwts, ...counting(c.name) })),
        ],
        log,
        shortTiming,
      )
      const [open, cached, uncached, ...peerResults] = results
      for (const m of results) {
        const j = jwks.get(m.name)
        const perK = j ? fmt((1000 * j.calls) / j.requests, 2) : ''
        medians.push([fw.name, m.name, fmt(m.median.rps, 0), m.median.p50, m.median.p99, fmt(ratioOf(m, open!)), perK])
      }
      for (const [i, pr] of peerResults.entries()) {
        const peer = measured[i + 2]!.peer!
        const rC = ratioOf(cached!, pr)
        const rU = ratioOf(uncached!, pr)
        const ceiling = ratioOf(open!, pr)
        const pass = (ok: boolean) => (peer.noGoal ? undefined : ok)
        goals.push(
          {
            scenario: '2',
            what: `${fw.name} JWT: ours (cache) / ${peer.name} req/s (ceiling: unprotected / peer = ${fmt(ceiling)}×)`,
            value: `${fmt(rC)}×`,
            goal: peer.noGoal ? '-' : '≥ 2×',
            pass: pass(rC >= 2),
          },
          {
            scenario: '2',
            what: `${fw.name} JWT: ours (\`cache: false\`) / ${peer.name} req/s`,
            value: `${fmt(rU)}×`,
            goal: peer.noGoal ? '-' : '≥ 1×',
            pass: pass(rU >= 1),
          },
        )
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  }

  const ratioRows = goals.map((g) => [g.what, g.value, g.goal, verdict(g.pass)])
  const markdown = [
    'On each framework, one child process per server, `GET /protected` requiring scope `read`, the same',
    `${TOKEN_POOL} ES256 \`at+jwt\` access tokens from the local oidc-provider sent in turn (no two concurrent requests share`,
    'a token, so our request coalescing cannot stand in for a disabled cache). Every peer is set up as its README shows,',
    'with issuer, audience and algorithm checked and the JWKS taken from the AS, plus the one-line scope check an',
    "application adds where the peer has none. Ours: `createResourceServer({ issuer, tokenFormat: 'jwt', audience })` and",
    "the adapter's `requireAuth(rs, { scopes: ['read'] })`, with the verified-token cache (default) and with `cache: false`.",
    "`unprotected` is the framework's `GET /public` on our cached server: the ceiling of every ratio (authentication free).",
    `Measured in alternation per framework, ${timingText(shortTiming)} (shorter than scenario 1, to bound the whole run).`,
    '',
    '### Sanity check (before measuring)',
    '',
    'HTTP status for a valid token (twice), the same token with one signature character changed (a token never seen,',
    'then a forged copy of the token just accepted), and no token. Every server must answer 200, 200, 401, 401, 401.',
    '',
    table(['framework', 'server', 'valid', 'wrong signature', 'wrong signature of an accepted token', 'no token', ''], sanityRows),
    ...(notMeasured.length ? ['', 'Not measured:', '', ...notMeasured.map((n) => `- ${n}`)] : []),
    '',
    '### Medians',
    '',
    'JWKS requests received by the AS per 1,000 API requests sent, counted over the warm-up and all rounds of that server.',
    '',
    table(['framework', 'server', 'req/s', 'p50 ms', 'p99 ms', '/ unprotected', 'JWKS fetches per 1,000 requests'], medians),
    '',
    '### Ratios (req/s, median of the per-round ratios; goals ≥ 2× with our cache, ≥ 1× without)',
    '',
    table(['ratio', 'measured', 'goal', ''], ratioRows),
  ].join('\n')
  return { markdown, goals }
}
