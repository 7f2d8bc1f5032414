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

/** Default bound on any response body from the authorization server: 256 KB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024

/**
 * Reads a body of at most `maxBytes` bytes, chunk by chunk: past the bound the stream is cancelled
 * (the connection aborted) without reading the rest, whatever `Content-Length` says or omits.
 * A hostile or broken AS cannot make us buffer more than `maxBytes`.
 */
export async function readBytes(response: Response, what: string, maxBytes = DEFAULT_MAX_RESPONSE_BYTES): Promise<Uint8Array> {
  const tooLarge = () =>
    new AuthorizationServerError('bad_response', `${what} sent a body larger than ${maxBytes} bytes`, { upstreamStatus: response.status })
  const declared = Number(response.headers.get('content-length'))
  if (declared > maxBytes) {
    void response.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (response.body === null) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        chunks.length = 0
        void reader.cancel().catch(() => {})
        throw tooLarge()
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

const utf8 = new TextDecoder()

/** {@link readBytes}, decoded as UTF-8. */
export async function readText(response: Response, what: string, maxBytes = DEFAULT_MAX_RESPONSE_BYTES): Promise<string> {
  return utf8.decode(await readBytes(response, what, maxBytes))
}

/**
 * A `fetch` whose responses are read here, within `maxBytes` (see {@link readBytes}), and handed on
 * as a buffered `Response`: given to oauth4webapi (discovery, introspection, token endpoint) and
 * jose (JWKS) as their custom fetch, so no library reads an unbounded body from the AS.
 */
export function boundedFetch(fetchImpl: FetchLike | undefined, maxBytes: number, what: string): FetchLike {
  return async (input, init) => {
    const response = await (fetchImpl ?? globalThis.fetch)(input, init)
    const nullBody = response.status === 101 || response.status === 204 || response.status === 205 || response.status === 304
    const body = nullBody ? null : await readBytes(response, what, maxBytes)
    const headers = new Headers(response.headers)
    headers.delete('content-encoding') // the body is already decoded
    headers.delete('content-length')
    return new Response(body as BodyInit | null, { status: response.status, statusText: response.statusText, headers })
  }
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
