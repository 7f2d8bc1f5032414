/**
 * Finds the TypeScript blocks of the repository's READMEs and type-checks each one as its own
 * module against the built packages, with the compiler options of `tsconfig.base.json`.
 *
 * - A block is a fence whose info string starts with `ts` or `typescript`.
 * - Each block must compile on its own: its imports, the creation of `rs`, everything it uses.
 * - A block that is deliberately a fragment is marked, either with `ts fragment` as its info string
 *   or with `<!-- fragment -->` on the line before the fence. It is checked after {@link FRAGMENT_PRELUDE}
 *   (which declares `rs`), so a fragment can use `rs` without creating it, and nothing else.
 *
 * @module
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** This package's directory: snippets are checked as if they were files in it, so its dev dependencies resolve. */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** The repository root. */
export const REPO_ROOT = resolve(PACKAGE_DIR, '../..')

/**
 * What a fragment is checked after: the one resource server every README snippet talks about. A
 * fragment may use `rs` and must import everything else it uses.
 */
export const FRAGMENT_PRELUDE = [
  "import { createResourceServer as __createResourceServer } from '@org/rs-core'",
  "const rs = __createResourceServer({ issuer: 'https://auth.example.com', clientId: 'my-api', clientSecret: 'secret' })",
  '',
].join('\n')

export interface Snippet {
  /** Path of the Markdown file, relative to the repository root. */
  file: string
  /** 1-based line of the first line of code (the line after the opening fence). */
  line: number
  code: string
  fragment: boolean
}

export interface SnippetResult {
  snippet: Snippet
  /** One line per diagnostic, `file:line:col TSnnnn message`, with lines of the Markdown file. */
  errors: string[]
}

/** The Markdown files whose snippets are checked: README.md, packages/*\/README.md, examples/*\/README.md. */
export function readmeFiles(root = REPO_ROOT): string[] {
  const files = [join(root, 'README.md')]
  for (const dir of ['packages', 'examples']) {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const readme = join(root, dir, entry.name, 'README.md')
      if (entry.isDirectory() && existsSync(readme)) files.push(readme)
    }
  }
  return files.filter((f) => existsSync(f)).map((f) => relative(root, f))
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/
const FRAGMENT_COMMENT = /^\s*<!--\s*fragment\s*-->\s*$/

/** The TypeScript blocks of one Markdown text. */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split(/\r?\n/)
  const snippets: Snippet[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!)
    if (open === null) continue
    const [, indent, fence, lang, rest] = open as unknown as [string, string, string, string, string]
    // Find the closing fence (same character, at least as long); code blocks of any language are skipped whole.
    let end = i + 1
    while (end < lines.length && !new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(lines[end]!)) end++
    if (/^(ts|typescript)$/i.test(lang)) {
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      const fragment = /(^|\s)fragment(\s|$)/.test(rest) || (i > 0 && FRAGMENT_COMMENT.test(lines[i - 1]!))
      snippets.push({ file, line: i + 2, code: body.join('\n'), fragment })
    }
    i = end
  }
  return snippets
}

/** Every snippet of every README of the repository. */
export function collectSnippets(root = REPO_ROOT): Snippet[] {
  return readmeFiles(root).flatMap((file) => extractSnippets(readFileSync(join(root, file), 'utf8'), file))
}

/** The compiler options of `tsconfig.base.json`, with Node's types, each file forced to be a module. */
export function compilerOptions(root = REPO_ROOT): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.base.json')
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile)
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath)
  return {
    ...parsed.options,
    types: ['node'],
    typeRoots: [join(PACKAGE_DIR, 'node_modules/@types')],
    noEmit: true,
    // A snippet shows a value without using it (`const auth = await rs.authenticate(…)`).
    noUnusedLocals: false,
    noUnusedParameters: false,
    // The NestJS snippets use decorators the way Nest 11 apps do.
    experimentalDecorators: true,
    // A block without import/export is still its own module: two blocks never share names.
    moduleDetection: ts.ModuleDetectionKind.Force,
  }
}

/**
 * Type-checks the snippets, each as its own module, in one program. A fragment gets
 * {@link FRAGMENT_PRELUDE} before it; reported lines are always those of the Markdown file.
 */
export function checkSnippets(snippets: readonly Snippet[], options: ts.CompilerOptions = compilerOptions()): SnippetResult[] {
  const virtual = new Map<string, { snippet: Snippet; text: string; offset: number }>()
  snippets.forEach((snippet, index) => {
    const name = join(
      PACKAGE_DIR,
      '.snippets',
      `${String(index).padStart(3, '0')}-${snippet.file.replace(/[^A-Za-z0-9]+/g, '_')}-L${snippet.line}.ts`,
    )
    const prelude = snippet.fragment ? FRAGMENT_PRELUDE : ''
    virtual.set(name, { snippet, text: prelude + snippet.code + '\n', offset: prelude === '' ? 0 : prelude.split('\n').length - 1 })
  })
  const host = ts.createCompilerHost(options, true)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const v = virtual.get(resolve(fileName))
    if (v !== undefined) return ts.createSourceFile(fileName, v.text, languageVersion, true, ts.ScriptKind.TS)
    // Declaration files (lib.dom.d.ts, the frameworks' types) are parsed once per process.
    const key = `${typeof languageVersion === 'object' ? JSON.stringify(languageVersion) : languageVersion}:${fileName}`
    let file = parsed.get(key)
    if (file === undefined) {
      file = getSourceFile(fileName, languageVersion, onError, shouldCreate)
      if (file !== undefined) parsed.set(key, file)
    }
    return file
  }
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (fileName) => virtual.has(resolve(fileName)) || fileExists(fileName)
  const readFile = host.readFile.bind(host)
  host.readFile = (fileName) => virtual.get(resolve(fileName))?.text ?? readFile(fileName)
  host.getCurrentDirectory = () => PACKAGE_DIR

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host })
  const global = program.getOptionsDiagnostics().concat(program.getGlobalDiagnostics())
  if (global.length > 0) throw new Error(ts.formatDiagnostics(global, formatHost()))

  return [...virtual.entries()].map(([name, { snippet, offset }]) => {
    const source = program.getSourceFile(name)!
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    const errors = diagnostics.map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n    ')
      if (d.start === undefined) return `${snippet.file}:${snippet.line} TS${d.code} ${message}`
      const { line, character } = source.getLineAndCharacterOfPosition(d.start)
      const where =
        line < offset
          ? `${snippet.file}:${snippet.line} (fragment prelude)`
          : `${snippet.file}:${snippet.line + line - offset}:${character + 1}`
      return `${where} TS${d.code} ${message}`
    })
    return { snippet, errors }
  })
}

const parsed = new Map<string, ts.SourceFile>()

function formatHost(): ts.FormatDiagnosticsHost {
  return { getCanonicalFileName: (f) => f, getCurrentDirectory: () => PACKAGE_DIR, getNewLine: () => '\n' }
}
