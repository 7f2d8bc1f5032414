/**
 * Express 5 with `express-jwt` 8 + `jwks-rsa` 4, set up as their READMEs show (jwks-rsa's
 * `expressJwtSecret` with its key cache and rate limit), plus the scope check an application adds.
 */
import express from 'express'
import { expressjwt, type Request as JwtRequest } from 'express-jwt'
import jwksRsa from 'jwks-rsa'
import { announce, config, hasScope } from './common.js'

const peer = config.peer!
const app = express()
app.get('/public', (_req, res) => {
  res.json({ hello: 'world' })
})
const checkJwt = expressjwt({
  secret: jwksRsa.expressJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: peer.jwksUri! }) as never,
  audience: peer.audience,
  issuer: config.issuer,
  algorithms: ['ES256'],
})
app.get('/protected', checkJwt, (req: JwtRequest, res) => {
  if (!hasScope(req.auth?.scope)) {
    res.status(403).json({ error: 'insufficient_scope' })
    return
  }
  res.json({ hello: req.auth!.sub })
})
// express-jwt's README: answer its UnauthorizedError with 401 (Express's default handler would also log every one).
app.use(((err, _req, res, next) => {
  if ((err as Error).name === 'UnauthorizedError') res.status(401).json({ error: 'invalid_token' })
  else next(err)
}) as express.ErrorRequestHandler)
const server = app.listen(0, '127.0.0.1', () => announce(server))
