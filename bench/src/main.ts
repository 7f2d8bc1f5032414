/**
 * `pnpm bench`: runs the six scenarios in turn and writes bench/results.md.
 * See README.md for the method and how to read the results.
 */
import { writeFileSync } from 'node:fs'
import { cpus, totalmem, type as osType, release } from 'node:os'
import { fileURLToPath } from 'node:url'
import { startAuthorizationServer } from './as-client.js'
import { type Goal, type Section, settings, table, verdict } from './runner.js'
import frameworks from './1-frameworks.js'
import versusAuth0 from './2-vs-express-oauth2-jwt-bearer.js'
import coldIntrospection from './3-cold-introspection.js'
import singleFlight from './4-single-flight.js'
import memory from './5-memory.js'
import dpop from './6-dpop.js'

const log = (s: string) => console.log(s)
const started = Date.now()
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()) // e.g. BENCH_ONLY=3,4

const scenarios: { id: string; title: string; run: typeof frameworks }[] = [
  { id: '1', title: '1. Adapter overhead per framework', run: frameworks },
  { id: '2', title: '2. Express: ours vs express-oauth2-jwt-bearer (JWT access token)', run: versusAuth0 },
  { id: '3', title: '3. Cold path: one introspection per request', run: coldIntrospection },
  { id: '4', title: '4. Single-flight', run: singleFlight },
  { id: '5', title: '5. Memory of the introspection cache', run: memory },
  { id: '6', title: '6. DPoP: warm cost of a proof vs a cached Bearer request', run: dpop },
]

log(`bench: ${settings.rounds} rounds × ${settings.seconds} s after ${settings.warmup} s warm-up, ${settings.connections} connections`)
const as = await startAuthorizationServer()
log(`authorization server (oidc-provider) on ${as.issuer}`)

const sections: string[] = []
const goals: Goal[] = []
for (const s of scenarios) {
  if (only && !only.includes(s.id)) continue
  const t0 = Date.now()
  log(`\n== ${s.title}`)
  let section: Section
  try {
    section = await s.run({ as, log })
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err)
    log(`   FAILED: ${message}`)
    section = { markdown: `The scenario failed:\n\n\`\`\`\n${message}\n\`\`\``, goals: [{ scenario: s.id, what: s.title, value: 'error', goal: '-', pass: false }] }
  }
  const took = ((Date.now() - t0) / 1000).toFixed(0)
  log(`   (${took} s)`)
  sections.push(`## ${s.title}\n\n${section.markdown}\n\n_Scenario time: ${took} s._`)
  goals.push(...section.goals)
}
await as.stop()

const total = (Date.now() - started) / 1000
const cpu = cpus()
const header = [
  '# Benchmark results',
  '',
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}`,
  `- Node ${process.version}; load generator: autocannon 9 in the parent process, ${settings.connections} connections, no pipelining`,
  `- Method: each server in its own child process; variants measured in alternation, ${settings.rounds} rounds × ${settings.seconds} s after ${settings.warmup} s of warm-up each; medians over the rounds`,
  `- Whole run: ${(total / 60).toFixed(1)} min`,
  '',
  'The machine is shared and noisy (2 cores for the load generator, the server under test and the',
  'authorization server): compare the ratios, measured side by side, rather than absolute numbers.',
  '',
  '## Summary',
  '',
  table(['scenario', 'what', 'measured', 'goal', ''], goals.map((g) => [g.scenario, g.what, g.value, g.goal, verdict(g.pass)])),
  '',
].join('\n')

const out = fileURLToPath(new URL('../results.md', import.meta.url))
writeFileSync(out, `${header}\n${sections.join('\n\n')}\n`)
log(`\nwrote ${out} in ${(total / 60).toFixed(1)} min`)
for (const g of goals) log(`  ${g.pass ? 'PASS' : 'MISS'}  [${g.scenario}] ${g.what}: ${g.value} (goal ${g.goal})`)
process.exit(0)
