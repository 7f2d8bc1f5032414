// One API instance in its own process: a resource server and a client-credentials manager sharing
// a Redis through @org/rs-redis. Driven by the test over IPC; exits when the parent goes away.
import { AuthorizationServerError, BearerError, createClientCredentials, createResourceServer } from '@org/rs-core'
import { createRedisStore } from '@org/rs-redis'

const config = JSON.parse(process.env.SCALE_CONFIG ?? '{}')
const store = createRedisStore(
  { url: config.redisUrl },
  { prefix: config.prefix, timeout: config.storeTimeoutMs, reconnectMaxDelayMs: 200 },
)
const events = []
const rs = createResourceServer({
  issuer: config.issuer,
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  ...(config.introspectionEndpoint ? { introspectionEndpoint: config.introspectionEndpoint } : {}),
  cache: { store, storeTimeout: config.storeTimeoutMs / 1000 }, // core: seconds; the Redis store: ms
  timeout: 3,
  logger: false,
  onEvent: (e) => {
    if (e.type === 'store_error') events.push(e)
  },
})
const cc = createClientCredentials({
  tokenEndpoint: config.tokenEndpoint,
  clientId: config.ccClientId,
  clientSecret: config.ccClientSecret,
  scope: 'read',
  store,
  storeTimeout: config.storeTimeoutMs / 1000,
})

/** One request as an HTTP server would answer it: its status and how long it took. */
async function request(token) {
  const t0 = performance.now()
  let status
  let sub
  try {
    sub = (await rs.authenticate(`Bearer ${token}`)).sub
    status = 200
  } catch (err) {
    status = err instanceof BearerError || err instanceof AuthorizationServerError ? err.status : 500
    if (status === 500) console.error('instance: unexpected error', err)
  }
  return { status, sub, ms: performance.now() - t0 }
}

function summary(results) {
  const statuses = {}
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1
  const ms = results.map((r) => r.ms).sort((a, b) => a - b)
  return {
    count: results.length,
    statuses,
    subs: [...new Set(results.map((r) => r.sub).filter(Boolean))],
    maxMs: ms.at(-1) ?? 0,
    p99Ms: ms[Math.floor(ms.length * 0.99)] ?? 0,
  }
}

const handlers = {
  async ready() {
    await rs.ready()
    await store.ready(10_000)
    return {}
  },
  async storeReady() {
    await store.ready(10_000)
    return {}
  },
  /** `n` concurrent requests with one token. */
  async burst({ token, n }) {
    return summary(await Promise.all(Array.from({ length: n }, () => request(token))))
  },
  /** `n` concurrent getAccessToken(). */
  async cc({ n }) {
    const tokens = await Promise.all(Array.from({ length: n }, () => cc.getAccessToken()))
    return { distinct: new Set(tokens).size, first: tokens[0] }
  },
  async clear() {
    await rs.clearCache()
    return {}
  },
  async one({ token }) {
    return request(token)
  },
  /**
   * Requests for `durationMs`, `concurrency` at a time: the warm token, and each fresh token in turn
   * (a fresh one every `freshEveryMs`), as real traffic mixes known and new tokens.
   */
  async load({ warm, fresh, durationMs, concurrency, freshEveryMs }) {
    const results = []
    const slow = []
    const freshResults = []
    const started = Date.now()
    const end = started + durationMs
    const worker = async (w) => {
      for (let i = 0; Date.now() < end && i < 100_000; i++) {
        const f = fresh[Math.floor((Date.now() - started) / freshEveryMs)]
        const token = w % 2 === 0 || f === undefined ? warm : f
        const at = Date.now() - started
        const r = await request(token)
        if (r.ms > 300) slow.push({ at, ms: Math.round(r.ms), kind: token === warm ? 'warm' : `fresh#${fresh.indexOf(token)}` })
        results.push(r)
        if (token !== warm) freshResults.push(r)
        // A warm token is answered without I/O: yield, as a server does between requests, or this loop starves the others.
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
    return { ...summary(results), fresh: summary(freshResults), slow: slow.slice(0, 20) }
  },
  events() {
    return { events: events.splice(0) }
  },
}

process.on('disconnect', () => process.exit(0))
process.on('message', async (m) => {
  try {
    const answer = await handlers[m.type](m)
    process.send({ id: m.id, ...answer })
  } catch (err) {
    process.send({ id: m.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
  }
})
process.send({ type: 'started' })
