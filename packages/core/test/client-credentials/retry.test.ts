/**
 * The retry policy of token requests on its own: which failures are retried and how often, the
 * backoff (full jitter below baseDelay · 2^(attempt-1), capped at maxDelay), `Retry-After` (a floor
 * on the wait, and a value above maxDelay ends the retries), the default sleep and the test seam.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { markTransient, retryAfterMsOf, SLEEP, sleep, sleepOf, withRetry } from '../../src/client-credentials/retry.js'
import { rejection } from '../support/index.js'

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 350 }

/** A call failing with `errors` in turn, then answering `'ok'`; counts its calls. */
function failing(...errors: unknown[]) {
  const state = {
    calls: 0,
    call: async () => {
      state.calls++
      if (errors.length > 0) throw errors.shift()
      return 'ok'
    },
  }
  return state
}

const transientError = (retryAfterMs?: number) => {
  const err = new Error('transient')
  markTransient(err, retryAfterMs)
  return err
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('withRetry', () => {
  it('returns the first success without waiting', async () => {
    const waits: number[] = []
    const f = failing()
    expect(await withRetry(policy, f.call, async (ms) => void waits.push(ms))).toBe('ok')
    expect(f.calls).toBe(1)
    expect(waits).toEqual([])
  })

  it('retries transient failures, waiting a random share of baseDelay · 2^(attempt-1), capped at maxDelay', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const waits: number[] = []
    const f = failing(transientError(), transientError(), transientError())
    expect(await withRetry(policy, f.call, async (ms) => void waits.push(ms))).toBe('ok')
    expect(f.calls).toBe(4)
    // 0.5 · min(350, 100), 0.5 · min(350, 200), 0.5 · min(350, 400)
    expect(waits).toEqual([50, 100, 175])
  })

  it('the jitter spans [0, the cap): Math.random 0 waits nothing, just under 1 waits just under the cap', async () => {
    const waits: number[] = []
    vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0.999)
    const f = failing(transientError(), transientError())
    await withRetry(policy, f.call, async (ms) => void waits.push(ms))
    expect(waits).toEqual([0, 0.999 * 200])
  })

  it('gives up after `attempts` tries in all, rethrowing the last error', async () => {
    const errors = [transientError(), transientError(), transientError(), transientError(), transientError()]
    const last = errors[3]
    const f = failing(...errors)
    expect(await rejection(() => withRetry(policy, f.call, async () => {}), Error)).toBe(last)
    expect(f.calls).toBe(4)
    const once = failing(transientError(), transientError())
    await rejection(() => withRetry({ ...policy, attempts: 1 }, once.call, async () => {}), Error)
    expect(once.calls).toBe(1)
  })

  it('never retries an error not marked transient, nor a thrown non-object', async () => {
    for (const thrownValue of [new Error('permanent'), 'a string', null, undefined, 42]) {
      const f = failing(thrownValue)
      const waits: number[] = []
      const outcome = await withRetry(policy, f.call, async (ms) => void waits.push(ms)).then(
        () => 'resolved',
        (err: unknown) => err,
      )
      expect(outcome).toBe(thrownValue)
      expect(f.calls).toBe(1)
      expect(waits).toEqual([])
    }
  })

  it('waits at least the Retry-After the AS sent', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const waits: number[] = []
    const f = failing(transientError(300), transientError(10))
    expect(await withRetry(policy, f.call, async (ms) => void waits.push(ms))).toBe('ok')
    // 300 > 0.5 · 100; 10 < 0.5 · 200
    expect(waits).toEqual([300, 100])
  })

  it('a Retry-After of exactly maxDelay is waited for; a longer one ends the retries at once', async () => {
    const waits: number[] = []
    const f = failing(transientError(350))
    expect(await withRetry(policy, f.call, async (ms) => void waits.push(ms))).toBe('ok')
    expect(waits).toEqual([350])
    const tooLong = transientError(351)
    const g = failing(tooLong)
    expect(await rejection(() => withRetry(policy, g.call, async (ms) => void waits.push(ms)), Error)).toBe(tooLong)
    expect(g.calls).toBe(1)
    expect(waits).toEqual([350])
  })

  it('waits with the default sleep when none is given', async () => {
    vi.useFakeTimers()
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const f = failing(transientError())
    const result = withRetry({ attempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 }, f.call)
    await vi.advanceTimersByTimeAsync(499)
    expect(f.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(f.calls).toBe(2)
    expect(await result).toBe('ok')
  })
})

describe('markTransient / retryAfterMsOf', () => {
  it('keeps the Retry-After of an error, and none otherwise', () => {
    expect(retryAfterMsOf(transientError(1500))).toBe(1500)
    expect(retryAfterMsOf(transientError())).toBeUndefined()
    expect(retryAfterMsOf(transientError(0))).toBe(0)
    expect(retryAfterMsOf(new Error('unmarked'))).toBeUndefined()
    for (const value of [null, undefined, 'text', 3]) expect(retryAfterMsOf(value)).toBeUndefined()
  })
})

describe('sleep', () => {
  it('waits the given milliseconds on a timer', async () => {
    vi.useFakeTimers()
    let done = false
    void sleep(20).then(() => (done = true))
    await vi.advanceTimersByTimeAsync(19)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toBe(true)
  })

  it('resolves at once, without a timer, for zero or less', async () => {
    vi.useFakeTimers()
    for (const ms of [0, -5]) {
      let done = false
      void sleep(ms).then(() => (done = true))
      await Promise.resolve()
      expect(done).toBe(true)
      expect(vi.getTimerCount()).toBe(0)
    }
  })

  it('sleepOf: the function injected under SLEEP, else the default sleep', () => {
    const injected = async () => {}
    expect(sleepOf({ [SLEEP]: injected })).toBe(injected)
    expect(sleepOf({})).toBe(sleep)
    expect(sleepOf({ [SLEEP]: 'not a function' })).toBe(sleep)
  })
})
