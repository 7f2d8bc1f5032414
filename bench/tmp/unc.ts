import * as crypto from 'node:crypto'
import { createResourceServer, nodeSignatureVerifier, setDefaultSignatureVerifier } from '@org/rs-core'
import { createTestAuthorizationServer } from '@org/rs-testing'
import * as jose from 'jose'
const as = await createTestAuthorizationServer()
const opts = { ...as.resourceServerOptions({ format: 'jwt' }), logger: false as const, cache: false as const }
const web = createResourceServer(opts)
const node = createResourceServer(opts)
setDefaultSignatureVerifier(node, nodeSignatureVerifier(crypto))
const tokens = await Promise.all(Array.from({ length: 64 }, (_, i) => as.mintAccessToken({ sub: `u${i}`, scopes: ['read'] })))
const jwks = jose.createRemoteJWKSet(new URL(`${as.issuer}/jwks`))
const iss = as.issuer
const variants: Record<string, (i: number) => Promise<unknown>> = {
  'ours, WebCrypto': (i) => web.authenticate(`Bearer ${tokens[i % 64]}`, { scopes: ['read'] }),
  'ours, node:crypto': (i) => node.authenticate(`Bearer ${tokens[i % 64]}`, { scopes: ['read'] }),
  'jose.jwtVerify (what express-oauth2-jwt-bearer does)': (i) => jose.jwtVerify(tokens[i % 64]!, jwks, { issuer: iss, audience: opts.audience }),
}
for (const f of Object.values(variants)) for (let i = 0; i < 64; i++) await f(i)
const res: Record<string, number[]> = {}
for (let r = 0; r < 7; r++) for (const [n, f] of Object.entries(variants)) {
  const N = 2000; const c0 = process.cpuUsage(); for (let i = 0; i < N; i++) await f(i); const c = process.cpuUsage(c0)
  ;(res[n] ??= []).push((c.user + c.system) / N)
}
for (const [n, v] of Object.entries(res)) console.log(n.padEnd(55), v.sort((a, b) => a - b)[3]!.toFixed(1), 'µs')
await as.close()
