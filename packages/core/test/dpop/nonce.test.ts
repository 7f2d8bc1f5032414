/**
 * Server DPoP nonces: the exact value of a slot's nonce (base64url of HMAC-SHA-256 of
 * `dpop-nonce:<slot>` under the secret), the slot boundaries in seconds, and which nonces are
 * accepted: the current and the previous slot's only, whatever jump the clock made.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { NonceSource } from '../../src/dpop/nonce.js'
import { testClock } from '../support/index.js'

const nonceOf = (secret: string, slot: number) => createHmac('sha256', secret).update(`dpop-nonce:${slot}`).digest('base64url')

describe('NonceSource', () => {
  it('hands out the HMAC of the current slot, the slot being rotationSeconds long', () => {
    const clock = testClock(60_000 * 1000)
    const nonces = new NonceSource('s3cret', 60, clock.now)
    expect(nonces.current()).toBe(nonceOf('s3cret', 1000))
    clock.advance(59_999)
    expect(nonces.current()).toBe(nonceOf('s3cret', 1000))
    clock.advance(1)
    expect(nonces.current()).toBe(nonceOf('s3cret', 1001))
  })

  it('depends on the secret', () => {
    const clock = testClock(0)
    expect(new NonceSource('a', 10, clock.now).current()).not.toBe(new NonceSource('b', 10, clock.now).current())
    expect(new NonceSource('a', 10, clock.now).current()).toBe(nonceOf('a', 0))
  })

  it('accepts the current and the previous slot nonce from the start, not older or newer ones', () => {
    const clock = testClock(10_000 * 5)
    const nonces = new NonceSource('k', 10, clock.now)
    expect(nonces.accepts(nonceOf('k', 5))).toBe(true)
    expect(nonces.accepts(nonceOf('k', 4))).toBe(true)
    expect(nonces.accepts(nonceOf('k', 3))).toBe(false)
    expect(nonces.accepts(nonceOf('k', 6))).toBe(false)
    expect(nonces.accepts(nonceOf('other', 5))).toBe(false)
  })

  it('moves the window with the clock, one slot or several at a time', () => {
    const clock = testClock(0)
    const nonces = new NonceSource('k', 1, clock.now)
    const first = nonces.current()
    clock.advance(1000)
    expect(nonces.accepts(first)).toBe(true)
    expect(nonces.accepts(nonceOf('k', 1))).toBe(true)
    clock.advance(1000)
    expect(nonces.accepts(first)).toBe(false)
    expect(nonces.accepts(nonceOf('k', 1))).toBe(true)
    clock.advance(3000) // slot 5: the previous one is slot 4's, never a stale current
    expect(nonces.accepts(nonceOf('k', 2))).toBe(false)
    expect(nonces.accepts(nonceOf('k', 4))).toBe(true)
    expect(nonces.current()).toBe(nonceOf('k', 5))
  })

  it('accepts nothing that is not a non-empty string', () => {
    const nonces = new NonceSource('k', 60, testClock().now)
    for (const value of [undefined, null, '', 42, {}, [nonces.current()]]) expect(nonces.accepts(value)).toBe(false)
    expect(nonces.accepts(nonces.current())).toBe(true)
  })
})
