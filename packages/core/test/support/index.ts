/**
 * Shared test support: a real local fake authorization server and typed builders of resource
 * servers pointed at it, signed and encrypted introspection responses, an injected clock, and one
 * assertion for "this call must fail with exactly this error".
 */
export * from './fake-as.js'
export * from './clock.js'
export * from './errors.js'
