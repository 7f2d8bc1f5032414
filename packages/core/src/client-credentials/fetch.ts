/**
 * The drop-in `fetch` of the client-credentials token source: sends `Authorization: Bearer`, and on
 * a 401 `invalid_token` challenge drops that token and sends the request once more with a fresh one
 * when its body can be sent again.
 *
 * @module client-credentials/fetch
 */
import { type FetchLike, isAllowedUrl } from '../http.js'
import type { ClientDpop } from './dpop.js'

export interface AuthorizedFetchSettings {
  fetch: FetchLike | undefined
  allowInsecureRequests: boolean
  /** The token, and whether it is DPoP-bound. */
  getAccessToken: () => Promise<{ accessToken: string; dpop?: true | undefined }>
  /** Signs the proofs of DPoP-bound tokens. */
  dpop?: ClientDpop | undefined
  /** Drops the default token if it is still this one. */
  invalidateIfCurrent: (token: string) => Promise<void>
}

export function authorizedFetch(s: AuthorizedFetchSettings): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const fetchImpl: FetchLike = s.fetch ?? ((i, n) => globalThis.fetch(i, n))
    const base = typeof location === 'undefined' ? undefined : location.href
    const url = new URL(input instanceof Request ? input.url : input, base)
    if (!isAllowedUrl(url, s.allowInsecureRequests)) {
      throw new TypeError(`Refusing to send a bearer token to ${url.origin} over plain http (set allowInsecureRequests to allow it)`)
    }
    const requestHasBody = input instanceof Request && input.body !== null && init?.body === undefined
    const replayable = !requestHasBody && isReplayableBody(init?.body)
    const baseHeaders = init?.headers ?? (input instanceof Request ? input.headers : undefined)

    const method = init?.method ?? (input instanceof Request ? input.method : 'GET')

    const send = async (token: { accessToken: string; dpop?: true | undefined }) => {
      const headers = new Headers(baseHeaders)
      if (token.dpop && s.dpop !== undefined) {
        headers.set('authorization', `DPoP ${token.accessToken}`)
        headers.set('dpop', await s.dpop.proof(method, url, token.accessToken))
      } else {
        headers.set('authorization', `Bearer ${token.accessToken}`)
      }
      const response = await fetchImpl(input, { ...init, headers })
      // The resource server's DPoP nonce: remembered for the next proofs, and one retry when it asked for it.
      if (!token.dpop || s.dpop === undefined || !s.dpop.rememberNonce(url, response) || !replayable) return response
      await response.body?.cancel().catch(() => {})
      return fetchImpl(input, { ...init, headers: withProof(headers, await s.dpop.proof(method, url, token.accessToken)) })
    }

    const token = await s.getAccessToken()
    const response = await send(token)
    if (
      response.status !== 401 ||
      !replayable ||
      !hasInvalidTokenChallenge(response.headers.get('www-authenticate'), token.dpop ? 'dpop' : 'bearer')
    )
      return response
    await response.body?.cancel().catch(() => {})
    await s.invalidateIfCurrent(token.accessToken)
    return send(await s.getAccessToken())
  }
}

function withProof(headers: Headers, proof: string): Headers {
  const copy = new Headers(headers)
  copy.set('dpop', proof)
  return copy
}

/** Can this body be sent a second time? */
function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null) return true
  if (typeof body === 'string') return true
  if (body instanceof URLSearchParams) return true
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true
  if (typeof Blob !== 'undefined' && body instanceof Blob) return true
  if (typeof FormData !== 'undefined' && body instanceof FormData) return true
  return false
}

/**
 * Does this `WWW-Authenticate` value hold a challenge of `scheme` (Bearer, or DPoP for a DPoP-bound token) with `error="invalid_token"`? Splits
 * challenges on the auth-scheme tokens and reads the `error` auth-param (quoted or not).
 */
export function hasInvalidTokenChallenge(header: string | null, scheme: 'bearer' | 'dpop' = 'bearer'): boolean {
  if (!header) return false
  // A challenge starts at the beginning or after a comma, with a scheme followed by a space (or the end).
  const starts = [...header.matchAll(/(?:^|,)\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?=\s+[^=\s,]|\s*(?:,|$))/g)]
  for (let i = 0; i < starts.length; i++) {
    const m = starts[i]!
    if (m[1]!.toLowerCase() !== scheme) continue
    const end = i + 1 < starts.length ? starts[i + 1]!.index : header.length
    const params = header.slice(m.index + m[0].length, end)
    const error = /(?:^|,|\s)error\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/i.exec(params)
    const value = error ? (error[1] ?? error[2] ?? '').replace(/\\(.)/g, '$1') : undefined
    if (value === 'invalid_token') return true
  }
  return false
}
