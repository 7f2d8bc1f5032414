/**
 * Type-level tests (checked by `pnpm typecheck`, run as plain tests too): `c.get('auth')` is typed in a
 * route behind a group's middleware, thanks to the `ContextVariableMap` augmentation, and exactly
 * `AccessTokenInfo` where the route or the app's Env says the token is required.
 */
import type { AccessTokenInfo } from '@org/rs-core'
import { createResourceServer } from '@org/rs-core'
import { Hono } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import { type AuthEnv, requireAuth } from '../src/index.js'

const rs = createResourceServer({
  issuer: 'https://as.example.test',
  clientId: 'api',
  clientSecret: 'a-secret-of-at-least-32-characters!!',
})

describe('c.get("auth") types', () => {
  it('a route group: app.use("/api/*", requireAuth(rs)) then c.get("auth") in a route', () => {
    const app = new Hono()
    app.use('/api/*', requireAuth(rs))
    app.get('/api/me', (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<AccessTokenInfo | undefined>()
      expectTypeOf(c.var.auth).toEqualTypeOf<AccessTokenInfo | undefined>()
      return c.json({ sub: c.get('auth')?.sub ?? null })
    })
    // @ts-expect-error an undeclared variable is still an error
    app.get('/api/other', (c) => c.json({ x: c.get('not-a-variable') }))
  })

  it('the middleware on the route itself: AccessTokenInfo, no undefined', () => {
    const app = new Hono()
    app.get('/api/me', requireAuth(rs), (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<AccessTokenInfo>()
      return c.json({ sub: c.get('auth').sub })
    })
    app.get('/api/feed', requireAuth(rs, { optional: true }), (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<AccessTokenInfo | undefined>()
      return c.json({ sub: c.get('auth')?.sub ?? null })
    })
  })

  it('a sub-app typed Hono<AuthEnv> protected as a whole: AccessTokenInfo', () => {
    const api = new Hono<AuthEnv>()
    api.use(requireAuth(rs))
    api.get('/me', (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<AccessTokenInfo>()
      return c.json({ sub: c.get('auth').sub })
    })
    new Hono().route('/api', api)
  })
})
