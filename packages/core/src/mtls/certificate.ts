/**
 * Certificate-bound access tokens (RFC 8705 §3): the SHA-256 thumbprint of the client certificate a
 * token is bound to (`cnf["x5t#S256"]`), the certificate taken from the TLS connection or, behind a
 * TLS-terminating proxy the operator declared trusted, from the RFC 9440 `Client-Cert` header.
 *
 * Only the binding is checked here: the certificate's chain and validity are the TLS layer's (or the
 * proxy's) business, as RFC 8705 §3 says (a self-signed certificate may be bound to a token).
 *
 * @module mtls/certificate
 */
import { base64url } from 'jose'
import { BearerError } from '../errors.js'
import { sha256 } from '../hash/index.js'

/** base64url(SHA-256(DER)): the `x5t#S256` confirmation of a certificate. */
export function certificateThumbprint(der: Uint8Array): string {
  return base64url.encode(sha256(der))
}

/** Longest `Client-Cert` header accepted (a certificate chain does not belong there). */
const MAX_CLIENT_CERT_HEADER = 16_384
// RFC 9440 §2.2: an RFC 8941 byte sequence, i.e. standard base64 between colons.
const SF_BINARY = /^:([A-Za-z0-9+/]+={0,2}):$/

/**
 * The DER bytes of an RFC 9440 `Client-Cert` header, `undefined` when there is none. Throws a
 * {@link BearerError} `invalid_request` for several headers or a malformed one.
 */
export function parseClientCertHeader(value: string | readonly string[] | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') {
    if (value.length === 0) return undefined
    if (value.length > 1) throw new BearerError('invalid_request', 'More than one Client-Cert header')
    value = value[0]!
  }
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  const match = trimmed.length <= MAX_CLIENT_CERT_HEADER ? SF_BINARY.exec(trimmed) : null
  if (match === null)
    throw new BearerError('invalid_request', 'The Client-Cert header is not one base64 certificate between colons (RFC 9440)')
  try {
    return Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0))
  } catch {
    throw new BearerError('invalid_request', 'The Client-Cert header is not valid base64')
  }
}

/** What {@link clientCertificateOf} reads: a Node `tls.TLSSocket` (or anything shaped like one). */
export interface PeerCertificateSource {
  getPeerCertificate?: (detailed?: boolean) => { raw?: Uint8Array | undefined } | null | undefined
}

/**
 * The DER of the certificate the client presented on a Node TLS socket (`req.socket`), or
 * `undefined` for a plain socket or no certificate. Duck-typed: core imports nothing from Node.
 *
 * @example An adapter
 * ```ts
 * rs.authenticateRequest({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, clientCertificate: () => clientCertificateOf(req.socket) })
 * ```
 */
export function clientCertificateOf(socket: unknown): Uint8Array | undefined {
  const source = socket as PeerCertificateSource | null | undefined
  if (typeof source?.getPeerCertificate !== 'function') return undefined
  const raw = source.getPeerCertificate(false)?.raw
  return raw instanceof Uint8Array && raw.length > 0 ? raw : undefined
}
