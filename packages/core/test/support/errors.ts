/**
 * "This call must fail with exactly this error": the one assertion every suite uses instead of its
 * own try/catch, so that a call that unexpectedly succeeds fails the test with what it returned.
 */
import { expect } from 'vitest'

/** Awaits a call that must fail with exactly this class of error (and status / code when given); resolves with the error. */
export async function rejection<E extends Error>(
  call: () => Promise<unknown>,
  cls: abstract new (...args: never[]) => E,
  status?: number,
  code?: string,
): Promise<E> {
  let result: unknown
  try {
    result = await call()
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(cls)
    if (status !== undefined) expect((err as { status: number }).status, String(err)).toBe(status)
    if (code !== undefined) expect((err as { code: string }).code, String(err)).toBe(code)
    return err as E
  }
  throw new Error(`expected a ${cls.name}, got a result: ${JSON.stringify(result)?.slice(0, 200)}`)
}

/** The synchronous twin of {@link rejection}: `call` must throw exactly this class of error; returns it. */
export function thrown<E extends Error>(call: () => unknown, cls: abstract new (...args: never[]) => E): E {
  let result: unknown
  try {
    result = call()
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(cls)
    return err as E
  }
  throw new Error(`expected a ${cls.name}, got a result: ${String(result).slice(0, 200)}`)
}
