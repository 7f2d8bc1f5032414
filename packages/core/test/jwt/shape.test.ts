/**
 * Which tokens are JWTs (verified locally) and which are opaque (introspected) in `auto` mode, and
 * the one spelling a JWT may have: decided from the token's shape before any cryptography or
 * network call. Against a real local AS that counts its introspections.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BearerError } from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, rejection, signJwt, startFakeAS } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
  as.introspect = () => ({ body: { active: true, sub: 'opaque-user', scope: 'read' } })
})
afterAll(() => as?.close())
beforeEach(() => {
  as.introspections = 0
})

/** `auto`: JWTs of our issuer locally, anything else by introspection. */
const auto = () => introspectingRs(as, { tokenFormat: 'auto', audience: 'api' })
/** Refused (401 malformed_token) by its shape alone: the AS heard nothing of it, neither a JWKS fetch nor an introspection. */
const refusedUnheard = async (token: string) => {
  const before = as.server.requests
  const err = await rejection(() => auto().authenticate(`Bearer ${token}`), BearerError, 401, 'invalid_token')
  expect(err.reason, token).toBe('malformed_token')
  expect(as.server.requests, token).toBe(before)
  return err
}
const b64url = (s: string) => btoa(s).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')

describe('a JWT is verified locally; anything else is introspected', () => {
  it('a JWT of our issuer never reaches the introspection endpoint', async () => {
    expect(await auto().authenticate(`Bearer ${await signJwt(as, goodClaims(as))}`)).toMatchObject({ source: 'jwt', sub: 'user-1' })
    expect(as.introspections).toBe(0)
  })

  it('a header whose base64url uses "-" and "_" is still read as a JWT header', async () => {
    const kid = 'k15\u00ff\u00fe??>>'
    const header = b64url(String.fromCharCode(...new TextEncoder().encode(JSON.stringify({ alg: 'ES256', kid, typ: 'at+jwt' }))))
    expect(header).toMatch(/-/)
    expect(header).toMatch(/_/)
    as.jwks = [...as.jwks, { ...as.jwks[0]!, kid }]
    try {
      expect(await auto().authenticate(`Bearer ${await signJwt(as, goodClaims(as), { kid })}`)).toMatchObject({ source: 'jwt' })
      expect(as.introspections).toBe(0)
    } finally {
      as.jwks = as.jwks.slice(0, 1)
    }
  })

  it('opaque tokens, with or without dots, are introspected', async () => {
    // a first segment that is not a JSON object (an array, null, a number, invalid UTF-8 inside a string) is no JWT header
    const notUtf8 = b64url('{"alg":"ES256","x":"\xff"}')
    const tokens = [
      'opaque',
      'a.b',
      'a.b.c',
      `${b64url('[1]')}.e30.c2ln`,
      `${b64url('null')}.e30.c2ln`,
      `${b64url('1')}.e30.c2ln`,
      `${notUtf8}.e30.c2ln`,
    ]
    tokens.push('a.b.c.d', 'a.b.c.d.e.f', '.a.b', `${b64url('{}')}.a.b.c`)
    for (const token of tokens) {
      expect(await auto().authenticate(`Bearer ${token}`), token).toMatchObject({ source: 'introspection', sub: 'opaque-user' })
    }
    expect(as.introspections).toBe(tokens.length)
  })
})

describe('a JWE (five segments) is refused as one, whatever its segments hold', () => {
  it('even when its second segment decodes to claims of our issuer: 401 malformed_token naming JWE, without the AS', async () => {
    const header = b64url(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }))
    const claims = b64url(JSON.stringify(goodClaims(as)))
    for (const token of [`${header}.${claims}.aXY.Y3Q.dGFn`, `${header}..aXY.Y3Q.dGFn`]) {
      const err = await refusedUnheard(token)
      expect(err.description, token).toMatch(/JWE/)
    }
  })
})

describe('a token that claims to be a JWT has one spelling: canonical base64url', () => {
  it('padding or unused bits set in any segment is a 401, decided without the AS', async () => {
    const token = await signJwt(as, goodClaims(as))
    const [h, p, s] = token.split('.') as [string, string, string]
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const flipLowBit = (seg: string) => seg.slice(0, -1) + alphabet[alphabet.indexOf(seg.at(-1)!) ^ 1]
    // Segments whose length is 2 or 3 mod 4 carry unused bits in their last character.
    // ("=" before the end breaks RFC 6750's b64token syntax: a 400, also without the AS)
    const before = as.server.requests
    expect((await rejection(() => auto().authenticate(`Bearer ${h}=.${p}.${s}`), BearerError, 400)).code).toBe('invalid_request')
    expect(as.server.requests).toBe(before)
    const respelt = [`${h}.${p}.${s}=`, `${h}.${p}.${flipLowBit(s)}`, `${h}.${p}+.${s}`]
    for (const [seg, len] of [
      [h, h.length],
      [p, p.length],
    ] as const)
      if (len % 4 >= 2) respelt.push(token.replace(seg, flipLowBit(seg)))
    for (const t of respelt) {
      expect(t).not.toBe(token)
      await refusedUnheard(t)
    }
    expect(await auto().authenticate(`Bearer ${token}`)).toMatchObject({ source: 'jwt' })
  })

  it('"+" or "/" inside a segment (base64, not base64url) is a 401, decided without the AS', async () => {
    // a token whose segments hold "-" and "_" before their last character, to respell them as "+" and "/"
    let token = ''
    for (let n = 0; n < 200; n++) {
      token = await signJwt(as, { ...goodClaims(as), n })
      const inner = token.split('.').map((seg) => seg.slice(0, -1))
      if (inner.some((seg) => seg.includes('-')) && inner.some((seg) => seg.includes('_'))) break
    }
    expect(await auto().authenticate(`Bearer ${token}`)).toMatchObject({ source: 'jwt' })
    const segments = token.split('.')
    const respelt: string[] = []
    for (const [i, seg] of segments.entries()) {
      const dash = seg.slice(0, -1).indexOf('-')
      const underscore = seg.slice(0, -1).indexOf('_')
      const at = (j: number, c: string) => segments.map((s, k) => (k === i ? s.slice(0, j) + c + s.slice(j + 1) : s)).join('.')
      if (dash !== -1) respelt.push(at(dash, '+'))
      if (underscore !== -1) respelt.push(at(underscore, '/'))
    }
    expect(respelt.length).toBeGreaterThanOrEqual(2)
    for (const t of respelt) await refusedUnheard(t)
  })

  it('a segment of 3 mod 4 characters: any character whose 2 unused bits are clear ends it, no other', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // grow the payload until it is 3 mod 4 long and ends in a character with bit 2 or 3 set (e.g. "E", "Q")
    let token = ''
    for (let pad = ''; pad.length < 64; pad += 'x') {
      token = await signJwt(as, { ...goodClaims(as), pad })
      const p = token.split('.')[1]!
      if (p.length % 4 === 3 && (alphabet.indexOf(p.at(-1)!) & 0x0c) !== 0) break
    }
    const p = token.split('.')[1]!
    expect([p.length % 4, alphabet.indexOf(p.at(-1)!) & 0x0c]).not.toContain(0)
    expect(await auto().authenticate(`Bearer ${token}`)).toMatchObject({ source: 'jwt' })
    // and its 2 unused bits may not be set: the same bytes spelt otherwise are refused, without the AS
    for (const bit of [1, 2]) {
      const respelt = token.replace(`.${p}.`, `.${p.slice(0, -1)}${alphabet[alphabet.indexOf(p.at(-1)!) ^ bit]}.`)
      expect(respelt).not.toBe(token)
      expect((await rejection(() => auto().authenticate(`Bearer ${respelt}`), BearerError, 401)).reason).toBe('malformed_token')
    }
    expect(as.introspections).toBe(0)
  })

  it('segment lengths: a segment of 1 mod 4 characters is never canonical', async () => {
    const token = await signJwt(as, goodClaims(as))
    const [h, p, s] = token.split('.') as [string, string, string]
    const padTo1 = (seg: string) => seg + 'A'.repeat((5 - (seg.length % 4)) % 4)
    // (a 1-mod-4 header is no JSON header at all: such a token is opaque, and introspected)
    for (const t of [`${h}.${padTo1(p)}.${s}`, `${h}.${p}.${padTo1(s)}`]) await refusedUnheard(t)
    // introspection only: still refused here, never sent to the AS (which would call it active)
    const introspecting = introspectingRs(as, { tokenFormat: 'introspection' })
    for (const t of [`${h}.${p}.${padTo1(s)}`, `${h}.${padTo1(p)}.${s}`]) {
      const err = await rejection(() => introspecting.authenticate(`Bearer ${t}`), BearerError, 401, 'invalid_token')
      expect(err.reason).toBe('malformed_token')
    }
    expect(as.introspections).toBe(0)
  })
})
