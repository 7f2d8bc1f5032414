/**
 * The small shared runner of the benchmark suite: child processes with an IPC request/answer
 * channel, autocannon runs, A/B/… alternation, medians and Markdown tables.
 *
 * Everything is bounded: every child has a start-up deadline and exits when its parent goes away,
 * every load run has a fixed duration, every IPC request has a deadline.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

/* ------------------------------------------------------------------------------------------------
 * Settings (overridable by environment variables, see README.md)
 * --------------------------------------------------------------------------------------------- */

const int = (name: string, fallback: number) => {
  const v = Number(process.env[name])
  return Number.isFinite(v) && v > 0 ? v : fallback
}

export const settings = {
  /** Measured rounds per variant; each round measures every variant once, in turn. */
  rounds: int('BENCH_ROUNDS', 5),
  /** Seconds per measurement. */
  seconds: int('BENCH_SECONDS', 3),
  /** Seconds of warm-up per variant, before the first round. */
  warmup: int('BENCH_WARMUP', 2),
  /** Concurrent connections of autocannon (no pipelining). */
  connections: int('BENCH_CONNECTIONS', 20),
}

/* ------------------------------------------------------------------------------------------------
 * Child processes
 * --------------------------------------------------------------------------------------------- */

export interface Child {
  readonly name: string
  readonly process: ChildProcess
  /** What the child sent with its `ready` message (e.g. `{ port }`). */
  readonly ready: Record<string, unknown>
  /** Sends `{ id, ...message }` and resolves with the child's answer `{ id, ...answer }`. */
  request<T = Record<string, unknown>>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>
  stop(): Promise<void>
}

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
})

/**
 * Forks `src/<file>` (TypeScript, through tsx) with `config` as JSON in `BENCH_CONFIG`, and waits
 * for its `{ type: 'ready', ... }` message.
 */
export async function startChild(file: string, config: unknown, options: { execArgv?: string[]; timeoutMs?: number } = {}): Promise<Child> {
  const path = fileURLToPath(new URL(file, import.meta.url))
  const child = fork(path, [], {
    // process.execArgv holds tsx's loader flags, so the child runs TypeScript too.
    execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))

  let nextId = 1
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>()
  child.on('message', (m: { id?: number; error?: string }) => {
    if (typeof m.id !== 'number') return
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    if (m.error) p.reject(new Error(`${file}: ${m.error}`))
    else p.resolve(m as never)
  })
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${file} exited (${code})`))
    pending.clear()
  })

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${file} did not start within ${options.timeoutMs ?? 30_000} ms`))
    }, options.timeoutMs ?? 30_000)
    child.on('message', function onReady(m: { type?: string }) {
      if (m.type !== 'ready') return
      clearTimeout(timer)
      child.off('message', onReady)
      resolve(m as Record<string, unknown>)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${file} exited before it was ready (${code})`))
    })
  })

  return {
    name: file,
    process: child,
    ready,
    request<T>(message: Record<string, unknown>, timeoutMs = 120_000) {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`${file}: no answer to ${String(message.type)} within ${timeoutMs} ms`))
        }, timeoutMs)
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer)
            resolve(v as T)
          },
          reject: (e) => {
            clearTimeout(timer)
            reject(e)
          },
        })
        child.send({ id, ...message })
      })
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.kill('SIGTERM')
      })
    },
  }
}

/**
 * Child side: answers `{ id, type, ... }` requests with `handlers[type](message)`, exits when the
 * parent goes away, and announces itself with `{ type: 'ready', ...info }`.
 */
export function serveParent(info: Record<string, unknown>, handlers: Record<string, (m: Record<string, unknown>) => unknown> = {}): void {
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.on('message', async (m: { id: number; type: string }) => {
    try {
      const handler = handlers[m.type]
      if (!handler) throw new Error(`unknown request ${m.type}`)
      const answer = await handler(m as unknown as Record<string, unknown>)
      process.send!({ id: m.id, ...(answer as object) })
    } catch (err) {
      process.send!({ id: m.id, error: err instanceof Error ? err.message : String(err) })
    }
  })
  process.send!({ type: 'ready', ...info })
}

/** The configuration the parent passed to this child. */
export function childConfig<T>(): T {
  return JSON.parse(process.env.BENCH_CONFIG ?? '{}') as T
}

/* ------------------------------------------------------------------------------------------------
 * Load
 * --------------------------------------------------------------------------------------------- */

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  /** Requests answered during the run. */
  requests: number
  /** Requests sent during the run (answered, plus those still in flight when it ended). */
  sent: number
}

/**
 * One autocannon run of `seconds` against `url`; any error or non-2xx answer fails the run. With
 * `tokens`, each request carries the next one, in turn, as a bearer token.
 */
export async function load(url: string, tokens: readonly string[] | undefined, seconds: number): Promise<LoadResult> {
  let next = 0
  const result = await autocannon({
    url,
    ...(tokens?.length
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({
                ...req,
                headers: { ...req.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
              }),
            },
          ],
        }
      : {}),
    connections: settings.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  })
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers (of ${result.requests.total})`,
    )
  }
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    sent: result.requests.sent,
  }
}

export interface Variant {
  name: string
  url: string
  /** Bearer tokens sent in turn, one per request (none: no Authorization header). */
  tokens?: readonly string[]
  /** Called before each of its load runs (warm-up included), e.g. to reset a counter. */
  before?: () => Promise<void>
  /** Called after each of its load runs (warm-up included) with what it measured. */
  after?: (result: LoadResult, phase: 'warmup' | 'round') => Promise<void>
}

/**
 * Shorter measurements (2 s, 1 s of warm-up) for the scenarios with many variants, so that the whole
 * `pnpm bench` stays within 12 minutes on the 2-core machine; BENCH_SECONDS / BENCH_WARMUP, when set, win.
 */
export const shortTiming: Timing = {
  ...(process.env.BENCH_SECONDS ? {} : { seconds: 2 }),
  ...(process.env.BENCH_WARMUP ? {} : { warmup: 1 }),
}

/** "5 rounds × 2 s after 1 s of warm-up per variant", for a section's text. */
export function timingText(timing: Timing = {}): string {
  const t = { ...settings, ...timing }
  return `${t.rounds} rounds × ${t.seconds} s after ${t.warmup} s of warm-up per variant`
}

/** Per-scenario timing, defaulting to the global settings. */
export interface Timing {
  rounds?: number
  seconds?: number
  warmup?: number
}

export interface Measured {
  name: string
  runs: LoadResult[]
  median: LoadResult
}

/**
 * Measures the variants in alternation: a warm-up of each, then `rounds` rounds measuring each
 * variant once (A B C, A B C, …). Reports the median of each metric over the rounds.
 */
export async function alternate(variants: Variant[], log: (s: string) => void, timing: Timing = {}): Promise<Measured[]> {
  const { rounds, seconds, warmup } = { ...settings, ...timing }
  const run = async (v: Variant, s: number, phase: 'warmup' | 'round') => {
    await v.before?.()
    const res = await load(v.url, v.tokens, s)
    await v.after?.(res, phase)
    return res
  }
  for (const v of variants) await run(v, warmup, 'warmup')
  const runs = variants.map(() => [] as LoadResult[])
  for (let r = 0; r < rounds; r++) {
    for (const [i, v] of variants.entries()) {
      const res = await run(v, seconds, 'round')
      runs[i]!.push(res)
      log(`    round ${r + 1}/${rounds} ${v.name.padEnd(34)} ${fmt(res.rps, 0).padStart(7)} req/s  p50 ${res.p50} ms  p99 ${res.p99} ms`)
    }
  }
  return variants.map((v, i) => ({ name: v.name, runs: runs[i]!, median: medianOf(runs[i]!) }))
}

/**
 * `a`'s req/s over `b`'s, round by round (both measured in the same round, seconds apart), then the
 * median of those ratios: a change in the machine's load between rounds moves both sides of a ratio
 * together, where a ratio of two medians would take each from a different round.
 */
export function ratioOf(a: Measured, b: Measured): number {
  return median(a.runs.map((run, i) => run.rps / b.runs[i]!.rps))
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export function medianOf(runs: LoadResult[]): LoadResult {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    requests: median(runs.map((r) => r.requests)),
    sent: median(runs.map((r) => r.sent)),
  }
}

/**
 * One request with `authorization` (if given) to `url`: its status. For sanity checks (does this
 * server refuse a forged token?), bounded by a 5 s deadline.
 */
export async function statusOf(url: string, authorization?: string): Promise<number> {
  const res = await fetch(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(5_000) })
  await res.arrayBuffer()
  return res.status
}

/* ------------------------------------------------------------------------------------------------
 * Reporting
 * --------------------------------------------------------------------------------------------- */

export function fmt(n: number, digits = 2): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** PASS / MISS, or "report" for a figure that has no goal. */
export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'report' : ok ? '**PASS**' : '**MISS**'
}

/** A Markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

/** One goal checked by a scenario, collected for the summary at the top of results.md. */
export interface Goal {
  scenario: string
  what: string
  value: string
  goal: string
  /** Undefined: a figure reported without a goal. */
  pass: boolean | undefined
}

/** What a scenario hands back: its Markdown section and the goals it checked. */
export interface Section {
  markdown: string
  goals: Goal[]
}
