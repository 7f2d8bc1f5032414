#!/usr/bin/env node
/**
 * API report: the public API of a published package is its built `dist/index.d.ts`. A checked-in
 * copy (`api/<package>.d.ts` at the repository root) is compared with it in `pnpm check`, so a
 * change to the public API is always a visible diff in review (and needs a changeset).
 *
 *   node scripts/api-report.mjs            check the package in the current directory
 *   node scripts/api-report.mjs --update   write its report
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
const built = join(process.cwd(), 'dist', 'index.d.ts')
if (!existsSync(built)) {
  console.error(`api-report: ${built} is missing; build the package first`)
  process.exit(1)
}
// Source maps and chunk names carry no API: drop them so the report changes only with the API.
const current =
  readFileSync(built, 'utf8')
    .replace(/\/\/# sourceMappingURL=.*$/gm, '')
    .replace(/\r\n/g, '\n')
    .trimEnd() + '\n'
const reportPath = join(root, 'api', `${pkg.name.replace(/^@[^/]+\//, '')}.d.ts`)

if (process.argv.includes('--update')) {
  mkdirSync(dirname(reportPath), { recursive: true })
  writeFileSync(reportPath, current)
  console.log(`api-report: wrote ${reportPath}`)
  process.exit(0)
}
const recorded = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : ''
if (recorded === current) {
  console.log(`api-report: ${pkg.name} matches api/${reportPath.split('/').pop()}`)
  process.exit(0)
}
const a = recorded.split('\n')
const b = current.split('\n')
let first = 0
while (first < a.length && first < b.length && a[first] === b[first]) first++
console.error(`api-report: the public API of ${pkg.name} changed (first difference at line ${first + 1}):`)
console.error(`  recorded: ${a[first] ?? '(end)'}`)
console.error(`  built:    ${b[first] ?? '(end)'}`)
console.error('Review the change, add a changeset, then run `pnpm api:update` and commit api/.')
process.exit(1)
