/**
 * The signature step a resource server's JWT path uses: the `signatureVerifier` option, else the
 * default set with `setDefaultSignatureVerifier` (refused when not a function, ignored on a foreign
 * object), else WebCrypto; and `useNodeCrypto`'s checks of the module it is given (a `verify`, a
 * `KeyObject.from`, a `hash` that is SHA-256 in every byte). Tokens from a real local AS.
 */
import * as nodeCrypto from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError, setDefaultSignatureVerifier, useNodeCrypto, webCryptoSignatureVerifier } from '../../src/index.js'
import { type FakeAS, goodClaims, jwtRs, signJwt, startFakeAS, thrown } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())

describe('setDefaultSignatureVerifier', () => {
  it('is used when the options name no verifier, from the next verification on', async () => {
    const rs = jwtRs(as)
    let calls = 0
    setDefaultSignatureVerifier(rs, (...args) => (calls++, webCryptoSignatureVerifier(...args)))
    expect((await rs.authenticate(`Bearer ${await signJwt(as, goodClaims(as))}`))?.sub).toBe('user-1')
    expect(calls).toBe(1)
  })

  it('never overrides the signatureVerifier option', async () => {
    let option = 0
    let fallback = 0
    const rs = jwtRs(as, { signatureVerifier: (...args) => (option++, webCryptoSignatureVerifier(...args)) })
    setDefaultSignatureVerifier(rs, () => (fallback++, false))
    expect((await rs.authenticate(`Bearer ${await signJwt(as, goodClaims(as))}`))?.sub).toBe('user-1')
    expect([option, fallback]).toEqual([1, 0])
  })

  it('refuses what is not a function, naming the component and the verifier', () => {
    const rs = jwtRs(as)
    for (const bad of [undefined, null, {}, 'webcrypto']) {
      const err = thrown(() => setDefaultSignatureVerifier(rs, bad as never, 'myAdapter'), ConfigurationError)
      expect(err.issues.map((i) => i.path)).toEqual(['verifier'])
      expect(err.message).toContain('myAdapter')
    }
  })

  it('does nothing to an object createResourceServer did not return', () => {
    expect(() => setDefaultSignatureVerifier({} as never, () => true)).not.toThrow()
  })
})

describe('useNodeCrypto checks the module', () => {
  const base = { KeyObject: nodeCrypto.KeyObject, verify: nodeCrypto.verify, hash: nodeCrypto.hash }

  it('needs verify and KeyObject.from', () => {
    const rs = jwtRs(as)
    for (const bad of [
      { KeyObject: nodeCrypto.KeyObject },
      { verify: nodeCrypto.verify },
      { ...base, verify: 'yes' },
      { ...base, KeyObject: {} },
    ]) {
      expect(thrown(() => useNodeCrypto(rs, bad as never), ConfigurationError).issues.map((i) => i.path)).toEqual(['nodeCrypto'])
    }
    expect(() => useNodeCrypto(rs, base as never)).not.toThrow()
  })

  it('refuses a hash wrong in its last byte only', () => {
    const rs = jwtRs(as)
    const almost = (algorithm: string, data: string) => {
      const right = nodeCrypto.hash(algorithm, data, 'binary')
      return right.slice(0, 31) + String.fromCharCode(right.charCodeAt(31) ^ 1)
    }
    expect(thrown(() => useNodeCrypto(rs, { ...base, hash: almost } as never), ConfigurationError).issues[0]).toMatchObject({
      path: 'nodeCrypto',
    })
    const firstByte = (algorithm: string, data: string) => {
      const right = nodeCrypto.hash(algorithm, data, 'binary')
      return String.fromCharCode(right.charCodeAt(0) ^ 0x80) + right.slice(1)
    }
    thrown(() => useNodeCrypto(rs, { ...base, hash: firstByte } as never), ConfigurationError)
  })
})
