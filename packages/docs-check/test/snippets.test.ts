/**
 * Every TypeScript block of README.md, packages/*\/README.md and examples/*\/README.md compiles on its
 * own against the built packages. Run `pnpm build` first (the root `pnpm test` does).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { checkSnippets, collectSnippets, extractSnippets, readmeFiles, type SnippetResult } from '../src/snippets.js'

const snippets = collectSnippets()
let results: SnippetResult[] | undefined
const resultsOnce = () => (results ??= checkSnippets(snippets))

describe('README snippets type-check', () => {
  it('finds the READMEs and their TypeScript blocks', () => {
    expect(readmeFiles()).toContain('README.md')
    expect(snippets.length).toBeGreaterThan(10)
  })

  it.each(snippets.map((s) => [`${s.file}:${s.line}${s.fragment ? ' (fragment)' : ''}`, s] as const))('%s', (label) => {
    const result = resultsOnce().find((r) => `${r.snippet.file}:${r.snippet.line}${r.snippet.fragment ? ' (fragment)' : ''}` === label)!
    expect(result.errors, `\n${result.errors.join('\n')}\n`).toEqual([])
  })

  afterAll(() => {
    const fragments = snippets.filter((s) => s.fragment).length
    const failed = (results ?? []).filter((r) => r.errors.length > 0).length
    const files = new Set(snippets.map((s) => s.file)).size
    console.log(
      `docs-check: type-checked ${snippets.length} TypeScript blocks from ${files} READMEs ` +
        `(${snippets.length - fragments} complete, ${fragments} fragments after the prelude); ${failed} failed`,
    )
  })
})

describe('the checker itself', () => {
  it('fails a broken snippet, naming the README line', () => {
    const markdown = [
      '# x',
      '',
      '```ts',
      "import { createResourceServer } from '@org/rs-core'",
      "const rs = createResourceServer({ issuer: 'https://auth.example.com', clientId: 'a', clientSecret: 'b' })",
      'await rs.redy()',
      '```',
    ].join('\n')
    const [result] = checkSnippets(extractSnippets(markdown, 'BROKEN.md'))
    expect(result!.errors).toHaveLength(1)
    expect(result!.errors[0]).toMatch(/^BROKEN\.md:6:\d+ TS2551 Property 'redy' does not exist/)
  })

  it('fails a snippet that uses rs without creating it, unless it is marked as a fragment', () => {
    const markdown = [
      '```ts',
      'await rs.ready()',
      '```',
      '',
      '<!-- fragment -->',
      '```ts',
      'await rs.ready()',
      '```',
      '',
      '```ts fragment',
      'await rs.ready()',
      '```',
    ].join('\n')
    const snippets = extractSnippets(markdown, 'F.md')
    expect(snippets.map((s) => s.fragment)).toEqual([false, true, true])
    const [complete, marked, infoString] = checkSnippets(snippets)
    expect(complete!.errors.join()).toMatch(/F\.md:2:\d+ TS2304 Cannot find name 'rs'/)
    expect(marked!.errors).toEqual([])
    expect(infoString!.errors).toEqual([])
  })

  it('fails an import of a name a package does not export', () => {
    const [result] = checkSnippets(extractSnippets(['```ts', "import { requireAuth } from '@org/rs-core'", '```'].join('\n'), 'I.md'))
    expect(result!.errors.join()).toMatch(/I\.md:2:\d+ TS2305 Module '"@org\/rs-core"' has no exported member 'requireAuth'/)
  })

  it('skips other languages and keeps blocks apart', () => {
    const markdown = [
      '```sh',
      'const x = 1',
      '```',
      '```ts',
      'const x: number = 1',
      '```',
      '```typescript',
      "const x: string = 'a'",
      '```',
    ].join('\n')
    const snippets = extractSnippets(markdown, 'L.md')
    expect(snippets.map((s) => s.line)).toEqual([5, 8])
    expect(checkSnippets(snippets).flatMap((r) => r.errors)).toEqual([])
  })
})
