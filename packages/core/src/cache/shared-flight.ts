/**
 * Request coalescing across instances sharing a store: a short lock taken with the store's `add`
 * (`SET NX PX`); the holder computes and publishes the result, the others poll for it.
 *
 * @module cache/shared-flight
 */
import { type GuardedStore, STORE_FAILED, type StoreFailed } from './guarded-store.js'

/** First wait before polling for the holder's result, and the cap of the doubling wait, in ms. */
const FIRST_POLL_MS = 5
const MAX_POLL_MS = 50

export interface SharedFlightSettings<T> {
  store: GuardedStore
  lockKey: string
  /** The lock's lifetime: how long the others wait for the holder at most. */
  lockTtlMs: number
  /** This instance's random id: the lock's value (never a token or a secret). */
  owner: string
  /** The result another instance published: a value, `undefined` (not yet, or not valid), or {@link STORE_FAILED}. */
  read(): Promise<T | undefined | StoreFailed>
  /** Computes the result and publishes it (so that `read()` finds it) before resolving. */
  compute(): Promise<T>
  /** Returned at once when another instance holds the lock (e.g. a token still valid while another refreshes it). */
  whileHeld?: T
}

/**
 * The result of `compute()`, computed once across the instances sharing the store:
 *
 * - the instance that takes the lock reads once more (the result may have been published between
 *   its miss and its lock), computes, publishes, then releases the lock;
 * - the others poll `read()` and the lock with a doubling wait (5 to 50 ms), never longer than
 *   the lock's lifetime. A lock gone without a result (the holder failed, crashed or lost it), a
 *   store failure, or the end of the wait makes a waiting instance compute itself. A waiter only
 *   ever returns what `read()` validated: nothing here can authorize.
 */
export async function sharedFlight<T>(s: SharedFlightSettings<T>): Promise<T> {
  const taken = await s.store.add(s.lockKey, s.owner, s.lockTtlMs)
  if (taken === STORE_FAILED) return s.compute()
  if (taken) {
    try {
      const published = await s.read()
      if (published !== undefined && published !== STORE_FAILED) return published
      return await s.compute()
    } finally {
      // Even while this instance skips a failing store: the others wait for this lock to go.
      void s.store.delete(s.lockKey, true)
    }
  }
  if (s.whileHeld !== undefined) return s.whileHeld
  const deadline = Date.now() + s.lockTtlMs
  let delay = FIRST_POLL_MS
  for (let now = Date.now(); now < deadline; now = Date.now()) {
    await sleep(Math.min(delay, deadline - now))
    const [value, lock] = await Promise.all([s.read(), s.store.get(s.lockKey)])
    if (value === STORE_FAILED) break
    if (value !== undefined) return value
    if (lock === undefined || lock === STORE_FAILED) {
      // The holder released the lock: after publishing (read again: it may have landed between our
      // two reads) or without a result (it failed), or the lock expired.
      const last = await s.read()
      if (last !== undefined && last !== STORE_FAILED) return last
      break
    }
    delay = Math.min(delay * 2, MAX_POLL_MS)
  }
  return s.compute()
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

/** A random id for this instance (128 bits, hex), the value of the locks it takes. */
export function instanceId(): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
