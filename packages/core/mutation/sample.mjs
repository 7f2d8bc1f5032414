// A random sample of source lines for a mutation run that estimates a score without running every
// mutant (MUTATION.md, "Sampled estimates"): prints a Stryker --mutate list of `file:line-line`
// ranges, a `fraction` of the code lines (not blank, not comments) of the files given, chosen with a
// fixed seed so the same sample can be run again. Stryker mutates only the mutants that lie within
// one line: mutants spanning several lines (a whole block emptied, most of them killed by any test
// of that block) are left out of the estimate.
//   node mutation/sample.mjs <fraction> <seed> <file…>
import { readFileSync } from 'node:fs'

const [fraction, seed, ...files] = process.argv.slice(2)
if (!(Number(fraction) > 0 && Number(fraction) <= 1) || !Number.isInteger(Number(seed)) || files.length === 0) {
  console.error('usage: node mutation/sample.mjs <fraction 0-1> <integer seed> <file…>')
  process.exit(2)
}

// mulberry32: a small seeded generator, so that a sample is reproducible.
let state = Number(seed) >>> 0
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const ranges = []
for (const file of files.sort()) {
  let inComment = false
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const line = text.trim()
      const comment = inComment || line.startsWith('//') || line.startsWith('/*')
      if (line.startsWith('/*') && !line.includes('*/')) inComment = true
      else if (inComment && line.includes('*/')) inComment = false
      if (line === '' || comment) return
      if (random() < Number(fraction)) ranges.push(`${file}:${i + 1}-${i + 1}`)
    })
}
console.log(ranges.join(','))
