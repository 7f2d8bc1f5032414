/**
 * The `dpop` and `mtls` options: what each schema accepts and refuses (modes, algorithms, bounds in
 * seconds, nonce secret length, replay store), the cross-option checks (both `required`, an http
 * `publicUrl`), the default mode, and every default of the resolved DPoP settings.
 */
import * as z from 'zod/mini'
import { describe, expect, it } from 'vitest'
import { MemoryCache } from '../../src/cache/index.js'
import { DEFAULT_DPOP_ALGS } from '../../src/dpop/index.js'
import {
  checkSenderConstraintOptions,
  dpopOptionsSchema,
  dpopSettings,
  modeOf,
  modeSchema,
  mtlsOptionsSchema,
} from '../../src/sender-constraint/options.js'

/** The dotted paths of the issues `value` raises, `[]` when accepted. */
const paths = (schema: z.ZodMiniType, value: unknown) => {
  const r = schema.safeParse(value)
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'))
}
const secret = 's'.repeat(32)

describe('modeSchema and modeOf', () => {
  it('accepts none, allowed and required only', () => {
    for (const mode of ['none', 'allowed', 'required']) expect(paths(modeSchema, mode)).toEqual([])
    for (const mode of ['', 'Required', 'optional', true, undefined]) expect(paths(modeSchema, mode)).toEqual([''])
  })

  it('is none without options, allowed when options are given without a mode, else the mode', () => {
    expect(modeOf(undefined)).toBe('none')
    expect(modeOf({})).toBe('allowed')
    expect(modeOf({ mode: undefined })).toBe('allowed')
    expect(modeOf({ mode: 'required' })).toBe('required')
    expect(modeOf({ mode: 'none' })).toBe('none')
  })
})

describe('dpopOptionsSchema', () => {
  it('accepts every documented option', () => {
    const store = new MemoryCache()
    expect(
      paths(dpopOptionsSchema, {
        mode: 'required',
        algorithms: ['ES256', 'EdDSA'],
        proofMaxAge: 60,
        publicUrl: 'https://api.example/base',
        nonce: { secret, rotation: 10 },
        replay: { store, maxEntries: 1, timeout: 0.001 },
      }),
    ).toEqual([])
    expect(paths(dpopOptionsSchema, {})).toEqual([])
  })

  it('refuses an unknown option, anywhere', () => {
    expect(paths(dpopOptionsSchema, { other: 1 })).toEqual([''])
    expect(paths(dpopOptionsSchema, { nonce: { secret, other: 1 } })).toEqual(['nonce'])
    expect(paths(dpopOptionsSchema, { replay: { other: 1 } })).toEqual(['replay'])
  })

  it('algorithms: a non-empty list of asymmetric algorithms', () => {
    expect(paths(dpopOptionsSchema, { algorithms: [] })).toEqual(['algorithms'])
    expect(paths(dpopOptionsSchema, { algorithms: ['HS256'] })).toEqual(['algorithms.0'])
    expect(paths(dpopOptionsSchema, { algorithms: ['ES256', 'none'] })).toEqual(['algorithms.1'])
    expect(paths(dpopOptionsSchema, { algorithms: 'ES256' })).toEqual(['algorithms'])
  })

  it('proofMaxAge from 1 to 3600 seconds', () => {
    for (const ok of [1, 3600, 0.5 + 0.5]) expect(paths(dpopOptionsSchema, { proofMaxAge: ok })).toEqual([])
    for (const bad of [0.999, 3600.001, '60']) expect(paths(dpopOptionsSchema, { proofMaxAge: bad })).toEqual(['proofMaxAge'])
  })

  it('publicUrl: an absolute http(s) URL', () => {
    expect(paths(dpopOptionsSchema, { publicUrl: 'http://api.example' })).toEqual([])
    for (const bad of ['/base', 'ftp://api.example', 1]) expect(paths(dpopOptionsSchema, { publicUrl: bad })).toEqual(['publicUrl'])
  })

  it('nonce: a secret of at least 32 characters, a rotation from 10 to 86400 seconds', () => {
    expect(paths(dpopOptionsSchema, { nonce: { secret: 's'.repeat(31) } })).toEqual(['nonce.secret'])
    expect(paths(dpopOptionsSchema, { nonce: {} })).toEqual(['nonce.secret'])
    expect(paths(dpopOptionsSchema, { nonce: { secret, rotation: 86_400 } })).toEqual([])
    for (const rotation of [9.999, 86_400.5]) expect(paths(dpopOptionsSchema, { nonce: { secret, rotation } })).toEqual(['nonce.rotation'])
  })

  it('replay: a CacheStore, a whole maxEntries of at least 1, a timeout from 0.001 to 60 seconds', () => {
    expect(paths(dpopOptionsSchema, { replay: { store: { get() {}, set() {}, delete() {} } } })).toEqual([])
    expect(paths(dpopOptionsSchema, { replay: { store: { get() {} } } })).toEqual(['replay.store'])
    for (const maxEntries of [0, 1.5, '10']) expect(paths(dpopOptionsSchema, { replay: { maxEntries } })).toEqual(['replay.maxEntries'])
    expect(paths(dpopOptionsSchema, { replay: { timeout: 60 } })).toEqual([])
    for (const timeout of [0, 0.0009, 60.1]) expect(paths(dpopOptionsSchema, { replay: { timeout } })).toEqual(['replay.timeout'])
  })
})

describe('mtlsOptionsSchema', () => {
  it('a mode and a boolean trustProxyHeader, nothing else', () => {
    expect(paths(mtlsOptionsSchema, { mode: 'allowed', trustProxyHeader: true })).toEqual([])
    expect(paths(mtlsOptionsSchema, { trustProxyHeader: 'yes' })).toEqual(['trustProxyHeader'])
    expect(paths(mtlsOptionsSchema, { mode: 'on' })).toEqual(['mode'])
    expect(paths(mtlsOptionsSchema, { other: 1 })).toEqual([''])
  })
})

describe('checkSenderConstraintOptions', () => {
  const schema = z
    .object({
      dpop: z.optional(dpopOptionsSchema),
      mtls: z.optional(mtlsOptionsSchema),
      allowInsecureRequests: z.optional(z.boolean()),
    })
    .check(z.superRefine((o, ctx) => checkSenderConstraintOptions(ctx, o)))

  it('refuses DPoP and mTLS both required, on mtls.mode', () => {
    expect(paths(schema, { dpop: { mode: 'required' }, mtls: { mode: 'required' } })).toEqual(['mtls.mode'])
    expect(paths(schema, { dpop: { mode: 'required' }, mtls: {} })).toEqual([])
    expect(paths(schema, { dpop: {}, mtls: { mode: 'required' } })).toEqual([])
    expect(paths(schema, { dpop: { mode: 'required' } })).toEqual([])
    expect(paths(schema, { mtls: { mode: 'required' } })).toEqual([])
  })

  it('refuses a plain-http publicUrl off loopback unless insecure requests are allowed', () => {
    expect(paths(schema, { dpop: { publicUrl: 'http://api.example' } })).toEqual(['dpop.publicUrl'])
    expect(paths(schema, { dpop: { publicUrl: 'http://api.example' }, allowInsecureRequests: true })).toEqual([])
    expect(paths(schema, { dpop: { publicUrl: 'http://127.0.0.1:8080' } })).toEqual([])
    expect(paths(schema, { dpop: { publicUrl: 'https://api.example' } })).toEqual([])
  })
})

describe('dpopSettings', () => {
  it('without options: mode none and every default', () => {
    expect(dpopSettings(undefined)).toEqual({
      mode: 'none',
      algorithms: DEFAULT_DPOP_ALGS,
      proofMaxAge: 300,
      publicUrl: undefined,
      nonce: undefined,
      replayStore: undefined,
      replayMaxEntries: 100_000,
      replayTimeoutMs: 1000,
    })
    expect(dpopSettings({}).mode).toBe('allowed')
    expect(dpopSettings({ nonce: { secret } }).nonce).toEqual({ secret, rotation: 300 })
  })

  it('takes every option given, the replay timeout in milliseconds', () => {
    const store = new MemoryCache()
    expect(
      dpopSettings({
        mode: 'required',
        algorithms: ['PS256'],
        proofMaxAge: 60,
        publicUrl: 'https://api.example',
        nonce: { secret, rotation: 20 },
        replay: { store, maxEntries: 7, timeout: 0.25 },
      }),
    ).toEqual({
      mode: 'required',
      algorithms: ['PS256'],
      proofMaxAge: 60,
      publicUrl: 'https://api.example',
      nonce: { secret, rotation: 20 },
      replayStore: store,
      replayMaxEntries: 7,
      replayTimeoutMs: 250,
    })
  })
})
