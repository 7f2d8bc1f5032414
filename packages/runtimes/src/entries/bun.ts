/** Bun: the scenarios served by Bun.serve. */
import { createHandler, type ScenarioConfig } from '../scenarios.js'
import { CONFIG_VAR, MAX_LIFETIME_MS, listeningLine } from './protocol.js'

declare const Bun: {
  env: Record<string, string | undefined>
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Promise<Response> }): { port: number }
}
declare const process: { exit(code: number): never }

const config = JSON.parse(Bun.env[CONFIG_VAR] ?? '') as ScenarioConfig
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: createHandler(config) })
console.log(listeningLine(server.port))
setTimeout(() => process.exit(3), MAX_LIFETIME_MS)
