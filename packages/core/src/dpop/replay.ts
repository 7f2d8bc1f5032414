/**
 * DPoP replay detection (RFC 9449 §11.1): a proof's `jti` is accepted once within the window a proof
 * is valid for, through a {@link CacheStore} so that several instances sharing the store (Redis…)
 * share the detection. `add` (SET NX) is used when the store has it; otherwise `get` then `set`.
 *
 * Fail closed: when the store fails or does not answer in time, the proof is not accepted — the
 * request is answered 503 ({@link ReplayCacheError}), never let through unchecked.
 *
 * @module dpop/replay
 */
import { type CacheStore, sha256Hex } from '../cache/index.js'
import { BearerError, ReplayCacheError } from '../errors.js'
import type { VerifiedProof } from './proof.js'

export class ReplayCache {
  readonly #store: CacheStore<number>
  readonly #ttlMs: number
  readonly #timeoutMs: number

  /** `ttlMs` must cover the whole window in which a proof's `iat` is accepted. */
  constructor(store: CacheStore<number>, ttlMs: number, timeoutMs: number) {
    this.#store = store
    this.#ttlMs = ttlMs
    this.#timeoutMs = timeoutMs
  }

  /** Resolves when the proof is seen for the first time; rejects `invalid_dpop_proof` for a replay, {@link ReplayCacheError} when the store fails. */
  async check(proof: VerifiedProof): Promise<void> {
    // Keyed by the proof key too: a client cannot burn another client's jti values.
    const key = sha256Hex(`${proof.jkt}.${proof.jti}`, 'dpop-jti:')
    let fresh: unknown
    try {
      const store = this.#store
      // A synchronous store (the in-memory one) answers without a timer.
      fresh = typeof store.add === 'function' ? store.add(key, 1, this.#ttlMs) : this.#getThenSet(key)
      if (typeof fresh !== 'boolean') fresh = await this.#bounded(Promise.resolve(fresh))
    } catch (err) {
      throw new ReplayCacheError('The DPoP replay store failed: the proof could not be checked', { cause: err })
    }
    if (typeof fresh !== 'boolean') throw new ReplayCacheError('The DPoP replay store answered add() with something other than a boolean')
    if (!fresh) throw new BearerError('invalid_dpop_proof', 'The DPoP proof was already used (replay)')
  }

  async #getThenSet(key: string): Promise<boolean> {
    if ((await this.#store.get(key)) !== undefined) return false
    await this.#store.set(key, 1, this.#ttlMs)
    return true
  }

  #bounded<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs)
    })
    return Promise.race([work, timedOut]).finally(() => clearTimeout(timer))
  }
}
