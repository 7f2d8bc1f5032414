/**
 * Encrypted introspection responses (RFC 9701 §5): decrypted with the one of our keys the JWE names
 * (by kid and alg), only with allowed algorithms, and the signed JWT inside verified as usual. The
 * resource server holds two keys (RSA and EC) so a wrong choice of key shows.
 */
import type * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthorizationServerError, type ResourceServerOptions } from '../../src/index.js'
import { encryptTo, type FakeAS, introspectingRs, privateJwk, rejection, signedIntrospection, startFakeAS } from '../support/index.js'

let as: FakeAS
let body: () => Promise<string>
let rsa: jose.JWK
let rsa2: jose.JWK
let ec: jose.JWK
const ACTIVE = { active: true, sub: 'user-1', scope: 'read' }

beforeAll(async () => {
  ;[as, rsa, rsa2, ec] = await Promise.all([
    startFakeAS(),
    privateJwk('RSA-OAEP-256', { kid: 'rsa-1' }),
    privateJwk('RSA-OAEP-256', { kid: 'rsa-2' }),
    privateJwk('ECDH-ES+A256KW', { kid: 'ec-1' }),
  ])
  as.introspect = async () => ({ body: await body(), contentType: 'application/token-introspection+jwt' })
})
afterAll(() => as?.close())

const rs = (extra: Partial<ResourceServerOptions> = {}) => introspectingRs(as, { decryptionKeys: [rsa, rsa2, ec], ...extra })
/** The AS's signed answer, encrypted to `to` with `header`. */
const serve = (to: jose.JWK, header: jose.CompactJWEHeaderParameters) => {
  body = async () => encryptTo(to, await signedIntrospection(as, ACTIVE), header)
}
const ok = (extra: Partial<ResourceServerOptions> = {}) =>
  expect(rs(extra).authenticate('Bearer tok')).resolves.toMatchObject({ sub: 'user-1' })
const refused = async (extra: Partial<ResourceServerOptions> = {}) =>
  expect(await rejection(() => rs(extra).authenticate('Bearer tok'), AuthorizationServerError, 503)).toMatchObject({
    failure: 'bad_signature',
  })

describe('the decryption key is the one the JWE names', () => {
  it('by kid among keys of the same algorithm', async () => {
    serve(rsa2, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-2' })
    await ok()
    serve(rsa, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-1' })
    await ok()
  })

  it('by alg when the JWE names no kid', async () => {
    serve(ec, { alg: 'ECDH-ES+A256KW', enc: 'A128CBC-HS256' })
    await ok()
  })

  it('a kid we do not hold, or a kid of a key of another algorithm, is refused', async () => {
    serve(rsa, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-9' })
    const err = await rejection(() => rs().authenticate('Bearer tok'), AuthorizationServerError, 503)
    expect(err.cause).toBeInstanceOf(Error) // why, for the operator
    serve(ec, { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'rsa-1' })
    await refused()
  })
})

describe('only the allowed algorithms', () => {
  it('keyManagementAlgorithms and contentEncryptionAlgorithms are allow-lists', async () => {
    serve(ec, { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'ec-1' })
    await ok()
    await refused({ introspection: { response: 'jwt', keyManagementAlgorithms: ['RSA-OAEP-256'] } })
    await refused({ introspection: { response: 'jwt', contentEncryptionAlgorithms: ['A128GCM'] } })
    await ok({ introspection: { response: 'jwt', keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] } })
  })

  it('a payload that says it is not a JWT (cty) is refused; cty JWT in any case, or none, is read', async () => {
    for (const cty of ['JWT', 'jwt', undefined]) {
      serve(rsa, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-1', cty })
      await ok()
    }
    serve(rsa, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-1', cty: 'json' })
    await refused()
  })

  it('a bare JWS is refused when encryption is required (the default with decryptionKeys), accepted when optional', async () => {
    body = () => signedIntrospection(as, ACTIVE)
    await refused()
    await ok({ introspection: { response: 'jwt', encryption: 'optional' } })
  })
})
