/**
 * Events and logs that explain every decision to the operator, never with a token or a secret.
 *
 * @module events
 */
export { EventSink, type EventSinkOptions } from './emitter.js'
export { nearMiss, nearMissOfAny, reasonOf } from './reasons.js'
export type {
  AuthenticatedEvent,
  AuthorizationServerErrorEvent,
  ConfigurationProblemEvent,
  JwksRefreshedEvent,
  Logger,
  MetadataDiscoveredEvent,
  RefusalReason,
  RejectedEvent,
  ResourceServerEvent,
  StoreErrorEvent,
} from './types.js'
