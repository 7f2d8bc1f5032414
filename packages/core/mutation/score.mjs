// Scores of Stryker's JSON reports (reports/mutation/*.json, or the files given), per file, per
// folder and overall, as MUTATION.md counts them: (killed + timed out) / (killed + timed out +
// survived + no coverage); ignored mutants, compile and runtime errors are out. A file measured by
// several reports counts once, from the newest report.
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

const files = new Map()
for (const { path } of reports) {
  const report = JSON.parse(readFileSync(path, 'utf8'))
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const count = { detected: 0, undetected: 0, ignored: 0, report: path.split('/').pop() }
    for (const m of mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') count.detected++
      else if (m.status === 'Survived' || m.status === 'NoCoverage') count.undetected++
      else if (m.status === 'Ignored') count.ignored++
    }
    files.set(file.replace(/^.*?src\//, 'src/'), count)
  }
}

const pct = (d, u) => (d + u === 0 ? '-' : `${((100 * d) / (d + u)).toFixed(2)} %`)
const rows = []
const folders = new Map()
let all = { detected: 0, undetected: 0 }
for (const [file, c] of [...files].sort()) {
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
