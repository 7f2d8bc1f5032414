/** `pnpm demo` runs to the end by itself, narrates each step, and every status is the expected one. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('`pnpm demo` narrates discovery, introspection, cache hit, 401, 403, revocation, 503 and exits 0', async () => {
  const child = spawn('pnpm', ['demo'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
      resolve(null)
    }, 90_000)
    child.once('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  expect(code, out).toBe(0)
  expect(out).toContain('event  metadata_discovered')
  expect(out).toContain('source: "introspection"')
  expect(out).toContain('source: "cache"')
  expect(out).toMatch(/← 401 Unauthorized {2}www-authenticate: Bearer\n/)
  expect(out).toMatch(/← 403 Forbidden .*insufficient_scope/)
  expect(out).toContain('a revoked token stays accepted until its cached verdict expires')
  expect(out).toContain('reason: "inactive"')
  expect(out).toMatch(/← 503 Service Unavailable {2}retry-after: \d+/)
  // The operator's log: one WARN line for three requests while the AS is down.
  expect(out.match(/log {4}WARN {2}rs: authorization server error \(network\)/g)).toHaveLength(1)
  expect(out).toContain('demo finished: 11 requests, each answered as expected')
  // Never a token in what the demo prints.
  expect(out).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/)
}, 120_000)
