/**
 * The `fetch` wrapper of the client-credentials source, past what the end-to-end tests show: the
 * `fetch` option carries the API calls too, a Request's own method / headers / body decide what is
 * sent and whether it can be replayed, DPoP-bound tokens (the DPoP scheme, a proof per call, one
 * retry with the resource server's nonce, a fresh token only on a DPoP invalid_token challenge),
 * and the retry after invalid_token drops the token only if it is still the cached one (and forgets
 * the failed refreshes of that key). A real local token endpoint and API, an injected clock.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as jose from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { faults, readBody, startHttpServer, type Handler, type TestHttpServer } from '@org/rs-testing'
import { type ClientCredentialsOptions, createClientCredentials, MemoryCache } from '../../src/index.js'
import { type TestClock, testClock } from '../support/index.js'

interface Seen {
  method: string
  authorization: string | undefined
  dpop: string | undefined
  marker: string | undefined
  custom: string | undefined
  body: string
}

let server: TestHttpServer
let clock: TestClock
let tokenPlan: Handler[] = []
let issued = 0
let tokenType = 'Bearer'
/** The API: the default answers 200 to every token in `accepted`, else 401 invalid_token (Bearer). */
let apiHandler: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void
let accepted: Set<string>
const seen: Seen[] = []

beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
    const body = await readBody(req)
    if (req.url === '/token') {
      const step = tokenPlan.shift()
      if (step) return step(req, res)
      issued++
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `tok-${issued}`, token_type: tokenType, expires_in: 600 }))
      return
    }
    const s: Seen = {
      method: req.method ?? '',
      authorization: req.headers.authorization,
      dpop: req.headers.dpop as string | undefined,
      marker: req.headers['x-marker'] as string | undefined,
      custom: req.headers['x-custom'] as string | undefined,
      body,
    }
    seen.push(s)
    apiHandler(req, res, s)
  })
})
afterAll(() => server.close())
beforeEach(() => {
  clock = testClock()
  tokenPlan = []
  issued = 0
  tokenType = 'Bearer'
  seen.length = 0
  accepted = new Set()
  apiHandler = (_req, res, s) => {
    const token = (s.authorization ?? '').replace(/^(Bearer|DPoP) /, '')
    if (accepted.has(token)) return void res.writeHead(200).end('ok')
    res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
  }
})

const api = (path = '/api') => `${server.url}${path}`
const make = (extra: Partial<ClientCredentialsOptions> = {}) =>
  createClientCredentials({
    tokenEndpoint: `${server.url}/token`,
    clientId: 'svc',
    clientSecret: 'svc-secret-0123456789',
    clock: () => clock.now(),
    retry: { attempts: 1 },
    ...extra,
  })

describe('the fetch option', () => {
  it('is used for the API calls as well as for the token', async () => {
    accepted.add('tok-1')
    const marking = (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers)
      headers.set('x-marker', 'mine')
      return globalThis.fetch(input, { ...init, headers })
    }
    expect((await make({ fetch: marking }).fetch(api())).status).toBe(200)
    expect(seen.map((s) => s.marker)).toEqual(['mine'])
  })
})

describe('a Request as input', () => {
  it('without a body is replayed after invalid_token, with its method and headers', async () => {
    accepted.add('tok-2')
    const res = await make().fetch(new Request(api(), { method: 'DELETE', headers: { 'x-custom': 'req' } }))
    expect(res.status).toBe(200)
    expect(seen.map((s) => [s.method, s.authorization, s.custom])).toEqual([
      ['DELETE', 'Bearer tok-1', 'req'],
      ['DELETE', 'Bearer tok-2', 'req'],
    ])
  })

  it('with a body replaced by init.body is replayed with init.body', async () => {
    accepted.add('tok-2')
    const res = await make().fetch(new Request(api(), { method: 'POST', body: 'original' }), { body: 'given' })
    expect(res.status).toBe(200)
    expect(seen.map((s) => s.body)).toEqual(['given', 'given'])
  })

  it('with a body of its own is not replayed: the 401 is returned', async () => {
    const res = await make().fetch(new Request(api(), { method: 'POST', body: 'only once' }))
    expect(res.status).toBe(401)
    expect(seen.map((s) => s.body)).toEqual(['only once'])
    expect(issued).toBe(1)
  })

  it('an explicit null body is replayable', async () => {
    accepted.add('tok-2')
    expect((await make().fetch(api(), { method: 'POST', body: null })).status).toBe(200)
    expect(seen).toHaveLength(2)
  })

  it('a 403 with an invalid_token challenge is returned as is', async () => {
    apiHandler = (_req, res) => void res.writeHead(403, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
    expect((await make().fetch(api())).status).toBe(403)
    expect(seen).toHaveLength(1)
    expect(issued).toBe(1)
  })

  it('init.headers replace the Request’s headers; init.method its method', async () => {
    accepted.add('tok-1')
    await make().fetch(new Request(api(), { method: 'PUT', headers: { 'x-custom': 'req' } }), {
      method: 'PATCH',
      headers: { 'x-custom': 'init' },
    })
    expect(seen.map((s) => [s.method, s.custom])).toEqual([['PATCH', 'init']])
  })
})

describe('DPoP-bound tokens', () => {
  const dpopKey = async () => ({ keyPair: await jose.generateKeyPair('ES256', { extractable: true }) })
  const proof = (s: Seen) => jose.decodeJwt(s.dpop!)

  beforeEach(() => {
    tokenType = 'DPoP'
  })

  it('are sent with the DPoP scheme and a proof of the method and URL', async () => {
    accepted.add('tok-1')
    const res = await make({ dpop: await dpopKey() }).fetch(new Request(`${api('/a/b')}?q=1`, { method: 'PUT' }), { body: 'x' })
    expect(res.status).toBe(200)
    expect(seen[0]!.authorization).toBe('DPoP tok-1')
    expect(proof(seen[0]!)).toMatchObject({ htm: 'PUT', htu: api('/a/b') })
  })

  it('a Bearer token from an AS that ignored the DPoP key is sent as Bearer, without a proof', async () => {
    tokenType = 'Bearer'
    accepted.add('tok-1')
    await make({ dpop: await dpopKey() }).fetch(api())
    expect(seen.map((s) => [s.authorization, s.dpop])).toEqual([['Bearer tok-1', undefined]])
  })

  it('a Bearer token is not retried for a resource server nonce', async () => {
    tokenType = 'Bearer'
    apiHandler = (_req, res) => void res.writeHead(401, { 'dpop-nonce': 'n', 'www-authenticate': 'DPoP error="use_dpop_nonce"' }).end()
    expect((await make({ dpop: await dpopKey() }).fetch(api())).status).toBe(401)
    expect(seen).toHaveLength(1)
  })

  it('one retry with the nonce the resource server asked for, with a new proof', async () => {
    apiHandler = (_req, res, s) => {
      const nonce = s.dpop === undefined ? undefined : proof(s).nonce
      if (nonce === 'rs-nonce') return void res.writeHead(200).end('ok')
      res.writeHead(401, { 'dpop-nonce': 'rs-nonce', 'www-authenticate': 'DPoP error="use_dpop_nonce"' }).end()
    }
    const cc = make({ dpop: await dpopKey() })
    expect((await cc.fetch(api(), { method: 'POST', body: 'again' })).status).toBe(200)
    expect(seen.map((s) => [s.authorization, s.body, proof(s).nonce])).toEqual([
      ['DPoP tok-1', 'again', undefined],
      ['DPoP tok-1', 'again', 'rs-nonce'],
    ])
    expect(proof(seen[1]!).jti).not.toBe(proof(seen[0]!).jti)
    expect(issued).toBe(1)
  })

  it('no nonce retry when the body cannot be sent again, nor when the answer does not ask for it', async () => {
    apiHandler = (_req, res) => void res.writeHead(401, { 'dpop-nonce': 'n', 'www-authenticate': 'DPoP error="use_dpop_nonce"' }).end()
    const cc = make({ dpop: await dpopKey() })
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('once'))
        c.close()
      },
    })
    expect((await cc.fetch(api(), { method: 'POST', body: stream, duplex: 'half' } as RequestInit)).status).toBe(401)
    expect(seen).toHaveLength(1)
    apiHandler = (_req, res) => void res.writeHead(200, { 'dpop-nonce': 'n2' }).end('ok')
    expect((await cc.fetch(api())).status).toBe(200)
    expect(seen).toHaveLength(2)
  })

  it('a fresh token on a DPoP invalid_token challenge, not on a Bearer one', async () => {
    apiHandler = (_req, res, s) => {
      if (s.authorization === 'DPoP tok-2') return void res.writeHead(200).end('ok')
      res.writeHead(401, { 'www-authenticate': 'DPoP error="invalid_token"' }).end()
    }
    const cc = make({ dpop: await dpopKey() })
    expect((await cc.fetch(api())).status).toBe(200)
    expect(seen.map((s) => s.authorization)).toEqual(['DPoP tok-1', 'DPoP tok-2'])

    apiHandler = (_req, res) => void res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
    seen.length = 0
    expect((await cc.fetch(api())).status).toBe(401)
    expect(seen).toHaveLength(1)
  })
})

describe('the retry after invalid_token', () => {
  it('keeps a newer token another instance stored meanwhile', async () => {
    const store = new MemoryCache({ clock: () => clock.now() })
    const cc = make({ store })
    await cc.getAccessToken() // tok-1
    const other = make({ store })
    apiHandler = (_req, res, s) => {
      if (s.authorization === 'Bearer tok-1') {
        // Another instance replaces the token while this request is answered.
        void other
          .invalidate({})
          .then(() => other.getAccessToken())
          .then(() => res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end())
        return
      }
      res.writeHead(200).end('ok')
    }
    expect((await cc.fetch(api())).status).toBe(200)
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2'])
    expect(issued).toBe(2)
  })

  it('forgets the failed refreshes of the dropped token: the next one is asked for at once', async () => {
    const cc = make({ retry: { attempts: 1, maxDelay: 1 } })
    await cc.getAccessToken() // tok-1
    clock.advance(540_000) // refresh due
    tokenPlan = [faults.status(429, 'slow down', { 'retry-after': '120' })]
    expect(await cc.getAccessToken()).toBe('tok-1') // the refresh failed; tok-1 is still valid
    accepted.add('tok-2')
    expect((await cc.fetch(api())).status).toBe(200)
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2'])
  })
})
