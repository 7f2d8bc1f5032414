/**
 * The request-level entry point: headers read from Node's raw headers, a Fetch `Headers` or a plain
 * object; route options validated once, a typo refused, never an open route.
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { BearerError, ConfigurationError, createResourceServer, protectRoute } from '../../src/index.js'

const SECRET = 'x'.repeat(40)
// A JWT-only resource server with an HS256 secret: decisions are local, no network involved.
const rs = createResourceServer({
  issuer: 'https://as.example.com',
  audience: 'api',
  tokenFormat: 'jwt',
  jwt: { algorithms: ['HS256'], secret: SECRET },
})

async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p
  } catch (err) {
    return err
  }
  throw new Error('expected a refusal')
}

describe('authenticateRequest', () => {
  it('refuses a repeated Authorization header in Node raw headers, whatever its case', async () => {
    const err = await refusal(
      rs.authenticateRequest({ rawHeaders: ['Authorization', 'Bearer a.b.c', 'host', 'x', 'AUTHORIZATION', 'Bearer a.b.c'] }),
    )
    expect(err).toBeInstanceOf(BearerError)
    expect((err as BearerError).status).toBe(400)
  })

  it('reads the header from raw headers, a Fetch Headers or a plain object alike', async () => {
    for (const request of [
      { rawHeaders: ['Authorization', 'Bearer opaque'] },
      { headers: new Headers({ authorization: 'Bearer opaque' }) },
      { headers: { authorization: 'Bearer opaque' } },
    ]) {
      const err = await refusal(rs.authenticateRequest(request))
      expect((err as BearerError).code).toBe('invalid_token') // read, then refused: not a JWT
    }
    const missing = await refusal(rs.authenticateRequest({ headers: {} }))
    expect((missing as BearerError).code).toBe('missing_token')
    expect(await rs.authenticateRequest({ rawHeaders: [] }, { optional: true })).toBeUndefined()
  })

  it('gives a typed error for a request that is not an object', async () => {
    for (const request of [null, undefined, 42, 'Bearer x']) {
      expect(await refusal(rs.authenticateRequest(request as never))).toBeInstanceOf(BearerError)
    }
  })
})

describe('route options', () => {
  it('a typo or a wrong type is a ConfigurationError naming the option, at creation', () => {
    const cases: [unknown, string][] = [
      [{ scope: ['admin'] }, 'scope'],
      [{ anyScopes: ['a'] }, 'anyScopes'],
      [{ scopes: 'a b' }, 'scopes'],
      [{ scopes: ['a b'] }, 'scopes.0'],
      [{ optional: 1 }, 'optional'],
    ]
    for (const [options, path] of cases) {
      let thrown: unknown
      try {
        protectRoute(rs, options)
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(ConfigurationError)
      expect((thrown as ConfigurationError).message).toContain(path)
    }
    expect(() => protectRoute(undefined as never, {})).toThrow(ConfigurationError)
  })

  it('per-call options of authenticate are checked too: a string of scopes is refused, not a 500', async () => {
    const err = await refusal(rs.authenticate('Bearer a.b.c', { scopes: 'admin' as never }))
    expect(err).toBeInstanceOf(ConfigurationError)
  })

  it('validated options are a frozen copy: changing the object afterwards changes nothing', () => {
    const options = { scopes: ['read'] }
    const route = protectRoute(rs, options)
    options.scopes.push('admin')
    expect(route.options.scopes).toEqual(['read'])
    expect(Object.isFrozen(route.options)).toBe(true)
  })
})

describe('everyRoute', () => {
  const now = Math.floor(Date.now() / 1000)
  const sign = (claims: Record<string, unknown>) =>
    new jose.SignJWT({ iss: 'https://as.example.com', aud: 'api', iat: now, exp: now + 60, ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(SECRET))

  it('applies to every request, before the route', async () => {
    const strict = createResourceServer({
      issuer: 'https://as.example.com',
      audience: 'api',
      tokenFormat: 'jwt',
      jwksUri: 'https://as.example.com/jwks',
      jwt: { algorithms: ['HS256'], secret: SECRET },
      everyRoute: { scopes: ['api'], acr: ['eidas2'] },
    })
    await expect(strict.authenticate(`Bearer ${await sign({ scope: 'api', acr: 'eidas2' })}`)).resolves.toMatchObject({ scopes: ['api'] })
    expect(((await refusal(strict.authenticate(`Bearer ${await sign({ scope: 'read', acr: 'eidas2' })}`))) as BearerError).status).toBe(403)
    expect(((await refusal(strict.authenticate(`Bearer ${await sign({ scope: 'api', acr: 'eidas1' })}`))) as BearerError).code).toBe(
      'insufficient_user_authentication',
    )
  })

  it('the deprecated top-level scopes still apply, but not together with everyRoute.scopes', async () => {
    const legacy = createResourceServer({
      issuer: 'https://as.example.com',
      audience: 'api',
      tokenFormat: 'jwt',
      jwksUri: 'https://as.example.com/jwks',
      jwt: { algorithms: ['HS256'], secret: SECRET },
      scopes: ['api'],
    })
    expect(((await refusal(legacy.authenticate(`Bearer ${await sign({ scope: 'read' })}`))) as BearerError).status).toBe(403)
    expect(() =>
      createResourceServer({
        issuer: 'https://as.example.com',
        audience: 'api',
        tokenFormat: 'jwt',
        jwksUri: 'https://as.example.com/jwks',
        jwt: { algorithms: ['HS256'], secret: SECRET },
        scopes: ['a'],
        everyRoute: { scopes: ['b'] },
      }),
    ).toThrow(ConfigurationError)
    expect(() =>
      createResourceServer({
        issuer: 'https://as.example.com',
        audience: 'api',
        tokenFormat: 'jwt',
        everyRoute: { optional: true } as never,
      }),
    ).toThrow(ConfigurationError)
  })
})
