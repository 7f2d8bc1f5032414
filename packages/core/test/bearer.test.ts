import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, extractBearerToken } from '../src/index.js'
import { type FakeAS, introspectingRs, rejection, startFakeAS } from './support/index.js'

function rejects(header: string | string[], code = 'invalid_request') {
  try {
    extractBearerToken(header)
  } catch (err) {
    expect(err).toBeInstanceOf(BearerError)
    expect((err as BearerError).code).toBe(code)
    expect((err as BearerError).status).toBe(400)
    return err as BearerError
  }
  throw new Error(`expected ${JSON.stringify(header)} to be rejected`)
}

describe('extractBearerToken (RFC 6750 §2.1)', () => {
  it('takes the token of a Bearer credential, scheme case-insensitive', () => {
    expect(extractBearerToken('Bearer mF_9.B5f-4.1JqM')).toBe('mF_9.B5f-4.1JqM')
    expect(extractBearerToken('bearer abc')).toBe('abc')
    expect(extractBearerToken('BEARER abc==')).toBe('abc==')
    expect(extractBearerToken('Bearer   abc')).toBe('abc')
    expect(extractBearerToken(['Bearer abc'])).toBe('abc')
  })

  it('treats no header, an empty one or another scheme as no credentials', () => {
    expect(extractBearerToken(undefined)).toBeUndefined()
    expect(extractBearerToken(null)).toBeUndefined()
    expect(extractBearerToken('')).toBeUndefined()
    expect(extractBearerToken('   ')).toBeUndefined()
    expect(extractBearerToken([])).toBeUndefined()
    expect(extractBearerToken('Basic dXNlcjpwYXNz')).toBeUndefined()
    expect(extractBearerToken('Bearerabc')).toBeUndefined()
  })

  it('rejects malformed credentials with invalid_request and never echoes the token', () => {
    rejects('Bearer')
    rejects('Bearer ')
    const two = rejects('Bearer secret-one secret-two')
    expect(two.message).not.toContain('secret-one')
    expect(two.wwwAuthenticate).not.toContain('secret')
    rejects('Bearer a,b')
    rejects('Bearer a\tb')
    rejects('Bearer ab"c')
    rejects('Bearer a=b')
    rejects('Bearer é')
    rejects(['Bearer a', 'Bearer b'])
  })

  it('rejects oversized tokens before any other work', () => {
    expect(extractBearerToken(`Bearer ${'a'.repeat(8192)}`)).toHaveLength(8192)
    rejects(`Bearer ${'a'.repeat(8193)}`)
    rejects(`Bearer ${'a'.repeat(1_000_000)}`)
    expect(() => extractBearerToken(`Bearer ${'a'.repeat(100)}`, { maxLength: 64 })).toThrow(BearerError)
  })

  it("decodes ProConnect's base64-encoded tokens only when asked, raw tokens still pass", () => {
    const raw = 'mF_9.B5f-4.1JqM-token'
    const encoded = btoa(raw)
    expect(extractBearerToken(`Bearer ${encoded}`)).toBe(encoded)
    expect(extractBearerToken(`Bearer ${encoded}`, { acceptBase64: true })).toBe(raw)
    // oidc-provider's opaque tokens (43 base64url chars) and JWTs are not strict base64: kept as is.
    const opaque = 'Yk3B7x1Gd0e_9Pq2WvZr-5tLmNcHsAaJ8uIoE4fKbTy'
    expect(extractBearerToken(`Bearer ${opaque}`, { acceptBase64: true })).toBe(opaque)
    expect(extractBearerToken('Bearer eyJh.eyJz.c2ln', { acceptBase64: true })).toBe('eyJh.eyJz.c2ln')
    // base64 of something that is not a token (a space inside) is kept raw.
    const notToken = btoa('two words')
    expect(extractBearerToken(`Bearer ${notToken}`, { acceptBase64: true })).toBe(notToken)
  })

  it('property: any b64token round-trips; any other input gives a token, undefined or a BearerError', () => {
    const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,200}=*$/)
    fc.assert(fc.property(b64token, (t) => extractBearerToken(`Bearer ${t}`) === t))
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (h) => {
        try {
          const r = extractBearerToken(h)
          return r === undefined || /^[A-Za-z0-9\-._~+/]+=*$/.test(r)
        } catch (err) {
          return err instanceof BearerError && err.status === 400
        }
      }),
    )
  })
})

describe('BearerError', () => {
  it('builds RFC 6750 §3 challenges', () => {
    expect(new BearerError('missing_token', 'x').wwwAuthenticate).toBe('Bearer')
    expect(new BearerError('missing_token', 'x', { realm: 'api' }).wwwAuthenticate).toBe('Bearer realm="api"')
    const e = new BearerError('insufficient_scope', 'needs admin', {
      scope: 'admin write',
      resourceMetadata: 'https://api/.well-known/oauth-protected-resource',
    })
    expect(e.status).toBe(403)
    expect(e.wwwAuthenticate).toBe(
      'Bearer error="insufficient_scope", error_description="needs admin", scope="admin write", resource_metadata="https://api/.well-known/oauth-protected-resource"',
    )
    expect(new BearerError('invalid_token', 'bad "quote"\\ é').wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="bad quote "',
    )
    expect(JSON.parse(JSON.stringify(e))).toEqual({ error: 'insufficient_scope', error_description: 'needs admin' })
  })
})

describe('extractBearerToken: only a whole Bearer credential yields a token', () => {
  it('another scheme whose value contains "Bearer <token>" yields no token', () => {
    expect(extractBearerToken('Basic x Bearer tok')).toBeUndefined()
    expect(extractBearerToken('DPoP Bearer tok')).toBeUndefined()
    expect(extractBearerToken('xBearer tok')).toBeUndefined()
  })

  it('a scheme one letter away from Bearer yields no token', () => {
    for (let i = 0; i < 'Bearer'.length; i++) {
      const scheme = `${'Bearer'.slice(0, i)}X${'Bearer'.slice(i + 1)}`
      expect(extractBearerToken(`${scheme} tok`), scheme).toBeUndefined()
    }
  })

  it('surrounding whitespace is not part of the credential', () => {
    expect(extractBearerToken('  Bearer abc  ')).toBe('abc')
    expect(extractBearerToken('\tBearer abc')).toBe('abc')
  })

  it('a header that is neither a string nor an array of strings is a 400, not "no token"', () => {
    // an array-like object is not an array of headers: never read as one
    for (const header of [42, {}, [42], [undefined], { length: 0 }, { 0: 'Bearer abc', length: 1 }]) {
      expect(() => extractBearerToken(header as unknown as string), JSON.stringify(header)).toThrow(BearerError)
    }
  })

  it('maxLength is exact: a token of maxLength passes, one more character is a 400, on every path', () => {
    const at = 'a'.repeat(64)
    expect(extractBearerToken(`Bearer ${at}`, { maxLength: 64 })).toBe(at)
    expect(extractBearerToken(`Bearer   ${at}`, { maxLength: 64 })).toBe(at) // the slow path (several spaces)
    rejectsWith(`Bearer   ${at}a`, { maxLength: 64 })
    rejectsWith(`Bearer ${at}a`, { maxLength: 64 })
    // The whole header is bounded too (before any parsing), with room for the scheme and spaces.
    expect(extractBearerToken(`Bearer${' '.repeat(58)}${at}`, { maxLength: 64 })).toBe(at)
    rejectsWith(`Bearer${' '.repeat(59)}${at}`, { maxLength: 64 })
  })

  it('a lone scheme, or a scheme and spaces, is a 400', () => {
    rejectsWith('bearer')
    rejectsWith('Bearer    ')
  })

  it('base64 decoding applies on the slow path too, and only to strict, padded base64 of at least 8 characters', () => {
    expect(extractBearerToken(`Bearer   ${btoa('abcdef')}`, { acceptBase64: true })).toBe('abcdef')
    expect(extractBearerToken(`Bearer   ${btoa('abcdef')}`)).toBe(btoa('abcdef'))
    expect(extractBearerToken(`Bearer ${btoa('abcdef')}`, { acceptBase64: true })).toBe('abcdef') // exactly 8
    expect(extractBearerToken(`Bearer ${btoa('abcde')}`, { acceptBase64: true })).toBe('abcde') // one "="
    expect(extractBearerToken(`Bearer ${btoa('abcd')}`, { acceptBase64: true })).toBe('abcd') // two "="
    expect(extractBearerToken(`Bearer ${btoa('abc')}`, { acceptBase64: true })).toBe(btoa('abc')) // 4 characters: kept
    // unpadded base64 (decodable by atob) is not strict: kept as sent
    expect(extractBearerToken('Bearer YWJjZGVmZw', { acceptBase64: true })).toBe('YWJjZGVmZw')
    expect(extractBearerToken('Bearer YWJjZGVmZ2g', { acceptBase64: true })).toBe('YWJjZGVmZ2g')
  })
})

function rejectsWith(header: string, options: Parameters<typeof extractBearerToken>[1] = {}) {
  let thrown: unknown
  try {
    extractBearerToken(header, options)
  } catch (err) {
    thrown = err
  }
  expect(thrown, header).toBeInstanceOf(BearerError)
  expect(thrown).toMatchObject({ status: 400, code: 'invalid_request' })
}

describe('verifyToken: a token given on its own is checked as one in a header', () => {
  let as: FakeAS
  beforeAll(async () => {
    as = await startFakeAS()
    as.introspect = () => ({ body: { active: true, sub: 'u' } })
  })
  afterAll(() => as?.close())

  it('up to bearer.maxLength characters reach the AS; longer, empty or not RFC 6750 is a 400 that does not', async () => {
    const rs = introspectingRs(as, { bearer: { maxLength: 64 } })
    await expect(rs.verifyToken('a'.repeat(64))).resolves.toMatchObject({ sub: 'u' })
    const before = as.introspections
    for (const token of ['a'.repeat(65), '', 'a b', 'a\r\nb', 42 as unknown as string]) {
      await rejection(() => rs.verifyToken(token), BearerError, 400, 'invalid_request')
    }
    expect(as.introspections).toBe(before)
  })
})
