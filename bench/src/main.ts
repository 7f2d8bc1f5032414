/**
 * `pnpm bench`: runs the scenarios in turn and writes bench/results.md.
 * `pnpm bench -- --only peers` (or `--only 2,bundle`, or BENCH_ONLY=…) runs only those scenarios, by
 * number or name, and then writes bench/results-only.md instead, leaving the full run's results.md alone.
 * See README.md for the method and how to read the results.
 */
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os'
import { fileURLToPath } from 'node:url'
import { startAuthorizationServer } from './as-client.js'
import { type Goal, type Section, settings, table, verdict } from './runner.js'
import frameworks from './1-frameworks.js'
import peers from './2-peers.js'
import coldIntrospection from './3-cold-introspection.js'
import singleFlight from './4-single-flight.js'
import memory from './5-memory.js'
import opaque from './6-opaque-vs-introspection-per-request.js'
import bundle from './7-bundle.js'
import headers from './8-headers.js'
import dpop from './9-dpop.js'
import scale from './10-scale.js'

const log = (s: string) => console.log(s)
const started = Date.now()
const loadAtStart = loadavg()[0]!

const scenarios: { id: string; name: string; title: string; needsAs: boolean; run: typeof frameworks }[] = [
  { id: '1', name: 'frameworks', title: '1. Adapter overhead per framework', needsAs: true, run: frameworks },
  { id: '2', name: 'peers', title: '2. Ours vs each framework’s JWT middleware (JWT access token)', needsAs: true, run: peers },
  { id: '3', name: 'cold', title: '3. Cold path: one introspection per request', needsAs: true, run: coldIntrospection },
  { id: '4', name: 'single-flight', title: '4. Single-flight', needsAs: true, run: singleFlight },
  { id: '5', name: 'memory', title: '5. Memory of the introspection cache', needsAs: false, run: memory },
  {
    id: '6',
    name: 'opaque',
    title: '6. Opaque tokens: ours (cached) vs one introspection per API request (ProConnect sample)',
    needsAs: true,
    run: opaque,
  },
  { id: '7', name: 'bundle', title: '7. Edge bundle size and import time', needsAs: false, run: bundle },
  {
    id: '8',
    name: 'headers',
    title: '8. Reading the Authorization header on Express and Koa (measurement for the adapters)',
    needsAs: false,
    run: headers,
  },
  { id: '9', name: 'dpop', title: '9. DPoP: warm cost of a proof vs a cached Bearer request', needsAs: false, run: dpop },
  { id: '10', name: 'scale', title: '10. Several processes on one Redis: AS calls per token, warm-path cost', needsAs: true, run: scale },
]

/** `--only a,b` / `--only=a,b` (pnpm may pass a literal `--` first), else BENCH_ONLY. */
function onlyArgument(): string[] | undefined {
  const args = process.argv.slice(2).filter((a) => a !== '--')
  let value: string | undefined = process.env.BENCH_ONLY
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--only') value = args[++i]
    else if (a.startsWith('--only=')) value = a.slice('--only='.length)
    else throw new Error(`unknown argument ${a} (usage: --only <number or name>[,…])`)
  }
  if (value === undefined) return undefined
  const wanted = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const w of wanted) {
    if (!scenarios.some((s) => s.id === w || s.name === w))
      throw new Error(`no scenario ${w}: one of ${scenarios.map((s) => `${s.id}/${s.name}`).join(', ')}`)
  }
  return wanted
}
const only = onlyArgument()
const selected = scenarios.filter((s) => !only || only.includes(s.id) || only.includes(s.name))

log(`bench: ${settings.rounds} rounds × ${settings.seconds} s after ${settings.warmup} s warm-up, ${settings.connections} connections`)
log(`scenarios: ${selected.map((s) => s.name).join(', ')}`)
const as = selected.some((s) => s.needsAs) ? await startAuthorizationServer() : undefined
if (as) log(`authorization server (oidc-provider) on ${as.issuer}`)

const sections: string[] = []
const goals: Goal[] = []
for (const s of selected) {
  const t0 = Date.now()
  log(`\n== ${s.title}`)
  let section: Section
  try {
    section = await s.run({ as: as!, log })
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err)
    log(`   FAILED: ${message}`)
    section = {
      markdown: `The scenario failed:\n\n\`\`\`\n${message}\n\`\`\``,
      goals: [{ scenario: s.id, what: s.title, value: 'error', goal: '-', pass: false }],
    }
  }
  const took = ((Date.now() - t0) / 1000).toFixed(0)
  log(`   (${took} s)`)
  sections.push(`## ${s.title}\n\n${section.markdown}\n\n_Scenario time: ${took} s._`)
  goals.push(...section.goals)
}
await as?.stop()

const total = (Date.now() - started) / 1000
const cpu = cpus()
const header = [
  '# Benchmark results',
  '',
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}`,
  `- Node ${process.version}; load generator: autocannon 9 in the parent process, ${settings.connections} connections, no pipelining`,
  `- Method: each server in its own child process; variants measured in alternation, ${settings.rounds} rounds × ${settings.seconds} s after ${settings.warmup} s of warm-up each; medians over the rounds, and a ratio of two variants is the median of their per-round ratios`,
  `- Load average (1 min) at the start and the end of the run: ${loadAtStart.toFixed(1)}, ${loadavg()[0]!.toFixed(1)} (other work on the machine: above ${cpu.length} means the cores were oversubscribed)`,
  `- ${only ? `Scenarios run: ${selected.map((s) => `${s.id} (${s.name})`).join(', ')}` : 'Whole run (every scenario)'}: ${(total / 60).toFixed(1)} min`,
  '',
  'The machine is shared and noisy (2 cores for the load generator, the server under test and the',
  'authorization server): compare the ratios, measured side by side, rather than absolute numbers.',
  '',
  '## Summary',
  '',
  table(
    ['scenario', 'what', 'measured', 'goal', ''],
    goals.map((g) => [g.scenario, g.what, g.value, g.goal, verdict(g.pass)]),
  ),
  '',
].join('\n')

// A partial run must not overwrite the full run's results.md.
const out = fileURLToPath(new URL(only ? '../results-only.md' : '../results.md', import.meta.url))
writeFileSync(out, `${header}\n${sections.join('\n\n')}\n`)
log(`\nwrote ${out} in ${(total / 60).toFixed(1)} min`)
for (const g of goals)
  log(`  ${g.pass === undefined ? '    ' : g.pass ? 'PASS' : 'MISS'}  [${g.scenario}] ${g.what}: ${g.value} (goal ${g.goal})`)
process.exit(0)
