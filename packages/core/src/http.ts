/**
 * Outgoing HTTP to the authorization server: a timeout on every call, and every transport failure
 * mapped to an {@link AuthorizationServerError}.
 *
 * @module http
 */
import { AuthorizationServerError } from './errors.js'

/** The `fetch` signature this package calls; pass your own to add a proxy, tracing or mTLS. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** Runs `call(signal)` with a timeout; network errors and the timeout become {@link AuthorizationServerError}. */
export async function withTimeout<T>(what: string, timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  // A timer cleared as soon as the call settles (AbortSignal.timeout would keep one alive, with its
  // signal, for the whole timeout after every call: thousands of them under load).
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException(`${what} timed out`, 'TimeoutError')), timeoutMs)
  const signal = controller.signal
  try {
    return await call(signal)
  } catch (err) {
    if (err instanceof AuthorizationServerError) throw err
    if (signal.aborted) {
      throw new AuthorizationServerError('timeout', `${what} did not answer within ${timeoutMs} ms`, { cause: err })
    }
    const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err)
    throw new AuthorizationServerError('network', `${what} could not be reached (${reason})`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date), bounded to [0, max]. */
export function parseRetryAfter(value: string | null, now: number, max = 300): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  let seconds: number
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed)
  else {
    const date = Date.parse(trimmed)
    if (Number.isNaN(date)) return undefined
    seconds = Math.ceil((date - now) / 1000)
  }
  return Math.min(max, Math.max(0, seconds))
}

/** The media type of a response, lowercased, without parameters. */
export function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
}

/** Reads a body of at most `maxBytes` (a hostile or broken AS cannot make us buffer gigabytes). */
export async function readText(response: Response, what: string, maxBytes = 1 << 20): Promise<string> {
  const length = Number(response.headers.get('content-length'))
  if (length > maxBytes) {
    void response.body?.cancel().catch(() => {})
    throw new AuthorizationServerError('bad_response', `${what} sent a body larger than ${maxBytes} bytes`)
  }
  const text = await response.text()
  if (text.length > maxBytes) throw new AuthorizationServerError('bad_response', `${what} sent a body larger than ${maxBytes} bytes`)
  return text
}

/** Is this URL safe to call? https anywhere; http only on loopback unless explicitly allowed. */
export function isAllowedUrl(url: URL, allowInsecureRequests: boolean): boolean {
  if (url.protocol === 'https:') return true
  if (url.protocol !== 'http:') return false
  return allowInsecureRequests || isLoopback(url.hostname)
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
}
