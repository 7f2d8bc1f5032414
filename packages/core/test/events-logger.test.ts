/**
 * The logger receives fields in its own order: pino's (fields, message), console's and winston's
 * (message, fields). Uses pino itself (from docs-check's dependencies) when installed.
 */
import { expect, it } from 'vitest'
import { EventSink } from '../src/events/index.js'

it('a pino-shaped logger gets (fields, message); others get (message, fields)', () => {
  const calls: unknown[][] = []
  const pinoLike = {
    levels: { values: { error: 50, warn: 40 } },
    child: () => pinoLike,
    error: (...args: unknown[]) => void calls.push(['pino', ...args]),
  }
  const consoleLike = { error: (...args: unknown[]) => void calls.push(['console', ...args]) }
  for (const logger of [pinoLike, consoleLike]) {
    new EventSink({ onEvent: undefined, logger, clock: () => 0 }).emit({ type: 'configuration_problem', message: 'clientSecret: rejected' })
  }
  expect(calls).toEqual([
    ['pino', {}, 'rs: set-up problem: clientSecret: rejected'],
    ['console', 'rs: set-up problem: clientSecret: rejected'],
  ])
})
