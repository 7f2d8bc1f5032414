/**
 * Where events go: the listener (a throwing one changes nothing), which events each kind of logger
 * gets at which level with which fields (a given logger, the console by default, none with `false`),
 * the limit of one log line per cause per minute (boundary included) and its bound of 1000 causes,
 * level fallbacks, pino's argument order, and `active`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EventSink } from '../../src/events/emitter.js'
import type { Logger, ResourceServerEvent } from '../../src/events/types.js'
import { testClock } from '../support/index.js'

type Call = [level: string, ...args: unknown[]]
function recorder(levels: readonly (keyof Logger)[] = ['debug', 'info', 'warn', 'error']) {
  const calls: Call[] = []
  const logger: Logger = {}
  for (const level of levels) logger[level] = (...args: unknown[]) => void calls.push([level, ...args])
  return { calls, logger }
}

const asError = (failure: string, message = 'down'): ResourceServerEvent =>
  ({ type: 'authorization_server_error', failure, message, upstreamStatus: 502, durationMs: 1 }) as ResourceServerEvent
const rejected = (detail?: string): ResourceServerEvent => ({
  type: 'rejected',
  reason: 'expired',
  status: 401,
  description: 'The access token expired',
  ...(detail === undefined ? {} : { detail }),
  durationMs: 2,
})
const authenticated: ResourceServerEvent = {
  type: 'authenticated',
  source: 'jwt',
  issuer: 'https://as.example',
  clientId: 'c',
  sub: 's',
  durationMs: 3,
}

describe('EventSink.active', () => {
  it('is true with a listener or a logger, false otherwise', () => {
    const clock = () => 0
    expect(new EventSink({ onEvent: () => {}, logger: false, clock }).active).toBe(true)
    expect(new EventSink({ onEvent: undefined, logger: {}, clock }).active).toBe(true)
    expect(new EventSink({ onEvent: undefined, logger: undefined, clock }).active).toBe(false)
    expect(new EventSink({ onEvent: undefined, logger: false, clock }).active).toBe(false)
  })
})

describe('EventSink.emit to the listener', () => {
  it('hands every event to the listener; a throwing listener changes nothing and the logger still logs', () => {
    const events: ResourceServerEvent[] = []
    new EventSink({ onEvent: (e) => void events.push(e), logger: false, clock: () => 0 }).emit(authenticated)
    expect(events).toEqual([authenticated])
    const { calls, logger } = recorder()
    const sink = new EventSink({
      onEvent: () => {
        throw new Error('listener bug')
      },
      logger,
      clock: () => 0,
    })
    expect(() => sink.emit({ type: 'configuration_problem', message: 'm' })).not.toThrow()
    expect(calls).toEqual([['error', 'rs: set-up problem: m']])
  })
})

describe('EventSink.emit to a given logger', () => {
  it('logs each event at its level with its fields', () => {
    const { calls, logger } = recorder()
    const sink = new EventSink({ onEvent: undefined, logger, clock: () => 0 })
    sink.emit({ type: 'configuration_problem', message: 'bad secret' })
    sink.emit(asError('client_rejected', 'no'))
    sink.emit(asError('issuer_mismatch', 'other'))
    sink.emit(asError('network'))
    sink.emit({ type: 'store_error', operation: 'get', message: 'redis down' })
    sink.emit(rejected('iss differs'))
    sink.emit(rejected())
    sink.emit(authenticated)
    expect(calls).toEqual([
      ['error', 'rs: set-up problem: bad secret'],
      ['error', 'rs: authorization server error (client_rejected): no', { failure: 'client_rejected', upstreamStatus: 502 }],
      ['error', 'rs: authorization server error (issuer_mismatch): other', { failure: 'issuer_mismatch', upstreamStatus: 502 }],
      ['warn', 'rs: authorization server error (network): down', { failure: 'network', upstreamStatus: 502 }],
      ['warn', 'rs: cache store failed (get): redis down; answering without it', { operation: 'get' }],
      ['warn', 'rs: request refused (expired): iss differs', { reason: 'expired' }],
      ['debug', 'rs: request refused (expired): The access token expired', { reason: 'expired', status: 401 }],
      ['debug', 'rs: authenticated', { ...authenticated }],
    ])
  })

  it('falls back to warn for errors and to error for warnings; skips a missing debug', () => {
    const onlyWarn = recorder(['warn'])
    new EventSink({ onEvent: undefined, logger: onlyWarn.logger, clock: () => 0 }).emit({ type: 'configuration_problem', message: 'm' })
    expect(onlyWarn.calls).toEqual([['warn', 'rs: set-up problem: m']])
    const onlyError = recorder(['error'])
    const sink = new EventSink({ onEvent: undefined, logger: onlyError.logger, clock: () => 0 })
    sink.emit(asError('timeout'))
    sink.emit(rejected())
    sink.emit(authenticated)
    expect(onlyError.calls).toEqual([
      ['error', 'rs: authorization server error (timeout): down', { failure: 'timeout', upstreamStatus: 502 }],
    ])
  })

  it('never lets a throwing logger change an answer', () => {
    const logger: Logger = {
      error: () => {
        throw new Error('logger bug')
      },
      debug: () => {
        throw new Error('logger bug')
      },
    }
    const sink = new EventSink({ onEvent: undefined, logger, clock: () => 0 })
    expect(() => sink.emit({ type: 'configuration_problem', message: 'm' })).not.toThrow()
    expect(() => sink.emit(authenticated)).not.toThrow()
  })

  it('gives a pino logger (fields, message), and anything short of one (message, fields)', () => {
    const calls: unknown[][] = []
    const error = (...args: unknown[]) => void calls.push(args)
    const pino = { levels: { values: { error: 50 } }, child: () => pino, error }
    new EventSink({ onEvent: undefined, logger: pino, clock: () => 0 }).emit(asError('network'))
    expect(calls).toEqual([[{ failure: 'network', upstreamStatus: 502 }, 'rs: authorization server error (network): down']])
    for (const almost of [
      { levels: { values: { error: 50 } }, error },
      { levels: { values: 'x' }, child: () => undefined, error },
      { levels: null, child: () => undefined, error },
      { levels: 'x', child: () => undefined, error },
      { levels: { values: { error: 50 } }, child: 'x', error },
    ]) {
      calls.length = 0
      new EventSink({ onEvent: undefined, logger: almost as Logger, clock: () => 0 }).emit(asError('network'))
      expect(calls).toEqual([['rs: authorization server error (network): down', { failure: 'network', upstreamStatus: 502 }]])
    }
  })
})

describe('EventSink log limit', () => {
  it('logs a cause at most once a minute, again from 60 s on', () => {
    const clock = testClock()
    const { calls, logger } = recorder()
    const sink = new EventSink({ onEvent: undefined, logger, clock: clock.now })
    const emitAll = () => {
      sink.emit({ type: 'configuration_problem', message: 'm' })
      sink.emit(asError('network'))
      sink.emit({ type: 'store_error', operation: 'set', message: 'x' })
      sink.emit(rejected('d'))
    }
    emitAll()
    expect(calls).toHaveLength(4)
    clock.advance(59_999)
    emitAll()
    expect(calls).toHaveLength(4)
    clock.advance(1)
    emitAll()
    expect(calls).toHaveLength(8)
  })

  it('limits each cause on its own: message, failure, operation and detail are part of it', () => {
    const { calls, logger } = recorder()
    const sink = new EventSink({ onEvent: undefined, logger, clock: () => 0 })
    sink.emit({ type: 'configuration_problem', message: 'a' })
    sink.emit({ type: 'configuration_problem', message: 'b' })
    sink.emit(asError('network', 'a'))
    sink.emit(asError('timeout', 'a'))
    sink.emit(asError('network', 'b'))
    sink.emit({ type: 'store_error', operation: 'get', message: 'a' })
    sink.emit({ type: 'store_error', operation: 'set', message: 'a' })
    sink.emit(rejected('a'))
    sink.emit(rejected('b'))
    // A refusal without detail is a debug line, never limited.
    sink.emit(rejected())
    sink.emit(rejected())
    expect(calls).toHaveLength(11)
    // The same text under another kind of event is another cause.
    sink.emit({ type: 'store_error', operation: 'get', message: 'b' })
    expect(calls).toHaveLength(12)
  })

  it('remembers at most 1000 causes, then forgets them all', () => {
    const { calls, logger } = recorder()
    const sink = new EventSink({ onEvent: undefined, logger, clock: () => 0 })
    const problem = (message: string) => sink.emit({ type: 'configuration_problem', message })
    problem('first')
    for (let i = 0; i < 999; i++) problem(`other ${i}`) // 1000 causes remembered
    problem('first')
    expect(calls).toHaveLength(1000)
    problem('one more') // the 1001st: everything forgotten
    problem('first')
    expect(calls).toHaveLength(1002)
  })
})

describe('EventSink with the default logger (console) or none', () => {
  afterEach(() => void vi.restoreAllMocks())

  it('by default logs set-up problems only, on console.error', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    const sink = new EventSink({ onEvent: undefined, logger: undefined, clock: () => 0 })
    sink.emit({ type: 'configuration_problem', message: 'm' })
    sink.emit(asError('client_rejected'))
    sink.emit(asError('network'))
    sink.emit({ type: 'store_error', operation: 'get', message: 'x' })
    sink.emit(rejected('d'))
    sink.emit(rejected())
    sink.emit(authenticated)
    expect(error.mock.calls).toEqual([
      ['rs: set-up problem: m'],
      ['rs: authorization server error (client_rejected): down', { failure: 'client_rejected', upstreamStatus: 502 }],
    ])
    expect(warn).not.toHaveBeenCalled()
    expect(debug).not.toHaveBeenCalled()
  })

  it('logs nothing with logger: false', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const sink = new EventSink({ onEvent: undefined, logger: false, clock: () => 0 })
    sink.emit({ type: 'configuration_problem', message: 'm' })
    sink.emit(asError('issuer_mismatch'))
    expect(error).not.toHaveBeenCalled()
  })
})
