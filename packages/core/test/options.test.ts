/**
 * The shared option pieces on their own: durations in seconds with their bounds, URLs, private
 * keys, the client-authentication rules, and the ConfigurationError they produce.
 */
import * as z from 'zod/mini'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../src/index.js'
import {
  checkClientAuth,
  checkUrls,
  msOf,
  parseOptions,
  privateKeySchema,
  resolveAuthMethod,
  secondsSchema,
  urlSchema,
} from '../src/options.js'
import { thrown } from './support/index.js'

const issues = (schema: z.ZodMiniType, value: unknown) => {
  const r = schema.safeParse(value)
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('secondsSchema and msOf', () => {
  it('bounds are inclusive (min, max) or exclusive (above), each message in seconds', () => {
    const s = secondsSchema({ min: 1, max: 10 })
    expect(issues(s, 1)).toEqual([])
    expect(issues(s, 10)).toEqual([])
    expect(issues(s, 0.999)).toEqual([': must be at least 1 seconds'])
    expect(issues(s, 10.001)).toEqual([': must be at most 10 seconds'])
    const above = secondsSchema({ above: 0 })
    expect(issues(above, 0)).toEqual([': must be more than 0 seconds'])
    expect(issues(above, 0.001)).toEqual([])
    expect(issues(secondsSchema(), '5')).toEqual([': expected a number of seconds'])
    expect(issues(secondsSchema(), -1e9)).toEqual([])
  })

  it('msOf rounds to whole milliseconds', () => {
    expect(msOf(0.05)).toBe(50)
    expect(msOf(1.0005)).toBe(1001)
    expect(msOf(0.0004)).toBe(0)
    expect(msOf(3600)).toBe(3_600_000)
  })
})

describe('urlSchema and checkUrls', () => {
  it('absolute http(s) URLs only', () => {
    expect(issues(urlSchema, 'https://as.example/x')).toEqual([])
    expect(issues(urlSchema, 'http://as.example/x')).toEqual([])
    for (const bad of ['as.example', '/relative', 'ftp://as.example', 'javascript:alert(1)']) {
      expect(issues(urlSchema, bad), bad).toEqual([': expected an absolute http(s) URL'])
    }
    expect(issues(urlSchema, 1)).toEqual([': expected an absolute URL string'])
  })

  it('checkUrls: https anywhere, http on loopback or when allowed; each bad URL named by its dotted path; unparsable and missing ones left to their own schema', () => {
    const schema = (allow: boolean) =>
      z
        .object({ a: z.optional(z.string()), b: z.optional(z.object({ c: z.optional(z.string()) })) })
        .check(z.superRefine((v, ctx) => checkUrls(ctx, allow, { a: v.a, 'b.c': v.b?.c })))
    const message = 'expected an https URL (plain http is only accepted on loopback, or with allowInsecureRequests: true)'
    expect(issues(schema(false), { a: 'http://as.example', b: { c: 'http://other.example' } })).toEqual([
      `a: ${message}`,
      `b.c: ${message}`,
    ])
    expect(issues(schema(false), { a: 'https://as.example', b: { c: 'http://127.0.0.1:8080' } })).toEqual([])
    expect(issues(schema(true), { a: 'http://as.example' })).toEqual([])
    expect(issues(schema(false), { a: 'not a url' })).toEqual([])
    expect(issues(schema(false), {})).toEqual([])
  })
})

describe('privateKeySchema', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----'
  it.each([
    ['a private JWK', { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }, true],
    ['a PKCS#8 PEM with its alg', { pem, alg: 'ES256' }, true],
    ['a PEM with a kid', { pem, alg: 'ES256', kid: 'k1' }, true],
    ['a public JWK (no d)', { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, false],
    ['a JWK whose d is not a string', { kty: 'EC', d: 1 }, false],
    ['no kty', { d: 'd' }, false],
    ['a PEM without its alg', { pem }, false],
    ['a PEM with an empty alg', { pem, alg: '' }, false],
    ['a PEM with an alg that is not a string', { pem, alg: 256 }, false],
    ['a public key PEM', { pem: '-----BEGIN PUBLIC KEY-----\nMFk...', alg: 'ES256' }, false],
    ['a PKCS#1 RSA PEM', { pem: '-----BEGIN RSA PRIVATE KEY-----\nMII...', alg: 'RS256' }, false],
    ['a string', pem, false],
    ['null', null, false],
  ])('%s: %s', (_, value, ok) => {
    expect(issues(privateKeySchema, value).length === 0).toBe(ok)
  })
})

describe('checkClientAuth and resolveAuthMethod', () => {
  const check = (opts: Parameters<typeof checkClientAuth>[1], prefix?: string) =>
    issues(z.any().check(z.superRefine((_v, ctx) => checkClientAuth(ctx, opts, prefix))), {})

  it('defaults: client_secret_post with a secret, private_key_jwt with only a key', () => {
    expect(resolveAuthMethod({ clientSecret: 's' })).toBe('client_secret_post')
    expect(resolveAuthMethod({ privateKey: {} })).toBe('private_key_jwt')
    expect(resolveAuthMethod({ privateKey: {}, clientSecret: 's' })).toBe('client_secret_post')
    expect(resolveAuthMethod({})).toBe('client_secret_post')
    expect(resolveAuthMethod({ authMethod: 'client_secret_basic', privateKey: {} })).toBe('client_secret_basic')
    expect(check({ clientId: 'a', privateKey: {} })).toEqual([])
    expect(check({ clientId: 'a', clientSecret: 's' })).toEqual([])
  })

  it('what each method requires, under the given prefix', () => {
    expect(check({ clientSecret: 's' }, 'introspection.')).toEqual([
      'introspection.clientId: required: the client id registered at the authorization server',
    ])
    expect(check({ clientId: 'a' })).toEqual(['clientSecret: required with authMethod "client_secret_post"'])
    expect(check({ clientId: 'a', authMethod: 'client_secret_basic' })).toEqual([
      'clientSecret: required with authMethod "client_secret_basic"',
    ])
    expect(check({ clientId: 'a', authMethod: 'private_key_jwt', clientSecret: 's' })).toEqual([
      'privateKey: required with authMethod "private_key_jwt"',
    ])
    expect(check({ clientId: 'a', authMethod: 'client_secret_jwt', clientSecret: 'x'.repeat(31) })).toEqual([
      'clientSecret: must be at least 32 characters for client_secret_jwt (HS256)',
    ])
    expect(check({ clientId: 'a', authMethod: 'client_secret_jwt', clientSecret: 'x'.repeat(32) })).toEqual([])
    expect(check({ clientId: 'a', authMethod: 'client_secret_post', clientSecret: 'short' })).toEqual([])
  })
})

describe('parseOptions', () => {
  it('returns the parsed value, or a ConfigurationError naming the component and every wrong option', () => {
    const schema = z.object({
      a: z.number(),
      b: z.optional(z.union([z.literal(false), z.object({ c: z.string().check(z.minLength(2)) })])),
    })
    expect(parseOptions('thing', schema, { a: 1 })).toEqual({ a: 1 })
    const err = thrown(() => parseOptions('thing', schema, { a: 'x', b: { c: 'y' } }), ConfigurationError)
    expect(err.message).toBe(
      'Invalid thing options: a: Invalid input: expected number, received string; b.c: Too small: expected string to have >=2 characters',
    )
    expect(err.issues).toEqual([
      { path: 'a', message: 'Invalid input: expected number, received string' },
      { path: 'b.c', message: 'Too small: expected string to have >=2 characters' },
    ])
    // A value of no option's kind: the union's own issue.
    expect(thrown(() => parseOptions('thing', schema, { a: 1, b: 'x' }), ConfigurationError).issues).toEqual([
      { path: 'b', message: 'Invalid input' },
    ])
  })
})
