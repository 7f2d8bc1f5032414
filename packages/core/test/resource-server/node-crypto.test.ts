/**
 * useNodeCrypto(rs, crypto): what the Node adapters call. JWT signatures are verified with
 * node:crypto unless the options chose a verifier, and verified-JWT cache keys are hashed with its
 * one-shot `hash`; a module that is not node:crypto, or whose hash is not SHA-256, is refused at once.
 * Counted on a real node:crypto behind a thin wrapper; tokens from a real local AS.
 */
import * as nodeCrypto from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigurationError, useNodeCrypto, webCryptoSignatureVerifier } from '../../src/index.js'
import { type FakeAS, goodClaims, introspectingRs, jwtRs, signJwt, startFakeAS, thrown } from '../support/index.js'

let as: FakeAS
beforeAll(async () => {
  as = await startFakeAS()
})
afterAll(() => as.close())

/** node:crypto, counting the calls core makes to `verify` and `hash`. */
function countingCrypto(overrides: Record<string, unknown> = {}) {
  const calls = { verify: 0, hash: 0 }
  const module = {
    KeyObject: nodeCrypto.KeyObject,
    createHmac: nodeCrypto.createHmac,
    timingSafeEqual: nodeCrypto.timingSafeEqual,
    constants: nodeCrypto.constants,
    verify: (...args: Parameters<typeof nodeCrypto.verify>) => (calls.verify++, nodeCrypto.verify(...args)),
    hash: (algorithm: string, data: string, encoding: 'binary' | 'hex') => (calls.hash++, nodeCrypto.hash(algorithm, data, encoding)),
    ...overrides,
  }
  return { module: module as unknown as typeof nodeCrypto, calls }
}

describe('useNodeCrypto', () => {
  it('verifies with node:crypto, once per token: the next requests are cache hits keyed by its hash', async () => {
    const rs = jwtRs(as)
    const { module, calls } = countingCrypto()
    useNodeCrypto(rs, module)
    const token = await signJwt(as, goodClaims(as))
    for (let i = 0; i < 3; i++) expect((await rs.authenticate(`Bearer ${token}`)).sub).toBe('user-1')
    expect(calls.verify).toBe(1)
    expect(calls.hash).toBeGreaterThanOrEqual(3) // every lookup, hits included, is keyed by node:crypto's hash
    const other = await signJwt(as, { ...goodClaims(as), sub: 'user-2' })
    expect((await rs.authenticate(`Bearer ${other}`)).sub).toBe('user-2')
    expect(calls.verify).toBe(2)
  })

  it('the signatureVerifier option still wins; the cache keys are node:crypto hashes all the same', async () => {
    let optionCalls = 0
    const rs = jwtRs(as, { signatureVerifier: (...args) => (optionCalls++, webCryptoSignatureVerifier(...args)) })
    const { module, calls } = countingCrypto()
    useNodeCrypto(rs, module)
    const token = await signJwt(as, goodClaims(as))
    await rs.authenticate(`Bearer ${token}`)
    await rs.authenticate(`Bearer ${token}`)
    expect(optionCalls).toBe(1)
    expect(calls.verify).toBe(0)
    expect(calls.hash).toBeGreaterThan(0)
  })

  it('a wrong signature is refused with node:crypto as with WebCrypto', async () => {
    const rs = jwtRs(as)
    useNodeCrypto(rs, nodeCrypto)
    const token = await signJwt(as, goodClaims(as))
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(86)}`
    await expect(rs.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'invalid_token', status: 401 })
  })

  it('without hash (an older node:crypto), core keeps its own SHA-256; verification is still node:crypto', async () => {
    const rs = jwtRs(as)
    const { module, calls } = countingCrypto({ hash: undefined })
    useNodeCrypto(rs, module)
    const token = await signJwt(as, goodClaims(as))
    await rs.authenticate(`Bearer ${token}`)
    await rs.authenticate(`Bearer ${token}`)
    expect(calls.verify).toBe(1)
  })

  it('switching hashes on a warm resource server only costs one more verification per cached token', async () => {
    const rs = jwtRs(as)
    const { module, calls } = countingCrypto()
    const token = await signJwt(as, goodClaims(as))
    await rs.authenticate(`Bearer ${token}`) // cached under core's own key
    useNodeCrypto(rs, module)
    await rs.authenticate(`Bearer ${token}`)
    await rs.authenticate(`Bearer ${token}`)
    expect(calls.verify).toBe(1)
  })

  it('refuses what is not node:crypto, or a hash that is not SHA-256, naming the component', () => {
    const rs = jwtRs(as)
    for (const bad of [null, {}, { verify: () => true }, 'node:crypto']) {
      expect(thrown(() => useNodeCrypto(rs, bad as never, 'requireAuth'), ConfigurationError).message).toContain('requireAuth')
    }
    const lying = countingCrypto({ hash: () => 'x'.repeat(32) }).module
    expect(thrown(() => useNodeCrypto(rs, lying), ConfigurationError).issues[0]).toMatchObject({ path: 'nodeCrypto' })
    const md5 = countingCrypto({ hash: (_: string, data: string) => nodeCrypto.hash('md5', data, 'binary') }).module
    expect(thrown(() => useNodeCrypto(rs, md5), ConfigurationError).issues[0]!.message).toContain('SHA-256')
  })

  it('keys introspection verdicts with its hash too: the same keys as core’s own, so instances with and without it share a store', async () => {
    as.introspections = 0
    as.introspect = () => ({ body: { active: true, iss: as.issuer, sub: 'user-9', client_id: 'app-9', scope: 'read' } })
    const entries = new Map<string, unknown>()
    const store = {
      get: (key: string) => entries.get(key),
      set: (key: string, value: unknown) => void entries.set(key, value),
      delete: (key: string) => void entries.delete(key),
    }
    const { module, calls } = countingCrypto()
    const onNode = introspectingRs(as, { cache: { store } })
    useNodeCrypto(onNode, module)
    calls.hash = 0
    expect((await onNode.authenticate('Bearer opaque-token-1'))?.sub).toBe('user-9')
    expect((await onNode.authenticate('Bearer opaque-token-1'))?.sub).toBe('user-9')
    expect(calls.hash).toBeGreaterThanOrEqual(2) // every lookup, hits included
    expect([...entries.keys()]).toEqual([expect.stringMatching(/^rs:introspection:[0-9a-f]{64}$/)])
    // Another instance on core's own SHA-256 finds the verdict under the same key: no second introspection.
    const plain = introspectingRs(as, { cache: { store } })
    expect((await plain.authenticate('Bearer opaque-token-1'))?.sub).toBe('user-9')
    expect(as.introspections).toBe(1)
  })

  it('refuses a hash whose hex form is not SHA-256 (the verdict keys other instances read)', () => {
    const rs = jwtRs(as)
    const upper = countingCrypto({
      hash: (algorithm: string, data: string, encoding: 'binary' | 'hex') => {
        const digest = nodeCrypto.hash(algorithm, data, encoding)
        return encoding === 'hex' ? digest.toUpperCase() : digest
      },
    }).module
    expect(thrown(() => useNodeCrypto(rs, upper), ConfigurationError).issues[0]!.message).toContain('SHA-256')
  })

  it('has no effect on an object createResourceServer did not return', () => {
    const { module, calls } = countingCrypto()
    expect(() => useNodeCrypto({} as never, module)).not.toThrow()
    expect(calls.hash).toBe(0)
  })
})
