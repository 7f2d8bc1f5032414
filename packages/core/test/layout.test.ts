/**
 * The layout of core holds: small modules, dependencies that point one way (no import cycle), and
 * `src/index.ts` as the only public entry (every other module is reached through it).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const src = fileURLToPath(new URL('../src/', import.meta.url))
const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split('\\').join('/'))

/** Relative imports of a module, as paths of .ts files under src. */
function importsOf(file: string): string[] {
  const code = readFileSync(join(src, file), 'utf8')
  return [...code.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)\.js'/gm)].map(([, spec]) =>
    relative(src, normalize(join(src, dirname(file), `${spec}.ts`)))
      .split('\\')
      .join('/'),
  )
}

it('has no module over 300 lines', () => {
  const long = files.map((f) => [f, readFileSync(join(src, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 300)
  expect(long).toEqual([])
})

it('has no import cycle', () => {
  const graph = new Map(files.map((f) => [f, importsOf(f)]))
  for (const targets of graph.values()) for (const t of targets) expect(files).toContain(t)
  const state = new Map<string, 'visiting' | 'done'>()
  const cycles: string[][] = []
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file])
      return
    }
    state.set(file, 'visiting')
    for (const next of graph.get(file) ?? []) visit(next, [...path, file])
    state.set(file, 'done')
  }
  for (const file of files) visit(file, [])
  expect(cycles).toEqual([])
})

it('is published through src/index.ts alone: every module is reachable from it', () => {
  const reached = new Set<string>()
  const walk = (file: string) => {
    if (reached.has(file)) return
    reached.add(file)
    for (const next of importsOf(file)) walk(next)
  }
  walk('index.ts')
  expect(files.filter((f) => !reached.has(f))).toEqual([])
})
