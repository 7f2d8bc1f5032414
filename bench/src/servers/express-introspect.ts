/**
 * Express 5 with what the ProConnect sample resource server does: a tiny middleware that sends one
 * introspection request (RFC 7662, oauth4webapi, client_secret_post) to the AS for every API
 * request, no cache, then checks `active` and the scope.
 */
import express from 'express'
import * as oauth from 'oauth4webapi'
import { announce, config, hasScope } from './common.js'

const peer = config.peer!
const insecure = { [oauth.allowInsecureRequests]: true } // the local AS is http://127.0.0.1
const issuer = new URL(config.issuer)
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))
const client: oauth.Client = { client_id: peer.clientId! }
const clientAuth = oauth.ClientSecretPost(peer.clientSecret!)

const introspect: express.RequestHandler = async (req, res, next) => {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
  if (!match) {
    res.status(401).json({ error: 'invalid_request' })
    return
  }
  try {
    const response = await oauth.introspectionRequest(as, client, clientAuth, match[1]!, insecure)
    const claims = await oauth.processIntrospectionResponse(as, client, response)
    if (claims.active !== true) {
      res.status(401).json({ error: 'invalid_token' })
      return
    }
    if (!hasScope(claims.scope)) {
      res.status(403).json({ error: 'insufficient_scope' })
      return
    }
    res.locals.claims = claims
    next()
  } catch (err) {
    next(err)
  }
}

const app = express()
app.get('/public', (_req, res) => {
  res.json({ hello: 'world' })
})
app.get('/protected', introspect, (_req, res) => {
  res.json({ hello: (res.locals.claims as oauth.IntrospectionResponse).sub })
})
const server = app.listen(0, '127.0.0.1', () => announce(server))
