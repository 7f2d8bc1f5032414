/**
 * The introspection request and how each kind of answer is read (RFC 7662): a JSON answer only as
 * `application/json`, a JWT only as `application/token-introspection+jwt` and only when asked for,
 * the AS's refusals of a token (401) told apart from its failures (503). Against a real local AS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readBody, startHttpServer, type TestHttpServer } from '@org/rs-testing'
import { AuthorizationServerError, BearerError, createResourceServer, type ResourceServerOptions } from '../../src/index.js'
import {
  type FakeAS,
  type IntrospectionAnswer,
  type IntrospectionRequest,
  introspectingRs,
  rejection,
  signedIntrospection,
  startFakeAS,
  testClock,
} from '../support/index.js'

let as: FakeAS
let answer: IntrospectionAnswer | (() => Promise<IntrospectionAnswer>)
const received: IntrospectionRequest[] = []
const ACTIVE = { active: true, sub: 'user-1', scope: 'read' }

beforeAll(async () => {
  as = await startFakeAS()
  as.introspect = async (req) => {
    received.push(req)
    return typeof answer === 'function' ? answer() : answer
  }
})
afterAll(() => as?.close())
beforeEach(() => {
  received.length = 0
  answer = { body: ACTIVE }
})

const rs = (extra: Partial<ResourceServerOptions> = {}) => introspectingRs(as, extra)
const unavailable = async (extra: Partial<ResourceServerOptions> = {}) =>
  (await rejection(() => rs(extra).authenticate('Bearer tok'), AuthorizationServerError, 503)) as AuthorizationServerError

describe('a JSON answer is read only when the AS labels it JSON', () => {
  it('application/json, with parameters or in capitals, is read', async () => {
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      answer = { body: ACTIVE, contentType }
      await expect(rs().authenticate('Bearer tok'), contentType).resolves.toMatchObject({ sub: 'user-1' })
    }
  })

  it('a valid JSON body under another content type (or none) is a 503, never a token', async () => {
    for (const contentType of ['text/plain', 'text/html', 'application/jwt', '']) {
      answer = { body: JSON.stringify(ACTIVE), contentType }
      expect((await unavailable()).failure, contentType).toBe('bad_response')
    }
  })

  it('a signed answer when JSON was asked for is a 503 (no unverified downgrade either way)', async () => {
    answer = async () => ({ body: await signedIntrospection(as, ACTIVE), contentType: 'application/token-introspection+jwt' })
    expect((await unavailable()).failure).toBe('bad_response')
    answer = { body: ACTIVE }
    expect((await unavailable({ introspection: { response: 'jwt' } })).failure).toBe('bad_response')
  })

  it('a body that is not an object with a boolean active is a 503', async () => {
    for (const body of ['[]', 'null', '"active"', '{"active":"true"}', '{"sub":"x"}', 'not json']) {
      answer = { body }
      expect((await unavailable()).failure, body).toBe('bad_response')
    }
  })

  it('active: false is a 401, whatever else the answer says', async () => {
    answer = { body: { active: false, sub: 'user-1', scope: 'read' } }
    await rejection(() => rs().authenticate('Bearer tok'), BearerError, 401, 'invalid_token')
  })
})

describe('what the request carries', () => {
  it('the token, the client, and token_type_hint only when configured', async () => {
    await rs().authenticate('Bearer tok-a')
    expect(received[0]!.token).toBe('tok-a')
    expect(received[0]!.clientId).toBe('rs-1')
    expect(received[0]!.params.has('token_type_hint')).toBe(false)
    await rs({ introspection: { tokenTypeHint: 'access_token' } }).authenticate('Bearer tok-b')
    expect(received[1]!.params.get('token_type_hint')).toBe('access_token')
  })
})

describe("the AS's error answers: a refused token is 401, a failing AS is 503", () => {
  it.each(['unsupported_token_type', 'invalid_request', 'invalid_token'])(
    '400 %s: the token is invalid (401), and that verdict is cached',
    async (error) => {
      answer = { status: 400, body: { error } }
      const server = rs()
      await rejection(() => server.authenticate('Bearer tok'), BearerError, 401, 'invalid_token')
      await rejection(() => server.authenticate('Bearer tok'), BearerError, 401, 'invalid_token')
      expect(received).toHaveLength(1)
    },
  )

  it('a token-refusal error under any status but 400 is the AS failing (503), never a verdict on the token', async () => {
    for (const [status, error] of [
      [500, 'invalid_request'],
      [503, 'invalid_token'],
      [404, 'unsupported_token_type'],
    ] as const) {
      answer = { status, body: { error } }
      expect(await unavailable()).toMatchObject({ failure: 'http_status', upstreamStatus: status })
    }
  })

  it('400 with another error, or none, is a 503 naming the status', async () => {
    for (const body of [{ error: 'server_error' }, 'oops', {}]) {
      answer = { status: 400, body }
      const err = await unavailable()
      expect(err).toMatchObject({ failure: 'http_status', upstreamStatus: 400 })
    }
  })

  it('a 401, or invalid_client under any status, is our own client rejected (503 client_rejected)', async () => {
    for (const [status, body] of [
      [401, {}],
      [401, 'no'],
      [400, { error: 'invalid_client' }],
      [403, { error: 'invalid_client' }],
    ] as const) {
      answer = { status, body }
      expect(await unavailable()).toMatchObject({ failure: 'client_rejected', upstreamStatus: status })
    }
  })

  it("a 5xx passes the AS's Retry-After on (bounded), and defaults to 5 s", async () => {
    answer = { status: 503, body: { error: 'temporarily_unavailable' } }
    expect(await unavailable()).toMatchObject({ failure: 'http_status', upstreamStatus: 503, retryAfter: 5 })
  })

  it('a failing AS is asked again on the next request: nothing is cached', async () => {
    answer = { status: 500, body: 'down' }
    const server = rs()
    await rejection(() => server.authenticate('Bearer tok'), AuthorizationServerError, 503)
    answer = { body: ACTIVE }
    await expect(server.authenticate('Bearer tok')).resolves.toMatchObject({ sub: 'user-1' })
    expect(received).toHaveLength(2)
  })
})

describe('a discovered introspection endpoint that fails is looked up again', () => {
  it('after a failure of the AS (not after a refused token), the metadata is rediscovered: a moved endpoint is found', async () => {
    let endpoint = '/v1/introspect'
    let discoveries = 0
    const moving: TestHttpServer = await startHttpServer(async (req, res) => {
      const token = new URLSearchParams(await readBody(req)).get('token')
      const json = (status: number, body: unknown) =>
        void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      if (req.url === '/.well-known/openid-configuration') {
        discoveries++
        return json(200, { issuer: moving.url, introspection_endpoint: `${moving.url}${endpoint}` })
      }
      if (req.url !== endpoint) return json(404, {})
      return token === 'refused' ? json(400, { error: 'invalid_token' }) : json(200, ACTIVE)
    })
    try {
      const clock = testClock()
      const server = createResourceServer({ issuer: moving.url, clientId: 'rs-1', clientSecret: 'secret-secret-secret', clock: clock.now })
      await expect(server.authenticate('Bearer t1')).resolves.toMatchObject({ sub: 'user-1' })
      expect(discoveries).toBe(1)
      // a token the AS refuses (400 invalid_token) says nothing about its metadata: no rediscovery
      clock.advance(60_000)
      await rejection(() => server.authenticate('Bearer refused'), BearerError, 401)
      await expect(server.authenticate('Bearer t2')).resolves.toMatchObject({ sub: 'user-1' })
      expect(discoveries).toBe(1)
      // the endpoint moves: the old one fails (404, a 503 for us), then discovery runs again and finds the new one
      endpoint = '/v2/introspect'
      await rejection(() => server.authenticate('Bearer t3'), AuthorizationServerError, 503)
      await expect(server.authenticate('Bearer t4')).resolves.toMatchObject({ sub: 'user-1' })
      expect(discoveries).toBe(2)
    } finally {
      await moving.close()
    }
  })
})
