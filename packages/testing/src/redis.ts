/**
 * A real `redis-server` for tests of a shared store (`@org/rs-redis`, or your own `CacheStore`):
 * started on 127.0.0.1 with an ephemeral port (or the port you give, to restart one), without
 * persistence, and stopped by signal — so a test can also stall it (`SIGSTOP`) or kill it mid-run.
 *
 * @example
 * ```ts
 * import { redisServerInstalled, startRedisServer } from '@org/rs-testing'
 * import { createRedisStore } from '@org/rs-redis'
 *
 * describe.skipIf(!redisServerInstalled())('a shared cache', () => {
 *   let redis: Awaited<ReturnType<typeof startRedisServer>>
 *   beforeAll(async () => { redis = await startRedisServer() })
 *   afterAll(() => redis.stop())
 *   it('…', async () => {
 *     const store = createRedisStore({ url: redis.url })
 *     // …
 *   })
 * })
 * ```
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, createServer } from 'node:net'

/** A running `redis-server` started by {@link startRedisServer}. */
export interface TestRedisServer {
  /** The port it listens on, on 127.0.0.1. Pass it to {@link startRedisServer} to start a new server in its place. */
  readonly port: number
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  /** The child process, e.g. to stall it with `process.kill('SIGSTOP')` (and resume with `'SIGCONT'`). */
  readonly process: ChildProcess
  /**
   * Stops it with `signal` (default `SIGTERM`; `SIGKILL` to kill it the hard way) and waits for the exit,
   * at most 5 s. A stalled (`SIGSTOP`) server is resumed first. Does nothing when it already exited.
   */
  stop(signal?: NodeJS.Signals): Promise<void>
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** The port on 127.0.0.1; default: a free ephemeral port. */
  port?: number
  /** How long to wait for it to accept connections, in milliseconds; default 5,000. */
  startTimeoutMs?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Whether `redis-server` is on the `PATH`. Suites that need it can skip themselves without it (and
 * should fail instead under CI, where it is meant to be installed).
 */
export function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

/**
 * Starts `redis-server` on 127.0.0.1 (no RDB snapshots, no append-only file) and resolves once it
 * accepts connections. Rejects, after killing it, if it does not within `startTimeoutMs`.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<TestRedisServer> {
  const port = options.port ?? (await freePort())
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const deadline = Date.now() + (options.startTimeoutMs ?? 5_000)
  while (!(await accepts(port))) {
    if (exited() || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server did not start on 127.0.0.1:${port}`)
    }
    await sleep(50)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (exited()) return
      const exit = once(child, 'exit')
      child.kill('SIGCONT') // a stopped process does not act on SIGTERM
      child.kill(signal)
      await Promise.race([exit, sleep(5_000)])
    },
  }
}
