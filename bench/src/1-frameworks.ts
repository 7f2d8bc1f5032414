/**
 * Scenario 1: per framework, the unprotected route vs the protected route with (a) a JWT access
 * token (verified-token cache warm) and (b) an opaque token (introspection cache warm).
 * Headline: protected / unprotected requests per second, goal ≥ 0.95 (issue 14).
 */
import { API_AUDIENCE, type ScenarioContext, TOKEN_POOL, tokenPool } from './as-client.js'
import * as nodeCrypto from 'node:crypto'
import { createResourceServer, useNodeCrypto } from '@org/rs-core'
// Internal, not exported: the cache key every warm call computes (a token never is a key itself).
import { sha256Key } from '../../packages/core/src/hash/index.js'
import { alternate, type Child, fmt, type Goal, median, ratioOf, type Section, startChild, table, type Variant, verdict } from './runner.js'
import type { ServerConfig } from './servers/common.js'

const FRAMEWORKS = [
  { name: 'Express 5', file: './servers/express.ts' },
  { name: 'Fastify 5', file: './servers/fastify.ts' },
  { name: 'Hono 4 (@hono/node-server)', file: './servers/hono.ts' },
  { name: 'Koa 3 (@koa/router)', file: './servers/koa.ts' },
]
const GOAL = 0.95

/**
 * `variant`, plus the server's own CPU time per request over each measured run (its `process.cpuUsage()`
 * before and after, over the requests answered): on two shared cores, steadier than req/s, which also
 * moves with the load generator's share of the CPU.
 */
function withServerCpu(server: Child, variant: Variant, perRequest: number[]): Variant {
  let before: NodeJS.CpuUsage | undefined
  return {
    ...variant,
    before: async () => {
      before = await server.request<NodeJS.CpuUsage>({ type: 'cpu' })
    },
    after: async (result, phase) => {
      const after = await server.request<NodeJS.CpuUsage>({ type: 'cpu' })
      if (phase === 'round' && before !== undefined && result.requests > 0) {
        perRequest.push((after.user + after.system - before.user - before.system) / result.requests)
      }
    },
  }
}

/**
 * CPU time per call (user + system of the whole process, WebCrypto's thread pool included), with 20
 * calls in flight: median over 3 runs of 1 s, after a warm-up run.
 */
async function microsPerCall(call: (i: number) => Promise<unknown>): Promise<number> {
  const runs: number[] = []
  for (let r = 0; r < 4; r++) {
    let i = 0
    const cpu0 = process.cpuUsage()
    const end = performance.now() + 1000
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (performance.now() < end) await call(i++)
      }),
    )
    const cpu = process.cpuUsage(cpu0)
    if (r > 0) runs.push((cpu.user + cpu.system) / i) // the first run is a warm-up
  }
  return median(runs)
}

export default async function frameworks({ as, log }: ScenarioContext): Promise<Section> {
  // A pool of tokens per kind, sent in turn: concurrent requests carry different tokens (as with real
  // users), so the resource server's request coalescing plays no part; every request is a cache hit.
  const [jwts, opaques] = await Promise.all([tokenPool(() => as.jwt('read')), tokenPool(() => as.opaque('read'))])
  const config: ServerConfig = {
    issuer: as.issuer,
    // One resource server taking both kinds: JWTs verified locally, other tokens introspected.
    rs: {
      tokenFormat: 'auto',
      audience: API_AUDIENCE,
      clientId: as.clients['rs-json'].clientId,
      clientSecret: as.clients['rs-json'].clientSecret,
    },
  }
  await as.reset()

  const medians: (string | number)[][] = []
  const ratios: (string | number)[][] = []
  const goals: Goal[] = []
  const openRps: number[] = []
  const middlewareRatios: (string | number)[][] = []
  const cpuRatios: (string | number)[][] = []
  for (const fw of FRAMEWORKS) {
    log(`  ${fw.name}`)
    const server = await startChild(fw.file, config)
    try {
      const base = `http://127.0.0.1:${server.ready.port as number}`
      const variants: Variant[] = [
        // The public route gets the same Authorization headers (ignored): same request bytes, same client work.
        { name: 'unprotected', url: `${base}/public`, tokens: jwts },
        { name: 'unprotected + no-op middleware', url: `${base}/noop`, tokens: jwts },
        { name: 'floor (least secure cache hit), JWT', url: `${base}/floor`, tokens: jwts },
        { name: 'protected, JWT', url: `${base}/protected`, tokens: jwts },
        { name: 'protected, opaque', url: `${base}/protected`, tokens: opaques },
      ]
      const cpu = variants.map(() => [] as number[])
      const [open, noop, floor, viaJwt, viaIntrospection] = await alternate(
        variants.map((v, i) => withServerCpu(server, v, cpu[i]!)),
        log,
      )
      const [cpuOpen, cpuNoop, cpuFloor, cpuJwt, cpuOpaque] = cpu as [number[], number[], number[], number[], number[]]
      // Round by round, as the req/s ratios: what a route adds to the unprotected one, and their ratio.
      const added = (route: number[]) => fmt(median(route.map((us, r) => us - cpuOpen[r]!)), 1)
      const cpuRatio = (route: number[]) => fmt(median(route.map((us, r) => cpuOpen[r]! / us)))
      for (const [i, m] of [open!, noop!, floor!, viaJwt!, viaIntrospection!].entries()) {
        medians.push([fw.name, m.name, fmt(m.median.rps, 0), m.median.p50, m.median.p99, fmt(median(cpu[i]!), 1)])
      }
      openRps.push(open!.median.rps)
      const rJwt = ratioOf(viaJwt!, open!)
      const rOpaque = ratioOf(viaIntrospection!, open!)
      ratios.push([fw.name, fmt(rJwt), verdict(rJwt >= GOAL), fmt(rOpaque), verdict(rOpaque >= GOAL)])
      const rNoop = ratioOf(noop!, open!)
      middlewareRatios.push([
        fw.name,
        fmt(rNoop),
        fmt(ratioOf(floor!, open!)),
        fmt(ratioOf(viaJwt!, floor!)),
        fmt(ratioOf(viaIntrospection!, noop!)),
      ])
      cpuRatios.push([
        fw.name,
        fmt(median(cpuOpen), 1),
        added(cpuNoop),
        added(cpuFloor),
        added(cpuJwt),
        added(cpuOpaque),
        cpuRatio(cpuFloor),
        cpuRatio(cpuJwt),
        cpuRatio(cpuOpaque),
      ])
      goals.push(
        { scenario: '1', what: `${fw.name}: protected (JWT) / unprotected req/s`, value: fmt(rJwt), goal: `≥ ${GOAL}`, pass: rJwt >= GOAL },
        {
          scenario: '1',
          what: `${fw.name}: protected (opaque) / unprotected req/s`,
          value: fmt(rOpaque),
          goal: `≥ ${GOAL}`,
          pass: rOpaque >= GOAL,
        },
      )
    } finally {
      await server.stop()
    }
  }
  const introspections = await as.count('/token/introspection')

  // Where the time goes: the in-process cost of one warm authenticate() (same options), with core's
  // JavaScript SHA-256 for the verified-JWT cache key and with node:crypto's (what the Node adapters
  // set with useNodeCrypto), and that key alone.
  log('  in-process cost of a warm authenticate()')
  const rs = createResourceServer({ issuer: as.issuer, ...config.rs })
  await rs.ready()
  const onNode = createResourceServer({ issuer: as.issuer, ...config.rs })
  useNodeCrypto(onNode, nodeCrypto)
  await onNode.ready()
  const signatures = jwts.map((jwt) => jwt.slice(jwt.lastIndexOf('.') + 1))
  const costs = [
    {
      what: '`rs.authenticate()`, JWT, verified-token cache warm (core alone: JavaScript SHA-256)',
      us: await microsPerCall((i) => rs.authenticate(`Bearer ${jwts[i % jwts.length]}`, { scopes: ['read'] })),
    },
    {
      what: '`rs.authenticate()`, JWT, verified-token cache warm, after `useNodeCrypto(rs, crypto)` (as under the Node adapters)',
      us: await microsPerCall((i) => onNode.authenticate(`Bearer ${jwts[i % jwts.length]}`, { scopes: ['read'] })),
    },
    {
      what: '`rs.authenticate()`, opaque, introspection cache warm',
      us: await microsPerCall((i) => rs.authenticate(`Bearer ${opaques[i % opaques.length]}`, { scopes: ['read'] })),
    },
    {
      what: "of which: the verified-JWT cache key, core's SHA-256 of the signature (`sha256Key`, JavaScript, runtime-agnostic)",
      us: await microsPerCall(async (i) => sha256Key(signatures[i % signatures.length]!)),
    },
    {
      what: "the same key with node:crypto's one-shot `hash('sha256', signature, 'binary')` (`useNodeCrypto`)",
      us: await microsPerCall(async (i) => nodeCrypto.hash('sha256', signatures[i % signatures.length]!, 'binary')),
    },
  ]
  const fastest = Math.max(...openRps)
  const slowest = Math.min(...openRps)
  const budget = (rps: number) => ((1 / GOAL - 1) / rps) * 1e6

  const markdown = [
    'Each framework server runs in its own child process with one resource server (`tokenFormat: "auto"`,',
    'default caches) and two routes returning a tiny JSON body: `GET /public` (no auth) and `GET /protected`',
    "(the adapter's `requireAuth` with `scopes: ['read']`). JWTs are ES256 `at+jwt` access tokens from the local",
    `oidc-provider; opaque tokens are checked by introspection at it. ${TOKEN_POOL} tokens of each kind are sent in turn,`,
    'so concurrent requests carry different tokens. Both caches are warm after the warm-up: the AS received',
    `**${introspections}** introspection requests during this whole scenario (${TOKEN_POOL} per framework process expected).`,
    '',
    '### Medians',
    '',
    table(['framework', 'route', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs per request'], medians),
    '',
    `### Protected / unprotected (req/s, median of the per-round ratios; goal ≥ ${GOAL})`,
    '',
    table(['framework', 'JWT (verified-token cache warm)', '', 'opaque (introspection cache warm)', ''], ratios),
    '',
    '### Where the time goes',
    '',
    "The framework's own price of one more middleware, measured the same way (a do-nothing async middleware of",
    'the same shape as `requireAuth` on `GET /noop`), the floor (`GET /floor`: the least any middleware can do to',
    'accept a JWT from a cache under our rules, written by hand for this one route, see `src/servers/floor.ts`:',
    "node:crypto's SHA-256 of the signature as the key, one `Map` lookup, `exp` and scope compared; no RFC 6750 check,",
    'no key-still-published check, no typed errors or events), and our share once each is set apart (req/s):',
    '',
    table(
      [
        'framework',
        'no-op middleware / unprotected',
        'floor / unprotected',
        'protected JWT / floor',
        'protected opaque / no-op middleware',
      ],
      middlewareRatios,
    ),
    '',
    "The same by the server process's own CPU time per request (median over the rounds; the parent asks the child",
    'for its `process.cpuUsage()` before and after each run), which the load generator on the same two cores',
    'disturbs less than req/s. Columns 3–6: µs added to an unprotected request; last three: unprotected / route, by CPU',
    '(both round by round, then the median):',
    '',
    table(
      [
        'framework',
        'unprotected µs/req',
        '+ no-op',
        '+ floor',
        '+ protected JWT',
        '+ protected opaque',
        'floor (CPU)',
        'protected JWT (CPU)',
        'protected opaque (CPU)',
      ],
      cpuRatios,
    ),
    '',
    'CPU time of one warm call (user + system, all threads of the process), measured in this (parent) process with',
    '20 calls in flight, median of 3 runs of 1 s after a warm-up run:',
    '',
    table(
      ['operation', 'CPU µs per call'],
      costs.map((c) => [c.what, fmt(c.us, 1)]),
    ),
    '',
    `To keep ${fmt(GOAL * 100, 0)} % of the unprotected throughput, the whole authentication must cost at most 1/${GOAL} − 1 = ${fmt((1 / GOAL - 1) * 100, 1)} % of the`,
    `time of an unprotected request: ${fmt(budget(fastest), 1)} µs at ${fmt(fastest, 0)} req/s (fastest framework here) to`,
    `${fmt(budget(slowest), 1)} µs at ${fmt(slowest, 0)} req/s (slowest), taking the server process as one busy core.`,
  ].join('\n')
  return { markdown, goals }
}
