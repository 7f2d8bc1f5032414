/**
 * `pnpm demo`: a local authorization server (oidc-provider), this Express API protected by
 * @org/rs-express with the ProConnect preset, and a client calling it — accepted, then rejected.
 */
import type { AddressInfo } from 'node:net'
import { setup } from '@org/example-shared'
import { createApp } from './app.js'

const { rs, as, close } = await setup({ ...process.env, PROCONNECT_CLIENT_ID: '' })
const server = createApp(rs).listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/users/locations`

async function call(label: string, authorization?: string) {
  const res = await fetch(api, { headers: authorization ? { authorization } : {} })
  const challenge = res.headers.get('www-authenticate')
  console.log(`\n${label}\n  GET ${api}\n  -> ${res.status}${challenge ? `  WWW-Authenticate: ${challenge}` : ''}`)
  console.log(`  ${JSON.stringify(await res.json())}`)
  return res.status
}

try {
  console.log(`authorization server: ${as!.issuer} (oidc-provider)`)
  const token = await as!.issueToken({ sub: 'agent-1', scope: 'openid uid given_name usual_name email' })
  const statuses = [
    await call('1. with the access token the AS issued to agent-1', `Bearer ${token}`),
    await call("2. the same token base64-encoded, as ProConnect's sample service provider sends it", `Bearer ${btoa(token)}`),
    await call('3. without a token'),
    await call('4. with a token the AS does not know', 'Bearer not-a-token-the-as-issued'),
  ]
  await as!.revoke(token)
  await rs.clearCache()
  statuses.push(await call('5. with the first token, after the AS revoked it', `Bearer ${token}`))
  const expected = [200, 200, 401, 401, 401]
  if (statuses.join() !== expected.join()) {
    console.error(`\nunexpected statuses ${statuses.join()} (expected ${expected.join()})`)
    process.exitCode = 1
  } else {
    console.log('\ndemo finished: 2 calls accepted, 3 rejected, as expected')
  }
} finally {
  server.close()
  await close()
}
