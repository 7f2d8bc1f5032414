/**
 * Certificate-bound tokens (RFC 8705): the `x5t#S256` thumbprint of DER bytes, the RFC 9440
 * `Client-Cert` header (absent, blank, one, several, malformed, oversized, bad base64) and the peer
 * certificate read from anything shaped like a Node TLS socket.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BearerError } from '../../src/errors.js'
import { certificateThumbprint, clientCertificateOf, parseClientCertHeader } from '../../src/mtls/certificate.js'
import { thrown } from '../support/index.js'

const der = Uint8Array.from([0x30, 0x82, 0x01, 0x0a, 0xfb, 0xff, 0x00, 0x7f])
const sf = (bytes: Uint8Array) => `:${Buffer.from(bytes).toString('base64')}:`

describe('certificateThumbprint', () => {
  it('is the base64url SHA-256 of the DER bytes, unpadded', () => {
    expect(certificateThumbprint(der)).toBe(createHash('sha256').update(der).digest('base64url'))
    expect(certificateThumbprint(new Uint8Array())).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU')
  })
})

describe('parseClientCertHeader', () => {
  it('is undefined without a header, for an empty list and for a blank value', () => {
    expect(parseClientCertHeader(undefined)).toBeUndefined()
    expect(parseClientCertHeader([])).toBeUndefined()
    expect(parseClientCertHeader('')).toBeUndefined()
    expect(parseClientCertHeader('  ')).toBeUndefined()
    expect(parseClientCertHeader(['  '])).toBeUndefined()
  })

  it('decodes one byte sequence, from a string or a one-element list, spaces around trimmed', () => {
    expect(parseClientCertHeader(sf(der))).toEqual(der)
    expect(parseClientCertHeader([` ${sf(der)} `])).toEqual(der)
    expect(parseClientCertHeader(':AA==:')).toEqual(Uint8Array.from([0]))
    expect(parseClientCertHeader(':AAA=:')).toEqual(Uint8Array.from([0, 0]))
    expect(parseClientCertHeader(':+/+/:')).toEqual(Uint8Array.from([0xfb, 0xff, 0xbf]))
  })

  it('refuses several headers and malformed ones with invalid_request (400)', () => {
    for (const value of [
      [sf(der), sf(der)],
      'AAAA',
      ':AAAA',
      'AAAA:',
      '::',
      ':AA-_:',
      ':AA===:',
      ':AA AA:',
      `${sf(der)},${sf(der)}`,
      'x:AAAA:',
      ':AAAA:x',
      ':A:', // not valid base64
    ]) {
      const err = thrown(() => parseClientCertHeader(value), BearerError)
      expect(err.code).toBe('invalid_request')
      expect(err.status).toBe(400)
    }
  })

  it('takes a header of up to 16384 characters, not longer', () => {
    const longest = `:${'A'.repeat(16_382)}:`
    expect(longest).toHaveLength(16_384)
    expect(parseClientCertHeader(longest)).toHaveLength(12_286)
    expect(thrown(() => parseClientCertHeader(`:${'A'.repeat(16_383)}:`), BearerError).code).toBe('invalid_request')
  })
})

describe('clientCertificateOf', () => {
  it('is the raw DER of the peer certificate, asked for without details', () => {
    const asked: unknown[] = []
    const socket = { getPeerCertificate: (detailed?: boolean) => (asked.push(detailed), { raw: der }) }
    expect(clientCertificateOf(socket)).toBe(der)
    expect(asked).toEqual([false])
  })

  it('is undefined for a plain socket, no certificate, or an empty or non-byte raw', () => {
    for (const socket of [
      undefined,
      null,
      {},
      { getPeerCertificate: 'no' },
      { getPeerCertificate: () => null },
      { getPeerCertificate: () => undefined },
      { getPeerCertificate: () => ({}) },
      { getPeerCertificate: () => ({ raw: new Uint8Array() }) },
      { getPeerCertificate: () => ({ raw: [1, 2, 3] }) },
    ]) {
      expect(clientCertificateOf(socket)).toBeUndefined()
    }
    expect(clientCertificateOf({ getPeerCertificate: () => ({ raw: Buffer.from([1]) }) })).toEqual(Buffer.from([1]))
  })
})
