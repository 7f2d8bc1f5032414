/**
 * Explicit hostile cases for what the client sends (classes 6, 7, 11) and for secrets an AS echoes
 * back (class 12). Every case asserts the exact error class and status.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { faults, startHttpServer } from '@org/rs-testing'
import {
  AuthorizationServerError,
  BearerError,
  ConfigurationError,
  createClientCredentials,
  createResourceServer,
  type ResourceServer,
  TokenEndpointError,
} from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, jwtRs, rejection, SECRET, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())

const b64 = (v: unknown) => jose.base64url.encode(typeof v === 'string' ? v : JSON.stringify(v))

describe('class 6: auto mode decides locally whatever it can; an AS 400 about the token is a 401', () => {
  let rs: ResourceServer
  beforeAll(() => {
    rs = introspectingRs(as, { tokenFormat: 'auto', audience: 'api' })
    as.introspect = () => ({ status: 400, body: { error: 'unsupported_token_type' } })
  })

  it.each([
    ['malformed JWT (payload not JSON)', async () => `${b64({ alg: 'ES256' })}.${b64('not json')}.${b64('sig')}`],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(goodClaims(as))}.`],
    ['alg not allowed (HS256)', async () => `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64(goodClaims(as))}.${b64('sig')}`],
    ['a JWE', async () => `${b64({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })}.${b64('k')}.${b64('iv')}.${b64('ct')}.${b64('tag')}`],
    ['a foreign iss', () => signJwt(as, { ...goodClaims(as), iss: 'https://evil.example' })],
    ['a missing iss', () => signJwt(as, { ...goodClaims(as), iss: undefined })],
    ['an array iss', () => signJwt(as, { ...goodClaims(as), iss: [as.issuer] })],
    ['a null iss', () => signJwt(as, { ...goodClaims(as), iss: null })],
    ['a non-object payload (array)', () => signJwt(as, '[1,2]')],
    ['a non-object payload (string)', () => signJwt(as, '"x"')],
    ['a non-object payload (number)', () => signJwt(as, '1')],
  ])('%s: 401 invalid_token, no AS call', async (_name, make) => {
    const token = await make()
    const before = as.introspections
    await rejection(() => rs.authenticate(`Bearer ${token}`), BearerError, 401, 'invalid_token')
    expect(as.introspections).toBe(before)
  })

  it('alg none is a 401 even when the AS is unreachable (no discovery, no JWKS fetch first)', async () => {
    const dead = await startHttpServer(faults.resetConnection())
    await dead.close()
    for (const format of ['jwt', 'auto'] as const) {
      const rsDead = createResourceServer({
        issuer: dead.url,
        audience: 'api',
        tokenFormat: format,
        ...(format === 'auto' ? { clientId: 'rs', clientSecret: SECRET } : {}),
      })
      await rejection(
        () => rsDead.authenticate(`Bearer ${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ ...goodClaims(as), iss: dead.url })}.`),
        BearerError,
        401,
      )
      await rejection(
        () =>
          rsDead.authenticate(`Bearer ${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64({ ...goodClaims(as), iss: dead.url })}.${b64('sig')}`),
        BearerError,
        401,
      )
    }
  })

  it.each(['unsupported_token_type', 'invalid_request', 'invalid_token'])(
    'an AS 400 %s for an opaque token is 401, cached as inactive',
    async (error) => {
      as.introspect = () => ({ status: 400, body: { error } })
      const token = `opaque-${error}`
      const before = as.introspections
      await rejection(() => rs.authenticate(`Bearer ${token}`), BearerError, 401, 'invalid_token')
      await rejection(() => rs.authenticate(`Bearer ${token}`), BearerError, 401, 'invalid_token')
      expect(as.introspections).toBe(before + 1)
    },
  )

  it('other AS 400s stay 503', async () => {
    as.introspect = () => ({ status: 400, body: { error: 'server_is_confused' } })
    await rejection(() => rs.authenticate('Bearer opaque-other'), AuthorizationServerError, 503)
  })
})

describe('class 7: every input gives a typed error', () => {
  it.each([
    ['typ number', 1],
    ['typ array', ['at+jwt']],
    ['typ object', { t: 'at+jwt' }],
    ['typ true', true],
  ])('a signed JWT with %s: 401', async (_n, typ) => {
    const rs = jwtRs(as)
    await rejection(async () => rs.authenticate(`Bearer ${await signJwt(as, goodClaims(as), { typ })}`), BearerError, 401, 'invalid_token')
  })

  it.each([
    ['a number', 123],
    ['an object', {}],
    ['[undefined]', [undefined]],
    ['[123]', [123]],
  ])('an Authorization value that is %s: 400', async (_n, value) => {
    const rs = introspectingRs(as)
    await rejection(() => rs.authenticate(value as never), BearerError, 400, 'invalid_request')
  })

  it.each([
    ['empty', ''],
    ['spaces', 'a b'],
    ['only spaces', '   '],
    ['CR/LF', 'abc\r\nX-Injected: 1'],
    ['1 MB', 'a'.repeat(1 << 20)],
    ['not a string', 42],
  ])('verifyToken(%s): 400, never sent to the AS', async (_n, token) => {
    const rs = introspectingRs(as)
    const before = as.introspections
    await rejection(() => rs.verifyToken(token as never), BearerError, 400, 'invalid_request')
    expect(as.introspections).toBe(before)
  })

  it('per-call scopes given as a string: ConfigurationError, from authenticate and verifyToken', async () => {
    const rs = introspectingRs(as)
    await rejection(() => rs.authenticate('Bearer abc', { scopes: 'a b' as never }), ConfigurationError)
    await rejection(() => rs.authenticate('Bearer abc', { anyScope: [1] as never }), ConfigurationError)
    await rejection(() => rs.verifyToken('abc', { scopes: 'a b' as never }), ConfigurationError)
  })
})

describe('class 11: non-canonical base64url is refused before anything else', () => {
  const flipUnusedBits = (token: string) => {
    // An ES256 signature is 64 bytes: 86 base64url characters, the last one carrying 2 unused bits.
    const last = token[token.length - 1]!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    return token.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1]
  }

  it('the canonical token verifies; padded or bit-flipped spellings are 401 in every mode, no AS call', async () => {
    const token = await signJwt(as, goodClaims(as))
    const jwt = jwtRs(as)
    expect((await jwt.authenticate(`Bearer ${token}`)).sub).toBe('user-1')
    const variants = [`${token}==`, `${token}=`, flipUnusedBits(token)]
    expect(variants.every((v) => v !== token)).toBe(true)
    const intro = introspectingRs(as)
    const auto = introspectingRs(as, { tokenFormat: 'auto', audience: 'api' })
    const before = as.introspections
    for (const v of variants) {
      for (const rs of [jwt, intro, auto]) await rejection(() => rs.authenticate(`Bearer ${v}`), BearerError, 401, 'invalid_token')
    }
    expect(as.introspections).toBe(before)
  })
})

describe('class 12: no form of the token or the client secret survives in an error message', () => {
  const token = 'secret-token-value/with+chars=='.replace('==', '')
  const forms = (id: string) => [
    SECRET,
    token,
    encodeURIComponent(token),
    btoa(`${id}:${SECRET}`),
    btoa(`${id}:${SECRET}`).replace(/=+$/, ''),
    encodeURIComponent(SECRET),
  ]

  it.each([
    ['the raw token', () => token],
    ['the URL-encoded token', () => encodeURIComponent(token)],
    ['Basic credentials', () => btoa(`rs-1:${SECRET}`)],
    ['the secret', () => SECRET],
  ])('introspection error echoing %s', async (_n, echo) => {
    const rs = introspectingRs(as, { authMethod: 'client_secret_basic' })
    as.introspect = () => ({ status: 500, body: { error: `bad ${echo()} here` } })
    const err = await rejection(() => rs.authenticate(`Bearer ${token}`), AuthorizationServerError, 503)
    for (const f of forms('rs-1')) expect(err.message).not.toContain(f.slice(0, 12))
    expect(err.message).toContain('[redacted]')
  })

  it('token endpoint error echoing the Basic credentials and the form-encoded secret', async () => {
    const secret = 'a secret/with+odd&chars=0123456789'
    const basic = btoa(`${encodeURIComponent('svc')}:${encodeURIComponent(secret)}`)
    const server = await startHttpServer(
      faults.json(
        { error: 'invalid_client', error_description: `got ${basic} and ${new URLSearchParams({ s: secret }).toString().slice(2)}` },
        400,
      ),
    )
    try {
      const cc = createClientCredentials({
        tokenEndpoint: `${server.url}/token`,
        clientId: 'svc',
        clientSecret: secret,
        authMethod: 'client_secret_basic',
      })
      const err = (await rejection(() => cc.getAccessToken(), TokenEndpointError as never)) as TokenEndpointError
      expect(err.message).not.toContain(basic.slice(0, 12))
      expect(err.message).not.toContain('with%2Bodd')
      expect(err.errorDescription).toBe('got [redacted] and [redacted]')
    } finally {
      await server.close()
    }
  })
})
