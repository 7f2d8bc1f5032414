/**
 * Class 13: the client-credentials token source refuses hostile token responses (a real local
 * server answers), never refreshes more than once a second, and a hanging store cannot hang it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { AuthorizationServerError, type CacheStore, createClientCredentials } from '../../src/index.js'
import { rejection } from '../support/index.js'

let server: TestHttpServer
let answer: () => unknown = () => ({})
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    req.resume()
    const body = answer()
    res.writeHead(200, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body))
  })
})
afterAll(() => server.close())
beforeEach(() => server.resetCount())

const make = (extra = {}) =>
  createClientCredentials({
    tokenEndpoint: `${server.url}/token`,
    clientId: 'svc',
    clientSecret: 'svc-secret-0123456789',
    retry: { attempts: 1 },
    ...extra,
  })

describe('hostile token responses are AuthorizationServerError bad_response', () => {
  it.each([
    ['access_token with CR/LF', () => ({ access_token: 'abc\r\nX-Evil: 1', token_type: 'Bearer', expires_in: 60 })],
    ['access_token with a space', () => ({ access_token: 'abc def', token_type: 'Bearer', expires_in: 60 })],
    ['access_token with a quote', () => ({ access_token: 'abc"def', token_type: 'Bearer', expires_in: 60 })],
    ['expires_in 1e308', () => ({ access_token: 'abc', token_type: 'Bearer', expires_in: 1e308 })],
    ['expires_in 1e400 (Infinity)', () => '{"access_token":"abc","token_type":"Bearer","expires_in":1e400}'],
    ['expires_in 0', () => ({ access_token: 'abc', token_type: 'Bearer', expires_in: 0 })],
    ['expires_in 0.2', () => ({ access_token: 'abc', token_type: 'Bearer', expires_in: 0.2 })],
    ['expires_in two years', () => ({ access_token: 'abc', token_type: 'Bearer', expires_in: 2 * 365 * 86400 })],
  ])('%s', async (_n, body) => {
    answer = body
    const err = await rejection(() => make().getAccessToken(), AuthorizationServerError, 503)
    expect((err as AuthorizationServerError).failure).toBe('bad_response')
  })

  it('expires_in 0 does not mean one request per call: at most one request a second', async () => {
    answer = () => ({ access_token: 'abc', token_type: 'Bearer', expires_in: 0 })
    const cc = make()
    for (let i = 0; i < 20; i++) await rejection(() => cc.getAccessToken(), AuthorizationServerError, 503)
    expect(server.requests).toBe(1)
  })

  it('a 1 s token is refreshed at most once a second (the floor), a normal one is cached', async () => {
    let now = 1_000_000
    let n = 0
    answer = () => ({ access_token: `tok-${++n}`, token_type: 'Bearer', expires_in: 1 })
    const cc = make({ clock: () => now })
    for (let i = 0; i < 10; i++) expect(await cc.getAccessToken()).toBe('tok-1')
    now += 1000
    expect(await cc.getAccessToken()).toBe('tok-2')
    expect(server.requests).toBe(2)
  })
})

describe('a store that never answers', () => {
  it('is a miss (get) and not waited for (set): the token still comes', async () => {
    answer = () => ({ access_token: 'tok-store', token_type: 'Bearer', expires_in: 60 })
    const never = () => new Promise<never>(() => {})
    const store: CacheStore = { get: never, set: never, delete: never }
    const started = Date.now()
    expect(await make({ store, storeTimeout: 0.02 }).getAccessToken()).toBe('tok-store')
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
