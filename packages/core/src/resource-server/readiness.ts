/**
 * `rs.ready()`: proves the set-up works before the first request, not only that discovery answers.
 * Each problem becomes a {@link ConfigurationError} that names the option to change; an AS that is
 * down stays an {@link AuthorizationServerError}.
 *
 * @module resource-server/readiness
 */
import { AuthorizationServerError, ConfigurationError } from '../errors.js'
import type { EventSink } from '../events/index.js'
import type { ImportedKey } from '../keys/index.js'
import type { IssuerRuntime } from './issuer-runtime.js'

const COMPONENT = 'resource server set-up'

/**
 * Imports the decryption keys, then for every issuer: discovers its metadata (the issuer must be
 * exactly the AS's), introspects a random token with this resource server's credentials (expecting
 * `active: false`), and checks the AS's JWKS has a key for the configured algorithms.
 */
export async function checkReadiness(
  issuers: readonly IssuerRuntime[],
  decryptionKeys: () => Promise<readonly ImportedKey[]>,
  events: EventSink,
): Promise<void> {
  try {
    await decryptionKeys()
  } catch (err) {
    throw problem(
      events,
      'decryptionKeys',
      `could not be imported (${err instanceof Error ? err.message : String(err)}): give private keys as JWK or PKCS#8 PEM with their alg`,
    )
  }
  for (const runtime of issuers) {
    const prefix = issuers.length > 1 ? `issuers.${runtime.index}.` : ''
    try {
      await runtime.resolve()
      if (runtime.introspector !== undefined) await checkCredentials(runtime, prefix, events)
      await checkSigningKeys(runtime, prefix, events)
    } catch (err) {
      if (err instanceof AuthorizationServerError && err.failure === 'issuer_mismatch')
        throw problem(events, `${prefix}issuer`, err.message)
      throw err
    }
  }
}

/** Introspects a random token: an AS that refuses our client authentication says so now. */
async function checkCredentials(runtime: IssuerRuntime, prefix: string, events: EventSink): Promise<void> {
  const probe = `rs-ready-${crypto.randomUUID()}`
  try {
    const claims = await runtime.introspect(probe)
    if (claims.active !== false)
      throw problem(
        events,
        `${prefix}introspectionEndpoint`,
        'answered active: true for a random token: this is not an introspection endpoint to trust',
      )
  } catch (err) {
    if (err instanceof AuthorizationServerError && err.failure === 'client_rejected') {
      throw problem(events, `${prefix}clientSecret`, `${err.message}`)
    }
    if (err instanceof AuthorizationServerError && err.failure === 'bad_signature' && err.message.includes('could not be decrypted')) {
      throw problem(
        events,
        'decryptionKeys',
        `${err.message}: the AS encrypts to a key this resource server does not hold; publish rs.jwks() at the jwks_uri registered at the AS, with the private key in decryptionKeys`,
      )
    }
    throw err
  }
}

const KEY_TYPES: Record<string, (jwk: { kty?: string; crv?: string }) => boolean> = {
  RS: (k) => k.kty === 'RSA',
  PS: (k) => k.kty === 'RSA',
  ES256: (k) => k.kty === 'EC' && k.crv === 'P-256',
  ES384: (k) => k.kty === 'EC' && k.crv === 'P-384',
  ES512: (k) => k.kty === 'EC' && k.crv === 'P-521',
  EdDSA: (k) => k.kty === 'OKP' && (k.crv === 'Ed25519' || k.crv === 'Ed448'),
  Ed25519: (k) => k.kty === 'OKP' && k.crv === 'Ed25519',
}

function usableFor(alg: string, jwk: { kty?: string; crv?: string; alg?: string; use?: string }): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false
  if (jwk.alg !== undefined) return jwk.alg === alg
  const check = KEY_TYPES[alg] ?? KEY_TYPES[alg.slice(0, 2)]
  return check !== undefined && check(jwk)
}

/** The AS's JWKS must hold a key for at least one configured asymmetric algorithm (JWTs, signed introspection responses). */
async function checkSigningKeys(runtime: IssuerRuntime, prefix: string, events: EventSink): Promise<void> {
  const wanted = new Set<string>()
  const introspector = runtime.introspector
  if (introspector?.response === 'jwt') for (const a of introspector.signingAlgorithms) if (!a.startsWith('HS')) wanted.add(a)
  if (runtime.jwtSettings !== undefined && runtime.jwtSettings.secret === undefined)
    for (const a of runtime.jwtSettings.algorithms) if (!a.startsWith('HS')) wanted.add(a)
  if (wanted.size === 0) return
  const keys = await runtime.keySet().publishedKeys()
  if (keys.some((k) => [...wanted].some((alg) => usableFor(alg, k)))) return
  const found = keys.map((k) => k.alg ?? `${k.kty}${k.crv ? ` ${k.crv}` : ''}`).join(', ') || 'no key'
  throw problem(
    events,
    `${prefix}${introspector?.response === 'jwt' ? 'introspection.signingAlgorithms' : 'jwt.algorithms'}`,
    `none of ${[...wanted].join(', ')} can be verified with the AS's published keys (${found})`,
  )
}

function problem(events: EventSink, path: string, message: string): ConfigurationError {
  events.emit({ type: 'configuration_problem', message: `${path}: ${message}` })
  return new ConfigurationError(COMPONENT, [{ path, message }])
}
