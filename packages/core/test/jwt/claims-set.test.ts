/**
 * The claims set of a JWT access token, checked as jose's jwtVerify checked it (src/jwt/claims-set.ts),
 * through a real resource server and a real local JWKS, with an injected clock: every boundary of the
 * lifetime checks with a clock tolerance, maxTokenAge with a tolerance, time claims that are not
 * numbers, aud and iss present or not, a payload that is not a JSON object; and the compact JWS
 * steps around it (src/jwt/jws.ts): the number of segments, non-canonical segments, crit.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BearerError, type ResourceServerOptions } from '../../src/index.js'
import { reasonOf } from '../../src/events/index.js'
import { type FakeAS, goodClaims, jwtRs, rejection, signJwt, startFakeAS, type TestClock, testClock } from '../support/index.js'

let as: FakeAS
let clock: TestClock

beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as?.close())
beforeEach(() => {
  // Half a second past a whole second: the claims are compared with whole seconds (floor), as jose does.
  clock = testClock(Date.UTC(2030, 0, 1) + 500)
})

const rs = (extra: Partial<ResourceServerOptions> = {}) => jwtRs(as, { clock: clock.now, cache: false, ...extra })
const claims = (patch: Record<string, unknown> = {}) => {
  const c: Record<string, unknown> = { ...goodClaims(as, clock.now()), ...patch }
  for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k]
  return c
}
const token = (patch: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => signJwt(as, claims(patch), header)
const accepts = async (jwt: string, extra: Partial<ResourceServerOptions> = {}) =>
  expect(await rs(extra).authenticate(`Bearer ${jwt}`)).toMatchObject({ sub: 'user-1', source: 'jwt' })
/** Refused with 401 invalid_token and this reason (what operators see in events and logs). */
const refuses = async (jwt: string, reason: string, extra: Partial<ResourceServerOptions> = {}) => {
  const err = await rejection(() => rs(extra).authenticate(`Bearer ${jwt}`), BearerError, 401, 'invalid_token')
  expect(reasonOf(err), `${err.description}`).toBe(reason)
  return err
}
const b64 = (text: string | Uint8Array) =>
  btoa(typeof text === 'string' ? text : String.fromCharCode(...text))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')

describe('lifetime with a clock tolerance of 5 s (the default)', () => {
  it('exp: refused at now - 5, accepted at now - 4', async () => {
    const s = clock.seconds()
    await refuses(await token({ exp: s - 5 }), 'expired')
    await accepts(await token({ exp: s - 4 }))
    await refuses(await token({ exp: s - 2 }), 'expired', { clockTolerance: 2 })
    await accepts(await token({ exp: s - 1 }), { clockTolerance: 2 })
  })

  it('nbf: accepted at now + 5, refused at now + 6', async () => {
    const s = clock.seconds()
    await accepts(await token({ nbf: s + 5 }))
    await refuses(await token({ nbf: s + 6 }), 'not_yet_valid')
    await accepts(await token({ nbf: s - 1000 }))
    await accepts(await token({ nbf: s + 2 }), { clockTolerance: 2 })
    await refuses(await token({ nbf: s + 3 }), 'not_yet_valid', { clockTolerance: 2 })
  })

  it('maxTokenAge: an iat exactly maxTokenAge + tolerance ago is accepted, one second more is too old', async () => {
    const s = clock.seconds()
    const young = { jwt: { maxTokenAge: 60 } }
    await accepts(await token({ iat: s - 65 }), young)
    await refuses(await token({ iat: s - 66 }), 'too_old', young)
    await accepts(await token({ iat: s }), young)
    await accepts(await token({ iat: s - 62 }), { clockTolerance: 2, jwt: { maxTokenAge: 60 } })
    await refuses(await token({ iat: s - 63 }), 'too_old', { clockTolerance: 2, jwt: { maxTokenAge: 60 } })
  })

  it('maxTokenAge requires iat; an iat in the future is refused up to the tolerance, with or without it', async () => {
    const s = clock.seconds()
    const young = { jwt: { maxTokenAge: 60 } }
    await refuses(await token({ iat: undefined }), 'too_old', young)
    await accepts(await token({ iat: undefined })) // iat is optional without maxTokenAge
    await accepts(await token({ iat: s + 5 }), young)
    await accepts(await token({ iat: s + 5 }))
    await refuses(await token({ iat: s + 6 }), 'issued_in_future')
    await refuses(await token({ iat: s + 6 }), 'issued_in_future', young)
  })
})

describe('time claims must be numbers', () => {
  it('exp, nbf, iat: a string, null, a boolean, an object or an array is malformed_token', async () => {
    const s = clock.seconds()
    for (const value of [String(s + 600), null, true, {}, [s + 600]]) await refuses(await token({ exp: value }), 'malformed_token')
    // a string that compares as a number would pass a comparison: it is refused as malformed all the same
    for (const value of [String(s - 10), String(s + 1000), null, false, {}, [s]]) {
      await refuses(await token({ nbf: value }), 'malformed_token')
      await refuses(await token({ iat: value }), 'malformed_token')
      await refuses(await token({ iat: value }), 'malformed_token', { jwt: { maxTokenAge: 60 } })
    }
  })
})

describe('aud and iss', () => {
  it('aud: a string or an array naming one of ours; missing, another, an empty array, a number: refused', async () => {
    await accepts(await token({ aud: 'api' }))
    await accepts(await token({ aud: ['api'] }))
    await accepts(await token({ aud: ['other', 'api'] }))
    await accepts(await token({ aud: 'second' }), { audience: ['api', 'second'] })
    await accepts(await token({ aud: ['x', 'second'] }), { audience: ['api', 'second'] })
    for (const aud of [undefined, 'other', ['other'], [], 'ap', 'api ', 7, { api: true }, null])
      await refuses(await token({ aud }), 'wrong_audience')
  })

  it('no audience configured (allowedClients instead): a token that names an audience is meant for someone else', async () => {
    const clients = { audience: undefined, allowedClients: ['app'] }
    await accepts(await token({ aud: undefined }), clients)
    for (const aud of ['api', ['api'], []]) {
      const err = await refuses(await token({ aud }), 'wrong_audience', clients)
      expect(err.detail).toMatch(/no audience is configured/)
    }
    await refuses(await token({ aud: undefined, client_id: 'other' }), 'wrong_audience', clients)
  })

  it('iss: missing or different is refused', async () => {
    await refuses(await token({ iss: undefined }), 'wrong_issuer')
    await refuses(await token({ iss: `${as.issuer}/` }), 'wrong_issuer')
    await refuses(await token({ iss: 42 }), 'wrong_issuer')
  })

  it('several claims missing: the first refused is iss, then aud, then exp', async () => {
    await refuses(await token({ iss: undefined, aud: undefined, exp: undefined }), 'wrong_issuer')
    await refuses(await token({ aud: undefined, exp: undefined }), 'wrong_audience')
    await refuses(await token({ iat: undefined, exp: undefined }), 'too_old', { jwt: { maxTokenAge: 60 } })
    await refuses(await token({ exp: undefined }), 'malformed_token')
  })
})

describe('the payload must be a JSON object', () => {
  it('an array, a string, a number, null, invalid JSON, invalid UTF-8: malformed_token', async () => {
    for (const payload of ['[1]', '"claims"', '1', 'null', '{"exp":', '']) await refuses(await signJwt(as, payload), 'malformed_token')
    // Invalid UTF-8 (an overlong "/" and a lone continuation byte) inside a JSON string: refused, not replaced by U+FFFD.
    const header = b64(JSON.stringify({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }))
    const json = JSON.stringify(claims({ sub: '@@' }))
    const bytes = new TextEncoder().encode(json)
    const at = json.indexOf('@@')
    bytes.set([0xc0, 0xaf], at)
    const input = `${header}.${b64(bytes)}`
    const sig = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, as.privateKey, new TextEncoder().encode(input)))
    await refuses(`${input}.${b64(sig)}`, 'malformed_token')
  })
})

describe('the compact JWS around the claims', () => {
  it('two or four segments: refused, no key fetched', async () => {
    const [h, p, s] = (await token()).split('.') as [string, string, string]
    await accepts(`${h}.${p}.${s}`)
    const before = as.server.requests
    for (const jwt of [`${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s}.`])
      await rejection(() => rs().authenticate(`Bearer ${jwt}`), BearerError, 401)
    expect(as.server.requests).toBe(before)
  })

  it('crit present, in any form, is refused as malformed_token', async () => {
    for (const crit of [['x-ext'], [], 'x-ext', null, false]) await refuses(await token({}, { crit, 'x-ext': true }), 'malformed_token')
  })

  it('a header that is not a JSON object is malformed', async () => {
    const [, p, s] = (await token()).split('.') as [string, string, string]
    for (const header of ['[{"alg":"ES256"}]', '"ES256"', '{"alg":"ES256",'])
      await rejection(() => rs().authenticate(`Bearer ${b64(header)}.${p}.${s}`), BearerError, 401, 'invalid_token')
  })
})
