import type { JwtTransform, OAuth2Server } from 'oauth2-mock-server'

/** Options of {@link MockOAuth2Server.mintToken}. */
export interface MockTokenOptions {
  /** Claims merged into the payload (`undefined` removes one, e.g. to drop `aud`). */
  claims?: Record<string, unknown>
  /** Header parameters merged into the header (e.g. `{ typ: 'at+jwt' }`). */
  header?: Record<string, unknown>
  /** Lifetime in seconds. Default 3600. */
  expiresIn?: number
}

/** A running `oauth2-mock-server` 8.x instance (see {@link startMockOAuth2Server}). */
export interface MockOAuth2Server {
  /** Issuer URL, `http://127.0.0.1:<port>` (no trailing slash). */
  readonly issuer: string
  /** `{issuer}/.well-known/openid-configuration`. */
  readonly discoveryUrl: string
  /** `{issuer}/jwks`. */
  readonly jwksUri: string
  /**
   * The underlying `OAuth2Server` of oauth2-mock-server (events such as `beforeTokenSigning`,
   * `beforeIntrospect`, …). Typed loosely so that this package's types do not need oauth2-mock-server,
   * an optional peer dependency.
   */
  readonly server: { on(event: string, listener: (...args: never[]) => void): unknown }
  /** Signs a JWT (RS256, key generated at start) with `iss`, `iat`, `nbf`, `exp` and `claims`. */
  mintToken(options?: MockTokenOptions): Promise<string>
  stop(): Promise<void>
}

/**
 * Starts an `oauth2-mock-server` (8.x: the 9.x line needs Node 22) on `127.0.0.1` with an
 * ephemeral port and one RS256 signing key: a second, independent authorization server
 * implementation for tests (discovery, JWKS, token, introspection and userinfo endpoints).
 */
export async function startMockOAuth2Server(): Promise<MockOAuth2Server> {
  let OAuth2ServerClass: typeof OAuth2Server
  try {
    ;({ OAuth2Server: OAuth2ServerClass } = await import('oauth2-mock-server'))
  } catch (err) {
    throw new Error('startMockOAuth2Server() needs oauth2-mock-server 8: npm install --save-dev oauth2-mock-server@8', { cause: err })
  }
  const server = new OAuth2ServerClass()
  await server.issuer.keys.generate('RS256')
  await server.start(0, '127.0.0.1')
  const { port } = server.address()
  const issuer = `http://127.0.0.1:${port}`
  server.issuer.url = issuer
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUri: `${issuer}/jwks`,
    server: server as unknown as MockOAuth2Server['server'],
    mintToken({ claims = {}, header = {}, expiresIn = 3600 } = {}) {
      const transform: JwtTransform = (h, p) => {
        for (const [k, v] of Object.entries(header)) {
          if (v === undefined) delete h[k]
          else h[k] = v
        }
        for (const [k, v] of Object.entries(claims)) {
          if (v === undefined) delete p[k]
          else p[k] = v
        }
      }
      return server.issuer.buildToken({ scopesOrTransform: transform, expiresIn })
    },
    stop: () => server.stop(),
  }
}
