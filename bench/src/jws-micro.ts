/**
 * In-process measurement (issue 14, item 2), not a scenario of `pnpm bench`: CPU per call of one
 * uncached ES256 JWT verification over 64 tokens, variants measured in alternation (process.cpuUsage,
 * median of the rounds): (a) jose.jwtVerify with the options core passed it before the change,
 * (b) core's verifyAccessTokenJwt with the default WebCrypto verifier, (c) the same with
 * nodeSignatureVerifier (node:crypto). Run from bench/: `npx tsx src/jws-micro.ts` (N, ROUNDS).
 */
import * as nodeCrypto from 'node:crypto'
import * as jose from 'jose'
import {
  type JwtVerifierSettings,
  nodeSignatureVerifier,
  verifyAccessTokenJwt,
  webCryptoSignatureVerifier,
} from '../../packages/core/src/jwt/index.js'
import { RemoteKeySet } from '../../packages/core/src/keys/index.js'

/** What core did before: jose.jwtVerify, the key from the same remote key set. */
function joseVerify(settings: JwtVerifierSettings, token: string) {
  return jose.jwtVerify(token, (header, input) => settings.keySet().getKey(header, input), {
    algorithms: [...settings.algorithms],
    issuer: settings.issuer,
    audience: [...settings.audience],
    requiredClaims: ['exp'],
    clockTolerance: settings.clockTolerance,
    currentDate: new Date(settings.clock()),
  })
}

async function main() {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
  const body = JSON.stringify({ keys: [jwk] })
  const keySet = new RemoteKeySet('https://as.example/jwks', {
    fetch: async () => new Response(body, { headers: { 'content-type': 'application/json' } }),
  })
  const settings: JwtVerifierSettings = {
    issuer: 'https://as.example',
    audience: ['https://api.example'],
    algorithms: ['ES256'],
    secret: undefined,
    typ: 'lenient',
    maxTokenAge: undefined,
    keySet: () => keySet,
    signatureVerifier: () => webCryptoSignatureVerifier,
    clockTolerance: 5,
    clock: () => Date.now(),
  }
  const tokens: string[] = []
  for (let i = 0; i < 64; i++) {
    tokens.push(
      await new jose.SignJWT({ scope: 'read', client_id: 'c', jti: `j${i}` })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
        .setIssuer(settings.issuer)
        .setAudience('https://api.example')
        .setSubject(`user${i}`)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
    )
  }
  const nodeVerifier = nodeSignatureVerifier(nodeCrypto)
  const node: JwtVerifierSettings = { ...settings, signatureVerifier: () => nodeVerifier }
  const variants: [string, (t: string) => Promise<unknown>][] = [
    ['a jose.jwtVerify (before)', (t) => joseVerify(settings, t)],
    ['b core, WebCrypto (default)', (t) => verifyAccessTokenJwt(settings, t)],
    ['c core, node:crypto', (t) => verifyAccessTokenJwt(node, t)],
  ]
  for (const [, f] of variants) for (const t of tokens) await f(t) // warm + sanity (throws if any refuses)
  const N = Number(process.env.N ?? 3000)
  const rounds = Number(process.env.ROUNDS ?? 9)
  const samples = variants.map(() => [] as number[])
  for (let r = 0; r < rounds; r++) {
    for (let v = 0; v < variants.length; v++) {
      const f = variants[v]![1]
      const start = process.cpuUsage()
      for (let i = 0; i < N; i++) await f(tokens[i & 63]!)
      const used = process.cpuUsage(start)
      samples[v]!.push((used.user + used.system) / N)
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
  const base = median(samples[0]!)
  for (let v = 0; v < variants.length; v++) {
    const m = median(samples[v]!)
    console.log(
      `${variants[v]![0].padEnd(30)} median ${m.toFixed(1)} µs/call  (${((1 - m / base) * 100).toFixed(1)} % saved vs a)  rounds ${samples[v]!.map((x) => x.toFixed(0)).join(' ')}`,
    )
  }
}
await main()
