/**
 * JWT signatures over real sockets: the Node adapters (Express, Fastify, Koa, NestJS) verify them with
 * node:crypto unless the options chose a verifier; core alone, and Hono (it also runs where there is
 * no node:crypto), keep WebCrypto. Shown with WebCrypto's `crypto.subtle.verify` made to fail in this
 * process: through a Node adapter a good token is still accepted and a forged one refused; through
 * core alone or Hono even a good token is refused (fail closed), which shows the sabotage bites.
 */
import * as nodeCrypto from 'node:crypto'
import { createResourceServer, nodeSignatureVerifier, type ResourceServer, type SignatureVerifier } from '@org/rs-core'
import { startTestAS, type TestAS } from '@org/rs-testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RunningApp } from '../src/apps/shared.js'
import { frameworks } from '../src/frameworks.js'

const API = 'https://api.example.test'
let as: TestAS
let good: string
let forged: string

beforeAll(async () => {
  as = await startTestAS()
  good = await as.issueToken({ sub: 'user-1', scope: 'read', resource: API })
  const dot = good.lastIndexOf('.')
  forged = `${good.slice(0, dot + 10)}${good[dot + 10] === 'A' ? 'B' : 'A'}${good.slice(dot + 11)}`
})
afterAll(() => as?.stop())
afterEach(() => vi.restoreAllMocks())

const newRs = (extra: { signatureVerifier?: SignatureVerifier } = {}): ResourceServer =>
  createResourceServer({
    issuer: as.issuer,
    audience: API,
    tokenFormat: 'jwt',
    cache: false,
    allowInsecureRequests: true,
    logger: false,
    ...extra,
  })

/** WebCrypto's verify fails from now on (restored after each test). */
function sabotageWebCrypto(): { calls: () => number } {
  const spy = vi.spyOn(crypto.subtle, 'verify').mockRejectedValue(new Error('crypto.subtle.verify disabled by the test'))
  return { calls: () => spy.mock.calls.length }
}

const status = async (app: RunningApp, token: string) =>
  (await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status

describe.each(Object.entries(frameworks))('%s adapter', (name, { start }) => {
  const onWebCrypto = name === 'hono'
  let rs: ResourceServer
  let app: RunningApp
  beforeAll(async () => {
    rs = newRs() // its own resource server: the default an adapter sets is per resource server
    app = await start(rs)
  })
  afterAll(() => app?.close())

  it(onWebCrypto ? 'keeps WebCrypto (a good token is refused when WebCrypto fails)' : 'verifies with node:crypto by default', async () => {
    expect(await status(app, good)).toBe(200) // WebCrypto still works: the JWKS is fetched, the token accepted
    const webCrypto = sabotageWebCrypto()
    if (onWebCrypto) {
      expect(await status(app, good)).toBe(401)
      expect(webCrypto.calls()).toBeGreaterThan(0)
      return
    }
    expect(await status(app, good)).toBe(200)
    expect(await status(app, forged)).toBe(401)
    expect(webCrypto.calls()).toBe(0)
  })
})

describe('without an adapter, and with a verifier chosen in the options', () => {
  it('core alone keeps WebCrypto: with it failing, a good token is refused (401), never accepted', async () => {
    const rs = newRs()
    await rs.authenticate(`Bearer ${good}`)
    sabotageWebCrypto()
    await expect(rs.authenticate(`Bearer ${good}`)).rejects.toMatchObject({ status: 401, code: 'invalid_token' })
  })

  it('the verifier of the options is the one an adapter uses, over a real socket', async () => {
    let calls = 0
    const node = nodeSignatureVerifier(nodeCrypto)
    const rs = newRs({ signatureVerifier: (...args) => (calls++, node(...args)) })
    const app = await frameworks.express!.start(rs)
    try {
      sabotageWebCrypto()
      expect([await status(app, good), await status(app, forged)]).toEqual([200, 401])
      expect(calls).toBe(2)
    } finally {
      await app.close()
    }
  })
})
