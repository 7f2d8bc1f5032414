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

describe('field bounds', () => {
  const jwtBase = { issuer: ISS, audience: 'api' }
  /** [options, the issue paths, or [] when accepted] */
  const table: [Partial<ResourceServerOptions>, string[]][] = [
    [{ jwt: { algorithms: ['none' as never] } }, ['jwt.algorithms.0']],
    [{ jwt: { algorithms: [] } }, ['jwt.algorithms']],
    [{ jwt: { algorithms: ['HS384', 'HS512'], secret: HS_SECRET } }, []],
    [{ jwt: { algorithms: ['RS256', 'PS512', 'ES384', 'EdDSA'] } }, []],
    [{ jwt: { algorithms: ['HS256'], secret: 'x'.repeat(31) } }, ['jwt.secret']],
    [{ jwt: { algorithms: ['HS256'], secret: 'x'.repeat(32) } }, []],
    [{ jwt: { typ: 'lenient' } }, []],
    [{ jwt: { typ: 'loose' as never } }, ['jwt.typ']],
    [{ jwt: { maxTokenAge: 0 } }, ['jwt.maxTokenAge']],
    [{ jwt: { maxTokenAge: 0.001 } }, []],
    [{ jwt: { other: 1 } as never }, ['jwt']],
    [{ audience: '' }, ['audience']],
    [{ audience: [] }, ['audience']],
    [{ audience: ['a', ''] }, ['audience.1']],
    [{ allowedClients: [] }, ['allowedClients']],
    [{ oidcClientIds: [''] }, ['oidcClientIds.0']],
    [{ clockTolerance: -0.001 }, ['clockTolerance']],
    [{ clockTolerance: 300 }, []],
    [{ clockTolerance: 300.001 }, ['clockTolerance']],
    [{ timeout: 0.001 }, []],
    [{ timeout: 0.0009 }, ['timeout']],
    [{ timeout: 60 }, []],
    [{ timeout: 60.001 }, ['timeout']],
    [{ maxResponseBytes: 1024 }, []],
    [{ maxResponseBytes: 1023 }, ['maxResponseBytes']],
    [{ maxResponseBytes: 64 * 1024 * 1024 }, []],
    [{ maxResponseBytes: 64 * 1024 * 1024 + 1 }, ['maxResponseBytes']],
    [{ maxResponseBytes: 2048.5 }, ['maxResponseBytes']],
    [{ bearer: { maxLength: 16 } }, []],
    [{ bearer: { maxLength: 15 } }, ['bearer.maxLength']],
    [{ bearer: { maxLength: 65_536 } }, []],
    [{ bearer: { maxLength: 65_537 } }, ['bearer.maxLength']],
    [{ cache: { maxEntries: 1, verifiedJwtMaxEntries: 0, maxTtl: 0, inactiveTtl: 0 } }, []],
    [{ cache: { maxEntries: 0 } }, ['cache.maxEntries']],
    [{ cache: { maxEntries: 1.5 } }, ['cache.maxEntries']],
    [{ cache: { verifiedJwtMaxEntries: -1 } }, ['cache.verifiedJwtMaxEntries']],
    [{ cache: { maxTtl: -0.001 } }, ['cache.maxTtl']],
    [{ cache: { inactiveTtl: -0.001 } }, ['cache.inactiveTtl']],
    [{ cache: { storeTimeout: 0.001 } }, []],
    [{ cache: { storeTimeout: 0.0009 } }, ['cache.storeTimeout']],
    [{ cache: { storeTimeout: 10 } }, []],
    [{ cache: { storeTimeout: 10.001 } }, ['cache.storeTimeout']],
    [{ cache: { store: { get: () => undefined } as never } }, ['cache.store']],
    [{ jwks: { cacheMaxAge: 0, cooldown: 0 } }, []],
    [{ jwks: { cacheMaxAge: 86_400, cooldown: 3600 } }, []],
    [{ jwks: { cacheMaxAge: 86_401 } }, ['jwks.cacheMaxAge']],
    [{ jwks: { cooldown: 3601 } }, ['jwks.cooldown']],
    [{ metadata: { cacheMaxAge: 60, cooldown: 0 } }, []],
    [{ metadata: { cacheMaxAge: 59 } }, ['metadata.cacheMaxAge']],
    [{ metadata: { cacheMaxAge: 604_800, cooldown: 3600 } }, []],
    [{ metadata: { cacheMaxAge: 604_801 } }, ['metadata.cacheMaxAge']],
    [{ metadata: { cooldown: 3601 } }, ['metadata.cooldown']],
    [{ realm: '' }, ['realm']],
    [{ scopes: ['a b'] }, ['scopes.0']],
    [{ scopes: ['a"b'] }, ['scopes.0']],
    [{ scopes: ['a\\b'] }, ['scopes.0']],
    [{ scopes: ['read:all', '!#[]~'] }, []],
    [{ logger: false }, []],
    [{ logger: { warn: () => {} } as never }, []],
    [{ logger: {} as never }, ['logger']],
    [{ clock: 5 as never }, ['clock']],
    [{ onEvent: 'x' as never }, ['onEvent']],
    [{ fetch: {} as never }, ['fetch']],
    [{ signatureVerifier: true as never }, ['signatureVerifier']],
    [{ unknown: 1 } as never, ['']],
  ]
  it.each(table)('%j', (extra, expected) => {
    const options = { ...jwtBase, ...extra }
    if (expected.length === 0) expect(format(options)).toBe('jwt')
    else expect(paths(options)).toEqual(expected)
  })

  const introBase = { issuer: ISS, ...intro }
  const introTable: [Partial<ResourceServerOptions>, string[]][] = [
    [{ introspection: { maxResponseAge: 0 } }, ['introspection.maxResponseAge']],
    [{ introspection: { maxResponseAge: 0.001 } }, []],
    [{ introspection: { maxResponseAge: 3600 } }, []],
    [{ introspection: { maxResponseAge: 3600.001 } }, ['introspection.maxResponseAge']],
    [{ introspection: { signingAlgorithms: [] } }, ['introspection.signingAlgorithms']],
    [{ introspection: { signingAlgorithms: ['none' as never] } }, ['introspection.signingAlgorithms.0']],
    [{ introspection: { tokenTypeHint: '' } }, ['introspection.tokenTypeHint']],
    [{ introspection: { response: 'xml' as never } }, ['introspection.response']],
    [{ introspection: { encryption: 'maybe' as never } }, ['introspection.encryption']],
    [{ introspection: { keyManagementAlgorithms: [] } }, ['introspection.keyManagementAlgorithms']],
    [{ introspection: { contentEncryptionAlgorithms: ['A128GCM', 'A256CBC-HS512'] } }, []],
    [{ introspection: { contentEncryptionAlgorithms: ['A1GCM' as never] } }, ['introspection.contentEncryptionAlgorithms.0']],
    [{ introspection: { keyManagementAlgorithms: ['RSA1_5' as never] } }, ['introspection.keyManagementAlgorithms.0']],
    [{ tryAllIntrospectionEndpoints: 'yes' as never }, ['tryAllIntrospectionEndpoints']],
    [{ audienceClaim: 'sub' as never }, ['audienceClaim']],
    [{ tokenFormat: 'opaque' as never }, ['tokenFormat']],
    [{ decryptionKeys: [] }, ['decryptionKeys']],
    [{ clientId: '' }, ['clientId']],
    [{ clientSecret: '' }, ['clientSecret']],
  ]
  it.each(introTable)('%j', (extra, expected) => {
    const options = { ...introBase, ...extra }
    if (expected.length === 0) expect(format(options)).toBe('introspection')
    else expect(paths(options)).toEqual(expected)
  })

  it('allowedTenants are GUIDs, at least one', () => {
    const base = { issuer: TEMPLATE, jwksUri: KEYS, audience: 'api' }
    expect(paths({ ...base, allowedTenants: ['not-a-guid'] })).toEqual(['allowedTenants.0'])
    expect(paths({ ...base, allowedTenants: [] })).toEqual(['allowedTenants'])
    expect(paths({ ...base, allowedTenants: ['0f3c2b1a-1111-4222-8333-4444555566667'] })).toEqual(['allowedTenants.0'])
    expect(format({ ...base, allowedTenants: ['0F3C2B1A-1111-4222-8333-444455556666'] })).toBe('jwt')
  })
})
