/**
 * The events a resource server emits to explain itself to the operator: every authentication,
 * every refusal with its reason, every failure of the authorization server, key and metadata
 * refreshes, set-up problems, and failures of a shared cache store. No event ever holds a token or a secret.
 *
 * @module events/types
 */
import type { AuthorizationServerFailure, RefusalReason } from '../errors.js'

export type { RefusalReason }

/** A token was accepted. */
export interface AuthenticatedEvent {
  type: 'authenticated'
  /** How it was judged now: a cached verdict, a local JWT verification, or an introspection. */
  source: 'cache' | 'jwt' | 'introspection'
  issuer: string
  clientId: string | undefined
  sub: string | undefined
  /** Milliseconds spent in the SDK for this request. */
  durationMs: number
}

/** A request was refused (400, 401, 403). */
export interface RejectedEvent {
  type: 'rejected'
  reason: RefusalReason
  status: 400 | 401 | 403
  /** The description sent to the client. */
  description: string
  /** More for the operator, when there is more to say (e.g. an issuer that differs only by a trailing slash). */
  detail?: string
  durationMs: number
}

/** The authorization server (or its keys) could not be used: the request was answered 503. */
export interface AuthorizationServerErrorEvent {
  type: 'authorization_server_error'
  failure: AuthorizationServerFailure
  /** What went wrong, naming the endpoint (origin and path) and, for a set-up problem, the fix. */
  message: string
  upstreamStatus: number | undefined
  durationMs: number
}

/** The AS's key set was fetched. */
export interface JwksRefreshedEvent {
  type: 'jwks_refreshed'
  /** Origin and path of the JWKS. */
  jwksUri: string
}

/** The AS's metadata was discovered. */
export interface MetadataDiscoveredEvent {
  type: 'metadata_discovered'
  issuer: string
}

/** The set-up cannot work as configured (bad client credentials, an issuer that is not the AS's): every request will fail. */
export interface ConfigurationProblemEvent {
  type: 'configuration_problem'
  message: string
}

/**
 * The shared cache store (`cache.store`, e.g. Redis) failed or did not answer within `storeTimeout`:
 * requests are answered as without a shared store (in-memory cache, then the AS), and the store is
 * left alone for a second before it is tried again. Emitted once per outage (again only after a
 * call succeeded); logged once a minute per message.
 */
export interface StoreErrorEvent {
  type: 'store_error'
  /** The store call that failed. */
  operation: 'get' | 'set' | 'delete' | 'add' | 'clear'
  /** What the store said (its error's name and message), or that it timed out. */
  message: string
}

/** Every event, by its `type`. */
export type ResourceServerEvent =
  | AuthenticatedEvent
  | RejectedEvent
  | AuthorizationServerErrorEvent
  | JwksRefreshedEvent
  | MetadataDiscoveredEvent
  | ConfigurationProblemEvent
  | StoreErrorEvent

/** A pino-, winston- or console-compatible logger: only the methods used are needed. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void
  info?(message: string, fields?: Record<string, unknown>): void
  warn?(message: string, fields?: Record<string, unknown>): void
  error?(message: string, fields?: Record<string, unknown>): void
}
