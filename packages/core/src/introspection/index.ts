/**
 * Token introspection (RFC 7662) with JSON, signed and encrypted responses (RFC 9701).
 *
 * @module introspection
 */
export { introspectToken } from './request.js'
export { parseIntrospectionJson } from './json-response.js'
export {
  CONTENT_ENCRYPTION_ALGS,
  type ContentEncryptionAlgorithm,
  DEFAULT_INTROSPECTION_SIGNING_ALGS,
  type IntrospectionClaims,
  type IntrospectorSettings,
  KEY_MANAGEMENT_ALGS,
  type KeyManagementAlgorithm,
} from './settings.js'
