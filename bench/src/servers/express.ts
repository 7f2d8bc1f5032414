/** Express 5 with `@org/rs-express`. */
import express from 'express'
import type { AccessTokenInfo } from '@org/rs-core'
import { requireAuth } from '@org/rs-express'
import { announce, resourceServer, routeScopes } from './common.js'

const rs = await resourceServer()
const app = express()
app.get('/public', (_req, res) => {
  res.json({ hello: 'world' })
})
app.get('/protected', requireAuth(rs, routeScopes), (req, res) => {
  // (cast: express-oauth2-jwt-bearer, compiled in the same project, declares its own `req.auth` type)
  res.json({ hello: (req.auth as unknown as AccessTokenInfo).sub })
})
// A do-nothing async middleware of the same shape as requireAuth: what one more middleware costs here.
app.get(
  '/noop',
  async (_req, _res, next) => next(),
  (_req, res) => {
    res.json({ hello: 'world' })
  },
)
const server = app.listen(0, '127.0.0.1', () => announce(server))
