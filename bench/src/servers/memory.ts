/**
 * Child process (run with --expose-gc): a resource server whose introspection cache holds up to
 * 100,000 entries, filled with distinct opaque tokens through a fake introspection endpoint given as
 * its `fetch` option. Answers `baseline` and `fill` with the heap used after a full GC and the cache size.
 *
 * Why not over HTTP: through a real local server (startHttpServer) the fill ran at ~1,100 tokens/s on
 * the 2-core bench machine (undici's fetch dominates), i.e. ~4 minutes for 250,000 tokens. The fake
 * `fetch` answers a real `Response`, so the resource server runs all of its own code: the request
 * building, the status/content-type/body checks, the parsing and the caching.
 */
import { createResourceServer, MemoryCache } from '@org/rs-core'
import { childConfig, serveParent } from '../runner.js'

const { maxEntries } = childConfig<{ maxEntries: number }>()
const introspectionEndpoint = 'http://127.0.0.1:9/introspect' // never connected to: see fakeIntrospection
let answered = 0

/** The introspection endpoint: `{ active: true, sub, scope, client_id, iat, exp }` for any token. */
async function fakeIntrospection(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = String(input instanceof Request ? input.url : input)
  const body = new URLSearchParams(String(init?.body ?? ''))
  if (url !== introspectionEndpoint || init?.method !== 'POST' || !body.get('token')) return new Response(null, { status: 400 })
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    active: true,
    sub: `user-${++answered}`,
    scope: 'read write',
    client_id: 'app',
    token_type: 'Bearer',
    iat: now,
    exp: now + 3600,
  }
  return new Response(JSON.stringify(claims), { headers: { 'content-type': 'application/json' } })
}

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

// Exactly what `cache: { maxEntries }` builds inside createResourceServer (see resource-server.ts),
// given explicitly so its size can be read: the size is not observable through the public API otherwise.
const store = new MemoryCache({ maxEntries })
const rs = createResourceServer({
  issuer: new URL(introspectionEndpoint).origin,
  introspectionEndpoint, // no discovery
  clientId: 'bench-rs',
  clientSecret: 'bench-rs-secret-0123456789abcdefghijkl',
  tokenFormat: 'introspection',
  cache: { maxEntries, store },
  fetch: fakeIntrospection,
})

const CONCURRENCY = 64
const FILL_DEADLINE_MS = 120_000
/** A distinct 43-character opaque token (the length oidc-provider's opaque tokens have). */
const tokenOf = (i: number) => `bench-${i.toString(36).padStart(8, '0')}-${'x'.repeat(43 - 15)}`

async function fill(from: number, count: number): Promise<void> {
  const deadline = Date.now() + FILL_DEADLINE_MS
  let next = from
  const end = from + count
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < end) {
        if (Date.now() > deadline) throw new Error(`fill exceeded ${FILL_DEADLINE_MS} ms`)
        const i = next++
        await rs.authenticate(`Bearer ${tokenOf(i)}`)
      }
    }),
  )
}

/** Each introspection arms a 5 s timeout signal (the `timeout` option); let them lapse before measuring. */
const settle = () => new Promise((r) => setTimeout(r, 5_500))

function heap() {
  for (let i = 0; i < 4; i++) gc!()
  const m = process.memoryUsage()
  return { heapUsed: m.heapUsed, rss: m.rss, size: store.size, answered }
}

serveParent(
  {},
  {
    baseline: async () => {
      // Warm the code paths and the connection pool, then empty the cache.
      await fill(-5_000, 5_000)
      await rs.clearCache()
      await settle()
      return heap()
    },
    fill: async (m) => {
      const t0 = Date.now()
      await fill(m.from as number, m.count as number)
      const ms = Date.now() - t0
      await settle()
      return { ...heap(), ms }
    },
  },
)
