/**
 * Node side of the runtime matrix: bundles the scenario entries, finds each runtime's binary in its
 * npm platform package, and starts one process per runtime serving the scenarios on 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import type { Readable } from 'node:stream'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type BuildOptions } from 'esbuild'
import { Miniflare } from 'miniflare'
import type { ScenarioConfig } from '../src/scenarios.js'
import { CONFIG_VAR } from '../src/entries/protocol.js'

export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd'
export const RUNTIMES: readonly RuntimeName[] = ['node', 'bun', 'deno', 'workerd']

const pkgDir = fileURLToPath(new URL('..', import.meta.url))
/** Bundles live inside the package so the Node entry resolves @org/rs-core from node_modules like an app. */
const outDir = join(pkgDir, '.out')
const require = createRequire(import.meta.url)

/* ------------------------------------------------------------------------------------------------
 * Bundles
 * --------------------------------------------------------------------------------------------- */

/**
 * The file one runtime loads, built from the same `src/scenarios.ts` for every runtime. Bun, Deno
 * and workerd get a self-contained `platform: 'neutral'` bundle with the export conditions that
 * runtime's tooling uses. Node built-ins (`node:fs`, and bare `fs`, which is what tsup's neutral
 * build turns `node:fs` into) stay external instead of failing the build: if core ever imports one,
 * the bundle still builds and each runtime shows whether it can load it (workerd without
 * nodejs_compat cannot). Node gets only the entry bundled and imports the packages from
 * node_modules, like an app would. Built per runtime, so a build failure fails that runtime's tests only.
 */
export async function bundleFor(name: RuntimeName): Promise<string> {
  mkdirSync(outDir, { recursive: true })
  const file = { node: 'node', bun: 'bun', deno: 'deno', workerd: 'worker' }[name]
  const outfile = join(outDir, `${file}.mjs`)
  rmSync(outfile, { force: true })
  const common: BuildOptions = {
    entryPoints: [join(pkgDir, 'src', 'entries', `${file}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    logLevel: 'silent',
  }
  if (name === 'node') {
    await build({ ...common, platform: 'node', target: 'node20', packages: 'external' })
  } else {
    const conditions = { bun: ['bun'], deno: ['deno'], workerd: ['workerd', 'worker', 'browser'] }[name]
    await build({
      ...common,
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      conditions,
      external: ['node:*', ...builtinModules],
    })
  }
  return outfile
}

/* ------------------------------------------------------------------------------------------------
 * Binaries
 * --------------------------------------------------------------------------------------------- */

/** `platform-arch` → [platform package, path of the binary inside it], for the wrappers `bun` and `deno`. */
const PLATFORM_BINARIES: Record<'bun' | 'deno', Record<string, [string, string][]>> = {
  bun: {
    'linux-x64': [
      ['@oven/bun-linux-x64', 'bin/bun'],
      ['@oven/bun-linux-x64-baseline', 'bin/bun'],
    ],
    'linux-arm64': [['@oven/bun-linux-aarch64', 'bin/bun']],
    'darwin-arm64': [['@oven/bun-darwin-aarch64', 'bin/bun']],
    'darwin-x64': [['@oven/bun-darwin-x64', 'bin/bun']],
  },
  deno: {
    'linux-x64': [['@deno/linux-x64-glibc', 'deno']],
    'linux-arm64': [['@deno/linux-arm64-glibc', 'deno']],
    'darwin-arm64': [['@deno/darwin-arm64', 'deno']],
    'darwin-x64': [['@deno/darwin-x64', 'deno']],
  },
}

export type Availability = { available: true; binary: string; version: string } | { available: false; reason: string }

function runVersion(binary: string): string {
  return execFileSync(binary, ['--version'], { timeout: 15_000, encoding: 'utf8', env: childEnv() }).trim().split('\n')[0] ?? ''
}

/**
 * Finds the runtime's binary in the optional platform package of its npm wrapper (the wrappers'
 * postinstall scripts are not run, see pnpm-workspace.yaml) and checks it starts.
 */
export function findRuntime(name: RuntimeName): Availability {
  const platform = `${process.platform}-${process.arch}`
  try {
    if (name === 'node') return { available: true, binary: process.execPath, version: process.version }
    if (name === 'workerd') {
      // miniflare finds workerd the same way: the `workerd` wrapper resolves its platform package.
      const fromMiniflare = createRequire(realpathSync(require.resolve('miniflare')))
      const binary = (fromMiniflare('workerd') as { default: string }).default
      if (!existsSync(binary)) return { available: false, reason: `workerd binary ${binary} does not exist` }
      return { available: true, binary, version: runVersion(binary) }
    }
    const candidates = PLATFORM_BINARIES[name][platform]
    if (!candidates) return { available: false, reason: `no ${name} platform package known for ${platform}` }
    const fromWrapper = createRequire(realpathSync(require.resolve(`${name}/package.json`)))
    const tried: string[] = []
    for (const [pkg, file] of candidates) {
      let dir: string
      try {
        dir = dirname(fromWrapper.resolve(`${pkg}/package.json`))
      } catch {
        tried.push(`${pkg} (not installed)`)
        continue
      }
      const binary = join(dir, file)
      if (!existsSync(binary)) {
        tried.push(`${binary} (missing)`)
        continue
      }
      return { available: true, binary, version: runVersion(binary) }
    }
    return { available: false, reason: `no ${name} binary: tried ${tried.join(', ')}` }
  } catch (err) {
    return { available: false, reason: `${name} unusable: ${(err as Error).message}` }
  }
}

/* ------------------------------------------------------------------------------------------------
 * Runtime processes
 * --------------------------------------------------------------------------------------------- */

export interface RunningRuntime {
  /** `http://127.0.0.1:<port>` serving the scenarios' handler. */
  url: string
  /** What the process printed on stdout and stderr (for failure messages). */
  output(): string
  stop(): Promise<void>
}

/** A small, explicit environment for the child runtimes: nothing of the test process leaks in. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = join(tmpdir(), 'rs-runtimes-home')
  mkdirSync(home, { recursive: true })
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    DENO_DIR: join(home, 'deno'),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    NO_COLOR: '1',
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
    DO_NOT_TRACK: '1',
    ...extra,
  }
}

const STARTUP_TIMEOUT_MS = 20_000

/** Spawns `binary args`, waits for its `{"listening":port}` line. */
function startProcess(name: RuntimeName, binary: string, args: string[], config: ScenarioConfig): Promise<RunningRuntime> {
  const child = spawn(binary, args, {
    cwd: outDir,
    env: childEnv({ [CONFIG_VAR]: JSON.stringify(config) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const output = () => `[${name} ${binary} ${args.join(' ')}]\n${out}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await exited
      clearTimeout(timer)
    }
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`${name} did not start listening within ${STARTUP_TIMEOUT_MS} ms\n${output()}`))
    }, STARTUP_TIMEOUT_MS)
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const match = /\{"listening":(\d+)\}/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve({ url: `http://127.0.0.1:${match[1]}`, output, stop })
      }
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`${name} could not be spawned: ${err.message}\n${output()}`))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) before listening\n${output()}`))
    })
  })
}

/** workerd through miniflare: the bundle as a module worker, no nodejs_compat, outbound network to loopback only. */
async function startWorkerd(script: string, config: ScenarioConfig): Promise<RunningRuntime> {
  let out = ''
  const mf = new Miniflare({
    // The bundle as the only module: workerd itself resolves its imports (miniflare does not collect any).
    modules: [{ type: 'ESModule', path: script, contents: readFileSync(script, 'utf8') }],
    compatibilityDate: '2025-09-01',
    compatibilityFlags: [],
    bindings: { [CONFIG_VAR]: config as never },
    outboundService: { network: { allow: ['local'] } },
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
      stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    },
  })
  let url: URL
  try {
    url = await mf.ready
  } catch (err) {
    await mf.dispose().catch(() => {})
    throw new Error(`workerd did not start: ${(err as Error).message}\n${out}`)
  }
  return { url: url.origin, output: () => `[workerd via miniflare, ${script}]\n${out}`, stop: () => mf.dispose() }
}

/** Starts `name` serving the scenarios with `config`. One process per runtime for all scenarios. */
export async function startRuntime(name: RuntimeName, binary: string, config: ScenarioConfig): Promise<RunningRuntime> {
  const bundle = await bundleFor(name)
  switch (name) {
    case 'node':
      return startProcess(name, binary, [bundle], config)
    case 'bun':
      return startProcess(name, binary, ['run', '--no-install', bundle], config)
    case 'deno':
      return startProcess(
        name,
        binary,
        ['run', '--no-config', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', `--allow-env=${CONFIG_VAR}`, bundle],
        config,
      )
    case 'workerd':
      return startWorkerd(bundle, config)
  }
}
