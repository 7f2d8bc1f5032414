/**
 * The floor: the least any middleware can do to accept a request from a cache of verified JWTs under
 * this SDK's rules, written by hand for one route (scope `read`) so that nothing general is left.
 * It reads the one `Authorization` header (a repeated one refused), takes the signature after the
 * last dot, keys the cache by node:crypto's SHA-256 of it (a token, or its signature, is never a key
 * itself, and a non-cryptographic hash would let a forged signature hit the cache), compares the
 * rest of the token, checks `exp` and the scope, and hands the claims on. A miss asks `rs` once.
 *
 * What it leaves out, and `requireAuth` does on every request: the RFC 6750 syntax of the header,
 * whether the key that verified the token is still published, the LRU order of the cache, the
 * sender-constraint and token policies, typed errors with their challenge, events. So `requireAuth`
 * cannot be cheaper than this; when this alone costs a framework more than 5 % of its unprotected
 * throughput, the goal "protected / unprotected ≥ 0.95" is out of reach of any code of ours.
 */
import type { AccessTokenInfo, ResourceServer } from '@org/rs-core'
import { hash } from 'node:crypto'
import { routeScopes } from './common.js'

interface Entry {
  signingInput: string
  info: AccessTokenInfo
}

const PREFIX = 'Bearer '
const MAX_ENTRIES = 10_000

/** A checker over its own cache: the claims of an acceptable request, or `undefined` (to be answered 401/403). */
export function floorCheck(
  rs: ResourceServer,
): (authorization: string | undefined) => AccessTokenInfo | undefined | Promise<AccessTokenInfo | undefined> {
  const cache = new Map<string, Entry>()
  const accept = (info: AccessTokenInfo): AccessTokenInfo | undefined =>
    info.exp !== undefined && info.exp * 1000 > Date.now() && info.scopes.includes('read') ? info : undefined
  return (authorization) => {
    if (authorization === undefined || !authorization.startsWith(PREFIX)) return undefined
    const dot = authorization.lastIndexOf('.')
    const key = hash('sha256', authorization.slice(dot + 1), 'binary')
    const entry = cache.get(key)
    if (entry !== undefined) return entry.signingInput === authorization.slice(PREFIX.length, dot) ? accept(entry.info) : undefined
    return rs.authenticate(authorization, routeScopes).then(
      (info) => {
        if (info === undefined) return undefined
        if (cache.size >= MAX_ENTRIES) cache.clear()
        cache.set(key, { signingInput: authorization.slice(PREFIX.length, dot), info })
        return info
      },
      () => undefined,
    )
  }
}
