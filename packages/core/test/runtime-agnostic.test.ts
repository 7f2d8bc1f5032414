/**
 * rs-core runs on Node, Bun, Deno and edge runtimes: its sources use only fetch, WebCrypto, URL and
 * TextEncoder/TextDecoder, never a Node built-in, a Node global or a web framework.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const dir = fileURLToPath(new URL('../src/', import.meta.url))
const sources = (readdirSync(dir, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, code: readFileSync(dir + f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '') }))

// zod only as `zod/mini` (not its locales: src/option-messages.ts words the issues): classic `zod` cannot be tree-shaken and would weigh ~440 KB in an edge bundle.
it('imports nothing but jose, oauth4webapi, zod/mini and its own modules', () => {
  expect(sources.length).toBeGreaterThan(10)
  for (const { file, code } of sources) {
    for (const [, spec] of code.matchAll(/from\s+['"]([^'"]+)['"]/g)) {
      expect([file, spec]).toEqual([file, expect.stringMatching(/^(\.{1,2}\/[\w\-/.]+\.js|jose|oauth4webapi|zod\/mini)$/)])
    }
    expect(code, file).not.toMatch(/\brequire\(|\bimport\(/)
  }
})

it('uses no Node-only global', () => {
  for (const { file, code } of sources) expect(code, file).not.toMatch(/\b(process|Buffer|global|__dirname|setImmediate)\b\s*[.([]/)
})
