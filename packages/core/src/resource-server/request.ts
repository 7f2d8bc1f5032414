/**
 * The request as core sees it, whatever the framework: method, URL and headers. Reading the
 * `Authorization` header refuses a duplicated one, without allocating per request (Node's
 * `rawHeaders` is scanned in place; `headersDistinct` would build an object of arrays for every
 * header on every request).
 *
 * @module resource-server/request
 */
import { BearerError } from '../errors.js'

/**
 * An HTTP request, as a framework adapter (or your own server) hands it to
 * {@link ResourceServer.authenticateRequest}. Give `rawHeaders` (Node) or `headers`.
 *
 * @example Node's `http` module
 * ```ts
 * const auth = await rs.authenticateRequest({ method: req.method, url: req.url, rawHeaders: req.rawHeaders })
 * ```
 * @example A Fetch `Request` (Bun, Deno, workers)
 * ```ts
 * const auth = await rs.authenticateRequest({ method: request.method, url: request.url, headers: request.headers })
 * ```
 */
export interface HttpRequestInput {
  /** The request method, e.g. `GET`. */
  method?: string | undefined
  /** The request URL (absolute, or the path and query as received). */
  url?: string | undefined
  /**
   * The headers: a Fetch `Headers` (duplicates arrive joined by `, `, which a bearer credential can
   * never contain, so a duplicate is still refused) or an object of lower-case names (a value may be
   * an array when the header was repeated).
   */
  headers?: HeadersLike | undefined
  /** Node's `req.rawHeaders` (`[name, value, name, value, …]`): the exact headers received, duplicates included. Read first when given. */
  rawHeaders?: readonly string[] | undefined
  /**
   * The request's absolute URL as the framework sees it (scheme and host after the framework's own
   * proxy settings, path and query as received), for a DPoP proof's `htu` when `url` is only a path.
   * Ignored when the `dpop.publicUrl` option is set. A function is called only when a proof is checked.
   */
  href?: string | (() => string | undefined) | undefined
  /**
   * The DER bytes of the certificate the client presented on the TLS connection, for certificate-bound
   * tokens (RFC 8705). A function is called only when a token is bound to a certificate. On Node, see
   * `clientCertificateOf(req.socket)`.
   */
  clientCertificate?: Uint8Array | (() => Uint8Array | undefined) | undefined
}

/** A Fetch `Headers`, or a plain object of lower-case header names. */
export type HeadersLike = { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>

/** The value(s) of one header, by lower-case `name`. */
export function headerValue(request: HttpRequestInput, name: string): string | readonly string[] | undefined {
  if (typeof request !== 'object' || request === null) {
    throw new BearerError('invalid_request', 'The request could not be read')
  }
  const raw = request.rawHeaders
  if (raw !== undefined) return rawHeaderValue(raw, name)
  const headers = request.headers
  if (headers === undefined || headers === null) return undefined
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined
  return (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name]
}

/** The value of `name` in Node's raw headers; an array of every value when it was sent more than once. */
function rawHeaderValue(raw: readonly string[], name: string): string | readonly string[] | undefined {
  let first: string | undefined
  let all: string[] | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!
    if (key.length !== name.length || key.toLowerCase() !== name) continue
    const value = raw[i + 1]!
    if (first === undefined) first = value
    else (all ??= [first]).push(value)
  }
  return all ?? first
}
