/**
 * `req.auth` on Express (5 and 4), over real sockets: what handlers read, what app code may write,
 * and what the adapter leaves alone. The adapter keeps the value in `res.locals` behind an accessor
 * of the app's request prototype (an own property on `req` costs ~3 µs per request): none of that
 * may show, except in speed.
 */
import { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createResourceServer, type ResourceServer } from '@org/rs-core'
import { requireAuth } from '@org/rs-express'
import { createTestAuthorizationServer } from '@org/rs-testing'
import express from 'express'
import express4 from 'express4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type TestAS = Awaited<ReturnType<typeof createTestAuthorizationServer>>
let as: TestAS
let rs: ResourceServer
let token: string
beforeAll(async () => {
  as = await createTestAuthorizationServer()
  rs = createResourceServer({ ...as.resourceServerOptions({ format: 'jwt' }), logger: false })
  token = await as.mintAccessToken({ sub: 'alice', scopes: ['read'] })
})
afterAll(() => as.close())

async function serve(app: express.Express, path: string, headers: Record<string, string> = {}): Promise<unknown> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  try {
    const { port } = server.address() as AddressInfo
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers })
    return await response.json()
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

const bearer = () => ({ authorization: `Bearer ${token}` })

describe.each([
  ['Express 5', express],
  ['Express 4', express4 as unknown as typeof express],
])('req.auth on %s', (_name, framework) => {
  it('is the token’s AccessTokenInfo in the handlers after requireAuth, and undefined without a token on an optional route', async () => {
    const app = framework()
    app.get(
      '/me',
      requireAuth(rs, { scopes: ['read'] }),
      (_req, _res, next) => next(),
      (req, res) => {
        res.json({ sub: req.auth?.sub, scopes: req.auth?.scopes, frozen: Object.isFrozen(req.auth), inReq: 'auth' in req })
      },
    )
    app.get('/maybe', requireAuth(rs, { optional: true }), (req, res) => {
      res.json({ auth: req.auth ?? null })
    })
    expect(await serve(app, '/me', bearer())).toEqual({ sub: 'alice', scopes: ['read'], frozen: true, inReq: true })
    expect(await serve(app, '/maybe')).toEqual({ auth: null })
  })

  it('may be replaced by app code, and the new value is what later handlers read', async () => {
    const app = framework()
    app.get(
      '/me',
      requireAuth(rs),
      (req, _res, next) => {
        req.auth = { ...req.auth!, sub: 'rewritten' }
        next()
      },
      (req, res) => {
        res.json({ sub: req.auth?.sub })
      },
    )
    expect(await serve(app, '/me', bearer())).toEqual({ sub: 'rewritten' })
  })

  it('wins over a req.auth another middleware set before, as a plain assignment would', async () => {
    const app = framework()
    app.get(
      '/me',
      (req, _res, next) => {
        ;(req as { auth?: unknown }).auth = { sub: 'from another middleware' }
        next()
      },
      requireAuth(rs),
      (req, res) => {
        res.json({ sub: req.auth?.sub })
      },
    )
    expect(await serve(app, '/me', bearer())).toEqual({ sub: 'alice' })
  })

  it('never reaches templates (res.locals keys) nor other apps, and leaves IncomingMessage.prototype alone', async () => {
    const app = framework()
    app.get('/me', requireAuth(rs), (req, res) => {
      res.json({ locals: Object.keys(res.locals), sub: req.auth?.sub })
    })
    const other = framework()
    other.get('/plain', (req, res) => {
      res.json({ auth: (req as { auth?: unknown }).auth ?? null })
    })
    expect(await serve(app, '/me', bearer())).toEqual({ locals: [], sub: 'alice' })
    expect(await serve(other, '/plain', bearer())).toEqual({ auth: null })
    expect(Object.hasOwn(IncomingMessage.prototype, 'auth')).toBe(false)
  })
})
