/**
 * Scenario 8 (`headers`), a measurement for the adapter authors (no goal): on Express and Koa, a
 * route middleware that reads `req.headers.authorization`, one that reads
 * `req.headersDistinct.authorization` (to refuse a repeated header), one that scans `req.rawHeaders`
 * for `authorization` names (to refuse a repeated header without allocating), and a no-op middleware,
 * in alternation on one server per framework. Ratios of req/s to the no-op route (median of the per-round ratios).
 */
import { connect } from 'node:net'
import { type ScenarioContext, TOKEN_POOL, tokenPool } from './as-client.js'
import { alternate, shortTiming, timingText, fmt, type Goal, ratioOf, type Section, startChild, table } from './runner.js'

const FRAMEWORKS = [
  { name: 'Express 5', file: './servers/express-headers.ts' },
  { name: 'Koa 3 (@koa/router)', file: './servers/koa-headers.ts' },
]
const ROUTES = [
  { path: '/noop', name: 'no-op middleware' },
  { path: '/headers', name: '`req.headers.authorization`' },
  { path: '/distinct', name: '`req.headersDistinct.authorization`' },
  { path: '/raw', name: '`req.rawHeaders` scan' },
]

/** The status of a raw HTTP/1.1 request carrying `authorizations` as separate header lines (5 s deadline). */
function rawStatus(port: number, path: string, authorizations: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer on ${path} within 5 s`))
    }, 5_000)
    socket.on('data', (d) => {
      data += d
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data)
      if (m) {
        clearTimeout(timer)
        socket.destroy()
        resolve(Number(m[1]))
      }
    })
    socket.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${authorizations.map((a) => `Authorization: ${a}\r\n`).join('')}Connection: close\r\n\r\n`,
    )
  })
}

export default async function headers({ log }: ScenarioContext): Promise<Section> {
  // Header values of a realistic size (JWT-like, 600 characters); no AS needed, nothing verifies them.
  const tokens = await tokenPool(async () => `eyJ${Math.random().toString(36).slice(2).padEnd(597, 'x')}`)
  const rows: (string | number)[][] = []
  const ratioRows: (string | number)[][] = []
  const sanityRows: (string | number)[][] = []
  for (const fw of FRAMEWORKS) {
    log(`  ${fw.name}`)
    const server = await startChild(fw.file, {})
    try {
      const port = server.ready.port as number
      for (const r of ROUTES.slice(1)) {
        sanityRows.push([
          fw.name,
          r.name,
          await rawStatus(port, r.path, ['Bearer a']),
          await rawStatus(port, r.path, ['Bearer a', 'Bearer b']),
          await rawStatus(port, r.path, []),
        ])
      }
      const results = await alternate(
        ROUTES.map((r) => ({ name: r.name, url: `http://127.0.0.1:${port}${r.path}`, tokens })),
        log,
        shortTiming,
      )
      for (const m of results) rows.push([fw.name, m.name, fmt(m.median.rps, 0), m.median.p50, m.median.p99])
      ratioRows.push([fw.name, ...results.slice(1).map((m) => fmt(ratioOf(m, results[0]!), 3))])
    } finally {
      await server.stop()
    }
  }
  const goals: Goal[] = []
  const markdown = [
    'Measurement only, for the adapter authors (no goal). One server per framework (its own child process), four routes',
    'each with one route middleware before the same tiny JSON handler: a no-op, and three readers of the Authorization',
    'header (`src/servers/header-readers.ts`). Each reader uses the value (a module-level sum of lengths), sets nothing on',
    'the request, and answers 400 when the header is missing (and, for the two that can tell, repeated). The same',
    `${TOKEN_POOL} distinct 600-character bearer values are sent in turn to every route. In alternation, ${timingText(shortTiming)}.`,
    '',
    'What each reader sees (HTTP status for one Authorization header / two / none; raw HTTP/1.1 requests):',
    '',
    table(['framework', 'reader', 'one', 'two', 'none'], sanityRows),
    '',
    'Node keeps only the first `authorization` in `req.headers` (a duplicate is dropped silently), so only',
    '`headersDistinct` and a `rawHeaders` scan can refuse a repeated header.',
    '',
    table(['framework', 'middleware', 'req/s', 'p50 ms', 'p99 ms'], rows),
    '',
    '### Ratio to the no-op middleware (req/s, median of the per-round ratios)',
    '',
    table(['framework', ...ROUTES.slice(1).map((r) => r.name)], ratioRows),
  ].join('\n')
  return { markdown, goals }
}
