/**
 * Discovery: OpenID Connect, then RFC 8414 (path-inserted, then path-appended); a 404 means "try the
 * next"; the issuer compared exactly; metadata refreshed periodically (injected clock) and after a
 * key failure (with a cooldown); no discovery when everything needed is configured.
 */
import * as jose from 'jose'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { startVendorAS, type VendorAS } from '@org/rs-testing'
import { AuthorizationServerError, ConfigurationError, createResourceServer, type ResourceServerOptions } from '../../src/index.js'
import { metadataUrls } from '../../src/metadata.js'
import { LOCAL, outcome } from './helpers.js'

const started: VendorAS[] = []
async function start(...args: Parameters<typeof startVendorAS>): Promise<VendorAS> {
  const as = await startVendorAS(...args)
  started.push(as)
  return as
}
afterAll(async () => {
  await Promise.all(started.map((as) => as.stop()))
})

/** JWT options for a vendor AS, discovered from its issuer (no jwksUri). */
function discovered(as: VendorAS, extra: Partial<ResourceServerOptions> = {}): ResourceServerOptions {
  return {
    issuer: as.issuer,
    audience: as.audience,
    tokenFormat: 'jwt',
    jwt: { typ: 'lenient' },
    ...LOCAL,
    ...extra,
  }
}

describe('where metadata is looked for', () => {
  it('OpenID first, then RFC 8414 path-inserted, then path-appended', () => {
    expect(metadataUrls(new URL('https://sso.example.com/realms/demo')).map(String)).toEqual([
      'https://sso.example.com/realms/demo/.well-known/openid-configuration',
      'https://sso.example.com/.well-known/oauth-authorization-server/realms/demo',
      'https://sso.example.com/realms/demo/.well-known/oauth-authorization-server',
    ])
    expect(metadataUrls(new URL('https://as.example.com/')).map(String)).toEqual([
      'https://as.example.com/.well-known/openid-configuration',
      'https://as.example.com/.well-known/oauth-authorization-server',
    ])
  })

  it.each(['path-inserted', 'path-appended'] as const)(
    'an AS that publishes only RFC 8414 metadata (%s) is discovered: the 404s are not failures',
    async (form) => {
      const as = await start('keycloak', { oauth8414Only: form })
      const rs = createResourceServer(discovered(as))
      await rs.ready()
      expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
      expect(as.requests(as.openidConfigurationUrl)).toBe(1) // 404, then the next form
      expect(as.requests(as.metadataUrl)).toBe(1)
      if (form === 'path-appended') expect(as.requests('/.well-known/oauth-authorization-server/realms/demo')).toBe(1)
    },
  )

  it('an RFC 8414-only AS whose issuer has no path (IdentityServer-like) is discovered', async () => {
    const as = await start('identityserver', { oauth8414Only: true })
    const rs = createResourceServer(discovered(as, { jwt: { typ: 'strict' } }))
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
  })

  it('Okta serves both documents: OpenID is used, and the issuer is compared exactly', async () => {
    const as = await start('okta')
    expect((await outcome(createResourceServer(discovered(as)), await as.mintAccessToken())).status).toBe(200)
    expect(as.requests(as.openidConfigurationUrl)).toBe(1)
    const slash = createResourceServer(discovered(as, { issuer: `${as.issuer}/` }))
    await expect(slash.ready()).rejects.toThrow(/without a trailing slash/)
  })

  it('no metadata at any URL: a 503 naming every URL tried; rs.ready() says so', async () => {
    const as = await start('entra-v1') // its issuer (…/sts.windows.net/{tid}/) is not where its metadata is
    const rs = createResourceServer(discovered(as))
    const err = await rs.authenticate(`Bearer ${await as.mintAccessToken()}`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AuthorizationServerError)
    expect((err as AuthorizationServerError).message).toMatch(/openid-configuration answered 404.*oauth-authorization-server.*answered 404/)
  })
})

describe('no discovery when everything needed is configured', () => {
  it('an explicit jwksUri: the metadata is never fetched', async () => {
    const as = await start('auth0')
    const rs = createResourceServer(discovered(as, { jwksUri: as.jwksUri }))
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(as.requests(as.openidConfigurationUrl)).toBe(0)
  })

  it('an HS256-only set-up needs no jwks_uri and makes no request at all', async () => {
    const secret = 'a-shared-secret-of-at-least-32-characters!'
    const fetch = vi.fn(() => Promise.reject(new Error('no request expected')))
    const rs = createResourceServer({
      issuer: 'https://as.example.com',
      audience: 'api',
      tokenFormat: 'jwt',
      jwt: { algorithms: ['HS256'], secret },
      fetch,
      logger: false,
    })
    const now = Math.floor(Date.now() / 1000)
    const token = await new jose.SignJWT({ iss: 'https://as.example.com', aud: 'api', sub: 'u', iat: now, exp: now + 60 })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .sign(new TextEncoder().encode(secret))
    expect((await outcome(rs, token)).status).toBe(200)
    await rs.ready()
    expect(fetch).not.toHaveBeenCalled()
  })
})

describe('refresh', () => {
  it('discovered metadata is refreshed after metadata.cacheMaxAge (default 1 h), by the injected clock, in the background', async () => {
    const as = await start('keycloak', { tokenTtl: 86_400 })
    let now = Date.now()
    const rs = createResourceServer(discovered(as, { clock: () => now }))
    const discoveries = () => as.requests(as.openidConfigurationUrl)
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(discoveries()).toBe(1)
    now += 59 * 60_000
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(discoveries()).toBe(1)
    now += 2 * 60_000
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200) // served at once, with the metadata it has
    await vi.waitFor(() => expect(discoveries()).toBe(2))
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(discoveries()).toBe(2)

    const quick = createResourceServer(discovered(as, { clock: () => now, metadata: { cacheMaxAge: 120 } }))
    as.resetRequests()
    await outcome(quick, await as.mintAccessToken())
    now += 121_000
    await outcome(quick, await as.mintAccessToken())
    await vi.waitFor(() => expect(discoveries()).toBe(2))
  })

  it('a failed refresh keeps the last good metadata', async () => {
    const as = await start('keycloak', { tokenTtl: 86_400 })
    let now = Date.now()
    let down = false
    const fetch = (input: string | URL | Request, init?: RequestInit) =>
      down && String(input).includes('.well-known') ? Promise.reject(new Error('down')) : globalThis.fetch(input, init)
    const rs = createResourceServer(discovered(as, { clock: () => now, fetch }))
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    down = true
    now += 2 * 3_600_000
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    await new Promise((r) => setTimeout(r, 20))
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
  })

  it('a token signed with an unknown key makes the metadata rediscovered, at most once per metadata.cooldown', async () => {
    const as = await start('keycloak', { tokenTtl: 86_400 })
    let now = Date.now()
    const rs = createResourceServer(discovered(as, { clock: () => now, metadata: { cooldown: 30 }, jwks: { cooldown: 0 } }))
    const discoveries = () => as.requests(as.openidConfigurationUrl)
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    // A good token whose header names a key the AS does not publish (the signature no longer matters).
    const [h, p, sig] = (await as.mintAccessToken()).split('.')
    const renamed = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h!, 'base64url').toString()), kid: 'no-such-kid' })).toString('base64url')}.${p}.${sig}`
    now += 31_000
    expect(await outcome(rs, renamed)).toMatchObject({ status: 401, reason: 'unknown_kid' })
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(discoveries()).toBe(2) // rediscovered once
    expect(await outcome(rs, renamed)).toMatchObject({ status: 401, reason: 'unknown_kid' })
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(discoveries()).toBe(2) // within the cooldown: not again
    now += 31_000
    expect(await outcome(rs, renamed)).toMatchObject({ status: 401 })
    expect((await outcome(rs, await as.mintAccessToken())).status).toBe(200)
    expect(discoveries()).toBe(3)
  })

  it('metadata options are validated', () => {
    expect(() =>
      createResourceServer({ issuer: 'https://as.example.com', audience: 'api', tokenFormat: 'jwt', metadata: { cacheMaxAge: 10 } }),
    ).toThrow(ConfigurationError)
    expect(() =>
      createResourceServer({ issuer: 'https://as.example.com', audience: 'api', tokenFormat: 'jwt', metadata: { refresh: 1 } as never }),
    ).toThrow(/metadata/)
  })
})
