/**
 * The examples' smoke test: starts an example with its README's command (`pnpm start`, with
 * PORT=0), reads the URL and sample token it prints, and checks 200 with the token, 401 without.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

export async function smoke(dir: string): Promise<{ withToken: Response; withoutToken: Response; body: unknown }> {
  const child = spawn('pnpm', ['start'], {
    cwd: dir,
    env: { ...process.env, PORT: '0', PROCONNECT_CLIENT_ID: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  try {
    const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`no URL and token within 30 s:\n${out}`)), 30_000)
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
        const token = /token: (\S+)/.exec(out)?.[1]
        if (url && token) {
          clearTimeout(timer)
          resolve({ url, token })
        }
      })
      child.once('exit', (code) => reject(new Error(`example exited with ${code}:\n${out}`)))
    })
    const withToken = await fetch(`${url}/api/users/locations`, { headers: { authorization: `Bearer ${token}` } })
    const body = await withToken.json()
    const withoutToken = await fetch(`${url}/api/users/locations`)
    return { withToken, withoutToken, body }
  } finally {
    // pnpm runs tsx which runs node: end the whole process group.
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      // already gone
    }
  }
}

/** The smoke test every example runs: `smokeTest(import.meta.url)` from its test/ folder. */
export function smokeTest(testFileUrl: string): void {
  it('starts with `pnpm start`, answers 200 with a valid token and 401 without', async () => {
    const { withToken, withoutToken, body } = await smoke(fileURLToPath(new URL('..', testFileUrl)))
    expect(withToken.status).toBe(200)
    expect(body).toMatchObject({ sub: 'agent-1', locations: expect.any(Array) })
    expect(withoutToken.status).toBe(401)
    expect(withoutToken.headers.get('www-authenticate')).toBe('Bearer')
  }, 60_000)
}
