import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request handler for {@link startHttpServer}. May be async; a thrown error becomes a 500. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/** A running {@link startHttpServer} instance. */
export interface TestHttpServer {
  /** Base URL, `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string
  /** The ephemeral port the server listens on. */
  readonly port: number
  /** Number of requests received since start (or since {@link TestHttpServer.resetCount}). */
  readonly requests: number
  /** Resets {@link TestHttpServer.requests} to 0. */
  resetCount(): void
  /** Replaces the handler used for subsequent requests. */
  setHandler(handler: Handler): void
  /** Closes the server, destroying every open connection (including hanging ones). */
  close(): Promise<void>
}

/**
 * Starts a tiny `node:http` server on `127.0.0.1` with an ephemeral port.
 *
 * The handler can be swapped at any time with `setHandler` (e.g. per test) and every request is
 * counted. Use it with {@link faults} to simulate misbehaving upstreams, or to serve a JWKS.
 */
export async function startHttpServer(handler: Handler): Promise<TestHttpServer> {
  let current = handler
  let count = 0
  const server = createServer((req, res) => {
    count += 1
    Promise.resolve()
      .then(() => current(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': 'text/plain' })
          res.end(`handler error: ${err instanceof Error ? err.message : String(err)}`)
        } else {
          res.destroy()
        }
      })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return count
    },
    resetCount() {
      count = 0
    },
    setHandler(h) {
      current = h
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

/** Reads the whole request body as a UTF-8 string. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Ready-made handlers simulating misbehaving (or simple) HTTP servers. */
export const faults = {
  /**
   * Answers with `code`. A string body is sent as is (`text/plain` unless a content-type header
   * is given), an object body as JSON; no body means an empty response.
   */
  status(code: number, body?: string | object, headers: OutgoingHttpHeaders = {}): Handler {
    return (req, res) => {
      req.resume()
      const h: OutgoingHttpHeaders = { ...headers }
      const hasType = Object.keys(h).some((k) => k.toLowerCase() === 'content-type')
      let payload: string | undefined
      if (typeof body === 'string') {
        payload = body
        if (!hasType) h['content-type'] = 'text/plain; charset=utf-8'
      } else if (body !== undefined) {
        payload = JSON.stringify(body)
        if (!hasType) h['content-type'] = 'application/json'
      }
      res.writeHead(code, h)
      res.end(payload)
    }
  },

  /** Never answers. The connection stays open until the client gives up or the server is closed. */
  hang(): Handler {
    return (req) => {
      req.resume()
    }
  },

  /** 200 with a random body that is not JSON (nor a JWT), labelled with `contentType`. */
  garbage(contentType = 'application/json'): Handler {
    return (req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': contentType })
      res.end(`<<not json ${randomBytes(24).toString('hex')}}}{{`)
    }
  },

  /** Answers `obj` serialized as JSON with the given status and content type. */
  json(obj: unknown, status = 200, contentType = 'application/json'): Handler {
    return (req, res) => {
      req.resume()
      res.writeHead(status, { 'content-type': contentType })
      res.end(JSON.stringify(obj))
    }
  },

  /** Answers a raw text body with the given content type and status. */
  text(body: string, contentType = 'text/plain; charset=utf-8', status = 200): Handler {
    return (req, res) => {
      req.resume()
      res.writeHead(status, { 'content-type': contentType })
      res.end(body)
    }
  },

  /** Destroys the socket without answering (a TCP RST where supported). */
  resetConnection(): Handler {
    return (req) => {
      const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void }
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
      else socket.destroy()
    }
  },
}
