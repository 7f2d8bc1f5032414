/**
 * The test examples of packages/testing/README.md, run as written: each `<!-- example:NAME -->` (and
 * the fresh-project pair) is written to .readme-examples/ here (where every framework resolves) and run
 * with vitest (`*.test.ts`) or `node --test` (`*.mjs`).
 */
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, expect, it } from 'vitest'

const run = promisify(execFile)
const readme = readFileSync(new URL('../../testing/README.md', import.meta.url), 'utf8')
const dir = fileURLToPath(new URL('../.readme-examples/', import.meta.url))
const blocks = [...readme.matchAll(/<!-- (example|fresh-project):(\S+) -->\n```\w+\n([\s\S]*?)```/g)].map(([, kind, name, code]) => ({
  kind,
  name: name!,
  code: code!,
}))

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const { name, code } of blocks) writeFileSync(dir + name, code)
})

it('the README has the fresh-project pair, a vitest and a node:test example per framework', () => {
  expect(blocks.map((b) => b.name).sort()).toEqual(
    ['app.mjs', 'app.test.mjs', ...['express', 'fastify', 'hono', 'koa'].flatMap((f) => [`${f}.test.ts`, `${f}.node.test.mjs`])].sort(),
  )
  const freshTest = blocks.find((b) => b.name === 'app.test.mjs')!
  expect(freshTest.code.trimEnd().split('\n').length).toBeLessThan(15)
})

it('the node:test examples pass with node --test', async () => {
  const files = blocks.filter((b) => b.name.endsWith('.mjs') && b.name !== 'app.mjs').map((b) => dir + b.name)
  const { stdout } = await run(process.execPath, ['--test', '--test-reporter=spec', ...files], { cwd: dir, timeout: 60_000 })
  expect(stdout).toMatch(/ℹ pass 5\b/)
  expect(stdout).toMatch(/ℹ fail 0\b/)
}, 90_000)

it('the vitest examples pass with vitest', async () => {
  const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url))
  const { stdout } = await run(process.execPath, [vitest, 'run', '--root', dir, '--reporter=verbose', '.test.ts'], {
    cwd: dir,
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  expect(stdout).toMatch(/Tests\s+4 passed \(4\)/)
}, 90_000)
