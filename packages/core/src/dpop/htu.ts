/**
 * The `htu` of a DPoP proof (RFC 9449 §4.3): the request's URI without query and fragment, compared
 * after RFC 3986 §6 normalisation (case of scheme and host, default port, dot segments, case of
 * percent-encodings, percent-encoded unreserved characters).
 *
 * Where the request's URI comes from, in this order:
 * 1. `dpop.publicUrl` (the operator's declaration, e.g. behind a proxy): its origin and path prefix,
 *    then the request's path. The `Host` header and any `X-Forwarded-*` header are ignored.
 * 2. the absolute URL the adapter gives (`href`, or `url` when absolute): the request as the framework
 *    sees it, i.e. after the framework's own proxy trust settings.
 * Never from `X-Forwarded-*` or `Forwarded` headers read here.
 *
 * @module dpop/htu
 */
import { BearerError } from '../errors.js'
import type { HttpRequestInput } from '../resource-server/request.js'

const UNRESERVED = /[A-Za-z0-9\-._~]/
const PERCENT = /%([0-9A-Fa-f]{2})/g

/** The normalised path of `pathname` (already dot-segment-free from `URL`): percent-encodings upper-case, unreserved ones decoded. */
function normalisePath(pathname: string): string {
  if (!pathname.includes('%')) return pathname
  return pathname.replace(PERCENT, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16))
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`
  })
}

/** `scheme://host[:port]/path` of an http(s) URL, normalised, without query and fragment; `undefined` if it is not one. */
export function normaliseHtu(value: string): string | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '')
    return undefined
  return `${url.origin}${normalisePath(url.pathname)}`
}

/** A declared public base URL: origin and path prefix (no trailing slash). */
export interface PublicBase {
  origin: string
  prefix: string
}

export function publicBase(publicUrl: string | undefined): PublicBase | undefined {
  if (publicUrl === undefined) return undefined
  const url = new URL(publicUrl)
  return { origin: url.origin, prefix: normalisePath(url.pathname).replace(/\/+$/, '') }
}

const ABSOLUTE = /^https?:\/\//i

/**
 * The normalised URI a proof for `request` must name. Throws a plain `Error` (answered 500: a wiring
 * mistake, never an accepted request) when neither a public URL nor an absolute request URL is known.
 */
export function expectedHtu(request: HttpRequestInput, base: PublicBase | undefined): string {
  const given = request.href
  const href = typeof given === 'function' ? given() : given
  const url = request.url
  const absolute = href ?? (typeof url === 'string' && ABSOLUTE.test(url) ? url : undefined)
  if (base !== undefined) {
    const target = absolute ?? url
    if (typeof target !== 'string' || target === '') throw new BearerError('invalid_request', 'The request URL could not be read')
    // The path as received, resolved like a browser would (dot segments), query and fragment dropped.
    const path = URL.canParse(target, 'http://h') ? new URL(target, 'http://h').pathname : undefined
    if (path === undefined) throw new BearerError('invalid_request', 'The request URL could not be read')
    return `${base.origin}${base.prefix}${normalisePath(path)}`
  }
  if (absolute === undefined) {
    throw new Error(
      'DPoP needs the request URL with its scheme and host: give `href` in the request input, or set the dpop.publicUrl option',
    )
  }
  const normalised = normaliseHtu(absolute)
  if (normalised === undefined) throw new BearerError('invalid_request', 'The request URL could not be read')
  return normalised
}
