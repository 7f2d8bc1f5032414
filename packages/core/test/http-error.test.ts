/**
 * asHttpError: core's errors made ready for a framework's own error handling (Express `next(err)`,
 * Koa `throw`, Fastify), with the status, headers and body toErrorResponse would answer, none of
 * which shows up when the error is logged as JSON.
 */
import { describe, expect, it } from 'vitest'
import {
  asHttpError as toHttpError,
  AuthorizationServerError,
  BearerError,
  type HttpErrorFields,
  ReplayCacheError,
  toErrorResponse,
} from '../src/index.js'

/** asHttpError, typed as what it gives core's own errors. */
const asHttpError = <E>(err: E) => toHttpError(err) as E & HttpErrorFields

describe('asHttpError', () => {
  it('a refusal: its status under both names, its challenge, exposed, the body core would send', () => {
    const err = asHttpError(new BearerError('insufficient_scope', 'The token lacks scope "write"', { scope: 'write' }))
    expect(err.status).toBe(403)
    expect(err.statusCode).toBe(403)
    expect(err.expose).toBe(true)
    expect(err.headers['www-authenticate']).toContain('error="insufficient_scope"')
    expect(err.body).toEqual(toErrorResponse(err).body)
    expect(err.headers['cache-control']).toBe('no-store')
    expect(Object.isFrozen(err.headers)).toBe(true)
  })

  it('an unavailable AS or replay cache: 503, Retry-After, not exposed (the message is for the operator)', () => {
    for (const source of [
      new AuthorizationServerError('timeout', 'secret-ish internal detail', { retryAfter: 7 }),
      new ReplayCacheError('redis down', { retryAfter: 2 }),
    ]) {
      const err = asHttpError(source)
      expect(err.statusCode).toBe(503)
      expect(err.expose).toBe(false)
      expect(err.headers['retry-after']).toBe(String(source.retryAfter))
      expect(JSON.stringify(err.body)).not.toContain('secret-ish')
    }
  })

  it('adds nothing that JSON.stringify or Object.keys would show', () => {
    const plain = new BearerError('invalid_token', 'expired')
    const keysBefore = Object.keys(plain)
    const err = asHttpError(plain)
    expect(Object.keys(err)).toEqual(keysBefore)
    expect(JSON.stringify(err)).not.toMatch(/statusCode|expose|www-authenticate/i)
  })

  it('the same error twice: the same object, fields defined once', () => {
    const err = new BearerError('invalid_token', 'expired')
    expect(asHttpError(asHttpError(err))).toBe(err)
    expect(asHttpError(err).statusCode).toBe(401)
  })

  it("anything else is returned untouched: a 500 stays the application's own", () => {
    const bug = new TypeError('x is undefined')
    expect(asHttpError(bug)).toBe(bug)
    expect(Object.prototype.hasOwnProperty.call(bug, 'statusCode')).toBe(false)
    expect(asHttpError('a string')).toBe('a string')
    expect(asHttpError(null)).toBeNull()
  })
})
