/**
 * The options of `createClientCredentials` and of each call: every bound (both sides), every refusal
 * as a ConfigurationError whose issue path names the option, the defaults themselves (observed
 * through what the client does), and the normal form of scopes and resources.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { faults, readBody, startHttpServer, type Handler, type TestHttpServer } from '@org/rs-testing'
import * as jose from 'jose'
import {
  AuthorizationServerError,
  type CacheStore,
  type ClientCredentialsOptions,
  ConfigurationError,
  createClientCredentials,
  MemoryCache,
} from '../../src/index.js'
import { normaliseResource, normaliseScope } from '../../src/client-credentials/options.js'
import { SLEEP } from '../../src/client-credentials/retry.js'
import { rejection, thrown } from '../support/index.js'

const SECRET = 'client-secret-with-enough-length-0123'
const base = { tokenEndpoint: 'https://as.example/token', clientId: 'svc', clientSecret: SECRET }
/** The option paths the ConfigurationError names (each once). */
const paths = (patch: Record<string, unknown>, from: Record<string, unknown> = base) => [
  ...new Set(
    thrown(() => createClientCredentials({ ...from, ...patch } as unknown as ClientCredentialsOptions), ConfigurationError).issues.map(
      (i) => i.path,
    ),
  ),
]
const accepts = (patch: Record<string, unknown>, from: Record<string, unknown> = base) =>
  createClientCredentials({ ...from, ...patch } as unknown as ClientCredentialsOptions)

describe('bounds of the numeric options', () => {
  it.each([
    [{ refreshSkew: -0.001 }, 'refreshSkew'],
    [{ defaultLifetime: 0 }, 'defaultLifetime'],
    [{ timeout: 0.0009 }, 'timeout'],
    [{ timeout: 60.001 }, 'timeout'],
    [{ retry: { attempts: 0 } }, 'retry.attempts'],
    [{ retry: { attempts: 11 } }, 'retry.attempts'],
    [{ retry: { attempts: 1.5 } }, 'retry.attempts'],
    [{ retry: { baseDelay: -0.001 } }, 'retry.baseDelay'],
    [{ retry: { baseDelay: 60.001, maxDelay: 100 } }, 'retry.baseDelay'],
    [{ retry: { maxDelay: -0.001, baseDelay: 0 } }, 'retry.maxDelay'],
    [{ retry: { maxDelay: 300.001 } }, 'retry.maxDelay'],
    [{ retry: { baseDelay: 2, maxDelay: 1.999 } }, 'retry.maxDelay'],
    [{ retry: { baseDelay: 6 } }, 'retry.maxDelay'], // above the default maxDelay of 5
    [{ retry: { other: 1 } }, 'retry'],
    [{ maxResponseBytes: 1023 }, 'maxResponseBytes'],
    [{ maxResponseBytes: 64 * 1024 * 1024 + 1 }, 'maxResponseBytes'],
    [{ maxResponseBytes: 2048.5 }, 'maxResponseBytes'],
    [{ maxResponseBytes: '2048' }, 'maxResponseBytes'],
    [{ storeTimeout: 0.0009 }, 'storeTimeout'],
    [{ storeTimeout: 10.001 }, 'storeTimeout'],
  ])('%o is refused, naming %s', (patch, path) => {
    expect(paths(patch)).toEqual([path])
  })

  it.each([
    { refreshSkew: 0 },
    { defaultLifetime: 0.001 },
    { timeout: 0.001 },
    { timeout: 60 },
    { retry: { attempts: 1 } },
    { retry: { attempts: 10 } },
    { retry: { baseDelay: 0, maxDelay: 0 } },
    { retry: { baseDelay: 60, maxDelay: 60 } },
    { retry: { maxDelay: 300 } },
    { retry: { baseDelay: 5 } },
    { maxResponseBytes: 1024 },
    { maxResponseBytes: 64 * 1024 * 1024 },
    { storeTimeout: 0.001 },
    { storeTimeout: 10 },
  ])('%o is accepted', (patch) => {
    expect(accepts(patch).toJSON()).toEqual({ clientId: 'svc', tokenEndpoint: base.tokenEndpoint })
  })
})

describe('the other options', () => {
  it.each([
    [{ tokenEndpoint: undefined }, 'tokenEndpoint'],
    [{ tokenEndpoint: 'ftp://as.example/token' }, 'tokenEndpoint'],
    [{ tokenEndpoint: 'https://as.example/token#x' }, 'tokenEndpoint'],
    [{ tokenEndpoint: 'https://user@as.example/token' }, 'tokenEndpoint'],
    [{ tokenEndpoint: 'https://:pw@as.example/token' }, 'tokenEndpoint'],
    [{ tokenEndpoint: undefined, issuer: 'https://as.example#x' }, 'issuer'],
    [{ tokenEndpoint: undefined, issuer: 'https://u:p@as.example' }, 'issuer'],
    [{ issuer: 'http://as.example' }, 'issuer'],
    [{ clientId: undefined }, 'clientId'],
    [{ clientSecret: '' }, 'clientSecret'],
    [{ audience: '' }, 'audience'],
    [{ scope: 5 }, 'scope'],
    [{ scope: ['ok', 'not\\ok'] }, 'scope'],
    [{ scope: 'caf\u00e9' }, 'scope'],
    [{ resource: ['https://ok.example', 'relative/path'] }, 'resource'],
    [{ resource: 'https://api.example/#' }, 'resource'],
    [{ extraParams: { tenant: 5 } }, 'extraParams.tenant'],
    [{ fetch: {} }, 'fetch'],
    [{ clock: 0 }, 'clock'],
    [{ store: { get: () => undefined, set: () => {} } }, 'store'],
    [{ allowInsecureRequests: 'yes' }, 'allowInsecureRequests'],
    [{ privateKey: { kty: 'EC' } }, 'privateKey'],
    [{ dpop: { privateKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } } }, 'dpop'],
    [{ dpop: {} }, 'dpop'],
    [{ unknown: 1 }, ''],
  ])('%o is refused, naming %s', (patch, path) => {
    expect(paths(patch)).toEqual([path])
  })

  it.each(['grant_type', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'scope', 'resource', 'audience'])(
    'extraParams may not set %s',
    (name) => {
      expect(paths({ extraParams: { [name]: 'x', tenant: 't' } })).toEqual([`extraParams.${name}`])
    },
  )

  it('accepts the printable scope characters of RFC 6749 and separators of any whitespace', () => {
    expect(() => accepts({ scope: '! # [ ] ~ a:b/c\tnext\nline', extraParams: { tenant: 't', prompt: 'x' } })).not.toThrow()
    expect(() => accepts({ tokenEndpoint: undefined, issuer: 'https://as.example' })).not.toThrow()
    expect(() => accepts({ store: new MemoryCache(), clock: () => 0, fetch: globalThis.fetch, audience: 'a' })).not.toThrow()
  })

  it('a DPoP key is a key pair or a private EC / RSA / OKP JWK', async () => {
    const ec = await jose.generateKeyPair('ES256', { extractable: true })
    const ed = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    expect(() => accepts({ dpop: { keyPair: ec } })).not.toThrow()
    expect(paths({ dpop: { privateKey: await jose.exportJWK(ec.publicKey) } })).toEqual(['dpop'])
    expect(() => accepts({ dpop: { privateKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' } } })).not.toThrow()
    expect(() => accepts({ dpop: { privateKey: { kty: 'RSA', n: 'n', e: 'AQAB', d: 'd' } } })).not.toThrow()
    expect(() => accepts({ dpop: { privateKey: { kty: 'OKP', crv: 'Ed25519', x: 'x', d: 'd' } } })).not.toThrow()
    expect(paths({ dpop: { privateKey: { kty: 'oct', k: 'k', d: 'd' } } })).toEqual(['dpop'])
    expect(paths({ dpop: { keyPair: { privateKey: ec.privateKey, publicKey: {} } } })).toEqual(['dpop'])
    expect(paths({ dpop: { keyPair: { privateKey: {}, publicKey: ed.publicKey } } })).toEqual(['dpop'])
    expect(paths({ dpop: { keyPair: ec, extra: 1 } })).toEqual(['dpop'])
    expect(paths({ dpop: { keyPair: null } })).toEqual(['dpop'])
  })
})

describe('per-call requests', () => {
  const cc = createClientCredentials(base)

  it.each([
    ['getAccessToken', () => cc.getAccessToken({ scope: 'a"b' })],
    ['getToken', () => cc.getToken({ resource: 'not a uri' })],
    ['invalidate', () => cc.invalidate({ audience: 'x' } as never)],
  ])('a wrong request to %s is a ConfigurationError naming the method', async (method, call) => {
    const err = await rejection(call, ConfigurationError)
    expect(err.message.startsWith(`Invalid ${method} options`)).toBe(true)
    expect(err.issues).toHaveLength(1)
  })
})

describe('normal form of scopes and resources', () => {
  it('scopes: split on any whitespace, de-duplicated, sorted; none is undefined', () => {
    expect(normaliseScope(undefined)).toBeUndefined()
    expect(normaliseScope('')).toBeUndefined()
    expect(normaliseScope(' \t\n')).toBeUndefined()
    expect(normaliseScope([])).toBeUndefined()
    expect(normaliseScope(['', ' '])).toBeUndefined()
    expect(normaliseScope('b  a\tc\na b')).toBe('a b c')
    expect(normaliseScope(['c b', 'a', 'b'])).toBe('a b c')
    expect(normaliseScope(['c\tb\n d', 'a'])).toBe('a b c d')
  })

  it('resources: de-duplicated and sorted; none is an empty list', () => {
    expect(normaliseResource(undefined)).toEqual([])
    expect(normaliseResource([])).toEqual([])
    expect(normaliseResource('https://b.example')).toEqual(['https://b.example'])
    expect(normaliseResource(['https://b.example', 'https://a.example', 'https://b.example'])).toEqual([
      'https://a.example',
      'https://b.example',
    ])
  })
})

/* ------------------------------------------------------------------------------------------------
 * The defaults, observed against a local token endpoint
 * --------------------------------------------------------------------------------------------- */

describe('the defaults', () => {
  let server: TestHttpServer
  let plan: Handler[] = []
  let answer: () => string
  let requests = 0

  beforeAll(async () => {
    server = await startHttpServer(async (req, res) => {
      requests++
      await readBody(req)
      const step = plan.shift()
      if (step) return step(req, res)
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer())
    })
  })
  afterAll(() => server.close())
  beforeEach(() => {
    plan = []
    requests = 0
    answer = () => JSON.stringify({ access_token: 'tok', token_type: 'Bearer', expires_in: 600 })
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const make = (extra: Record<string, unknown> = {}) =>
    createClientCredentials({
      tokenEndpoint: `${server.url}/token`,
      clientId: 'svc',
      clientSecret: SECRET,
      ...extra,
    } as ClientCredentialsOptions)

  it('retry: 3 attempts, backoff from 0.2 s, Retry-After up to 5 s', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const waits: number[] = []
    const sleep = async (ms: number) => void waits.push(ms)
    plan = [faults.status(503), faults.status(503), faults.status(503)]
    await rejection(() => make({ [SLEEP]: sleep }).getAccessToken(), AuthorizationServerError, 503)
    expect(requests).toBe(3)
    expect(waits).toEqual([100, 200])

    plan = [faults.status(503, 'busy', { 'retry-after': '5' })]
    expect(await make({ [SLEEP]: sleep, scope: 'b' }).getAccessToken()).toBe('tok')
    expect(waits.at(-1)).toBe(5000)
    plan = [faults.status(503, 'busy', { 'retry-after': '6' })]
    requests = 0
    await rejection(() => make({ [SLEEP]: sleep, scope: 'c' }).getAccessToken(), AuthorizationServerError, 503)
    expect(requests).toBe(1)
  })

  it('retry: {} takes the same defaults member by member', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const waits: number[] = []
    plan = [faults.status(503), faults.status(503), faults.status(503)]
    const cc = make({ retry: {}, [SLEEP]: async (ms: number) => void waits.push(ms) })
    await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)
    expect(requests).toBe(3)
    expect(waits).toEqual([100, 200])
  })

  it('the refresh lock lives the timeout (5 s) plus 1 s', async () => {
    const adds: number[] = []
    const inner = new MemoryCache()
    const store: CacheStore = {
      get: (k) => inner.get(k),
      set: (k, v, ttl) => inner.set(k, v, ttl),
      delete: (k) => inner.delete(k),
      add: (k, v, ttl) => {
        adds.push(ttl)
        return inner.add(k, v, ttl)
      },
    }
    await make({ store }).getAccessToken()
    expect(adds).toEqual([6000])
  })

  it('maxResponseBytes: 256 KiB of answer is read, one byte more is not', async () => {
    const sized = (bytes: number) => {
      const head = '{"access_token":"tok","token_type":"Bearer","expires_in":600,"pad":"'
      return `${head}${'x'.repeat(bytes - head.length - 2)}"}`
    }
    answer = () => sized(256 * 1024)
    expect(await make().getAccessToken()).toBe('tok')
    answer = () => sized(256 * 1024 + 1)
    await rejection(() => make({ scope: 'b', retry: { attempts: 1 } }).getAccessToken(), AuthorizationServerError, 503)
  })

  it('the clock is Date.now', async () => {
    const before = Date.now()
    const token = await make().getToken()
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 600_000)
    expect(token.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000)
  })

  it('the store is a per-instance memory: a second instance asks again', async () => {
    await make().getAccessToken()
    await make().getAccessToken()
    expect(requests).toBe(2)
  })
})
