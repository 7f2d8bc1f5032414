#!/usr/bin/env node
/**
 * `pnpm release:check`: would the pending changesets make a consistent release? In a temp copy of the
 * repository (tracked and untracked-but-not-ignored files; this checkout is never touched):
 *
 * 1. `changeset version` runs (the real command, on the real .changeset/ folder);
 * 2. every package of a `fixed` group ends at one version, and no version leaves its major unless a
 *    changeset asks for `major` (changesets bumps peer dependents by a major when a peer range is left);
 * 3. every publishable package is packed with `pnpm pack`: no `workspace:` range is left in a packed
 *    manifest, and every `@org/*` range in it accepts the version released with it.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const semver = createRequire(require.resolve('@changesets/cli/package.json'))('semver')
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 })
const problems = []
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))

const workspaceDirs = (base) =>
  ['packages', 'examples'].flatMap((group) =>
    readdirSync(join(base, group), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(base, group, d.name))
      .filter((dir) => {
        try {
          readFileSync(join(dir, 'package.json'))
          return true
        } catch {
          return false
        }
      }),
  )
const manifests = (base) =>
  Object.fromEntries(
    workspaceDirs(base).map((dir) => [readJson(join(dir, 'package.json')).name, { dir, json: readJson(join(dir, 'package.json')) }]),
  )

const tmp = mkdtempSync(join(tmpdir(), 'rs-release-check-'))
try {
  // 1. A copy of the repository, without node_modules; changeset version on it.
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root).split('\0').filter(Boolean)
  for (const file of files) {
    try {
      mkdirSync(dirname(join(tmp, file)), { recursive: true })
      cpSync(join(root, file), join(tmp, file))
    } catch {
      // deleted but not yet staged
    }
  }
  const before = manifests(tmp)
  const changesets = readdirSync(join(tmp, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')
  const asksMajor = new Set()
  for (const file of changesets) {
    for (const [, name, type] of readFileSync(join(tmp, '.changeset', file), 'utf8').matchAll(
      /^["']?(@?[\w./-]+)["']?:\s*(major|minor|patch)\s*$/gm,
    ))
      if (type === 'major') asksMajor.add(name)
  }
  const changesetBin = join(dirname(require.resolve('@changesets/cli/package.json')), 'bin.js')
  console.log(`changeset version on a copy (${changesets.length} pending changesets)`)
  const output = run(process.execPath, [changesetBin, 'version'], tmp)
  if (!/All files have been updated/.test(output) && changesets.length > 0)
    problems.push(`changeset version did not update the packages:\n${output}`)
  const after = manifests(tmp)

  // 2. Versions.
  const config = readJson(join(tmp, '.changeset', 'config.json'))
  for (const group of config.fixed ?? []) {
    const versions = new Set(group.map((name) => after[name]?.json.version))
    if (versions.size !== 1) problems.push(`fixed group ${group.join(', ')} ends at several versions: ${[...versions].join(', ')}`)
  }
  const rows = []
  for (const [name, { json }] of Object.entries(after)) {
    if (json.private) continue
    const from = before[name]?.json.version
    rows.push(`  ${name.padEnd(20)} ${from} -> ${json.version}`)
    if (from && semver.major(json.version) !== semver.major(from) && !asksMajor.has(name)) {
      problems.push(
        `${name} would go from ${from} to ${json.version} although no changeset asks for a major bump (a peer range left by a co-released package?)`,
      )
    }
  }
  console.log(rows.join('\n'))

  // 3. Packed manifests.
  const packs = join(tmp, '.packs')
  mkdirSync(packs)
  for (const [name, { dir, json }] of Object.entries(after)) {
    if (json.private) continue
    run('pnpm', ['pack', '--pack-destination', packs], dir)
    const tarball = readdirSync(packs).find((f) => f.startsWith(name.replace('@', '').replace('/', '-') + '-' + json.version))
    if (!tarball) {
      problems.push(`${name}: no tarball packed`)
      continue
    }
    const packed = JSON.parse(run('tar', ['-xOzf', join(packs, tarball), 'package/package.json'], tmp))
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [dep, range] of Object.entries(packed[field] ?? {})) {
        if (String(range).startsWith('workspace:')) problems.push(`${name}: ${field}.${dep} is "${range}" in the packed manifest`)
        else if (
          field !== 'devDependencies' &&
          after[dep] &&
          !after[dep].json.private &&
          !semver.satisfies(after[dep].json.version, range)
        ) {
          problems.push(`${name}: ${field}.${dep} "${range}" does not accept ${after[dep].json.version}, released with it`)
        }
      }
    }
  }
  console.log(`packed ${readdirSync(packs).length} tarballs: no workspace: range, internal ranges accept the co-released versions`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

if (problems.length > 0) {
  console.error(`\nrelease check failed:\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log('release check passed')
