/**
 * Scenario 7 (`bundle`): what an edge deployment ships and what a Node process pays at start-up.
 * - Each published package's entry (`packages/<p>/dist/index.js`, built by `pnpm bench`'s turbo step)
 *   bundled with esbuild (`platform: 'neutral'`, ESM, minified, every dependency bundled, the peer
 *   framework external for adapters): minified and gzipped bytes; core's bundle broken down by input
 *   package from esbuild's metafile. Goal: core ≤ 40 KB gzipped.
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

const PACKAGES = [
  { name: '@org/rs-core', dir: 'core', external: [] as string[] },
  { name: '@org/rs-express', dir: 'express', external: ['express'] },
  { name: '@org/rs-fastify', dir: 'fastify', external: ['fastify'] },
  { name: '@org/rs-hono', dir: 'hono', external: ['hono', 'hono/*'] },
  { name: '@org/rs-koa', dir: 'koa', external: ['koa'] },
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
    minify: true,
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
  const sizeRows: (string | number)[][] = []
  let coreMeta: Metafile | undefined
  let coreGzip = 0
  for (const p of PACKAGES) {
    const entry = `${repo}packages/${p.dir}/dist/index.js`
    if (!existsSync(entry)) throw new Error(`${entry} missing: build the packages first (pnpm bench does)`)
    const { code, metafile } = await bundle(entry, p.external)
    const gz = gzipSync(code).length
    const output = Object.values(metafile.outputs)[0]!
    const own = Object.entries(output.inputs)
      .filter(([path]) => path.includes(`packages/${p.dir}/`))
      .reduce((n, [, i]) => n + i.bytesInOutput, 0)
    if (p.dir === 'core') {
      coreMeta = metafile
      coreGzip = gz
    }
    sizeRows.push([p.name, p.external.join(', ') || '-', kb(code.length), kb(gz), kb(own)])
    log(`    ${p.name}: ${kb(code.length)} minified, ${kb(gz)} gzipped`)
  }
  // What a Hono app on the edge ships: core's factory and the adapter's middleware.
  {
    const { code } = await bundle(
      {
        contents: "export { createResourceServer } from '@org/rs-core'\nexport { requireAuth } from '@org/rs-hono'",
        resolveDir: fileURLToPath(new URL('..', import.meta.url)),
      },
      ['hono', 'hono/*'],
    )
    const gz = gzipSync(code).length
    sizeRows.push(['edge app: `createResourceServer` + `@org/rs-hono` `requireAuth`', 'hono', kb(code.length), kb(gz), ''])
    log(`    edge app (core + hono adapter): ${kb(code.length)} minified, ${kb(gz)} gzipped`)
  }
  goals.push({
    scenario: '7',
    what: '@org/rs-core bundled for the edge (esbuild neutral, minified), gzipped',
    value: kb(coreGzip),
    goal: `≤ ${GOAL_GZIP_KB} KB`,
    pass: coreGzip <= GOAL_GZIP_KB * 1024,
  })

  // Core's bundle by input package.
  const coreDir = `${repo}packages/core`
  const byPackage = new Map<string, number>()
  for (const [path, input] of Object.entries(Object.values(coreMeta!.outputs)[0]!.inputs)) {
    byPackage.set(inputPackage(path), (byPackage.get(inputPackage(path)) ?? 0) + input.bytesInOutput)
  }
  const totalIn = [...byPackage.values()].reduce((a, b) => a + b, 0)
  const breakdown = [...byPackage.entries()].sort((a, b) => b[1] - a[1])
  // Gzip is not additive: the gzipped size of core with each dependency left out, built for real.
  const withoutGz = new Map<string, number>()
  for (const dep of ['zod', 'jose', 'oauth4webapi']) {
    const { code } = await bundle(`${coreDir}/dist/index.js`, [dep, `${dep}/*`])
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
  const markdown = [
    'Each package entry (`packages/<p>/dist/index.js`, the published ESM build) bundled with esbuild',
    `${version('esbuild', fileURLToPath(new URL('..', import.meta.url)))} (\`platform: 'neutral'\`, \`format: 'esm'\`, \`minify: true\`, every dependency bundled, the peer framework external`,
    "for adapters; `mainFields: ['module', 'main']` so that CommonJS-only dependencies resolve). Gzip: node:zlib, default level (6).",
    'An adapter bundle includes what it uses of core (its entry imports only `toErrorResponse` from core, so the factory is',
    'shaken out; the zod schemas are not). The last row is what a Hono app on the edge ships: the factory and the middleware.',
    '',
    table(['package', 'external', 'minified', 'gzipped', 'own code (minified)'], sizeRows),
    '',
    `Goal: \`@org/rs-core\` ≤ ${GOAL_GZIP_KB} KB gzipped: ${kb(coreGzip)}, **${verdict(coreGzip <= GOAL_GZIP_KB * 1024).replace(/\*/g, '')}**.`,
    '',
    "### Core's bundle by input package",
    '',
    "Minified bytes per input package (esbuild metafile `bytesInOutput`), and the gzipped size of core's bundle built",
    'again with that one package left out (external): what core would weigh if that dependency cost nothing.',
    '',
    table(['input', 'version', 'minified', 'share', 'core gzipped without it'], breakdownRows),
    '',
    `zod is ${fmt((100 * zodBytes) / totalIn, 0)} % of core's minified bundle: core's option schemas are written with \`zod/mini\``,
    "(the functional API, tree-shakable; its English messages from `zod/locales`' `en`), so only the zod functions they",
    "call are bundled (zod 4 classic, `import { z } from 'zod'`, kept all of zod: 443 KB minified, 71 % of core's bundle).",
    "What remains above the goal is core's own code (every feature of the one entry: introspection, JWT, DPoP, mTLS,",
    `client credentials, presets) and its other dependencies: core with zod left out entirely is ${kb(withoutGz.get('zod')!)} gzipped.`,
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
