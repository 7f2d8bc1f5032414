/**
 * Hono 4 (@hono/node-server) with the built-in `hono/jwk` middleware, in one of two set-ups:
 * - `jwks_uri` (variant "jwks_uri"): as its documentation's example shows; hono/jwk then fetches the
 *   JWKS from the AS on every request (it has no key cache: `verifyWithJwks` calls `fetch(jwks_uri)`);
 * - `keys` (variant "keys"): the JWKS fetched once at start-up and given as `keys`, what an
 *   application has to write to avoid that request.
 * Issuer, audience and `typ: at+jwt` are checked (`verification`), plus the scope check an application adds.
 */
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { jwk } from 'hono/jwk'
import { announce, config, hasScope } from './common.js'

const peer = config.peer!
const verification = { iss: config.issuer, aud: peer.audience!, typ: 'at+jwt' }
const keySource =
  peer.variant === 'keys' ? { keys: ((await (await fetch(peer.jwksUri!)).json()) as { keys: never[] }).keys } : { jwks_uri: peer.jwksUri! }
const app = new Hono()
app.get('/public', (c) => c.json({ hello: 'world' }))
app.get('/protected', jwk({ ...keySource, alg: ['ES256'], verification } as never), (c) => {
  const payload = (c.get as (key: string) => unknown)('jwtPayload') as { sub?: string; scope?: string }
  if (!hasScope(payload.scope)) return c.json({ error: 'insufficient_scope' }, 403)
  return c.json({ hello: payload.sub })
})
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => announce(server as Server))
