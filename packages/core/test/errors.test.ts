/**
 * The errors as a contract: the status each code answers with, the RFC 6750 / 9470 challenge a
 * client reads, what survives `withChallenge`, and what `toJSON` shows (never the message of an AS
 * failure). Names are public API (logs, `err.name` checks).
 */
import { describe, expect, it } from 'vitest'
import {
  AuthorizationServerError,
  BearerError,
  ConfigurationError,
  ReplayCacheError,
  ResourceServerSdkError,
  TokenEndpointError,
} from '../src/index.js'

describe('BearerError', () => {
  it('answers with the status of its code', () => {
    const statuses = {
      missing_token: 401,
      invalid_request: 400,
      invalid_token: 401,
      insufficient_scope: 403,
      insufficient_user_authentication: 401,
      invalid_dpop_proof: 401,
      use_dpop_nonce: 401,
    } as const
    for (const [code, status] of Object.entries(statuses))
      expect(new BearerError(code as keyof typeof statuses, 'x').status, code).toBe(status)
  })

  it('a step-up challenge (RFC 9470) carries acr_values and a whole max_age', () => {
    const err = new BearerError('insufficient_user_authentication', 'stronger', { acrValues: 'eidas2 eidas3', maxAge: 299.7 })
    expect(err.wwwAuthenticate).toBe(
      'Bearer error="insufficient_user_authentication", error_description="stronger", acr_values="eidas2 eidas3", max_age=299',
    )
    expect(new BearerError('insufficient_user_authentication', 'x', { maxAge: Infinity }).wwwAuthenticate).not.toContain('max_age')
    expect(new BearerError('insufficient_user_authentication', 'x', { maxAge: 0 }).wwwAuthenticate).toContain('max_age=0')
    expect(new BearerError('invalid_token', 'x', { scope: '', acrValues: '' }).wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="x"',
    )
  })

  it('a missing token gets a bare challenge: no error, no scope, only realm and resource_metadata', () => {
    const err = new BearerError('missing_token', 'none', {
      scope: 'read',
      realm: 'api',
      resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource',
    })
    expect(err.wwwAuthenticate).toBe('Bearer realm="api", resource_metadata="https://api.example/.well-known/oauth-protected-resource"')
  })

  it('withChallenge adds realm and resource_metadata and keeps everything else', () => {
    const cause = new Error('why')
    const original = new BearerError('insufficient_user_authentication', 'stronger', {
      scope: 'read',
      reason: 'insufficient_user_authentication',
      detail: 'acr was eidas1',
      acrValues: 'eidas2',
      maxAge: 60,
      cause,
    })
    const err = original.withChallenge({ realm: 'api', resourceMetadata: 'https://api.example/rm' })
    expect(err).toBeInstanceOf(BearerError)
    expect(err).toMatchObject({
      code: original.code,
      status: 401,
      description: 'stronger',
      scope: 'read',
      reason: 'insufficient_user_authentication',
      detail: 'acr was eidas1',
      acrValues: 'eidas2',
      maxAge: 60,
      cause,
    })
    expect(err.wwwAuthenticate).toBe(
      'Bearer realm="api", error="insufficient_user_authentication", error_description="stronger", scope="read", acr_values="eidas2", max_age=60, resource_metadata="https://api.example/rm"',
    )
    const bare = new BearerError('invalid_token', 'x').withChallenge({})
    expect(bare).toMatchObject({ reason: undefined, detail: undefined, acrValues: undefined, maxAge: undefined })
    expect(bare.responseHeaders).toBeUndefined()
  })

  it('has its name, a message that is the description, and a cause only when given', () => {
    const err = new BearerError('invalid_token', 'expired')
    expect([err.name, err.message, String(err)]).toEqual(['BearerError', 'expired', 'BearerError: expired'])
    expect('cause' in err).toBe(false)
    expect(err).toBeInstanceOf(ResourceServerSdkError)
  })
})

describe('AuthorizationServerError', () => {
  it('is a 503 with Retry-After 5 s by default, the upstream status when the AS answered', () => {
    const err = new AuthorizationServerError('http_status', 'The introspection endpoint answered 502 at internal-host', {
      upstreamStatus: 502,
    })
    expect(err).toMatchObject({
      name: 'AuthorizationServerError',
      status: 503,
      code: 'authorization_server_unavailable',
      failure: 'http_status',
      retryAfter: 5,
      upstreamStatus: 502,
    })
    expect(new AuthorizationServerError('timeout', 'x', { retryAfter: 0 }).retryAfter).toBe(0)
  })

  it('toJSON shows the failure kind, never the message', () => {
    const err = new AuthorizationServerError('network', 'could not reach internal-host-7:8443')
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The authorization server is unavailable',
      failure: 'network',
    })
  })
})

describe('the other errors', () => {
  it('ConfigurationError names each option', () => {
    const err = new ConfigurationError('resource server', [
      { path: 'timeout', message: 'too small' },
      { path: '', message: 'unknown key "typo"' },
    ])
    expect(err).toMatchObject({ name: 'ConfigurationError', code: 'invalid_configuration' })
    expect(err.message).toBe('Invalid resource server options: timeout: too small; unknown key "typo"')
  })

  it("TokenEndpointError carries the AS's error, description and status", () => {
    const err = new TokenEndpointError('invalid_scope', 'no such scope', 400)
    expect(err).toMatchObject({
      name: 'TokenEndpointError',
      code: 'token_endpoint_error',
      error: 'invalid_scope',
      errorDescription: 'no such scope',
      upstreamStatus: 400,
    })
    expect(err.message).toContain('invalid_scope')
    expect(new TokenEndpointError('invalid_client', undefined, 401).message).not.toContain('(')
  })

  it('ReplayCacheError is a 503, Retry-After 1 s by default', () => {
    expect(new ReplayCacheError('down')).toMatchObject({
      name: 'ReplayCacheError',
      code: 'replay_cache_unavailable',
      status: 503,
      retryAfter: 1,
    })
    expect(String(new ReplayCacheError('down'))).toBe('ReplayCacheError: down')
  })
})
