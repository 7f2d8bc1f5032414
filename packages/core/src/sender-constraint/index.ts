/**
 * Sender-constrained access tokens (DPoP, RFC 9449; certificate-bound, RFC 8705): options, the
 * per-route policy, the challenge of a refusal. Called from `resource-server/authenticate.ts` once a
 * token is judged and before the route's requirements are accepted.
 *
 * @module sender-constraint
 */
export { type SchemeChallenge, SenderConstraintError } from './challenge.js'
export { type Credentials, extractCredentials } from './credentials.js'
export {
  checkSenderConstraintOptions,
  type DpopOptions,
  dpopOptionsSchema,
  dpopSettings,
  modeOf,
  modeSchema,
  type MtlsOptions,
  mtlsOptionsSchema,
  type SenderConstraintMode,
} from './options.js'
export { refuseUnproven, type RouteModes, SenderConstraints, type SenderConstraintSettings } from './policy.js'
