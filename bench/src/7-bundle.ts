/**
 * Scenario 7 (`bundle`): what an edge deployment ships and what a Node process pays at start-up.
 * - What an edge worker ships, tree-shaken: `createJwtResourceServer` (JWT access tokens, bearer
 *   only) alone, and with `@org/rs-hono`'s `requireAuth` (esbuild `platform: 'neutral'`, ESM,
 *   minified, every dependency bundled, hono external). Goal: each ≤ 40 KB gzipped. Reported beside
 *   them: the same with `createResourceServer` (every capability: introspection, encrypted
 *   responses, DPoP, mTLS), core's whole entry (every export), and a floor per Hono app: only the
 *   dependency functions it uses (jose, oauth4webapi, zod/mini), found by bundling it again with
 *   those dependencies external and reading what it imports.
 * - Each published package's entry (`packages/<p>/dist/index.js`, built by `pnpm bench`'s turbo step)
 *   bundled the same way (the peer framework external for adapters): minified and gzipped bytes; the
 *   worker bundle broken down by input package from esbuild's metafile.
 * - Node import time of `@org/rs-core` and of its three main dependencies alone (zod as `zod/mini`,
 *   which is what core imports): a fresh `node` process per run, `await import()` timed inside it,
 *   median of N runs, modules in alternation.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'
import type { ScenarioContext } from './as-client.js'
import { fmt, type Goal, median, type Section, table, verdict } from './runner.js'

const GOAL_GZIP_KB = 40
const IMPORT_RUNS = 15
const repo = fileURLToPath(new URL('../../', import.meta.url))

const NODE_BUILTINS = ['node:*', 'crypto']
const PACKAGES = [
  { name: '@org/rs-core', dir: 'core', external: [] as string[] },
  // The Node-only adapters import node:crypto (JWT signatures): Node's builtins stay external.
  { name: '@org/rs-express', dir: 'express', external: ['express', ...NODE_BUILTINS] },
  { name: '@org/rs-fastify', dir: 'fastify', external: ['fastify', ...NODE_BUILTINS] },
  { name: '@org/rs-hono', dir: 'hono', external: ['hono', 'hono/*'] },
  { name: '@org/rs-koa', dir: 'koa', external: ['koa', ...NODE_BUILTINS] },
]

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`

/**
 * `entry`: a file, or `{ contents, resolveDir }`: an entry module's source. `externalExact`: bare
 * specifiers left out only when imported exactly (`zod` but not `zod/mini`).
 */
async function bundle(
  entry: string | { contents: string; resolveDir: string },
  external: string[],
  externalExact: string[] = [],
  minify = true,
): Promise<{ code: Uint8Array; metafile: Metafile }> {
  const result = await build({
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'ts' as const } }),
    plugins: [
      {
        name: 'external-exact',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => (externalExact.includes(args.path) ? { path: args.path, external: true } : undefined))
        },
      },
    ],
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    minify,
    // 'neutral' resolves no main fields by default; CommonJS-only dependencies (fastify-plugin) need `main`.
    mainFields: ['module', 'main'],
    external,
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: 'out.js',
  })
  return { code: result.outputFiles[0]!.contents, metafile: result.metafile }
}

/** `node_modules/.pnpm/zod@4.1.12/node_modules/zod/v4/…` → `zod`; our own files → `@org/rs-<dir> (own code)`. */
function inputPackage(path: string): string {
  const nm = path.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const own = /packages\/([^/]+)\//.exec(path)
  return own ? `@org/rs-${own[1]} (own code)` : path
}

const DEPENDENCIES = ['jose', 'oauth4webapi', 'zod/mini']

/**
 * The names a bundle imports from each dependency: `entry` bundled with the dependencies external and
 * not minified, so that its import statements (named imports) and `ns.member` accesses (namespace
 * imports) list every dependency function that survives tree-shaking.
 */
async function dependencyImports(entry: { contents: string; resolveDir: string }, external: string[]): Promise<Map<string, Set<string>>> {
  const { code } = await bundle(entry, [...external, 'jose', 'oauth4webapi', 'zod/*'], ['zod'], false)
  const text = new TextDecoder().decode(code)
  const used = new Map(DEPENDENCIES.map((d) => [d, new Set<string>()]))
  for (const [, names, from] of text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/gm)) {
    for (const name of names!.split(',')) used.get(from!)?.add(name.trim().split(/\s+as\s+/)[0]!)
  }
  for (const [, ns, from] of text.matchAll(/^import\s*\*\s*as\s+([\w$]+)\s+from\s*"([^"]+)"/gm)) {
    for (const [, member] of text.matchAll(new RegExp(`(?<![\\w$.])${ns!.replace(/\$/g, '\\$')}\\.([\\w$]+)`, 'g')))
      used.get(from!)?.add(member!)
  }
  const unknown = [...text.matchAll(/^import[^;]*from\s*"([^"]+)"/gm)]
    .map((m) => m[1]!)
    .filter((f) => !used.has(f) && !external.some((e) => f === e || f.startsWith(e.replace('*', ''))))
  if (unknown.length > 0) throw new Error(`the worker bundle imports ${unknown.join(', ')}: not a known dependency`)
  return used
}

/** An entry that re-exports exactly `used` (each name aliased: jose and oauth4webapi both have `customFetch`). */
function floorEntry(used: Map<string, Set<string>>): string {
  return [...used]
    .map(
      ([dep, names], d) =>
        `export { ${[...names]
          .sort()
          .map((n) => `${n} as d${d}_${n}`)
          .join(', ')} } from '${dep}'`,
    )
    .join('\n')
}

function version(pkg: string, from: string): string {
  try {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module'; const r = createRequire(process.cwd() + '/'); console.log(r('${pkg}/package.json').version)`,
      ],
      { cwd: from, timeout: 10_000 },
    )
    return String(out).trim()
  } catch {
    return '?'
  }
}

/** One fresh process: ms of `await import(spec)` inside it, and the process's whole wall time. */
function importOnce(spec: string | undefined, cwd: string): { importMs: number; wallMs: number } {
  const code = spec
    ? `const t = performance.now(); await import(${JSON.stringify(spec)}); console.log(performance.now() - t)`
    : 'console.log(0)'
  const t0 = performance.now()
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, timeout: 20_000 })
  return { importMs: Number(String(out).trim()), wallMs: performance.now() - t0 }
}

export default async function bundleAndImport({ log }: ScenarioContext): Promise<Section> {
  const goals: Goal[] = []
  const benchDir = fileURLToPath(new URL('..', import.meta.url))
  const coreDir = `${repo}packages/core`
  for (const p of PACKAGES) {
    const entry = `${repo}packages/${p.dir}/dist/index.js`
    if (!existsSync(entry)) throw new Error(`${entry} missing: build the packages first (pnpm bench does)`)
  }

  // What an edge worker ships (the goal: the JWT-only factory), the same with every capability,
  // core's whole entry and the dependency floors (reports).
  const factoryEntry = (factory: string, hono: boolean) => ({
    contents: `export { ${factory} } from '@org/rs-core'${hono ? "\nexport { requireAuth } from '@org/rs-hono'" : ''}`,
    resolveDir: benchDir,
  })
  const WORKER = factoryEntry('createJwtResourceServer', false)
  const HONO_APP = factoryEntry('createJwtResourceServer', true)
  const FULL_WORKER = factoryEntry('createResourceServer', false)
  const FULL_HONO_APP = factoryEntry('createResourceServer', true)
  const HONO = ['hono', 'hono/*']
  const gz = async (entry: Parameters<typeof bundle>[0], external: string[]) => {
    const built = await bundle(entry, external)
    return { ...built, gz: gzipSync(built.code).length }
  }
  const worker = await gz(WORKER, [])
  const honoApp = await gz(HONO_APP, HONO)
  const fullWorker = await gz(FULL_WORKER, [])
  const fullHonoApp = await gz(FULL_HONO_APP, HONO)
  const whole = await gz(`${coreDir}/dist/index.js`, [])
  const used = await dependencyImports(HONO_APP, HONO)
  const floor = await gz({ contents: floorEntry(used), resolveDir: coreDir }, [])
  const fullUsed = await dependencyImports(FULL_HONO_APP, HONO)
  const fullFloor = await gz({ contents: floorEntry(fullUsed), resolveDir: coreDir }, [])
  const listOf = (u: Map<string, Set<string>>) =>
    [...u].map(([dep, names]) => `${dep} (${names.size}: ${[...names].sort().join(', ')})`).join('; ')
  const edgeRows = [
    ['`createJwtResourceServer` alone (a JWT edge worker)', 'goal', kb(worker.code.length), kb(worker.gz)],
    ['`createJwtResourceServer` + `@org/rs-hono` `requireAuth` (a Hono app)', 'goal', kb(honoApp.code.length), kb(honoApp.gz)],
    ['`createResourceServer` alone (every capability)', 'report', kb(fullWorker.code.length), kb(fullWorker.gz)],
    ['`createResourceServer` + `@org/rs-hono` `requireAuth`', 'report', kb(fullHonoApp.code.length), kb(fullHonoApp.gz)],
    ["core's whole entry (every export)", 'report', kb(whole.code.length), kb(whole.gz)],
    ['floor of the JWT Hono app: only the dependency functions it uses', 'report', kb(floor.code.length), kb(floor.gz)],
    ['floor of the `createResourceServer` Hono app', 'report', kb(fullFloor.code.length), kb(fullFloor.gz)],
  ]
  const workerGz = worker.gz
  const honoAppGz = honoApp.gz
  log(`    JWT edge worker: ${kb(worker.code.length)} minified, ${kb(workerGz)} gzipped; + hono: ${kb(honoAppGz)} gzipped`)
  log(`    every capability: ${kb(fullWorker.gz)} gzipped; whole entry: ${kb(whole.gz)}; floors: ${kb(floor.gz)} / ${kb(fullFloor.gz)}`)
  goals.push(
    {
      scenario: '7',
      what: '`createJwtResourceServer` bundled for an edge worker (esbuild neutral, minified, tree-shaken), gzipped',
      value: kb(workerGz),
      goal: `≤ ${GOAL_GZIP_KB} KB`,
      pass: workerGz <= GOAL_GZIP_KB * 1024,
    },
    {
      scenario: '7',
      what: '`createJwtResourceServer` + `@org/rs-hono` `requireAuth` bundled for the edge, gzipped',
      value: kb(honoAppGz),
      goal: `≤ ${GOAL_GZIP_KB} KB`,
      pass: honoAppGz <= GOAL_GZIP_KB * 1024,
    },
    {
      scenario: '7',
      what: '`createResourceServer` (introspection, JWE, DPoP, mTLS) bundled for the edge, gzipped',
      value: kb(fullWorker.gz),
      goal: '-',
      pass: undefined,
    },
    { scenario: '7', what: "`@org/rs-core`'s whole entry bundled for the edge, gzipped", value: kb(whole.gz), goal: '-', pass: undefined },
  )

  // Each package entry as published.
  const sizeRows: (string | number)[][] = []
  for (const p of PACKAGES) {
    const { code, metafile } = await bundle(`${repo}packages/${p.dir}/dist/index.js`, p.external)
    const output = Object.values(metafile.outputs)[0]!
    const own = Object.entries(output.inputs)
      .filter(([path]) => path.includes(`packages/${p.dir}/`))
      .reduce((n, [, i]) => n + i.bytesInOutput, 0)
    sizeRows.push([p.name, p.external.join(', ') || '-', kb(code.length), kb(gzipSync(code).length), kb(own)])
  }

  // The worker's bundle by input package.
  const byPackage = new Map<string, number>()
  for (const [path, input] of Object.entries(Object.values(worker.metafile.outputs)[0]!.inputs)) {
    if (path === '<stdin>') continue // the entry's one re-export line
    byPackage.set(inputPackage(path), (byPackage.get(inputPackage(path)) ?? 0) + input.bytesInOutput)
  }
  const totalIn = [...byPackage.values()].reduce((a, b) => a + b, 0)
  const breakdown = [...byPackage.entries()].sort((a, b) => b[1] - a[1])
  // Gzip is not additive: the gzipped size of the worker with each dependency left out, built for real.
  const withoutGz = new Map<string, number>()
  for (const dep of ['zod', 'jose', 'oauth4webapi']) {
    const { code } = await bundle(WORKER, [dep, `${dep}/*`])
    withoutGz.set(dep, gzipSync(code).length)
  }
  const breakdownRows = breakdown.map(([name, bytes]) => {
    const bare = name.replace(/ \(own code\)$/, '')
    return [
      name,
      name.includes('own code') ? '-' : version(bare, coreDir),
      kb(bytes),
      `${fmt((100 * bytes) / totalIn, 1)} %`,
      withoutGz.has(name) ? kb(withoutGz.get(name)!) : '',
    ]
  })
  const ownBytes = byPackage.get('@org/rs-core (own code)') ?? 0

  // Import time: fresh processes, modules in alternation.
  log(`    import time: ${IMPORT_RUNS} fresh processes per module`)
  const MODULES = [undefined, '@org/rs-core', 'zod/mini', 'jose', 'oauth4webapi'] as const
  const runs = new Map<string, { importMs: number[]; wallMs: number[] }>(MODULES.map((m) => [m ?? '', { importMs: [], wallMs: [] }]))
  importOnce('@org/rs-core', coreDir) // warm the file system cache
  for (let r = 0; r < IMPORT_RUNS; r++) {
    for (const m of MODULES) {
      const one = importOnce(m, coreDir)
      runs.get(m ?? '')!.importMs.push(one.importMs)
      runs.get(m ?? '')!.wallMs.push(one.wallMs)
    }
  }
  const baseWall = median(runs.get('')!.wallMs)
  const importRows = MODULES.filter((m) => m !== undefined).map((m) => {
    const x = runs.get(m)!
    return [`\`${m}\``, fmt(median(x.importMs), 1), fmt(median(x.wallMs), 0), fmt(median(x.wallMs) - baseWall, 0)]
  })
  const coreImport = median(runs.get('@org/rs-core')!.importMs)
  goals.push({
    scenario: '7',
    what: 'Node import time of `@org/rs-core` (fresh process, median)',
    value: `${fmt(coreImport, 1)} ms`,
    goal: '-',
    pass: undefined,
  })

  const zodBytes = byPackage.get('zod') ?? 0
  const esbuildVersion = version('esbuild', benchDir)
  const markdown = [
    `Bundled with esbuild ${esbuildVersion} (\`platform: 'neutral'\`, \`format: 'esm'\`, \`minify: true\`, every dependency bundled, the peer`,
    "framework external for adapters; `mainFields: ['module', 'main']` so that CommonJS-only dependencies resolve), from the",
    'published ESM builds (`packages/<p>/dist/index.js`). Gzip: node:zlib, default level (6).',
    '',
    '### What an edge deployment ships',
    '',
    'A worker imports a factory (and a Hono app the middleware too); the bundler drops every other export (presets,',
    'client credentials, …). `createJwtResourceServer` verifies JWT access tokens sent as bearer tokens and nothing else,',
    'so introspection (oauth4webapi, jose JWE), DPoP and mTLS are left out; `createResourceServer` has every capability.',
    'A floor is the gzipped bundle of only the dependency functions a Hono app keeps (the app bundled again with jose,',
    'oauth4webapi and zod external, its imports read back, then bundled alone): what any code with these features on',
    'these libraries would start from. The rest of the worker is our own code.',
    '',
    table(['bundle', 'row', 'minified', 'gzipped'], edgeRows),
    '',
    `Goal: each edge bundle ≤ ${GOAL_GZIP_KB} KB gzipped: the worker ${kb(workerGz)}, **${verdict(workerGz <= GOAL_GZIP_KB * 1024).replace(/\*/g, '')}**;`,
    `with the Hono middleware ${kb(honoAppGz)}, **${verdict(honoAppGz <= GOAL_GZIP_KB * 1024).replace(/\*/g, '')}**. The dependency floor is ${kb(floor.gz)}`,
    `gzipped; our own code is ${kb(ownBytes)} minified (${fmt((100 * ownBytes) / totalIn, 0)} % of the worker's minified bytes).`,
    `With every capability (\`createResourceServer\`) the worker is ${kb(fullWorker.gz)} gzipped over a floor of ${kb(fullFloor.gz)}.`,
    '',
    `Dependency functions in the JWT app's floor: ${listOf(used)}. In the \`createResourceServer\` app's: ${listOf(fullUsed)}.`,
    '',
    '### Each package entry',
    '',
    'An adapter bundle includes what it uses of core (its entry imports only `toErrorResponse` from core, so the factory is',
    'shaken out; the zod schemas are not).',
    '',
    table(['package', 'external', 'minified', 'gzipped', 'own code (minified)'], sizeRows),
    '',
    "### The worker's bundle by input package",
    '',
    'Minified bytes per input package (esbuild metafile `bytesInOutput`) of the `createJwtResourceServer` worker, and its',
    'gzipped size built again with that one package left out (external): what it would weigh if that dependency cost nothing.',
    '',
    table(['input', 'version', 'minified', 'share', 'worker gzipped without it'], breakdownRows),
    '',
    `zod is ${fmt((100 * zodBytes) / totalIn, 0)} % of the worker's minified bundle: core's option schemas are written with \`zod/mini\``,
    '(the functional API, tree-shakable; its English messages worded by core, `src/option-messages.ts`, not `zod/locales`),',
    "so only the zod functions they call are bundled (zod 4 classic, `import { z } from 'zod'`, kept all of zod: 443 KB minified).",
    '',
    '### Node import time',
    '',
    `A fresh \`node\` process per run (\`node --input-type=module -e\`, cwd \`packages/core\`), \`await import()\` timed inside it;`,
    `median of ${IMPORT_RUNS} runs per module, the modules in alternation. "Process" is the whole process's wall time and`,
    `"above an empty process" subtracts that of \`node -e 'console.log(0)'\` (${fmt(baseWall, 0)} ms here).`,
    '',
    table(['module', 'import ms', 'process ms', 'above an empty process ms'], importRows),
  ].join('\n')
  return { markdown, goals }
}
