/**
 * The SDK explains itself: events for every decision, a logger that says a set-up error once (not
 * once per request), and rs.ready() that rejects a broken set-up with the fix — against a real
 * oidc-provider. No event or log line ever holds a token or a secret.
 */
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHttpServer, startTestAS, type TestAS, type TestHttpServer } from '@org/rs-testing'
import {
  ConfigurationError,
  createResourceServer,
  type ResourceServer,
  type ResourceServerEvent,
  type ResourceServerOptions,
} from '../../src/index.js'
import { rejection } from '../support/index.js'

let as: TestAS
let rsJwks: TestHttpServer
let published: ResourceServer | undefined
const API = 'https://api.example.test'
const secretOf = (id: string) => as.clients[id]!.clientSecret!

/** A logger that keeps every line, for assertions. */
function capturingLogger() {
  const lines: { level: string; message: string; fields: unknown }[] = []
  const at = (level: string) => (message: string, fields?: unknown) => lines.push({ level, message, fields })
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

function leaks(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => text.includes(s))
}

async function privateJwk(alg: string, kid: string): Promise<jose.JWK> {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true })
  return { ...(await jose.exportJWK(privateKey)), alg, kid }
}

let encKey: jose.JWK
beforeAll(async () => {
  encKey = await privateJwk('RSA-OAEP-256', 'rs-enc-1')
  rsJwks = await startHttpServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify(await published!.jwks()))
  })
  as = await startTestAS({
    resources: { [API]: { accessTokenFormat: 'jwt' } },
    clients: [
      {
        client_id: 'rs-enc',
        client_secret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
        jwks_uri: `${rsJwks.url}/jwks`,
        introspection_signed_response_alg: 'RS256',
        introspection_encrypted_response_alg: 'RSA-OAEP-256',
        introspection_encrypted_response_enc: 'A256GCM',
      },
    ],
  } as Parameters<typeof startTestAS>[0])
  published = createResourceServer({
    issuer: as.issuer,
    clientId: 'rs-enc',
    clientSecret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret',
    decryptionKeys: [encKey],
  })
})

afterAll(async () => {
  await as?.stop()
  await rsJwks?.close()
})

const readyError = (options: ResourceServerOptions): Promise<ConfigurationError> =>
  rejection(() => createResourceServer({ logger: false, ...options }).ready(), ConfigurationError)

describe('rs.ready() proves the set-up works, and names the fix', () => {
  it('a good set-up is ready', async () => {
    await createResourceServer({ issuer: as.issuer, clientId: 'rs-json', clientSecret: secretOf('rs-json') }).ready()
    await createResourceServer({
      issuer: as.issuer,
      clientId: 'rs-rs256',
      clientSecret: secretOf('rs-rs256'),
      introspection: { response: 'jwt', signingAlgorithms: ['RS256'] },
    }).ready()
    await createResourceServer({ issuer: as.issuer, audience: API, tokenFormat: 'jwt' }).ready()
    await published!.ready()
  })

  it('a wrong client secret', async () => {
    const err = await readyError({ issuer: as.issuer, clientId: 'rs-json', clientSecret: 'not-the-secret-not-the-secret' })
    expect(err.issues[0]!.path).toBe('clientSecret')
    expect(err.message).toMatch(/check clientId, clientSecret and authMethod/)
    expect(leaks(err.message, ['not-the-secret-not-the-secret'])).toEqual([])
  })

  it('a wrong client id', async () => {
    const err = await readyError({ issuer: as.issuer, clientId: 'no-such-client', clientSecret: secretOf('rs-json') })
    expect(err.issues[0]!.path).toBe('clientSecret')
    expect(err.message).toMatch(/check clientId, clientSecret and authMethod/)
  })

  it('an issuer off by a trailing slash', async () => {
    const err = await readyError({ issuer: `${as.issuer}/`, clientId: 'rs-json', clientSecret: secretOf('rs-json') })
    expect(err.issues[0]!.path).toBe('issuer')
    expect(err.message).toContain(`calls itself "${as.issuer}"`)
    expect(err.message).toContain('without a trailing slash')
    expect(err.message).toContain(`set issuer to exactly "${as.issuer}"`)
  })

  it('a decryption key the AS does not encrypt to', async () => {
    const err = await readyError({
      issuer: as.issuer,
      clientId: 'rs-enc',
      clientSecret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret',
      decryptionKeys: [await privateJwk('RSA-OAEP-256', 'another-key')],
    })
    expect(err.issues[0]!.path).toBe('decryptionKeys')
    expect(err.message).toContain('publish rs.jwks()')
  })

  it('JWT algorithms the AS has no key for', async () => {
    const err = await readyError({ issuer: as.issuer, audience: API, tokenFormat: 'jwt', jwt: { algorithms: ['ES512'] } })
    expect(err.issues[0]!.path).toBe('jwt.algorithms')
    expect(err.message).toContain('ES512')
  })
})

describe('a set-up error is logged once, not once per request', () => {
  it('wrong client secret under load: 50 refusals (503), exactly one error line, no secret, no token', async () => {
    const { lines, logger } = capturingLogger()
    const events: ResourceServerEvent[] = []
    const secret = 'wrong-secret-wrong-secret-wrong'
    const rs = createResourceServer({
      issuer: as.issuer,
      clientId: 'rs-json',
      clientSecret: secret,
      logger,
      onEvent: (e) => events.push(e),
    })
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => as.issueToken({ sub: `u${i}`, scope: 'read' })))
    const results = await Promise.allSettled(tokens.map((t) => rs.authenticate(`Bearer ${t}`)))
    expect(results.every((r) => r.status === 'rejected' && (r.reason as { status?: number }).status === 503)).toBe(true)
    const loud = lines.filter((l) => l.level === 'error' || l.level === 'warn')
    expect(loud).toHaveLength(1)
    expect(loud[0]!.message).toMatch(/check clientId, clientSecret and authMethod/)
    expect(events.filter((e) => e.type === 'authorization_server_error')).toHaveLength(50)
    const everything = JSON.stringify([lines, events])
    expect(leaks(everything, [secret, ...tokens])).toEqual([])
  })

  it('each set-up mistake under load: one warn/error line each, naming the fix, never a secret or a token', async () => {
    const tokens = await Promise.all(Array.from({ length: 30 }, (_, i) => as.issueToken({ sub: `v${i}`, scope: 'read' })))
    const otherKey = await privateJwk('RSA-OAEP-256', 'not-published')
    const mistakes: [string, ResourceServerOptions, RegExp][] = [
      [
        'wrong client id',
        { issuer: as.issuer, clientId: 'no-such-client', clientSecret: secretOf('rs-json') },
        /check clientId, clientSecret and authMethod/,
      ],
      [
        'issuer off by a trailing slash',
        { issuer: `${as.issuer}/`, clientId: 'rs-json', clientSecret: secretOf('rs-json') },
        /set issuer to exactly/,
      ],
      [
        'a decryption key the AS does not encrypt to',
        { issuer: as.issuer, clientId: 'rs-enc', clientSecret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret', decryptionKeys: [otherKey] },
        /could not be decrypted/,
      ],
    ]
    for (const [what, options, fix] of mistakes) {
      const { lines, logger } = capturingLogger()
      const rs = createResourceServer({ ...options, logger })
      const results = await Promise.allSettled(tokens.map((t) => rs.authenticate(`Bearer ${t}`)))
      expect(
        results.every((r) => r.status === 'rejected'),
        what,
      ).toBe(true)
      const loud = lines.filter((l) => l.level === 'error' || l.level === 'warn')
      expect(loud, what).toHaveLength(1)
      expect(loud[0]!.message, what).toMatch(fix)
      expect(leaks(JSON.stringify(lines), [secretOf('rs-json'), 'rs-enc-secret-rs-enc-secret-rs-enc-secret', ...tokens]), what).toEqual([])
    }
  })

  it('without any logger configured, the set-up error still reaches the console, once', async () => {
    const seen: string[] = []
    const original = console.error
    console.error = (message: string) => void seen.push(message)
    try {
      const rs = createResourceServer({ issuer: as.issuer, clientId: 'rs-json', clientSecret: 'wrong-secret-wrong-secret-again' })
      const token = await as.issueToken({ sub: 'x', scope: 'read' })
      for (let i = 0; i < 5; i++) await rs.authenticate(`Bearer ${token}`).catch(() => {})
    } finally {
      console.error = original
    }
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatch(/set-up|client authentication/)
  })
})
