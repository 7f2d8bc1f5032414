/**
 * The packaging proof, from packed tarballs in a temp dir outside the workspace (so nothing resolves
 * from it). Slow (registry installs), so it runs only with RS_FRESH_PROJECT=1:
 *
 * 1. npm: a fresh project installs @org/rs-express + @org/rs-testing (and @org/rs-core, their peer:
 *    from the registry npm would add it by itself; unpublished, its tarball is given) with express
 *    from the registry, writes the README's app and its under-15-line test, and `node --test` passes.
 * 2. pnpm: the same project, installed with pnpm (outside the workspace), passes the same test.
 * 3. npm, an app on the OLDEST framework versions the peer ranges accept (express 4.21, fastify 5.0,
 *    hono 4.6, koa 2.13) with all four adapters: installs without ERESOLVE, and the test passes.
 *
 *   RS_FRESH_PROJECT=1 pnpm --filter @org/rs-testing exec vitest run test/fresh-project.test.ts
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const exec = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = (name: string) =>
  new RegExp(`<!-- fresh-project:${name.replace('.', '\\.')} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readme)![1]!

let tmp: string
const tarballs: Record<string, string> = {}

async function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): Promise<string> {
  const started = Date.now()
  try {
    const { stdout, stderr } = await exec(cmd, args, {
      cwd,
      timeout,
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    })
    const out = `${stdout}${stderr}`
    console.log(`$ ${cmd} ${args.join(' ')}   (${((Date.now() - started) / 1000).toFixed(1)} s)\n${out.trim()}\n`)
    return out
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string }
    console.log(`$ ${cmd} ${args.join(' ')}   FAILED\n${e.stdout ?? ''}${e.stderr ?? ''}`)
    throw err
  }
}

/** A project dir with the README's app and test, and a package.json. */
function project(name: string): string {
  const dir = join(tmp, name)
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module', scripts: { test: 'node --test' } }, null, 2),
  )
  writeFileSync(join(dir, 'app.mjs'), example('app.mjs'))
  writeFileSync(join(dir, 'app.test.mjs'), example('app.test.mjs'))
  return dir
}

const enabled = process.env.RS_FRESH_PROJECT === '1'

describe.skipIf(!enabled)('a fresh project from packed tarballs', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rs-fresh-'))
    const packs = join(tmp, 'tarballs')
    mkdirSync(packs)
    for (const pkg of ['core', 'testing', 'express', 'fastify', 'hono', 'koa']) {
      await sh('pnpm', ['pack', '--pack-destination', packs], join(root, 'packages', pkg), 60_000)
    }
    for (const file of readdirSync(packs)) tarballs[/^org-rs-([a-z]+)-/.exec(file)![1]!] = join(packs, file)
  }, 180_000)
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  it('packed manifests: no workspace: range, core a peer of the adapters accepting the packed core', async () => {
    for (const [name, file] of Object.entries(tarballs)) {
      const manifest = await sh('tar', ['-xOzf', file, 'package/package.json'], tmp)
      expect(manifest, name).not.toContain('workspace:')
      if (name !== 'core' && name !== 'testing')
        expect(JSON.parse(manifest).peerDependencies['@org/rs-core']).toMatch(/^>=0\.\d+\.\d+ <1\.0\.0$/)
    }
  })

  it('npm: installs @org/rs-express + @org/rs-testing, and the README test passes with node --test', async () => {
    const dir = project('fresh-npm')
    const out = await sh('npm', ['install', tarballs.core!, tarballs.express!, 'express@^5'], dir)
    await sh('npm', ['install', '--save-dev', tarballs.testing!], dir)
    expect(out).not.toMatch(/ERESOLVE|peer dep|unmet peer|conflicting peer/i)
    const test = await sh('node', ['--test'], dir, 60_000)
    expect(test).toMatch(/# pass 1/)
    expect(test).toMatch(/# fail 0/)
  }, 300_000)

  it('pnpm: the same project installs and passes', async () => {
    const dir = project('fresh-pnpm')
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'packages: []\n')
    const out = await sh('pnpm', ['add', tarballs.core!, tarballs.express!, 'express@^5'], dir)
    await sh('pnpm', ['add', '--save-dev', tarballs.testing!], dir)
    expect(out).not.toMatch(/unmet peer|missing peer|ERR_PNPM/i)
    const test = await sh('node', ['--test'], dir, 60_000)
    expect(test).toMatch(/# pass 1/)
  }, 300_000)

  it('npm: an app on the oldest supported framework versions installs all four adapters without ERESOLVE, and passes', async () => {
    const dir = project('fresh-oldest')
    const out = await sh(
      'npm',
      [
        'install',
        tarballs.core!,
        tarballs.express!,
        tarballs.fastify!,
        tarballs.hono!,
        tarballs.koa!,
        tarballs.testing!,
        'express@4.21.0',
        'fastify@5.0.0',
        'hono@4.6.0',
        'koa@2.13.0',
        '@types/koa@2.13.0',
        '@types/express@4.17.21',
      ],
      dir,
    )
    expect(out).not.toMatch(/ERESOLVE|peer dep|unmet peer|conflicting peer/i)
    // (fastify 5 warns EBADENGINE: its cookie@2 wants Node 22; harmless, see shared/TOOLCHAIN.md)
    const installed = (name: string) => JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version
    expect(Object.fromEntries(['express', 'fastify', 'hono', 'koa'].map((n) => [n, installed(n)]))).toEqual({
      express: '4.21.0',
      fastify: '5.0.0',
      hono: '4.6.0',
      koa: '2.13.0',
    })
    await sh('npm', ['ls', '--all', '@org/rs-core'], dir) // exits non-zero on an invalid or missing peer
    expect(await sh('node', ['--test'], dir, 60_000)).toMatch(/# pass 1/)
  }, 300_000)
})

it.skipIf(enabled)('fresh-project proof skipped (set RS_FRESH_PROJECT=1)', () => {})
