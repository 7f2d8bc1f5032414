/**
 * Child process for scenario 9 (`scale`): one API instance. Express 5 + `@org/rs-express` with
 * opaque tokens checked by introspection, its verdicts in memory only (`store: 'memory'`) or also in
 * the shared Redis through `@org/rs-redis` (`store: 'redis'`). Besides HTTP (for the warm-path load),
 * answers `burst` over IPC: concurrent `authenticate()` calls for each of the given tokens.
 */
import express from 'express'
import { createResourceServer, type AccessTokenInfo } from '@org/rs-core'
import { requireAuth } from '@org/rs-express'
import { createRedisStore } from '@org/rs-redis'
import { childConfig, serveParent } from '../runner.js'

interface ScaleConfig {
  issuer: string
  clientId: string
  clientSecret: string
  store: 'memory' | 'redis'
  redisUrl: string
  prefix: string
}
const config = childConfig<ScaleConfig>()
const store = config.store === 'redis' ? createRedisStore({ url: config.redisUrl }, { prefix: config.prefix }) : undefined
let storeErrors = 0
const rs = createResourceServer({
  issuer: config.issuer,
  tokenFormat: 'introspection',
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  cache: store ? { store } : {},
  logger: false,
  onEvent: (e) => {
    if (e.type === 'store_error') storeErrors++
  },
})
await rs.ready()
await store?.ready()

const app = express()
app.get('/protected', requireAuth(rs, { scopes: ['read'] }), (req, res) => {
  res.json({ hello: (req.auth as unknown as AccessTokenInfo).sub })
})
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number }
  serveParent(
    { port: address.port },
    {
      /** `perToken` concurrent authenticate() for every token, all at once; resolves with the failures and the store_error events since the last burst. */
      burst: async (m) => {
        const tokens = m.tokens as string[]
        const n = m.perToken as number
        const settled = await Promise.allSettled(tokens.flatMap((t) => Array.from({ length: n }, () => rs.authenticate(`Bearer ${t}`))))
        const errors = storeErrors
        storeErrors = 0
        return { failed: settled.filter((s) => s.status === 'rejected').length, storeErrors: errors }
      },
    },
  )
})
