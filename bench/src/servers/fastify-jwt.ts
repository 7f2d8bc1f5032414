/**
 * Fastify 5 with `@fastify/jwt` 10 + `get-jwks` 11, set up as get-jwks's README shows for
 * @fastify/jwt (`decode: { complete: true }`, `secret` resolving the key by `kid` through get-jwks,
 * which caches it), with issuer and audience checked by fast-jwt (`verify.allowedIss/allowedAud`),
 * `request.jwtVerify()` in the route's onRequest hook, plus the scope check an application adds.
 * get-jwks caches the JWK but `getPublicKey` converts it to PEM (jwk-to-pem, pure JavaScript) on every
 * call; variant "pem-memo" keeps the PEM per kid (a one-line Map), what an application can add.
 */
import Fastify from 'fastify'
import fjwt from '@fastify/jwt'
import buildGetJwks from 'get-jwks'
import { announce, config, hasScope } from './common.js'

const peer = config.peer!
const jwksPath = new URL(peer.jwksUri!).pathname
const getJwks = buildGetJwks({ issuersWhitelist: [config.issuer], jwksPath })
const app = Fastify({ logger: false })
type Decoded = { header: { kid: string; alg: string }; payload: { iss: string } }
const pemOf = (token: Decoded) => getJwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: token.payload.iss })
const pems = new Map<string, Promise<string>>()
const memoized = (token: Decoded) => {
  const key = `${token.payload.iss} ${token.header.kid} ${token.header.alg}`
  let pem = pems.get(key)
  if (!pem) {
    pem = pemOf(token)
    pem.catch(() => pems.delete(key))
    pems.set(key, pem)
  }
  return pem
}
await app.register(fjwt, {
  decode: { complete: true },
  secret: (_request: unknown, token: Decoded) => (peer.variant === 'pem-memo' ? memoized(token) : pemOf(token)),
  verify: { allowedIss: config.issuer, allowedAud: peer.audience!, algorithms: ['ES256'] },
} as never)
app.get('/public', async () => ({ hello: 'world' }))
app.get(
  '/protected',
  {
    onRequest: async (request, reply) => {
      await request.jwtVerify()
      if (!hasScope((request.user as { scope?: string }).scope)) return reply.code(403).send({ error: 'insufficient_scope' })
    },
  },
  async (request) => ({ hello: (request.user as { sub?: string }).sub }),
)
await app.listen({ port: 0, host: '127.0.0.1' })
announce(app.server)
