/**
 * Shared by the scale tests (the redis-server they start, kill, stall and restart is @org/rs-testing's
 * startRedisServer): API instances in child processes (test/instance.mjs), and a counting, slowing proxy in front of
 * the authorization server.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface InstanceConfig {
  issuer: string
  clientId: string
  clientSecret: string
  introspectionEndpoint?: string
  tokenEndpoint: string
  ccClientId: string
  ccClientSecret: string
  redisUrl: string
  prefix: string
  /** The Redis store's `timeout` (ms); core's `storeTimeout` options get it in seconds. */
  storeTimeoutMs: number
}

export interface Instance {
  request<T = Record<string, unknown>>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>
  stop(): Promise<void>
}

export interface BurstSummary {
  count: number
  statuses: Record<string, number>
  subs: string[]
  maxMs: number
  p99Ms: number
}

/** Forks test/instance.mjs (plain Node, the built packages) and waits until its resource server and store are ready. */
export async function startInstance(config: InstanceConfig): Promise<Instance> {
  const child = fork(fileURLToPath(new URL('./instance.mjs', import.meta.url)), [], {
    env: { ...process.env, SCALE_CONFIG: JSON.stringify(config) },
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let nextId = 1
  const pending = new Map<number, (m: Record<string, unknown>) => void>()
  child.on('message', (m: { id?: number }) => {
    if (typeof m.id === 'number') pending.get(m.id)?.(m as Record<string, unknown>)
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('instance did not start within 15 s')), 15_000)
    child.once('message', () => (clearTimeout(timer), resolve()))
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`instance exited (${code})`))))
  })
  const instance: Instance = {
    request<T>(message: Record<string, unknown>, timeoutMs = 30_000) {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () => (pending.delete(id), reject(new Error(`instance: no answer to ${String(message.type)} within ${timeoutMs} ms`))),
          timeoutMs,
        )
        pending.set(id, (m) => {
          clearTimeout(timer)
          pending.delete(id)
          if (typeof m.error === 'string') reject(new Error(m.error))
          else resolve(m as T)
        })
        child.send({ id, ...message })
      })
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await Promise.race([exited, sleep(3_000)])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    },
  }
  await instance.request({ type: 'ready' })
  return instance
}

/**
 * A proxy on 127.0.0.1 in front of the AS: counts requests by path and holds each one `delayMs`
 * before forwarding it, so that concurrent requests of several processes surely overlap.
 */
export interface SlowProxy {
  url: string
  /** Milliseconds each request is held; may be changed at any time. */
  delayMs: number
  count(path: string): number
  reset(): void
  close(): Promise<void>
}

export async function startSlowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  const counts = new Map<string, number>()
  const to = new URL(target)
  const proxy = { delayMs } as SlowProxy
  const server: Server = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    counts.set(path, (counts.get(path) ?? 0) + 1)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      setTimeout(() => {
        const upstream = httpRequest(
          { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          },
        )
        upstream.on('error', () => res.writeHead(502).end())
        upstream.end(Buffer.concat(chunks))
      }, proxy.delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    count: (path: string) => counts.get(path) ?? 0,
    reset: () => counts.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  })
  return proxy
}
