// Scores of Stryker's JSON reports (reports/mutation/*.json, or the files given), per file, per
// folder and overall, as MUTATION.md counts them: (killed + timed out) / (killed + timed out +
// survived + no coverage); ignored mutants, compile and runtime errors are out. Reports are read
// oldest first. A newer report of a file replaces the older one when the file's source changed;
// when the source is the same (a re-run of some lines: `--mutate 'src/x.ts:10-12'`), its mutants
// replace the older ones mutant by mutant (same place, mutator and replacement), the others stay.
//   node mutation/score.mjs [report.json …]
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const dir = new URL('../reports/mutation/', import.meta.url).pathname
const reports = (
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(dir, f))
)
  .map((path) => ({ path, time: statSync(path).mtimeMs }))
  .sort((a, b) => a.time - b.time)

/** Per file: its source, and its mutants by place, mutator and replacement (with the report that measured each). */
const files = new Map()
for (const { path } of reports) {
  const report = JSON.parse(readFileSync(path, 'utf8'))
  const name = path.split('/').pop()
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const key = file.replace(/^.*?src\//, 'src/')
    let entry = files.get(key)
    if (entry === undefined || entry.source !== source) files.set(key, (entry = { source, mutants: new Map() }))
    for (const m of mutants) {
      const at = `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}`
      entry.mutants.set(`${at} ${m.mutatorName} ${m.replacement ?? ''}`, { status: m.status, report: name })
    }
  }
}
const counts = new Map()
for (const [file, { mutants }] of files) {
  const count = { detected: 0, undetected: 0, ignored: 0, reports: new Set() }
  for (const m of mutants.values()) {
    count.reports.add(m.report)
    if (m.status === 'Killed' || m.status === 'Timeout') count.detected++
    else if (m.status === 'Survived' || m.status === 'NoCoverage') count.undetected++
    else if (m.status === 'Ignored') count.ignored++
  }
  counts.set(file, { ...count, report: [...count.reports].join(', ') })
}

const pct = (d, u) => (d + u === 0 ? '-' : `${((100 * d) / (d + u)).toFixed(2)} %`)
const rows = []
const folders = new Map()
let all = { detected: 0, undetected: 0 }
for (const [file, c] of [...counts].sort()) {
  rows.push([file, pct(c.detected, c.undetected), `${c.detected}/${c.detected + c.undetected}`, c.ignored, c.report])
  const folder = file.split('/').length > 2 ? file.split('/').slice(0, 2).join('/') + '/' : file
  const f = folders.get(folder) ?? { detected: 0, undetected: 0 }
  f.detected += c.detected
  f.undetected += c.undetected
  folders.set(folder, f)
  all = { detected: all.detected + c.detected, undetected: all.undetected + c.undetected }
}
console.log('| file | score | detected/counted | ignored | report |\n|---|---:|---:|---:|---|')
for (const r of rows) console.log(`| \`${r[0]}\` | ${r.slice(1).join(' | ')} |`)
console.log('\n| folder | score | detected/counted |\n|---|---:|---:|')
for (const [f, c] of [...folders].sort())
  console.log(`| \`${f}\` | ${pct(c.detected, c.undetected)} | ${c.detected}/${c.detected + c.undetected} |`)
console.log(`| **all measured** | **${pct(all.detected, all.undetected)}** | ${all.detected}/${all.detected + all.undetected} |`)
