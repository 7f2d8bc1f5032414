/**
 * Certificate-bound access tokens (RFC 8705): thumbprints, the RFC 9440 `Client-Cert` header, the
 * peer certificate of a Node TLS socket. The policy (when a certificate is required) lives in
 * `sender-constraint/`.
 *
 * @module mtls
 */
export { certificateThumbprint, clientCertificateOf, parseClientCertHeader, type PeerCertificateSource } from './certificate.js'
