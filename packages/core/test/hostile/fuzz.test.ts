/**
 * Property-based hostile inputs (fast-check): Authorization headers, JWT headers and payloads signed
 * with the AS's real key, introspection responses served by a real local server, and values handed
 * back by a hostile store. Every generated case carries at least one defect, so each must end in a
 * typed error with the exact expected class and status: 0 authorizations, 0 untyped errors.
 */
import * as nodeCrypto from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthorizationServerError, BearerError, type CacheStore, nodeSignatureVerifier, type ResourceServer } from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, jwtRs, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
const tally = { cases: 0, authorized: 0, untyped: 0 }
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(async () => {
  console.log(`hostile: ${tally.cases} generated cases, ${tally.authorized} authorized, ${tally.untyped} untyped errors`)
  await as.close()
})

type Expected = { cls: typeof BearerError | typeof AuthorizationServerError; statuses: readonly number[] }
const BEARER_4XX: Expected = { cls: BearerError, statuses: [400, 401] }
const INVALID_TOKEN: Expected = { cls: BearerError, statuses: [401] }
const AS_FAILURE: Expected = { cls: AuthorizationServerError, statuses: [503] }
/** An array that is not an array of strings: at least one member of another type. */
const NOT_STRING_ARRAY = fc
  .tuple(fc.array(fc.string(), { maxLength: 1 }), fc.oneof(fc.integer(), fc.constant(null), fc.constant({})))
  .map(([strings, other]) => [...strings, other])

/** Runs one generated case; records and asserts the outcome. */
async function judge(call: () => Promise<unknown>, expected: Expected, label: () => string): Promise<void> {
  tally.cases++
  let outcome: unknown
  try {
    outcome = await call()
  } catch (err) {
    if (!(err instanceof BearerError) && !(err instanceof AuthorizationServerError)) tally.untyped++
    expect(err, label()).toBeInstanceOf(expected.cls)
    expect(expected.statuses, `${label()} → ${String(err)}`).toContain((err as { status: number }).status)
    return
  }
  tally.authorized++
  throw new Error(`authorized a hostile case: ${label()} → ${JSON.stringify(outcome)?.slice(0, 200)}`)
}

// ---------------------------------------------------------------------------------------------
// Authorization headers
// ---------------------------------------------------------------------------------------------
const tokenChar = fc.constantFrom(...'AZaz09-._~+/=', ' ', '\t', ',', '"', '\r', '\n', '\0', 'é', '\u2028', ':', ';', '\\')
const tokenLike = fc.oneof(
  fc.string({ unit: tokenChar, minLength: 0, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'AZaz09-_'), minLength: 1, maxLength: 30 }).map((s) => `${s}.${s}.${s}`),
  fc.integer({ min: 8100, max: 9000 }).map((n) => 'a'.repeat(n)),
)
const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'Basic', 'DPoP', 'Bearer,', '', 'Token', 'Bearer\t')
const separator = fc.constantFrom(' ', '  ', '\t', '', ' \r\n ', ',')
const headerString = fc.oneof(
  fc
    .tuple(scheme, separator, tokenLike, fc.constantFrom('', ' ', '\r\n', ', Bearer x', ' x'))
    .map(([s, sep, t, tail]) => `${s}${sep}${t}${tail}`),
  fc.string({ unit: 'binary', maxLength: 60 }),
)
const headerValue = fc.oneof(
  { weight: 6, arbitrary: headerString },
  { weight: 1, arbitrary: fc.array(headerString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.anything() },
)

describe('Authorization headers', () => {
  let jwt: ResourceServer
  let intro: ResourceServer
  beforeAll(() => {
    jwt = jwtRs(as)
    intro = introspectingRs(as, { tokenFormat: 'auto', audience: 'api' })
    as.introspect = () => ({ body: { active: false } })
  })

  it('jwt mode: 5000 headers, every one a 400/401 BearerError', async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, (h) =>
        judge(
          () => jwt.authenticate(h as never),
          BEARER_4XX,
          () => JSON.stringify(h)?.slice(0, 120) ?? String(h),
        ),
      ),
      { numRuns: 5000 },
    )
  }, 30_000)

  it('auto mode with introspection: 1000 headers, every one a 400/401 BearerError', async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, (h) =>
        judge(
          () => intro.authenticate(h as never),
          BEARER_4XX,
          () => JSON.stringify(h)?.slice(0, 120) ?? String(h),
        ),
      ),
      { numRuns: 1000 },
    )
  }, 30_000)
})

// ---------------------------------------------------------------------------------------------
// Signed JWTs with at least one defect
// ---------------------------------------------------------------------------------------------
const anyJson = fc.jsonValue({ maxDepth: 2 })
const notString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
)
const INF = '__INFINITY__'
const now = () => Math.floor(Date.now() / 1000)
const badTime = (future: boolean) =>
  fc.oneof(
    future ? fc.integer({ min: now() + 120, max: 2 ** 40 }) : fc.integer({ min: -(2 ** 31), max: now() - 60 }),
    fc.constant(INF),
    fc.string(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
  )
type Mutation = { where: 'header' | 'payload'; name: string; value: unknown }
const jwtMutation: fc.Arbitrary<Mutation> = fc.oneof(
  anyJson.filter((v) => v !== 'ES256').map((value) => ({ where: 'header' as const, name: 'alg', value })),
  fc
    .oneof(anyJson, fc.constantFrom('JWT', 'jwt', 'application/jwt'))
    .filter((v) => !(typeof v === 'string' && ['at+jwt', 'application/at+jwt'].includes(v.toLowerCase())))
    .map((value) => ({ where: 'header' as const, name: 'typ', value })),
  anyJson.filter((v) => v !== 'k1' && v !== null).map((value) => ({ where: 'header' as const, name: 'kid', value })),
  fc
    .oneof(
      fc.constant(['exp']),
      fc.constant(['x-unknown']),
      anyJson.filter((v) => v !== undefined),
    )
    .map((value) => ({ where: 'header' as const, name: 'crit', value })),
  fc
    .oneof(anyJson, fc.constant(`${'https://'}evil.example`))
    .filter((v) => v !== as.issuer)
    .map((value) => ({ where: 'payload' as const, name: 'iss', value })),
  anyJson
    .filter((v) => v !== 'api' && !(Array.isArray(v) && v.includes('api')))
    .map((value) => ({ where: 'payload' as const, name: 'aud', value })),
  badTime(false).map((value) => ({ where: 'payload' as const, name: 'exp', value })),
  badTime(true).map((value) => ({ where: 'payload' as const, name: 'nbf', value })),
  badTime(true).map((value) => ({ where: 'payload' as const, name: 'iat', value })),
  notString.map((value) => ({ where: 'payload' as const, name: 'sub', value })),
  notString.map((value) => ({ where: 'payload' as const, name: 'client_id', value })),
  // An array of strings is a valid scope (IdentityServer); an array holding anything else is not.
  fc
    .oneof(fc.integer(), fc.boolean(), NOT_STRING_ARRAY, fc.constant({}))
    .map((value) => ({ where: 'payload' as const, name: 'scope', value })),
  fc
    .constantFrom('refresh_token', 'urn:ietf:params:oauth:token-type:refresh_token', 'Refresh')
    .map((value) => ({ where: 'payload' as const, name: 'token_type', value })),
  fc.constant({ where: 'payload' as const, name: '__signature__', value: true }),
)

describe('signed JWT headers and payloads', () => {
  // Both signature verifiers: WebCrypto (the default) and node:crypto (what the Node adapters use).
  it.each([
    ['WebCrypto', undefined],
    ['node:crypto', nodeSignatureVerifier(nodeCrypto)],
  ] as const)(
    '2500 JWTs signed with the real key, each with at least one defect: 401 (or 400 when too long), with %s',
    async (_name, verifier) => {
      const rs = jwtRs(as, { cache: false, signatureVerifier: verifier })
      const registered = new Set([
        'iss',
        'aud',
        'exp',
        'nbf',
        'iat',
        'sub',
        'client_id',
        'scope',
        'scp',
        'token_type',
        'token_use',
        'jti',
        'active',
      ])
      await fc.assert(
        fc.asyncProperty(
          fc.array(jwtMutation, { minLength: 1, maxLength: 3 }),
          fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), anyJson, { maxKeys: 3 }),
          async (mutations, extras) => {
            const header: Record<string, unknown> = {}
            const payload: Record<string, unknown> = { ...goodClaims(as) }
            for (const [k, v] of Object.entries(extras)) if (!registered.has(k) && k !== '__proto__') payload[k] = v
            let tamper = false
            for (const m of mutations) {
              if (m.name === '__signature__') tamper = true
              else if (m.where === 'header') header[m.name] = m.value
              else payload[m.name] = m.value
            }
            let token = await signJwt(as, JSON.stringify(payload).replaceAll(`"${INF}"`, '1e400'), header)
            if (tamper) token = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`
            await judge(
              () => rs.authenticate(`Bearer ${token}`),
              BEARER_4XX,
              () => JSON.stringify({ mutations, header }).slice(0, 300),
            )
          },
        ),
        { numRuns: 2500 },
      )
    },
    30_000,
  )
})

// ---------------------------------------------------------------------------------------------
// Introspection responses with at least one defect, served by a real local server
// ---------------------------------------------------------------------------------------------
type BodyMutation = { name: string; value: unknown; structural: boolean }
const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant('true')).map((value) => ({ name: 'active', value, structural: true })),
  fc.constant({ name: 'active', value: false, structural: false }),
  fc.constant({ name: 'active', value: undefined, structural: true }),
  badTime(false).map((value) => ({ name: 'exp', value, structural: false })),
  badTime(true).map((value) => ({ name: 'nbf', value, structural: false })),
  fc.oneof(notString, fc.constant('https://evil.example')).map((value) => ({ name: 'iss', value, structural: false })),
  anyJson
    .filter((v) => v !== 'api' && !(Array.isArray(v) && v.includes('api')))
    .map((value) => ({ name: 'aud', value, structural: false })),
  notString.map((value) => ({ name: 'sub', value, structural: false })),
  fc.oneof(fc.integer(), fc.boolean(), NOT_STRING_ARRAY).map((value) => ({ name: 'scope', value, structural: false })),
  fc
    .constantFrom('refresh_token', 'urn:ietf:params:oauth:token-type:refresh_token')
    .map((value) => ({ name: 'token_type', value, structural: false })),
  fc
    .oneof(fc.constant('[]'), fc.constant('"active"'), fc.constant('null'), fc.string())
    .map((value) => ({ name: '__body__', value, structural: true })),
)

describe('introspection responses', () => {
  it('1000 answers of a real local server, each with at least one defect: 401, or 503 for a malformed answer', async () => {
    const rs = introspectingRs(as, { audience: 'api', cache: false })
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.array(bodyMutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const body: Record<string, unknown> = {
          active: true,
          sub: 'user-1',
          client_id: 'app',
          scope: 'read',
          aud: 'api',
          iss: as.issuer,
          exp: now() + 600,
        }
        let raw: string | undefined
        for (const m of mutations) {
          if (m.name === '__body__') raw = m.value as string
          else body[m.name] = m.value
        }
        const text = raw ?? JSON.stringify(body).replaceAll(`"${INF}"`, '1e400')
        as.introspect = () => ({ body: text })
        // Malformed (503) when the answer, as finally sent, is not an object with a boolean "active".
        const malformed = raw !== undefined || typeof body.active !== 'boolean'
        await judge(
          () => rs.authenticate(`Bearer opaque-${n++}`),
          malformed ? AS_FAILURE : INVALID_TOKEN,
          () => text.slice(0, 300),
        )
      }),
      { numRuns: 1000 },
    )
  }, 30_000)
})

// ---------------------------------------------------------------------------------------------
// Store values: whatever a hostile store hands back is a miss (the AS, which says inactive, decides)
// ---------------------------------------------------------------------------------------------
describe('store values', () => {
  it('1500 values from a hostile store: never trusted, the AS is asked: 401', async () => {
    let value: unknown
    const store: CacheStore = { get: () => value, set: () => {}, delete: () => {} }
    const rs = introspectingRs(as, { audience: 'api', scopes: ['admin'], cache: { store } })
    as.introspect = () => ({ body: { active: false } })
    const record = (claims: unknown, extra: Record<string, unknown> = {}) => ({
      v: 1,
      active: true,
      until: Date.now() + 60_000,
      iss: as.issuer,
      claims,
      ...extra,
    })
    const claimsWithDefect = fc
      .array(
        bodyMutation.filter((m) => m.name !== '__body__' && !(m.name === 'active' && m.value === undefined)),
        { minLength: 1, maxLength: 2 },
      )
      .map((ms) => {
        const c: Record<string, unknown> = { active: true, sub: 'x', scope: 'admin', aud: 'api', iss: as.issuer, exp: now() + 600 }
        for (const m of ms) c[m.name] = m.value
        return c
      })
    const hostileValue = fc.oneof(
      fc.anything(),
      claimsWithDefect.map((c) => record(c)),
      fc.record({
        v: fc.oneof(fc.constant(1), anyJson),
        active: anyJson,
        until: fc.oneof(fc.integer(), anyJson),
        iss: anyJson,
        claims: anyJson,
      }),
      // One member of a well-formed record replaced by something else (never by its own value).
      fc
        .tuple(fc.constantFrom('v', 'until', 'iss', 'claims', 'active'), fc.oneof(anyJson, fc.double(), fc.constant(Date.now() - 1)))
        .filter(([k, v]) => {
          // …by something that does not make it a (forgeable) valid record again.
          if (k === 'until') return !(typeof v === 'number' && v > Date.now())
          if (k === 'claims') return !(typeof v === 'object' && v !== null && (v as Record<string, unknown>).active === true)
          return JSON.stringify(v) !== JSON.stringify({ v: 1, active: true, iss: as.issuer }[k])
        })
        .map(([k, v]) => ({ ...record({ active: true, scope: 'admin', aud: 'api' }), [k]: v })),
      fc.constant(record({ active: true, scope: 'superadmin', aud: 'api' })),
    )
    await fc.assert(
      fc.asyncProperty(hostileValue, async (v) => {
        value = v
        const before = as.introspections
        // A well-formed record that is not a defect for its shape but lacks the scope is a 403: both mean "refused".
        await judge(
          () => rs.authenticate('Bearer stored-token'),
          { cls: BearerError, statuses: [401, 403] },
          () => JSON.stringify(v)?.slice(0, 300) ?? String(v),
        )
        expect(as.introspections - before).toBeLessThanOrEqual(1)
      }),
      { numRuns: 1500 },
    )
  }, 30_000)
})

describe('totals', () => {
  it('at least 10,000 generated cases ran, none authorized, no untyped error', () => {
    expect(tally.cases).toBeGreaterThanOrEqual(10_000)
    expect(tally.authorized).toBe(0)
    expect(tally.untyped).toBe(0)
  })
})
