/**
 * Scenario 9 (`scale`): several API processes sharing one Redis (a redis-server started here on
 * 127.0.0.1, no persistence) through `@org/rs-redis`.
 *
 * 1. AS calls per distinct token: N processes (2, then 4), each sending `PER_TOKEN` concurrent
 *    `authenticate()` for each of `TOKENS` fresh opaque tokens at once; introspections counted at
 *    the AS, divided by the tokens. With the Redis store (cross-instance single-flight: goal 1.0) and,
 *    for contrast, memory only (N: one per process).
 * 2. Warm-path cost: Express with the Redis store vs memory only, 64 warm tokens, autocannon in
 *    alternation. The in-memory first level answers both, so the goal is no measurable difference.
 */
import { startRedisServer } from '@org/rs-testing'
import { type ScenarioContext, TOKEN_POOL, tokenPool } from './as-client.js'
import { alternate, type Child, fmt, type Goal, ratioOf, type Section, startChild, statusOf, table, verdict } from './runner.js'

const TOKENS = 20
const PER_TOKEN = 25
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export default async function scale({ as, log }: ScenarioContext): Promise<Section> {
  const redis = await startRedisServer() // throws a clear error when redis-server is not installed
  const children: Child[] = []
  const client = as.clients['rs-json']
  const start = (store: 'memory' | 'redis', prefix: string) =>
    startChild('./servers/scale.ts', {
      issuer: as.issuer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      store,
      redisUrl: redis.url,
      prefix,
    })
  try {
    // 1. AS calls per distinct token.
    const rows: (string | number)[][] = []
    const goals: Goal[] = []
    for (const n of [2, 4]) {
      for (const store of ['redis', 'memory'] as const) {
        const group = await Promise.all(Array.from({ length: n }, () => start(store, `bench-${n}:`)))
        children.push(...group)
        // Warm each process (JIT, connections) with tokens not counted, as a running API is.
        const warmUp = await tokenPool(() => as.opaque('read'), 4)
        await Promise.all(group.map((c) => c.request({ type: 'burst', tokens: warmUp, perToken: 5 })))
        await sleep(1_100) // past core's store cooldown, had a call of a cold process timed out
        const tokens = await tokenPool(() => as.opaque('read'), TOKENS)
        await as.reset()
        const t0 = performance.now()
        const answers = await Promise.all(
          group.map((c) => c.request<{ failed: number; storeErrors: number }>({ type: 'burst', tokens, perToken: PER_TOKEN })),
        )
        const ms = performance.now() - t0
        const calls = await as.count('/token/introspection')
        const failed = answers.reduce((s, a) => s + a.failed, 0)
        const storeErrors = answers.reduce((s, a) => s + a.storeErrors, 0)
        if (failed > 0) throw new Error(`${failed} authenticate() calls failed`)
        const perToken = calls / TOKENS
        log(
          `    ${n} processes, ${store}: ${calls} introspections for ${TOKENS} tokens (${fmt(perToken)} per token), ${fmt(ms, 0)} ms, store_error events: ${storeErrors}`,
        )
        rows.push([
          n,
          store === 'redis' ? 'Redis (`@org/rs-redis`)' : 'memory only',
          n * PER_TOKEN * TOKENS,
          calls,
          fmt(perToken),
          store === 'redis' ? '1.00' : '-',
          store === 'redis' ? verdict(perToken === 1) : verdict(undefined),
          storeErrors,
          fmt(ms, 0),
        ])
        if (store === 'redis')
          goals.push({
            scenario: '9',
            what: `${n} processes × ${PER_TOKEN} concurrent requests per fresh token, shared Redis → AS calls per distinct token`,
            value: fmt(perToken),
            goal: '1.00',
            pass: perToken === 1,
          })
        await Promise.all(group.map((c) => c.stop()))
      }
    }

    // 2. Warm path: Redis store vs memory only, one process each, same warm tokens.
    const withRedis = await start('redis', 'bench-warm:')
    const memoryOnly = await start('memory', 'unused:')
    children.push(withRedis, memoryOnly)
    const url = (c: Child) => `http://127.0.0.1:${c.ready.port as number}/protected`
    const tokens = await tokenPool(() => as.opaque('read'))
    for (const c of [withRedis, memoryOnly]) {
      if ((await statusOf(url(c), `Bearer ${tokens[0]}`)) !== 200) throw new Error('a valid token was not accepted')
      await c.request({ type: 'burst', tokens, perToken: 1 }) // every token judged once: the load is warm
    }
    await as.reset()
    const [r, m] = await alternate(
      [
        { name: 'Redis store (memory first)', url: url(withRedis), tokens },
        { name: 'memory only', url: url(memoryOnly), tokens },
      ],
      log,
    )
    const warmCalls = await as.count('/token/introspection')
    const ratio = ratioOf(r!, m!)
    goals.push({
      scenario: '9',
      what: 'Warm path, Express: Redis store / memory only req/s',
      value: `${fmt(ratio)}×`,
      goal: '≥ 0.95 (no measurable difference)',
      pass: ratio >= 0.95,
    })

    const markdown = [
      `A redis-server on 127.0.0.1 (no persistence), the local oidc-provider, and N API processes (Express 5 + \`@org/rs-express\`,`,
      'opaque tokens by introspection, client `rs-json`), each in its own child process, on the same 2 cores.',
      '',
      `**AS calls per distinct token.** ${TOKENS} fresh opaque tokens; every process sends ${PER_TOKEN} concurrent \`authenticate()\` for each`,
      `of them, all at once (${PER_TOKEN} × N concurrent requests per token, ${TOKENS} tokens in flight together). Introspection requests`,
      'counted at the AS. With the Redis store the processes coalesce through a lock in Redis (`SET NX PX`); memory only,',
      'each process coalesces its own requests. Each process is warmed first (uncounted tokens).',
      '',
      table(
        ['processes', 'verdict store', 'requests', 'AS introspections', 'per token', 'goal', '', '`store_error` events', 'burst ms'],
        rows,
      ),
      '',
      'A `store_error` is a store call that missed the `storeTimeout` (0.05 s, i.e. 50 ms) (here: a process not scheduled for that long on',
      'the oversubscribed cores): that process then leaves Redis alone for 1 s and introspects its tokens itself, by design',
      '(a store failure is a miss, never a wait without bound), so each such event costs extra AS calls in this burst.',
      '',
      `**Warm path.** One Express process with the Redis store, one with memory only; the same ${TOKEN_POOL} tokens, all judged before`,
      'the load (so every request is a warm hit), in alternation. With a shared store the in-memory first level still answers',
      `first: a warm token never waits on Redis. AS introspections during the load runs: ${warmCalls}.`,
      '',
      table(
        ['server', 'req/s', 'p50 ms', 'p99 ms'],
        [r!, m!].map((x) => [x.name, fmt(x.median.rps, 0), x.median.p50, x.median.p99]),
      ),
      '',
      `Redis / memory only: **${fmt(ratio)}×** requests/s.`,
    ].join('\n')
    return { markdown, goals }
  } finally {
    await Promise.all(children.map((c) => c.stop()))
    await redis.stop()
  }
}
