/**
 * `pnpm demo`: a local authorization server (oidc-provider), this Express API protected by
 * @org/rs-express, and a client calling it. Each step says in plain words what happens, shows the
 * SDK's events (`onEvent`) and what the operator's log (`logger`) would show, then checks the
 * statuses it expects. Bounded in time; exits by itself (0 when every status is the expected one).
 */
import type { AddressInfo } from 'node:net'
import { createResourceServer, type ResourceServerEvent } from '@org/rs-core'
import { RS_JSON_SECRET, startTestAS } from '@org/rs-testing'
import { createApp } from './app.js'

// Never hang: the whole demo takes a few seconds.
setTimeout(() => {
  console.error('\ndemo: did not finish within 60 s')
  process.exit(1)
}, 60_000).unref()

const WIDTH = 96
/** Prints a paragraph of narration, wrapped. */
function say(text: string): void {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > WIDTH) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  console.log(lines.join('\n'))
}
function step(title: string, text: string): void {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(3, WIDTH - title.length - 4))}`)
  say(text)
}

/** One line per event, as your `onEvent` listener receives it (never a token, never a secret). */
function showEvent(event: ResourceServerEvent): void {
  const { type, ...fields } = event
  const shown = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${k === 'durationMs' ? `${(v as number).toFixed(1)}` : JSON.stringify(v)}`)
  console.log(`     event  ${type} { ${shown.join(', ')} }`)
}

/** The operator's log at its usual level (warn and error; refusals are at debug, not shown here). */
const operatorLog = {
  warn: (message: string) => console.log(`     log    WARN  ${message}`),
  error: (message: string) => console.log(`     log    ERROR ${message}`),
}

step('0. Set-up', 'A local authorization server (AS) starts: oidc-provider, the engine ProConnect runs on.')
const as = await startTestAS()
const introspections = () => as.requestCount('/token/introspection')
say(
  `The API trusts it as its issuer (${as.issuer}) and checks tokens by asking it (token introspection, RFC 7662) ` +
    "as its own client 'rs-json'. Every route requires the scope 'openid'. Verdicts are cached for at most " +
    'cache.maxTtl = 300 s (the default).',
)
const rs = createResourceServer({
  issuer: as.issuer,
  clientId: 'rs-json',
  clientSecret: RS_JSON_SECRET,
  scopes: ['openid'],
  cache: { maxTtl: 300 },
  onEvent: showEvent,
  logger: operatorLog,
})

step(
  '1. Start-up check: await rs.ready()',
  'Discovery: the API reads the AS metadata (/.well-known/openid-configuration) to find its introspection ' +
    'endpoint, and checks that the AS calls itself exactly the configured issuer. Then it introspects a random ' +
    "token with its own credentials, expecting 'not active': a wrong client secret would stop the start here.",
)
await rs.ready()
say(`The set-up works (${introspections()} introspection so far: the random token).`)

const server = createApp(rs).listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/users/locations`
console.log(`\nThe API listens: GET ${api}`)

/** Calls the API; prints the request, then (after the events) the answer. */
async function call(who: string, authorization?: string): Promise<number> {
  console.log(`\n  → GET /api/users/locations  ${authorization ? `Authorization: Bearer <${who}>` : '(no Authorization header)'}`)
  const res = await fetch(api, { headers: authorization ? { authorization } : {} })
  const headers = ['www-authenticate', 'retry-after'].map((h) => [h, res.headers.get(h)] as const).filter(([, v]) => v !== null)
  const body = JSON.stringify(await res.json())
  console.log(`  ← ${res.status} ${res.statusText}${headers.map(([h, v]) => `  ${h}: ${v}`).join('')}`)
  console.log(`     body   ${body.length > WIDTH - 12 ? `${body.slice(0, WIDTH - 13)}…` : body}`)
  return res.status
}

const requests = (n: number) => `${n === 0 ? 'no' : n} request${n === 1 ? '' : 's'}`
const statuses: number[] = []
const expected: number[] = []
async function expect(status: number, who: string, authorization?: string): Promise<void> {
  statuses.push(await call(who, authorization))
  expected.push(status)
}

const agentToken = await as.issueToken({ sub: 'agent-1', scope: 'openid uid given_name usual_name email' })
step(
  '2. A first request: introspection',
  'agent-1 signed in at the AS and their app calls the API with the access token it got. The API has never ' +
    'seen this token, so it asks the AS whether it is active, whose it is and what it may do.',
)
let before = introspections()
await expect(200, "agent-1's token", `Bearer ${agentToken}`)
say(`Accepted: source 'introspection', ${requests(introspections() - before)} to the AS.`)

step(
  '3. The same token again: a cache hit',
  'The API remembers the verdict (under a SHA-256 of the token, never the token itself): no request to the AS.',
)
before = introspections()
await expect(200, "agent-1's token", `Bearer ${agentToken}`)
say(`Accepted: source 'cache', ${requests(introspections() - before)} to the AS.`)

step(
  '4. No token: 401',
  "The client sent no credentials: 401 with the challenge 'WWW-Authenticate: Bearer'. The reason is for you (event), the client only gets the status and the challenge. The operator's log, at warn level, stays quiet: refusals are logged at debug.",
)
await expect(401, 'none')

const emailOnly = await as.issueToken({ sub: 'agent-2', scope: 'email' })
step(
  '5. A missing scope: 403',
  "agent-2's token is active but carries only 'email', and the API requires 'openid': 403 insufficient_scope, and the challenge names the scope.",
)
await expect(403, "agent-2's token (scope email)", `Bearer ${emailOnly}`)

step(
  '6. A revoked token is still accepted while its verdict is cached',
  "The AS revokes agent-1's token. The API does not know: it answers from its cache, as in step 3. Said plainly: " +
    'a revoked token stays accepted until its cached verdict expires, at most cache.maxTtl (300 s by default) ' +
    "after the API last asked the AS, and never past the token's expiry.",
)
await as.revoke(agentToken)
await expect(200, "agent-1's revoked token", `Bearer ${agentToken}`)
say(
  'To shorten that window: lower cache.maxTtl (e.g. 30 s, one more introspection per token every 30 s; ' +
    'cache: false asks the AS on every request); call rs.clearCache() when you learn of a revocation (a webhook, ' +
    "a logout); or use JWT access tokens with short lifetimes (they can't be revoked at all, so keep them short). " +
    'Here the API calls rs.clearCache(), and the AS is asked again:',
)
await rs.clearCache()
await expect(401, "agent-1's revoked token", `Bearer ${agentToken}`)

const cachedToken = await as.issueToken({ sub: 'agent-3', scope: 'openid' })
const newToken = await as.issueToken({ sub: 'agent-4', scope: 'openid' })
step('7. The authorization server stops: 503', 'agent-3 calls once while the AS is up (the verdict is cached). Then the AS stops.')
await expect(200, "agent-3's token", `Bearer ${cachedToken}`)
await as.stop()
say(
  "agent-4's token was never seen: the API cannot ask the AS, so it cannot decide. It never lets the request through " +
    "and never says 'invalid token' either: 503 with Retry-After, so the client retries later. The operator's log " +
    'gets one WARN line naming the endpoint and the cause.',
)
await expect(503, "agent-4's token", `Bearer ${newToken}`)
say(
  'Two more requests while the AS is down: the log stays quiet (one line per distinct cause per minute, no log storm); the events still come, one per request.',
)
await expect(503, "agent-4's token", `Bearer ${newToken}`)
await expect(503, "agent-4's token", `Bearer ${newToken}`)
say("agent-3's token was verified before the outage and its verdict is cached: it keeps working until the verdict expires.")
await expect(200, "agent-3's token", `Bearer ${cachedToken}`)

server.closeAllConnections()
server.close()
console.log()
if (statuses.join() !== expected.join()) {
  console.error(`demo: unexpected statuses ${statuses.join()} (expected ${expected.join()})`)
  process.exitCode = 1
} else {
  say(
    `demo finished: ${statuses.length} requests, each answered as expected (${statuses.join(', ')}). In your API: ` +
      'pass onEvent and/or logger to createResourceServer to see why each request was accepted or refused; the ' +
      "repository README's 'Explaining refusals' lists every event and reason.",
  )
}
