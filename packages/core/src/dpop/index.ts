/**
 * DPoP (RFC 9449) at the resource server: proof verification, `htu` normalisation, server nonces,
 * replay detection. The policy (when a proof is required, how a refusal is challenged) lives in
 * `sender-constraint/`.
 *
 * @module dpop
 */
export { expectedHtu, normaliseHtu, publicBase, type PublicBase } from './htu.js'
export { NonceSource } from './nonce.js'
export {
  DEFAULT_DPOP_ALGS,
  DPOP_ALGS,
  type DpopAlgorithm,
  type ProofSettings,
  ProofVerifier,
  singleProof,
  type VerifiedProof,
} from './proof.js'
export { ReplayCache } from './replay.js'
