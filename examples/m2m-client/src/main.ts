/**
 * Machine-to-machine calls with client credentials (RFC 6749 §4.4).
 *
 * 1. Starts a real OAuth 2.0 authorization server on 127.0.0.1 (oidc-provider, from @org/rs-testing).
 * 2. Starts a tiny API with node:http, protected by `createResourceServer` (token introspection).
 * 3. Calls that API twice as the `app` client through `createClientCredentials(...).fetch`: the
 *    token is obtained once, cached and reused, so the AS sees exactly one token request.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClientCredentials, createResourceServer, toErrorResponse } from '@org/rs-core'
import { APP_SECRET, RS_JSON_SECRET, startTestAS } from '@org/rs-testing'

const as = await startTestAS()

// The API: introspects the bearer token at the AS (as client `rs-json`) and requires the `read` scope.
const rs = createResourceServer({ issuer: as.issuer, clientId: 'rs-json', clientSecret: RS_JSON_SECRET, scopes: ['read'] })
try {
  await rs.ready() // the start-up check: discovery, exact issuer, this API's client credentials
} catch (err) {
  console.error(`start-up check failed: ${err instanceof Error ? err.message : String(err)}`)
  await as.stop()
  process.exit(1)
}
const api = createServer(async (req, res) => {
  try {
    const auth = await rs.authenticate(req.headers.authorization)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ path: req.url, caller: auth.clientId, scopes: auth.scopes }))
  } catch (err) {
    const { status, headers, body } = toErrorResponse(err)
    res.writeHead(status, { ...headers, 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
})
api.listen(0, '127.0.0.1')
await once(api, 'listening')
const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`

// The calling service: one token source, shared by every outgoing call.
const client = createClientCredentials({ issuer: as.issuer, clientId: 'app', clientSecret: APP_SECRET, scope: 'read' })
console.log(`client: ${client}`) // shows the client id and issuer, never the secret

let failed = false
try {
  for (const path of ['/orders', '/invoices']) {
    const res = await client.fetch(`${apiUrl}${path}`)
    console.log(`GET ${path} -> ${res.status}`, await res.json())
    if (res.status !== 200) failed = true
  }
  const tokenRequests = as.requestCount('/token')
  console.log(`token requests seen by the authorization server: ${tokenRequests}`)
  if (tokenRequests !== 1) failed = true
} finally {
  api.closeAllConnections()
  api.close()
  await as.stop()
}
process.exitCode = failed ? 1 : 0
