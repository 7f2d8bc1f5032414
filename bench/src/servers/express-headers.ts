/** Express 5: route middlewares reading the Authorization header three ways, and a no-op (see header-readers.ts). */
import express from 'express'
import type { IncomingMessage } from 'node:http'
import { announce } from './common.js'
import { viaHeaders, viaHeadersDistinct, viaRawHeaders } from './header-readers.js'

const app = express()
const handler: express.RequestHandler = (_req, res) => {
  res.json({ hello: 'world' })
}
const reading =
  (read: (req: IncomingMessage) => boolean): express.RequestHandler =>
  async (req, res, next) => {
    if (!read(req)) {
      res.status(400).json({ error: 'invalid_request' })
      return
    }
    next()
  }
app.get('/noop', async (_req, _res, next) => next(), handler)
app.get('/headers', reading(viaHeaders), handler)
app.get('/distinct', reading(viaHeadersDistinct), handler)
app.get('/raw', reading(viaRawHeaders), handler)
const server = app.listen(0, '127.0.0.1', () => announce(server))
