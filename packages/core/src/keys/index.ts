/**
 * Keys: this resource server's own private keys, and the authorization server's published keys.
 *
 * @module keys
 */
export { type ImportedKey, importPrivateKey, jwkAlgorithm, type PrivateKeyInput, publicJwks } from './private-keys.js'
export { RemoteKeySet, type RemoteKeySetOptions } from './remote-key-set.js'
