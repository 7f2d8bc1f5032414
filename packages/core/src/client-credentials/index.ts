/**
 * Client-credentials tokens for this API's own outgoing calls (RFC 6749 §4.4).
 *
 * @module client-credentials
 */
export { createClientCredentials } from './create.js'
export type { ClientCredentials, ClientCredentialsOptions, ClientCredentialsToken, TokenRequestOptions } from './types.js'
