/** Express 5 with `@org/rs-express`. */
import express from 'express'
import type { AccessTokenInfo } from '@org/rs-core'
import { requireAuth } from '@org/rs-express'
import { announce, resourceServer, routeScopes } from './common.js'
import { floorCheck } from './floor.js'
import { rawAuthorization } from './header-readers.js'

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
// The least a secure cache hit costs (see floor.ts), as a middleware: a hit calls next() at once.
const floor = floorCheck(rs)
const FLOOR_AUTH = 'floorAuth'
app.get(
  '/floor',
  (req, res, next) => {
    const done = (auth: AccessTokenInfo | undefined) => {
      if (auth === undefined) res.status(401).end()
      else {
        res.locals[FLOOR_AUTH] = auth
        next()
      }
    }
    const found = floor(rawAuthorization(req.rawHeaders))
    if (found instanceof Promise) found.then(done, next)
    else done(found)
  },
  (_req, res) => {
    res.json({ hello: (res.locals[FLOOR_AUTH] as AccessTokenInfo).sub })
  },
)
const server = app.listen(0, '127.0.0.1', () => announce(server))
