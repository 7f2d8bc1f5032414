/**
 * Koa 3 (@koa/router) with `koa-jwt` 4 + `jwks-rsa` 4, set up as their READMEs show (jwks-rsa's
 * `koaJwtSecret` with its key cache and rate limit), plus the scope check an application adds.
 */
import Router from '@koa/router'
import Koa from 'koa'
import jwt from 'koa-jwt'
import jwksRsa from 'jwks-rsa'
import { announce, config, hasScope } from './common.js'

const peer = config.peer!
const router = new Router()
router.get('/public', (ctx) => {
  ctx.body = { hello: 'world' }
})
const checkJwt = jwt({
  secret: jwksRsa.koaJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: peer.jwksUri! }) as never,
  audience: peer.audience!,
  issuer: config.issuer,
  algorithms: ['ES256'],
})
router.get('/protected', checkJwt, (ctx) => {
  const user = ctx.state.user as { sub?: string; scope?: string }
  if (!hasScope(user.scope)) ctx.throw(403, 'insufficient_scope')
  ctx.body = { hello: user.sub }
})
const app = new Koa()
app.use(router.routes())
const server = app.listen(0, '127.0.0.1', () => announce(server))
