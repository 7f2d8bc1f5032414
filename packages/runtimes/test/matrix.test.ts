/**
 * The runtime matrix: the same scenarios (src/scenarios.ts) run inside Node, Bun, Deno and workerd
 * against a real oidc-provider running here on Node, on 127.0.0.1. Each runtime is one process
 * started once; scenarios 1–8 run inside it in one request, and scenario 9 calls its Hono app over HTTP.
 *
 * A runtime whose binary cannot be found fails the suite under CI=true, and is reported as skipped
 * (with a warning on stderr) elsewhere: never a silent pass.
 */
import { createServer } from 'node:net'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAS, TEST_CLIENT_SECRETS, type TestAS } from '@org/rs-testing'
import { SCENARIOS, type ScenarioConfig, type ScenarioId, type ScenarioReport, type ScenarioResult } from '../src/scenarios.js'
import { findRuntime, RUNTIMES, startRuntime, type RunningRuntime, type RuntimeName } from './harness.js'

const API = 'https://api.example.test'
const ENC_CLIENT = { id: 'rs-enc', secret: 'rs-enc-secret-rs-enc-secret-rs-enc-secret' }
const ENC_KID = 'rs-enc-1'
const IN_CI = process.env.CI === 'true' || process.env.CI === '1'

let as: TestAS
let decryptionKey: jose.JWK
let closedUrl: string

/** A loopback URL where nothing listens: a port we bound, then released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

beforeAll(async () => {
  const { privateKey } = await jose.generateKeyPair('RSA-OAEP-256', { extractable: true })
  decryptionKey = { ...(await jose.exportJWK(privateKey)), alg: 'RSA-OAEP-256', kid: ENC_KID }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicKey } = decryptionKey
  const [testAs, closed] = await Promise.all([
    startTestAS({
      clients: [
        {
          client_id: ENC_CLIENT.id,
          client_secret: ENC_CLIENT.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'client_secret_post',
          // The RS's public encryption key, registered inline: the RS runs in another runtime.
          jwks: { keys: [{ ...publicKey, use: 'enc' }] },
          introspection_signed_response_alg: 'RS256',
          introspection_encrypted_response_alg: 'RSA-OAEP-256',
          introspection_encrypted_response_enc: 'A256GCM',
        },
      ],
    }),
    closedPortUrl(),
  ])
  as = testAs
  closedUrl = closed
}, 60_000)

afterAll(async () => {
  await as?.stop()
})

it('precondition: the AS encrypts rs-enc introspection responses (so scenario 5 decrypts a real JWE)', async () => {
  const token = await as.issueToken({ sub: 'precondition', scope: 'read' })
  const res = await fetch(as.endpoints.introspection, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/token-introspection+jwt' },
    body: new URLSearchParams({ token, client_id: ENC_CLIENT.id, client_secret: ENC_CLIENT.secret }),
  })
  const body = await res.text()
  expect(res.status, body).toBe(200)
  expect(body.split('.')).toHaveLength(5)
  expect(jose.decodeProtectedHeader(body)).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: ENC_KID, cty: 'JWT' })
})

/** Fresh tokens for one runtime, one per scenario, each with its own subject. */
async function configFor(): Promise<ScenarioConfig> {
  const opaque = (sub: string) => as.issueToken({ sub, scope: 'openid read write' })
  const [json, rs256, es256, hs256, enc, jwt, hono] = await Promise.all([
    opaque('user-json'),
    opaque('user-rs256'),
    opaque('user-es256'),
    opaque('user-hs256'),
    opaque('user-enc'),
    as.issueToken({ sub: 'user-jwt', scope: 'read write', resource: API }),
    opaque('user-hono'),
  ])
  const client = (id: keyof typeof TEST_CLIENT_SECRETS) => ({ id, secret: TEST_CLIENT_SECRETS[id] })
  return {
    issuer: as.issuer,
    closedUrl,
    jwtAudience: API,
    clients: {
      json: client('rs-json'),
      rs256: client('rs-rs256'),
      es256: client('rs-es256'),
      hs256: client('rs-hs256'),
      enc: ENC_CLIENT,
      app: client('app'),
    },
    decryptionKey: decryptionKey as Record<string, unknown>,
    tokens: { json, rs256, es256, hs256, enc, jwt, hono },
  }
}

/** What each scenario must have observed inside the runtime. */
function expected(issuer: string): Record<ScenarioId, Record<string, unknown>> {
  const introspected = (sub: string) => ({
    sub,
    clientId: 'app',
    iss: issuer,
    source: 'introspection',
    scopes: ['openid', 'read', 'write'],
  })
  return {
    json: introspected('user-json'),
    rs256: introspected('user-rs256'),
    es256: introspected('user-es256'),
    hs256: introspected('user-hs256'),
    enc: { ...introspected('user-enc'), publishedKeys: [{ kid: ENC_KID, use: 'enc', alg: 'RSA-OAEP-256', private: false }] },
    jwt: { sub: 'user-jwt', clientId: 'app', iss: issuer, source: 'jwt', aud: [API], scopes: ['read', 'write'] },
    jwtOnly: {
      sub: 'user-jwt',
      clientId: 'app',
      iss: issuer,
      source: 'jwt',
      aud: [API],
      scopes: ['read', 'write'],
      refused: ['clientId', 'clientSecret'],
    },
    clientCredentials: { clientId: 'app', iss: issuer, source: 'introspection', scopes: ['read'] },
    unreachable: {
      isAuthorizationServerError: true,
      name: 'AuthorizationServerError',
      status: 503,
      failure: 'network',
      response: { status: 503, error: 'temporarily_unavailable' },
    },
  }
}

function unwrap(result: ScenarioResult | undefined, running: RunningRuntime | undefined): Record<string, unknown> {
  if (!result) throw new Error(`no result reported\n${running?.output() ?? ''}`)
  if (!result.ok) {
    const err = new Error(
      `${result.error.name}: ${result.error.message}\n--- stack inside the runtime ---\n${result.error.stack ?? '(none)'}\n--- runtime output ---\n${running?.output() ?? ''}`,
    )
    err.name = 'ScenarioFailed'
    throw err
  }
  return result.value
}

const EXPECTED_IDENTITY: Record<RuntimeName, string> = { node: 'node', bun: 'bun', deno: 'deno', workerd: 'workerd' }

for (const name of RUNTIMES) {
  const availability = findRuntime(name)

  if (!availability.available) {
    const message = `RUNTIME MISSING: ${name} was not tested: ${availability.reason}`
    process.stderr.write(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n\n`)
    describe(name, () => {
      if (IN_CI) it('binary available', () => expect.fail(`${message} (fails under CI=true)`))
      else it.skip(`UNAVAILABLE (${availability.reason}); fails under CI=true`, () => {})
    })
    continue
  }

  describe(name, () => {
    let running: RunningRuntime | undefined
    let report: ScenarioReport | undefined
    let startupError: unknown
    let config: ScenarioConfig

    // A runtime that cannot start or load the scenarios fails every one of its tests with the
    // reason (instead of vitest's "skipped" after a failed hook).
    beforeAll(async () => {
      try {
        config = await configFor()
        running = await startRuntime(name, availability.binary, config)
        const res = await fetch(`${running.url}/__scenarios`, { signal: AbortSignal.timeout(60_000) })
        const text = await res.text()
        if (res.status !== 200) throw new Error(`GET /__scenarios answered ${res.status}: ${text.slice(0, 2000)}\n${running.output()}`)
        report = JSON.parse(text) as ScenarioReport
      } catch (err) {
        startupError = err
      }
    }, 90_000)

    const started = (): ScenarioReport => {
      if (startupError !== undefined) throw startupError
      if (!report) throw new Error(`${name}: no report`)
      return report
    }

    afterAll(async () => {
      await running?.stop()
    })

    it(`runs inside ${name} (${availability.version})`, () => {
      expect(started().runtime.name, running?.output()).toBe(EXPECTED_IDENTITY[name])
    })

    for (const id of Object.keys(SCENARIOS) as ScenarioId[]) {
      it(SCENARIOS[id], () => {
        expect(unwrap(started().results[id], running)).toMatchObject(expected(as.issuer)[id])
      })
    }

    it('Hono adapter served natively: good token 200, no token 401, bad token 401', async () => {
      started()
      const me = (headers: Record<string, string> = {}) => fetch(`${running!.url}/me`, { headers, signal: AbortSignal.timeout(15_000) })

      const ok = await me({ authorization: `Bearer ${config.tokens.hono}` })
      const okBody = await ok.text()
      expect(ok.status, `${okBody}\n${running!.output()}`).toBe(200)
      expect(JSON.parse(okBody)).toEqual({ sub: 'user-hono', scopes: ['openid', 'read', 'write'], runtime: EXPECTED_IDENTITY[name] })

      const none = await me()
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      await none.body?.cancel()

      const bad = await me({ authorization: 'Bearer not-a-token-the-as-knows' })
      expect(bad.status).toBe(401)
      expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"')
      expect(await bad.json()).toMatchObject({ error: 'invalid_token' })
    })
  })
}
