/**
 * Plain JSON introspection responses (RFC 7662 §2.2): an object with a boolean `active`.
 *
 * @module introspection/json-response
 */
import { AuthorizationServerError } from '../errors.js'
import type { IntrospectionClaims } from './settings.js'

/** Parses a plain JSON introspection response: an object with a boolean `active`. */
export function parseIntrospectionJson(what: string, body: string): IntrospectionClaims {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new AuthorizationServerError('bad_response', `${what} sent a body that is not JSON`)
  }
  return checkIntrospectionObject(what, parsed)
}

export function checkIntrospectionObject(what: string, value: unknown): IntrospectionClaims {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthorizationServerError('bad_response', `${what} sent a response that is not a JSON object`)
  }
  if (typeof (value as { active?: unknown }).active !== 'boolean') {
    throw new AuthorizationServerError('bad_response', `${what} sent a response without a boolean "active"`)
  }
  return value as IntrospectionClaims
}
