/**
 * The resource server's option schema and its cross-field rules (`resource-server/options.ts`):
 * every rule raises a `ConfigurationError` whose issue path names the option (with the
 * `issuers.N.` prefix per issuer), only in the token formats it concerns; the default token format;
 * and how an `issuers` entry inherits the top-level options.
 */
import type * as jose from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError, createResourceServer, type ResourceServerOptions } from '../../src/index.js'
import { privateJwk, thrown } from '../support/index.js'

const ISS = 'https://as.example.com'
const OTHER = 'https://other.example.com'
const TEMPLATE = 'https://login.example.com/{tenantid}/v2.0'
const KEYS = 'https://login.example.com/keys'
const SECRET = 'a-client-secret-of-at-least-32-characters'
const HS_SECRET = 'a-jwt-secret-of-at-least-32-characters!'
const intro = { clientId: 'rs', clientSecret: SECRET }

/** The issue paths of options that must be refused. */
const paths = (options: Partial<ResourceServerOptions>) =>
  thrown(() => createResourceServer(options as ResourceServerOptions), ConfigurationError).issues.map((i) => i.path)
/** The token format of options that must be accepted. */
const format = (options: Partial<ResourceServerOptions>) =>
  (JSON.parse(JSON.stringify(createResourceServer(options as ResourceServerOptions))) as { tokenFormat: string }).tokenFormat

let encKey: jose.JWK
beforeAll(async () => {
  encKey = await privateJwk('RSA-OAEP-256', { kid: 'enc' })
})

describe('issuer and issuers', () => {
  it('one of them is required; nothing else is checked without it', () => {
    expect(paths({})).toEqual(['issuer'])
    expect(paths({ tokenFormat: 'introspection' })).toEqual(['issuer'])
  })

  it('not both; nothing else is checked then', () => {
    expect(paths({ issuer: ISS, issuers: [{ issuer: OTHER }], tokenFormat: 'introspection' })).toEqual(['issuers'])
  })

  it('an issuers entry inherits every top-level issuer option it leaves out, and overrides the others', () => {
    expect(format({ issuers: [{ issuer: ISS }, { issuer: OTHER }], audience: 'api' })).toBe('jwt')
    expect(format({ issuers: [{ issuer: ISS }], ...intro })).toBe('introspection')
    expect(paths({ issuers: [{ issuer: ISS }, { issuer: OTHER, audience: 'x' }] })).toEqual(['issuers.0.audience'])
    // The entry's own jwt options replace the top-level ones (not merged): its HS256 needs its own secret.
    expect(paths({ issuers: [{ issuer: ISS, jwt: { algorithms: ['HS256'] } }], audience: 'api', jwt: { secret: HS_SECRET } })).toEqual([
      'issuers.0.jwt.secret',
    ])
  })
})

describe('the default token format', () => {
  it('is introspection when some issuer has a clientId, else jwt', () => {
    expect(format({ issuer: ISS, audience: 'api' })).toBe('jwt')
    expect(format({ issuer: ISS, ...intro })).toBe('introspection')
    expect(
      format({
        issuers: [
          { issuer: ISS, audience: 'api' },
          { issuer: OTHER, ...intro },
        ],
      }),
    ).toBe('introspection')
    expect(format({ issuer: ISS, ...intro, audience: 'api', tokenFormat: 'auto' })).toBe('auto')
  })
})

describe('deprecated top-level scopes and anyScope', () => {
  it('are refused next to their everyRoute twin, each on its own', () => {
    const base = { issuer: ISS, audience: 'api' }
    expect(paths({ ...base, scopes: ['a'], everyRoute: { scopes: ['b'] } })).toEqual(['scopes'])
    expect(paths({ ...base, anyScope: ['a'], everyRoute: { anyScope: ['b'] } })).toEqual(['anyScope'])
    expect(format({ ...base, scopes: ['a'], everyRoute: { anyScope: ['b'] } })).toBe('jwt')
    expect(format({ ...base, anyScope: ['a'], everyRoute: { scopes: ['b'] } })).toBe('jwt')
  })
})

describe('URLs', () => {
  it('plain http is refused off loopback, named by option and issuer index, unless allowInsecureRequests', () => {
    const base = { issuer: ISS, audience: 'api' }
    expect(paths({ ...base, resource: 'http://api.example.com' })).toEqual(['resource'])
    expect(paths({ ...base, resourceMetadata: { url: 'http://api.example.com/meta' } })).toEqual(['resourceMetadata.url'])
    expect(paths({ issuer: 'http://as.example.com', audience: 'api' })).toEqual(['issuer'])
    expect(paths({ ...base, jwksUri: 'http://as.example.com/jwks' })).toEqual(['jwksUri'])
    expect(paths({ ...base, ...intro, introspectionEndpoint: 'http://as.example.com/i' })).toEqual(['introspectionEndpoint'])
    expect(paths({ issuers: [{ issuer: ISS }, { issuer: 'http://other.example.com' }], audience: 'api' })).toEqual(['issuers.1.issuer'])
    expect(format({ ...base, issuer: 'http://as.example.com', resource: 'http://api.example.com', allowInsecureRequests: true })).toBe(
      'jwt',
    )
    expect(format({ ...base, issuer: 'http://127.0.0.1:8080' })).toBe('jwt')
  })
})

describe('introspection rules', () => {
  it('introspection and auto need some issuer with a clientId', () => {
    expect(paths({ issuer: ISS, tokenFormat: 'introspection' })).toEqual(['clientId'])
    expect(paths({ issuer: ISS, audience: 'api', tokenFormat: 'auto' })).toEqual(['clientId'])
    expect(paths({ issuers: [{ issuer: ISS }, { issuer: OTHER }], tokenFormat: 'introspection' })).toEqual(['clientId'])
  })

  it('client authentication is checked per introspecting issuer', () => {
    expect(paths({ issuer: ISS, clientId: 'rs' })).toEqual(['clientSecret'])
    expect(
      paths({
        issuers: [
          { issuer: ISS, ...intro },
          { issuer: OTHER, clientId: 'rs' },
        ],
      }),
    ).toEqual(['issuers.1.clientSecret'])
    expect(paths({ issuer: ISS, ...intro, authMethod: 'private_key_jwt' })).toEqual(['privateKey'])
    // Not checked when tokens are JWTs only.
    expect(format({ issuer: ISS, clientId: 'rs', audience: 'api', tokenFormat: 'jwt' })).toBe('jwt')
  })

  it('HS* signed responses need the client secret', () => {
    const hs = { introspection: { signingAlgorithms: ['HS256' as const] } }
    expect(paths({ issuer: ISS, clientId: 'rs', privateKey: encKey as never, authMethod: 'private_key_jwt', ...hs })).toEqual([
      'introspection.signingAlgorithms',
    ])
    expect(
      paths({ issuers: [{ issuer: ISS, clientId: 'rs', privateKey: encKey as never, authMethod: 'private_key_jwt', ...hs }] }),
    ).toEqual(['issuers.0.introspection.signingAlgorithms'])
    expect(format({ issuer: ISS, ...intro, ...hs })).toBe('introspection')
    expect(format({ issuer: ISS, ...intro, introspection: { signingAlgorithms: ['ES256'] } })).toBe('introspection')
  })

  it('encryption needs decryptionKeys and a jwt response; decryptionKeys make it required by default', () => {
    expect(paths({ issuer: ISS, ...intro, introspection: { encryption: 'required' } })).toEqual(['decryptionKeys'])
    expect(paths({ issuer: ISS, ...intro, introspection: { encryption: 'optional' } })).toEqual(['decryptionKeys'])
    expect(format({ issuer: ISS, ...intro, introspection: { encryption: 'none' } })).toBe('introspection')
    expect(format({ issuer: ISS, ...intro, decryptionKeys: [encKey] })).toBe('introspection')
    expect(paths({ issuer: ISS, ...intro, decryptionKeys: [encKey], introspection: { response: 'json' } })).toEqual([
      'introspection.response',
    ])
    expect(
      paths({
        issuers: [{ issuer: ISS, ...intro, introspection: { response: 'json', encryption: 'optional' } }],
        decryptionKeys: [encKey],
      }),
    ).toEqual(['issuers.0.introspection.response'])
    expect(format({ issuer: ISS, ...intro, decryptionKeys: [encKey], introspection: { response: 'json', encryption: 'none' } })).toBe(
      'introspection',
    )
  })

  it('none of them apply with tokenFormat jwt', () => {
    expect(format({ issuer: ISS, clientId: 'rs', audience: 'api', tokenFormat: 'jwt', introspection: { encryption: 'required' } })).toBe(
      'jwt',
    )
  })
})

describe('JWT rules', () => {
  it('jwt and auto need an audience, or allowedClients instead', () => {
    expect(paths({ issuer: ISS })).toEqual(['audience'])
    expect(paths({ issuer: ISS, ...intro, tokenFormat: 'auto' })).toEqual(['audience'])
    expect(paths({ issuers: [{ issuer: ISS, audience: 'api' }, { issuer: OTHER }] })).toEqual(['issuers.1.audience'])
    expect(format({ issuer: ISS, allowedClients: ['app'] })).toBe('jwt')
    expect(format({ issuer: ISS, ...intro })).toBe('introspection') // not with introspection only
  })

  it('an HS* algorithm needs jwt.secret, and jwt.secret needs an HS* algorithm', () => {
    const base = { issuer: ISS, audience: 'api' }
    expect(paths({ ...base, jwt: { algorithms: ['ES256', 'HS256'] } })).toEqual(['jwt.secret'])
    expect(paths({ ...base, jwt: { secret: HS_SECRET } })).toEqual(['jwt.algorithms'])
    expect(paths({ ...base, jwt: { secret: HS_SECRET, algorithms: ['ES256'] } })).toEqual(['jwt.algorithms'])
    expect(paths({ issuers: [{ issuer: ISS, jwt: { secret: HS_SECRET } }], audience: 'api' })).toEqual(['issuers.0.jwt.algorithms'])
    expect(format({ ...base, jwt: { secret: HS_SECRET, algorithms: ['HS256'] } })).toBe('jwt')
    // Not checked when every token is introspected.
    expect(format({ issuer: ISS, ...intro, jwt: { algorithms: ['HS256'] } })).toBe('introspection')
  })
})

describe('multi-tenant issuers', () => {
  it('need a jwksUri and tokenFormat jwt, with one placeholder and no clientId', () => {
    expect(format({ issuer: TEMPLATE, jwksUri: KEYS, audience: 'api' })).toBe('jwt')
    expect(paths({ issuer: TEMPLATE, audience: 'api' })).toEqual(['jwksUri'])
    expect(paths({ issuer: 'https://login.example.com/{tenantid}/{tenantid}', jwksUri: KEYS, audience: 'api' })).toEqual(['issuer'])
    expect(paths({ issuer: TEMPLATE, jwksUri: KEYS, ...intro })).toEqual(['tokenFormat'])
    expect(paths({ issuer: TEMPLATE, jwksUri: KEYS, audience: 'api', ...intro, tokenFormat: 'auto' })).toEqual(['clientId'])
    expect(
      paths({
        issuers: [
          { issuer: ISS, ...intro },
          { issuer: TEMPLATE, jwksUri: KEYS, ...intro },
        ],
        audience: 'api',
        tokenFormat: 'auto',
      }),
    ).toEqual(['issuers.1.clientId'])
    expect(paths({ issuers: [{ issuer: TEMPLATE }], audience: 'api' })).toEqual(['issuers.0.jwksUri'])
    // With tokenFormat jwt a clientId is simply not used.
    expect(format({ issuer: TEMPLATE, jwksUri: KEYS, audience: 'api', ...intro, tokenFormat: 'jwt' })).toBe('jwt')
  })

  it('allowedTenants only with a template', () => {
    const tenants = { allowedTenants: ['0f3c2b1a-1111-4222-8333-444455556666'] }
    expect(format({ issuer: TEMPLATE, jwksUri: KEYS, audience: 'api', ...tenants })).toBe('jwt')
    expect(paths({ issuer: ISS, audience: 'api', ...tenants })).toEqual(['allowedTenants'])
    expect(paths({ issuers: [{ issuer: ISS, ...tenants }], audience: 'api' })).toEqual(['issuers.0.allowedTenants'])
  })
})
