/**
 * Scenario 3: the cold path, one introspection per request, against the local oidc-provider (in its
 * own child process). Ours: `rs.authenticate()` with `cache: false`. Baseline: a bare oauth4webapi
 * `introspectionRequest` + `processIntrospectionResponse` with the same client (rs-json,
 * client_secret_post). Both run in this process, in alternating batches; medians over the batches.
 * Goal: our time per call at most 10 % above the baseline's.
 */
import { createResourceServer } from '@org/rs-core'
import * as oauth from 'oauth4webapi'
import type { ScenarioContext } from './as-client.js'
import { fmt, type Goal, median, type Section, settings, table, verdict } from './runner.js'

const GOAL = 0.1
/** Calls per batch, and the time limit of one batch. */
const CALLS = 300
const BATCH_DEADLINE_MS = 20_000
/** Batches are short (~1 s): more rounds than the load scenarios, in A B B A order to cancel drift. */
const ROUNDS = Math.max(8, settings.rounds)

type Call = (token: string) => Promise<void>

interface Batch {
  msPerCall: number
  p50: number
  p99: number
}

/** `CALLS` calls by `workers` concurrent loops; worker i always uses tokens[i] (no two in flight share a token). */
async function batch(call: Call, tokens: string[], workers: number): Promise<Batch> {
  const latencies: number[] = []
  const deadline = performance.now() + BATCH_DEADLINE_MS
  let started = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (started < CALLS) {
        if (performance.now() > deadline) throw new Error(`batch exceeded ${BATCH_DEADLINE_MS} ms`)
        started++
        const t = performance.now()
        await call(tokens[w]!)
        latencies.push(performance.now() - t)
      }
    }),
  )
  const elapsed = performance.now() - t0
  latencies.sort((a, b) => a - b)
  return {
    msPerCall: elapsed / CALLS,
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
  }
}

export default async function coldIntrospection({ as, log }: ScenarioContext): Promise<Section> {
  const client = as.clients['rs-json']
  const WORKERS = [1, 10]
  const tokens = await Promise.all(Array.from({ length: Math.max(...WORKERS) }, () => as.opaque('read')))

  // Baseline: oauth4webapi alone (discovery done once, outside the measurement).
  const insecure = { [oauth.allowInsecureRequests]: true }
  const issuerUrl = new URL(as.issuer)
  const meta = await oauth.processDiscoveryResponse(issuerUrl, await oauth.discoveryRequest(issuerUrl, insecure))
  const oClient: oauth.Client = { client_id: client.clientId }
  const oAuth = oauth.ClientSecretPost(client.clientSecret)
  const bare: Call = async (token) => {
    const response = await oauth.introspectionRequest(meta, oClient, oAuth, token, insecure)
    const claims = await oauth.processIntrospectionResponse(meta, oClient, response)
    if (claims.active !== true) throw new Error('baseline: token not active')
  }

  // Ours, no cache: every call introspects.
  const rs = createResourceServer({
    issuer: as.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    tokenFormat: 'introspection',
    cache: false,
  })
  await rs.ready()
  const ours: Call = async (token) => {
    await rs.authenticate(`Bearer ${token}`, { scopes: ['read'] })
  }

  const rows: (string | number)[][] = []
  const goals: Goal[] = []
  for (const workers of WORKERS) {
    // Warm-up, then alternating batches A B A B …
    await batch(bare, tokens, workers)
    await batch(ours, tokens, workers)
    const runs = { bare: [] as Batch[], ours: [] as Batch[] }
    await as.reset()
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        runs.bare.push(await batch(bare, tokens, workers))
        runs.ours.push(await batch(ours, tokens, workers))
      } else {
        runs.ours.push(await batch(ours, tokens, workers))
        runs.bare.push(await batch(bare, tokens, workers))
      }
      log(
        `    ${workers} in flight, round ${r + 1}/${ROUNDS}: bare ${fmt(runs.bare.at(-1)!.msPerCall, 3)} ms/call, ours ${fmt(runs.ours.at(-1)!.msPerCall, 3)} ms/call`,
      )
    }
    const introspections = await as.count('/token/introspection')
    const expected = 2 * ROUNDS * CALLS
    if (introspections !== expected) throw new Error(`expected ${expected} introspection requests at the AS, counted ${introspections}`)
    const m = (b: Batch[], k: keyof Batch) => median(b.map((x) => x[k]))
    const overhead = m(runs.ours, 'msPerCall') / m(runs.bare, 'msPerCall') - 1
    rows.push(
      [
        workers,
        'bare oauth4webapi',
        fmt(1000 / m(runs.bare, 'msPerCall'), 0),
        fmt(m(runs.bare, 'msPerCall'), 3),
        fmt(m(runs.bare, 'p50'), 2),
        fmt(m(runs.bare, 'p99'), 2),
        '',
        '',
        '',
      ],
      [
        workers,
        'ours (`cache: false`)',
        fmt(1000 / m(runs.ours, 'msPerCall'), 0),
        fmt(m(runs.ours, 'msPerCall'), 3),
        fmt(m(runs.ours, 'p50'), 2),
        fmt(m(runs.ours, 'p99'), 2),
        `${overhead >= 0 ? '+' : ''}${fmt(overhead * 100, 1)} %`,
        '≤ +10 %',
        verdict(overhead <= GOAL),
      ],
    )
    goals.push({
      scenario: '3',
      what: `Cold introspection, ${workers} in flight: ours vs bare oauth4webapi, time per call`,
      value: `${overhead >= 0 ? '+' : ''}${fmt(overhead * 100, 1)} %`,
      goal: '≤ +10 %',
      pass: overhead <= GOAL,
    })
  }

  const markdown = [
    `Batches of ${CALLS} calls, run by 1 (sequential) or 10 concurrent loops; each loop uses its own opaque token so`,
    'our request coalescing never merges two calls: the AS counted exactly one introspection request per call',
    `(checked). ${ROUNDS} rounds (A B, B A, …) after one warm-up batch each; medians over the rounds.`,
    'Overhead = median time per call of ours / of the baseline − 1. Ours does, on top of the baseline: the bearer',
    'header parsing, a SHA-256 of the token (coalescing and cache key), a timeout timer, the body-size check, the response',
    'and scope checks and building the frozen `AccessTokenInfo`.',
    '',
    table(['in flight', 'client', 'calls/s', 'ms per call', 'p50 ms', 'p99 ms', 'overhead', 'goal', ''], rows),
  ].join('\n')
  return { markdown, goals }
}
