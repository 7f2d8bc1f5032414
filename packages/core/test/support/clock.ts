/** An injected clock for the `clock` options: time moves only when a test moves it. */
export interface TestClock {
  /** The `clock` option: milliseconds since the epoch. */
  readonly now: () => number
  /** Seconds since the epoch, whole (for `exp`, `iat`, `nbf`). */
  readonly seconds: () => number
  advance(ms: number): void
  set(ms: number): void
}

/** A clock starting at `start` (default 2030-01-01T00:00:00Z, a whole second). */
export function testClock(start = Date.UTC(2030, 0, 1)): TestClock {
  let t = start
  return {
    now: () => t,
    seconds: () => Math.floor(t / 1000),
    advance: (ms) => void (t += ms),
    set: (ms) => void (t = ms),
  }
}
