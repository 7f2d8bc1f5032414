/**
 * Scenario 4: request coalescing. 1,000 concurrent `authenticate` calls with one fresh opaque token
 * must cause one introspection request at the AS; 1,000 concurrent `getAccessToken()` calls must
 * cause one token request. Counted by the AS itself (its own child process).
 */
import { createClientCredentials, createResourceServer } from '@org/rs-core'
import type { ScenarioContext } from './as-client.js'
import { fmt, type Goal, type Section, table, verdict } from './runner.js'

const N = 1_000
const DEADLINE_MS = 30_000

function bounded<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${DEADLINE_MS} ms`)), DEADLINE_MS))),
  ]).finally(() => clearTimeout(timer))
}

export default async function singleFlight({ as, log }: ScenarioContext): Promise<Section> {
  const rows: (string | number)[][] = []
  const goals: Goal[] = []

  // 1. authenticate ×1000, one fresh opaque token.
  const rsClient = as.clients['rs-json']
  const rs = createResourceServer({
    issuer: as.issuer,
    clientId: rsClient.clientId,
    clientSecret: rsClient.clientSecret,
    tokenFormat: 'introspection',
  })
  await rs.ready() // discovery before counting
  const token = await as.opaque('read')
  await as.reset()
  let t0 = performance.now()
  const infos = await bounded(
    'authenticate ×1000',
    Promise.all(Array.from({ length: N }, () => rs.authenticate(`Bearer ${token}`, { scopes: ['read'] }))),
  )
  let ms = performance.now() - t0
  const introspections = await as.count('/token/introspection')
  const sameSub = infos.every((i) => i.sub === infos[0]!.sub)
  log(`    ${N} × authenticate: ${introspections} introspection request(s), ${fmt(ms, 1)} ms`)
  rows.push([
    `${N} concurrent \`rs.authenticate()\`, one fresh opaque token`,
    'introspection requests',
    introspections,
    '= 1',
    verdict(introspections === 1 && sameSub),
    fmt(ms, 1),
  ])
  goals.push({
    scenario: '4',
    what: `${N} concurrent authenticate → introspection requests`,
    value: String(introspections),
    goal: '= 1',
    pass: introspections === 1 && sameSub,
  })

  // 2. getAccessToken ×1000.
  const app = as.clients.app
  const cc = createClientCredentials({ issuer: as.issuer, clientId: app.clientId, clientSecret: app.clientSecret, scope: 'read' })
  await as.reset()
  t0 = performance.now()
  const tokens = await bounded('getAccessToken ×1000', Promise.all(Array.from({ length: N }, () => cc.getAccessToken())))
  ms = performance.now() - t0
  const tokenRequests = await as.count('/token')
  const discoveries = (await as.count('/.well-known/openid-configuration')) + (await as.count('/.well-known/oauth-authorization-server'))
  const sameToken = tokens.every((t) => t === tokens[0])
  log(`    ${N} × getAccessToken: ${tokenRequests} token request(s), ${discoveries} discovery request(s), ${fmt(ms, 1)} ms`)
  rows.push([
    `${N} concurrent \`getAccessToken()\` (cold: nothing discovered yet)`,
    'token requests',
    tokenRequests,
    '= 1',
    verdict(tokenRequests === 1 && sameToken),
    fmt(ms, 1),
  ])
  goals.push({
    scenario: '4',
    what: `${N} concurrent getAccessToken → token requests`,
    value: String(tokenRequests),
    goal: '= 1',
    pass: tokenRequests === 1 && sameToken,
  })

  const markdown = [
    `All ${N} calls resolved${sameSub && sameToken ? ' with the same result' : ' (but NOT all with the same result)'}; the AS also saw ${discoveries} discovery request(s) during the`,
    '`getAccessToken()` burst (the metadata is discovered lazily, once).',
    '',
    table(['burst', 'counted at the AS', 'count', 'goal', '', 'burst time ms'], rows),
  ].join('\n')
  return { markdown, goals }
}
