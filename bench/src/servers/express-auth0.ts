/** Express 5 with `express-oauth2-jwt-bearer` (Auth0's middleware), for comparison. */
import express from 'express'
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer'
import { announce, config } from './common.js'

const app = express()
app.get('/public', (_req, res) => {
  res.json({ hello: 'world' })
})
// Discovery from the issuer, as its README shows. (It refuses an http issuer only when
// NODE_ENV=production; the children run without NODE_ENV, like ours.)
const checkJwt = auth({ issuerBaseURL: config.issuer, audience: 'https://api.example.test' })
app.get('/protected', checkJwt, requiredScopes('read'), (req, res) => {
  res.json({ hello: req.auth!.payload.sub })
})
// Answer its errors (401/403) without Express's default handler, which would also log every one.
app.use(((err, _req, res, _next) => {
  res.status((err as { status?: number }).status ?? 500).json({ error: (err as { code?: string }).code ?? 'error' })
}) as express.ErrorRequestHandler)
const server = app.listen(0, '127.0.0.1', () => announce(server))
